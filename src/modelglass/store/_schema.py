"""The store's SQL schema, as numbered migrations. Never edit a shipped migration: add one."""

from __future__ import annotations

SCHEMA_VERSION = 1

# Each entry moves the schema from version i to i + 1.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE IF NOT EXISTS mg_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS runs (
            id TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            config TEXT NOT NULL,
            summary TEXT NOT NULL,
            started DOUBLE PRECISION NOT NULL,
            ended DOUBLE PRECISION,
            heartbeat DOUBLE PRECISION,
            host TEXT NOT NULL,
            pid INTEGER,
            study TEXT,
            schema_version INTEGER NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS runs_project ON runs (project, started)",
        """CREATE TABLE IF NOT EXISTS series_chunks (
            run_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            seq INTEGER NOT NULL,
            n INTEGER NOT NULL,
            step_min BIGINT NOT NULL,
            step_max BIGINT NOT NULL,
            last_step BIGINT NOT NULL,
            last_value DOUBLE PRECISION,
            vmin DOUBLE PRECISION,
            vmax DOUBLE PRECISION,
            steps BLOB NOT NULL,
            vals BLOB NOT NULL,
            times BLOB NOT NULL,
            PRIMARY KEY (run_id, tag, seq))""",
        """CREATE TABLE IF NOT EXISTS histograms (
            run_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            step BIGINT NOT NULL,
            time DOUBLE PRECISION NOT NULL,
            edges BLOB NOT NULL,
            counts BLOB NOT NULL,
            vmin DOUBLE PRECISION,
            vmax DOUBLE PRECISION,
            mean DOUBLE PRECISION,
            std DOUBLE PRECISION,
            count BIGINT NOT NULL,
            nan_count BIGINT NOT NULL,
            inf_count BIGINT NOT NULL,
            PRIMARY KEY (run_id, tag, step))""",
        """CREATE TABLE IF NOT EXISTS artifacts (
            run_id TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            data BLOB NOT NULL,
            created DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (run_id, name))""",
        """CREATE TABLE IF NOT EXISTS events (
            run_id TEXT NOT NULL,
            time DOUBLE PRECISION NOT NULL,
            step BIGINT,
            level TEXT NOT NULL,
            message TEXT NOT NULL,
            data TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS events_run ON events (run_id, time)",
    ],
]
