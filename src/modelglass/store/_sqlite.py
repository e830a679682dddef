"""SQLite backend: one database file in WAL mode; many writer processes and readers at once."""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

from ..core import StoreError
from ._backend import StoreUnavailableError
from ._schema import SCHEMA_VERSION
from ._sql import SqlBackend

DB_NAME = "modelglass.db"
_BUSY_TIMEOUT_S = 60.0
_RETRY_FOR_S = 300.0


class SqliteBackend(SqlBackend):
    """The embedded default. ``path`` is the store directory (or a ``.db`` file)."""

    def __init__(self, path: str | os.PathLike[str], create: bool = True) -> None:
        self.db_path = _db_path(Path(path), create)
        self.location = str(self.db_path.parent if self.db_path.name == DB_NAME else self.db_path)
        # A store opened to read is opened read-only: no WAL switch, no migration,
        # so that a store on a read-only mount (or someone else's) can be read.
        self.read_only = not create
        super().__init__()

    def _connect(self) -> sqlite3.Connection:
        deadline = time.monotonic() + _RETRY_FOR_S
        delay = 0.005
        while True:
            try:
                return self._open() if not self.read_only else self._open_read_only()
            except sqlite3.OperationalError as exc:
                # Several processes opening a new store at once: the WAL switch
                # needs the database to itself for a moment.
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise _store_error(self.location, "open", exc) from exc
            except sqlite3.DatabaseError as exc:
                raise _store_error(self.location, "open", exc) from exc
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.5)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.db_path), timeout=_BUSY_TIMEOUT_S, isolation_level=None,
            check_same_thread=False,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
            # Switching needs an exclusive lock: only when it is not in WAL yet.
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a killed process never loses a committed transaction.
            conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        uri = self.db_path.resolve().as_uri()
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            conn = sqlite3.connect(
                uri + query, uri=True, timeout=_BUSY_TIMEOUT_S, isolation_level=None,
                check_same_thread=False,
            )
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                # A WAL store in a folder we may not write to cannot get its shared-memory
                # file: read it as immutable (nobody can be writing to a read-only mount).
                if "unable to open" not in str(exc) and "readonly" not in str(exc):
                    raise
                last = exc
        raise last

    def _migrate(self) -> None:
        if not self.read_only:
            super()._migrate()
            return
        fresh = not self._select("SELECT 1 FROM sqlite_master WHERE name = 'mg_meta'")
        if fresh and os.access(self.db_path, os.W_OK) and os.access(self.db_path.parent, os.W_OK):
            # A store its first writer is creating right now (or an empty file): set it
            # up as a writer would, so that a reader started alongside can read it.
            self._conn.close()
            self.read_only = False
            self._conn = self._connect()
            super()._migrate()
            return
        try:
            version = self.schema_version()
        except StoreError:
            version = 0
        if version != SCHEMA_VERSION:
            newer = version > SCHEMA_VERSION
            raise StoreError(
                f"The store at {self.location} has schema version {version}, "
                f"{'newer' if newer else 'older'} than this modelglass reads ({SCHEMA_VERSION}). "
                + ("Upgrade modelglass." if newer else
                   "Open it once for writing (mg.init(store=...)) to upgrade it, "
                   "or read it with the modelglass version that wrote it.")
            )

    def _transaction(self, fn: Callable[[Any], Any]) -> Any:
        if self.read_only:
            raise StoreError(f"The store {self.location} was opened read-only; it cannot be written.")
        deadline = time.monotonic() + _RETRY_FOR_S
        delay = 0.005
        while True:
            with self._lock:
                cur = self._conn.cursor()
                try:
                    cur.execute("BEGIN IMMEDIATE")
                    try:
                        result = fn(cur)
                        cur.execute("COMMIT")
                    except BaseException:
                        # SQLite ends the transaction itself on some errors (a full
                        # disk): a second ROLLBACK would hide the real error.
                        if self._conn.in_transaction:
                            with contextlib.suppress(sqlite3.Error):
                                cur.execute("ROLLBACK")
                        raise
                    return result
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc) or time.monotonic() > deadline:
                        raise _store_error(self.location, "write to", exc) from exc
                except sqlite3.DatabaseError as exc:
                    raise _store_error(self.location, "write to", exc) from exc
                finally:
                    cur.close()
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.5)

    def _select(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + _RETRY_FOR_S
        while True:
            try:
                return super()._select(sql, params)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise _store_error(self.location, "read", exc) from exc
                time.sleep(0.01)
            except sqlite3.DatabaseError as exc:
                raise _store_error(self.location, "read", exc) from exc


def _is_busy(exc: sqlite3.Error) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


def _store_error(location: str, verb: str, exc: sqlite3.DatabaseError) -> StoreError:
    """One line that says what happened to the store and what to do."""
    msg = str(exc)
    low = msg.lower()
    if "full" in low:
        return StoreUnavailableError(
            f"Cannot {verb} the store {location}: the disk is full ({msg}). Free some space; "
            "a running run keeps what it logged in memory and writes it once there is room."
        )
    if "malformed" in low or "not a database" in low or "encrypted" in low:
        return StoreError(
            f"Cannot {verb} the store {location}: the database file is damaged ({msg}). Restore "
            f"it from a backup, or save what is readable: sqlite3 {DB_NAME} .recover | sqlite3 "
            "recovered.db"
        )
    if "readonly" in low or "read-only" in low:
        return StoreUnavailableError(
            f"Cannot {verb} the store {location}: it is read-only ({msg}). Log to a folder you "
            "may write to (mg.init(store=...) or MODELGLASS_STORE)."
        )
    if _is_busy(exc) or "i/o" in low or "unable to open" in low:
        return StoreUnavailableError(f"Cannot {verb} the store {location}: {msg}.")
    return StoreError(f"Cannot {verb} the store {location}: {msg}.")


def _db_path(path: Path, create: bool) -> Path:
    if path.suffix == ".db" or (path.exists() and path.is_file()):
        if not path.exists() and not create:
            raise StoreError(f"No store at {path}: the file does not exist.")
        if path.exists() and not _is_sqlite_file(path):
            raise StoreError(f"{path} is not a modelglass store (not a SQLite database).")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        return path
    db = path / DB_NAME
    if not create:
        if not path.exists():
            raise StoreError(
                f"No store at {path}: the directory does not exist. "
                "Pass --store DIR or set MODELGLASS_STORE to where your runs were logged."
            )
        if not db.exists():
            raise StoreError(
                f"{path} is not a modelglass store: it has no {DB_NAME} inside. "
                "Pass the directory that mg.init(store=...) wrote to."
            )
        if not _is_sqlite_file(db):
            raise StoreError(f"{db} is not a SQLite database; the store is damaged or foreign.")
    else:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the store directory {path}: {exc.strerror}.") from exc
    return db


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return head == b"SQLite format 3\x00" or head == b""
