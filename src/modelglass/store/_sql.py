"""A SQL backend written once for SQLite and PostgreSQL (``?`` placeholders, translated)."""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Sequence

from ._backend import ChunkRow, WriteBatch
from ._schema import MIGRATIONS, SCHEMA_VERSION
from ..core import StoreError

_RUN_COLUMNS = (
    "id", "project", "name", "status", "config", "summary", "started", "ended",
    "heartbeat", "host", "pid", "study", "schema_version",
)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_UPDATABLE = {"status", "summary", "ended", "heartbeat", "config", "name", "study"}


class SqlBackend:
    """Shared SQL. Subclasses provide ``_connect``, ``_blob`` and placeholder style."""

    location: str
    placeholder = "?"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._conn = self._connect()
        self._migrate()

    # -- hooks -----------------------------------------------------------------
    def _connect(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transaction(self, fn: Callable[[Any], Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _ddl(self, sql: str) -> str:
        return sql

    def _migration_lock(self, cur: Any) -> None:
        """Serialise migrations between processes (SQLite's BEGIN IMMEDIATE already does)."""

    def _q(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _select(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            cur = self._conn.cursor()
            try:
                cur.execute(self._q(sql), tuple(params))
                rows: list[tuple[Any, ...]] = cur.fetchall()
            finally:
                cur.close()
            self._after_read()
            return rows

    def _after_read(self) -> None:
        pass

    # -- schema ----------------------------------------------------------------
    def _migrate(self) -> None:
        def step(cur: Any) -> None:
            self._migration_lock(cur)
            cur.execute(self._ddl(MIGRATIONS[0][0]))
            cur.execute(self._q("SELECT value FROM mg_meta WHERE key = ?"), ("schema_version",))
            row = cur.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The store at {self.location} has schema version {version}, newer than "
                    f"this modelglass understands ({SCHEMA_VERSION}). Upgrade modelglass."
                )
            for i in range(version, SCHEMA_VERSION):
                for sql in MIGRATIONS[i]:
                    cur.execute(self._ddl(sql))
            cur.execute(
                self._q(
                    "INSERT INTO mg_meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                ),
                ("schema_version", str(SCHEMA_VERSION)),
            )

        self._transaction(step)

    def schema_version(self) -> int:
        rows = self._select("SELECT value FROM mg_meta WHERE key = 'schema_version'")
        return int(rows[0][0]) if rows else 0

    # -- writes ----------------------------------------------------------------
    def create_run(self, row: dict[str, Any]) -> str:
        """Insert a run; without a name it gets ``<project>-<n>``, unique even when
        several processes start at the same moment (counted inside the insert's
        transaction). Returns the name."""
        row = dict(row)
        cols = ", ".join(_RUN_COLUMNS)
        marks = ", ".join("?" for _ in _RUN_COLUMNS)

        def step(cur: Any) -> str:
            if not row.get("name"):
                self._name_lock(cur)
                cur.execute(
                    self._q("SELECT COUNT(*) FROM runs WHERE project = ?"), (row["project"],)
                )
                n = int(cur.fetchone()[0])
                while True:
                    name = f"{row['project']}-{n + 1}"
                    cur.execute(self._q("SELECT 1 FROM runs WHERE name = ? AND project = ?"),
                                (name, row["project"]))
                    if cur.fetchone() is None:
                        break
                    n += 1
                row["name"] = name
            cur.execute(
                self._q(f"INSERT INTO runs ({cols}) VALUES ({marks})"),
                [row.get(c) for c in _RUN_COLUMNS],
            )
            return str(row["name"])

        name: str = self._transaction(step)
        return name

    def _name_lock(self, cur: Any) -> None:
        """Serialise default names between processes (SQLite's BEGIN IMMEDIATE already does)."""

    def write(self, batch: WriteBatch) -> None:
        if not batch:
            return
        blob = self._blob

        def step(cur: Any) -> None:
            if batch.chunks:
                cur.executemany(
                    self._q(
                        "INSERT INTO series_chunks (run_id, tag, seq, n, step_min, step_max, "
                        "last_step, last_value, vmin, vmax, steps, vals, times) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    ),
                    [
                        (c.run_id, c.tag, c.seq, c.n, c.step_min, c.step_max, c.last_step,
                         c.last_value, c.vmin, c.vmax, blob(c.steps), blob(c.vals),
                         blob(c.times))
                        for c in batch.chunks
                    ],
                )
            if batch.histograms:
                cur.executemany(
                    self._q(
                        "INSERT INTO histograms (run_id, tag, step, time, edges, counts, vmin, "
                        "vmax, mean, std, count, nan_count, inf_count) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (run_id, tag, step) DO UPDATE SET time = excluded.time, "
                        "edges = excluded.edges, counts = excluded.counts, vmin = excluded.vmin, "
                        "vmax = excluded.vmax, mean = excluded.mean, std = excluded.std, "
                        "count = excluded.count, nan_count = excluded.nan_count, "
                        "inf_count = excluded.inf_count"
                    ),
                    [
                        (h.run_id, h.tag, h.step, h.time, blob(h.edges), blob(h.counts),
                         h.vmin, h.vmax, h.mean, h.std, h.count, h.nan_count, h.inf_count)
                        for h in batch.histograms
                    ],
                )
            for a in batch.artifacts:
                cur.execute(
                    self._q(
                        "INSERT INTO artifacts (run_id, name, kind, data, created) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, name) DO UPDATE SET "
                        "kind = excluded.kind, data = excluded.data, created = excluded.created"
                    ),
                    (a.run_id, a.name, a.kind, blob(a.data), a.created),
                )
            if batch.events:
                cur.executemany(
                    self._q(
                        "INSERT INTO events (run_id, time, step, level, message, data) "
                        "VALUES (?, ?, ?, ?, ?, ?)"
                    ),
                    [(e.run_id, e.time, e.step, e.level, e.message, e.data) for e in batch.events],
                )
            for run_id, fields in batch.run_updates.items():
                self._update_run(cur, run_id, fields)

        self._transaction(step)

    def _update_run(self, cur: Any, run_id: str, fields: dict[str, Any]) -> None:
        fields = {k: v for k, v in fields.items() if k in _UPDATABLE}
        if not fields:
            return
        for key in ("summary", "config"):
            if key in fields and not isinstance(fields[key], str):
                fields[key] = json.dumps(fields[key], allow_nan=True, default=str)
        sets = ", ".join(f"{k} = ?" for k in fields)
        cur.execute(self._q(f"UPDATE runs SET {sets} WHERE id = ?"), [*fields.values(), run_id])

    def next_seq(self, run_id: str, tag: str) -> int:
        rows = self._select(
            "SELECT MAX(seq) FROM series_chunks WHERE run_id = ? AND tag = ?", (run_id, tag)
        )
        return 0 if not rows or rows[0][0] is None else int(rows[0][0]) + 1

    def replace_chunks(self, run_id: str, tag: str, rows: Sequence[ChunkRow]) -> None:
        """Swap all chunks of one series for ``rows`` in one transaction (compaction)."""
        blob = self._blob

        def step(cur: Any) -> None:
            cur.execute(
                self._q("DELETE FROM series_chunks WHERE run_id = ? AND tag = ?"), (run_id, tag)
            )
            cur.executemany(
                self._q(
                    "INSERT INTO series_chunks (run_id, tag, seq, n, step_min, step_max, "
                    "last_step, last_value, vmin, vmax, steps, vals, times) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                [
                    (c.run_id, c.tag, c.seq, c.n, c.step_min, c.step_max, c.last_step,
                     c.last_value, c.vmin, c.vmax, blob(c.steps), blob(c.vals), blob(c.times))
                    for c in rows
                ],
            )

        self._transaction(step)

    def delete_run(self, run_id: str) -> None:
        def step(cur: Any) -> None:
            for table in ("series_chunks", "histograms", "artifacts", "events"):
                cur.execute(self._q(f"DELETE FROM {table} WHERE run_id = ?"), (run_id,))
            cur.execute(self._q("DELETE FROM runs WHERE id = ?"), (run_id,))

        self._transaction(step)

    # -- reads -----------------------------------------------------------------
    def runs(self) -> list[dict[str, Any]]:
        cols = ", ".join(_RUN_COLUMNS)
        rows = self._select(f"SELECT {cols} FROM runs ORDER BY started, id")
        return [dict(zip(_RUN_COLUMNS, r)) for r in rows]

    def chunks(
        self, run_id: str, tag: str, step_min: int | None = None, step_max: int | None = None
    ) -> list[tuple[int, bytes, bytes, bytes]]:
        sql = "SELECT n, steps, vals, times FROM series_chunks WHERE run_id = ? AND tag = ?"
        params: list[Any] = [run_id, tag]
        # Bounds beyond the 64-bit steps (a URL's ?start=) select as the nearest bound would.
        if step_min is not None:
            sql += " AND step_max >= ?"
            params.append(min(max(int(step_min), _INT64_MIN), _INT64_MAX))
        if step_max is not None:
            sql += " AND step_min <= ?"
            params.append(min(max(int(step_max), _INT64_MIN), _INT64_MAX))
        rows = self._select(sql + " ORDER BY seq", params)
        return [(r[0], bytes(r[1]), bytes(r[2]), bytes(r[3])) for r in rows]

    def chunk_stats(self, run_id: str) -> list[tuple[Any, ...]]:
        """(tag, seq, n, last_step, last_value, vmin, vmax) per chunk, in order."""
        return self._select(
            "SELECT tag, seq, n, last_step, last_value, vmin, vmax FROM series_chunks "
            "WHERE run_id = ? ORDER BY tag, seq",
            (run_id,),
        )

    def histogram_rows(self, run_id: str, tag: str) -> list[tuple[Any, ...]]:
        rows = self._select(
            "SELECT step, time, edges, counts, vmin, vmax, mean, std, count, nan_count, "
            "inf_count FROM histograms WHERE run_id = ? AND tag = ? ORDER BY step",
            (run_id, tag),
        )
        return [(r[0], r[1], bytes(r[2]), bytes(r[3]), *r[4:]) for r in rows]

    def histogram_tags(self, run_id: str) -> list[str]:
        rows = self._select(
            "SELECT DISTINCT tag FROM histograms WHERE run_id = ? ORDER BY tag", (run_id,)
        )
        return [r[0] for r in rows]

    def artifact_names(self, run_id: str) -> list[tuple[str, str, float]]:
        return [
            (r[0], r[1], r[2])
            for r in self._select(
                "SELECT name, kind, created FROM artifacts WHERE run_id = ? ORDER BY name",
                (run_id,),
            )
        ]

    def artifact(self, run_id: str, name: str) -> tuple[str, bytes] | None:
        rows = self._select(
            "SELECT kind, data FROM artifacts WHERE run_id = ? AND name = ?", (run_id, name)
        )
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def event_rows(self, run_id: str) -> list[tuple[Any, ...]]:
        return self._select(
            "SELECT time, step, level, message, data FROM events WHERE run_id = ? "
            "ORDER BY time",
            (run_id,),
        )

    @staticmethod
    def _blob(data: bytes) -> Any:
        return data

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not raise
                pass
