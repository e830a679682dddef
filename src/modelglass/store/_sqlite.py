"""SQLite backend: one database file in WAL mode; many writer processes and readers at once."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

from ..core import StoreError
from ._sql import SqlBackend

DB_NAME = "modelglass.db"
_BUSY_TIMEOUT_S = 60.0
_RETRY_FOR_S = 300.0


class SqliteBackend(SqlBackend):
    """The embedded default. ``path`` is the store directory (or a ``.db`` file)."""

    def __init__(self, path: str | os.PathLike[str], create: bool = True) -> None:
        self.db_path = _db_path(Path(path), create)
        self.location = str(self.db_path.parent if self.db_path.name == DB_NAME else self.db_path)
        super().__init__()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                str(self.db_path),
                timeout=_BUSY_TIMEOUT_S,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a killed process never loses a committed transaction.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"Cannot open the store database {self.db_path}: {exc}. "
                "Check that it is a modelglass store and that you may write to it."
            ) from exc
        return conn

    def _transaction(self, fn: Callable[[Any], Any]) -> Any:
        deadline = time.monotonic() + _RETRY_FOR_S
        delay = 0.005
        while True:
            with self._lock:
                cur = self._conn.cursor()
                try:
                    cur.execute("BEGIN IMMEDIATE")
                    try:
                        result = fn(cur)
                    except BaseException:
                        cur.execute("ROLLBACK")
                        raise
                    cur.execute("COMMIT")
                    return result
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc) or time.monotonic() > deadline:
                        raise StoreError(f"Writing to the store {self.location} failed: {exc}") from exc
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
                    raise StoreError(f"Reading the store {self.location} failed: {exc}") from exc
                time.sleep(0.01)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


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
