"""Where the store lives: argument, else ``MODELGLASS_STORE``, else ``./mglogs``."""

from __future__ import annotations

import os
from pathlib import Path

ENV_STORE = "MODELGLASS_STORE"
DEFAULT_STORE = "mglogs"


def resolve_store_location(location: str | os.PathLike[str] | None = None) -> str:
    """Return the store path or URL to use."""
    if location is not None and str(location) != "":
        return os.fspath(location)
    env = os.environ.get(ENV_STORE)
    if env:
        return env
    return str(Path.cwd() / DEFAULT_STORE)
