"""Durable storage of runs: SQLite embedded default, PostgreSQL by URL; read-only Reader."""

from __future__ import annotations

from ._backend import (
    ArtifactRow, Backend, ChunkRow, EventRow, HistogramRow, StoreUnavailableError, WriteBatch,
)
from ._chunks import MAX_CHUNK, compact, decode_chunks, histogram_row, make_chunks
from ._open import open_backend, open_store
from ._reader import HEARTBEAT_TIMEOUT_S, Reader
from ._records import RUN_STATUSES, Event, Histogram, HistogramSeries, RunInfo, Series, SeriesStats
from ._schema import SCHEMA_VERSION

__all__ = [
    "ArtifactRow",
    "Backend",
    "ChunkRow",
    "Event",
    "EventRow",
    "HEARTBEAT_TIMEOUT_S",
    "Histogram",
    "HistogramRow",
    "HistogramSeries",
    "MAX_CHUNK",
    "RUN_STATUSES",
    "Reader",
    "RunInfo",
    "SCHEMA_VERSION",
    "Series",
    "SeriesStats",
    "StoreUnavailableError",
    "WriteBatch",
    "compact",
    "decode_chunks",
    "histogram_row",
    "make_chunks",
    "open_backend",
    "open_store",
]
