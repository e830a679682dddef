"""PostgreSQL backend (``postgresql://user@host:port/db``): the same schema for teams and clusters."""

from __future__ import annotations

import contextlib
from typing import Any, Callable

from ..core import StoreError, require
from ._backend import StoreUnavailableError
from ._sql import SqlBackend

# Serialises schema migrations between processes that open a fresh database at once.
_MIGRATION_LOCK_ID = 0x6D67_6C73
# Serialises default run names (``<project>-<n>``) between processes.
_NAME_LOCK_ID = 0x6D67_6E6D


class PostgresBackend(SqlBackend):
    placeholder = "%s"
    # A server can go away and come back: writers spool to a local file meanwhile.
    spools = True

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        # Never show a password in messages or the dashboard.
        self.location = _redact(self.url)
        super().__init__()

    def _connect(self) -> Any:
        psycopg = require("psycopg", "a PostgreSQL store")
        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreUnavailableError(
                f"Cannot connect to the store {self.location}: {_one_line(exc)}"
            ) from exc

    def _ensure_connected(self) -> None:
        """Reconnect after the server went away (a restart, a failover, a network cut)."""
        if self._conn.closed or self._conn.broken:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = self._connect()

    def _ddl(self, sql: str) -> str:
        return sql.replace("BLOB", "BYTEA")

    def _transaction(self, fn: Callable[[Any], Any]) -> Any:
        psycopg = require("psycopg", "a PostgreSQL store")
        with self._lock:
            self._ensure_connected()
            try:
                with self._conn.transaction():
                    with self._conn.cursor() as cur:
                        return fn(cur)
            except psycopg.Error as exc:
                raise self._error("Writing to", exc, psycopg) from exc

    def _select(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        psycopg = require("psycopg", "a PostgreSQL store")
        with self._lock:
            self._ensure_connected()
            try:
                return super()._select(sql, params)
            except psycopg.Error as exc:
                raise self._error("Reading", exc, psycopg) from exc

    def _error(self, verb: str, exc: Exception, psycopg: Any) -> StoreError:
        msg = f"{verb} the store {self.location} failed: {_one_line(exc)}"
        gone = isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))
        if gone or self._conn.closed or self._conn.broken:
            return StoreUnavailableError(msg)
        return StoreError(msg)

    def _migration_lock(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK_ID,))

    def _name_lock(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_NAME_LOCK_ID,))


def _redact(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}@{host}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
