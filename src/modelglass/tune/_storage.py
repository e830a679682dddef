"""Where Optuna keeps a study: beside the run store by default, a journal file or a database URL."""

from __future__ import annotations

import os
import random
import time
import warnings
from pathlib import Path
from typing import Any

from ..core import BadInputError, NotFoundError, argument_error, require, resolve_store_location

JOURNAL_NAME = "optuna.journal"
_PG_PREFIXES = ("postgresql://", "postgres://")
_SQL_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def optuna_module() -> Any:
    """Import Optuna (with a clear error when it is missing), quiet by default."""
    optuna = require("optuna", "hyperparameter search (mg.tune)")
    return optuna


def default_storage_location(store: str | os.PathLike[str] | None) -> str:
    """The Optuna storage that lives beside the run store ``store``.

    A directory store gets ``<dir>/optuna.journal``; a PostgreSQL store keeps the
    studies in the same database (Optuna's tables do not clash with modelglass's).
    """
    loc = resolve_store_location(store)
    if loc.startswith(_PG_PREFIXES) or loc.startswith("postgresql+"):
        return loc
    if loc.startswith("sqlite:///"):
        loc = loc[len("sqlite://"):] if loc.startswith("sqlite:////") else loc[len("sqlite:///"):]
    path = Path(loc)
    folder = path.parent if path.suffix in _SQL_SUFFIXES else path
    return str(folder / JOURNAL_NAME)


def describe(storage: Any) -> str:
    """A printable name of a storage, with any password hidden."""
    if isinstance(storage, str):
        return _hide_password(storage)
    return type(storage).__name__


def open_storage(
    storage: Any, store: Any = None, create: bool = True, heartbeat: int | None = None,
    on_stale: Any = None,
) -> tuple[Any, str]:
    """An Optuna storage object for ``storage`` (or the default beside ``store``).

    Args:
        storage: ``None`` (default beside the run store), a journal file path, a
            ``.db`` path (SQLite), a database URL, or an Optuna storage object.
        store: The run store whose neighbour is the default storage.
        create: When False, a journal file that does not exist raises NotFoundError.
        heartbeat: For a database storage: seconds between a running trial's
            heartbeats; a trial silent for twice as long is marked failed (its
            worker died) and ``on_stale(study, trial)`` is called. Optuna's journal
            storage has no heartbeat.

    Returns:
        The storage and a printable description of it.
    """
    optuna = optuna_module()
    if storage is not None and not isinstance(storage, (str, os.PathLike)):
        if isinstance(storage, optuna.storages.BaseStorage):
            return storage, describe(storage)
        raise argument_error("storage", "mg.tune", "a path, a database URL or an Optuna storage", storage)
    where = default_storage_location(store) if storage is None else os.fspath(storage)
    if not where:
        raise BadInputError("The 'storage' argument of mg.tune is an empty string. Pass a path or URL.")
    hb = {} if not heartbeat else {
        "heartbeat_interval": int(heartbeat), "heartbeat_stale_trial_callback": on_stale,
    }
    if "://" in where:
        return _rdb(optuna, _normalise_url(where), **hb), _hide_password(where)
    path = Path(where)
    if path.suffix in _SQL_SUFFIXES:
        if not create and not path.exists():
            raise NotFoundError(f"No Optuna database at {path}.")
        path.parent.mkdir(parents=True, exist_ok=True)
        return _rdb(optuna, f"sqlite:///{path.resolve()}", **hb), str(path)
    if not create and not path.exists():
        raise NotFoundError(
            f"No studies at {path}: the file does not exist. Run mg.tune(...) with this store "
            "first, or pass --storage with the journal file or database URL the study used."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    journal = optuna.storages.journal
    return optuna.storages.JournalStorage(journal.JournalFileBackend(str(path))), str(path)


def storage_exists(storage: Any, store: Any = None) -> bool:
    """False when the default or given journal/SQLite file has not been written yet."""
    if storage is not None and not isinstance(storage, (str, os.PathLike)):
        return True
    where = default_storage_location(store) if storage is None else os.fspath(storage)
    return "://" in where or Path(where).exists()


def _rdb(optuna: Any, url: str, attempts: int = 4, **heartbeat: Any) -> Any:
    with warnings.catch_warnings():
        # Optuna calls its heartbeat experimental; it has been there since 2.8.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return _rdb_open(optuna, url, attempts, **heartbeat)


def _rdb_open(optuna: Any, url: str, attempts: int, **heartbeat: Any) -> Any:
    for attempt in range(attempts - 1):
        try:
            return optuna.storages.RDBStorage(url, **heartbeat)
        except ImportError:
            break
        except Exception:
            # Workers that start together on an empty database race to create Optuna's
            # tables; the loser sees a duplicate-key error. The schema exists by then.
            time.sleep(0.2 * (attempt + 1) * (1 + random.random()))
    try:
        return optuna.storages.RDBStorage(url, **heartbeat)
    except ImportError as exc:  # the database driver is missing
        raise BadInputError(
            f"Cannot open the Optuna storage {_hide_password(url)}: {exc}. "
            'For PostgreSQL run: pip install "modelglass[postgres]"'
        ) from exc
    except Exception as exc:  # SQLAlchemy raises many kinds; say which URL failed
        raise BadInputError(
            f"Cannot open the Optuna storage {_hide_password(url)}: "
            f"{' '.join(str(exc).split())[:300]}"
        ) from exc


def _normalise_url(url: str) -> str:
    """Use psycopg 3 for a plain ``postgresql://`` URL when psycopg2 is not installed."""
    for prefix in _PG_PREFIXES:
        if url.startswith(prefix):
            try:
                import psycopg2  # noqa: F401
            except ImportError:
                return "postgresql+psycopg://" + url[len(prefix):]
            return "postgresql://" + url[len(prefix):]
    return url


def _hide_password(url: str) -> str:
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    if ":" in creds:
        creds = creds.split(":", 1)[0] + ":***"
    return f"{scheme}://{creds}@{host}"
