"""PostgreSQL backend (``postgresql://user@host:port/db``): the same schema for teams and clusters."""

from __future__ import annotations

from typing import Any, Callable

from ..core import StoreError, require
from ._sql import SqlBackend

# Serialises schema migrations between processes that open a fresh database at once.
_MIGRATION_LOCK_ID = 0x6D67_6C73
# Serialises default run names (``<project>-<n>``) between processes.
_NAME_LOCK_ID = 0x6D67_6E6D


class PostgresBackend(SqlBackend):
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        # Never show a password in messages or the dashboard.
        self.location = _redact(self.url)
        super().__init__()

    def _connect(self) -> Any:
        psycopg = require("psycopg", "a PostgreSQL store")
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"Cannot connect to the store {self.location}: {exc}".strip()) from exc

    def _ddl(self, sql: str) -> str:
        return sql.replace("BLOB", "BYTEA")

    def _transaction(self, fn: Callable[[Any], Any]) -> Any:
        psycopg = require("psycopg", "a PostgreSQL store")
        with self._lock:
            try:
                with self._conn.transaction():
                    with self._conn.cursor() as cur:
                        return fn(cur)
            except psycopg.Error as exc:
                raise StoreError(f"Writing to the store {self.location} failed: {exc}") from exc

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
