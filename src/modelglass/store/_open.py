"""Open a store by path or URL."""

from __future__ import annotations

import os

from ..core import BadInputError, resolve_store_location
from ._backend import Backend
from ._reader import Reader


def open_backend(location: str | os.PathLike[str] | None = None, create: bool = True) -> Backend:
    """The backend for ``location`` (a directory, a ``.db`` file, or a URL)."""
    loc = resolve_store_location(location)
    if loc.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from ._postgres import PostgresBackend

        return PostgresBackend(loc)
    if loc.startswith("sqlite:///"):
        # As in SQLAlchemy: sqlite:///relative/path, sqlite:////absolute/path.
        loc = loc[len("sqlite:///"):]
    elif "://" in loc:
        scheme = loc.split("://", 1)[0]
        raise BadInputError(
            f"Unknown store URL scheme {scheme!r} in {loc!r}. Use a directory, "
            "sqlite:///path or postgresql://user@host/db."
        )
    from ._sqlite import SqliteBackend

    return SqliteBackend(loc, create=create)


def open_store(path_or_url: str | os.PathLike[str] | None = None) -> Reader:
    """Open a store for reading: argument, else ``MODELGLASS_STORE``, else ``./mglogs``.

    Raises:
        StoreError: the location does not exist or is not a modelglass store.
    """
    return Reader(open_backend(path_or_url, create=False))
