"""The storage interface: a handful of methods that every backend implements.

Everything above ``store/`` talks to a :class:`Backend`; SQLite is the embedded
default and PostgreSQL plugs in by URL. One conformance suite in the tests runs
against every backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, Sequence

from ..core import StoreError


class StoreUnavailableError(StoreError):
    """The store cannot take writes for now (disk full, read-only, server gone).

    Unlike a record the store refuses, waiting and retrying can succeed: a writer
    keeps what it holds and tries again.
    """


@dataclass(frozen=True)
class ChunkRow:
    """One encoded chunk of a series, ready to insert."""

    run_id: str
    tag: str
    seq: int
    n: int
    step_min: int
    step_max: int
    last_step: int
    last_value: float | None
    vmin: float | None
    vmax: float | None
    steps: bytes
    vals: bytes
    times: bytes


@dataclass(frozen=True)
class HistogramRow:
    run_id: str
    tag: str
    step: int
    time: float
    edges: bytes
    counts: bytes
    vmin: float
    vmax: float
    mean: float
    std: float
    count: int
    nan_count: int
    inf_count: int


@dataclass(frozen=True)
class ArtifactRow:
    run_id: str
    name: str
    kind: str  # "json" or "bytes"
    data: bytes
    created: float


@dataclass(frozen=True)
class EventRow:
    run_id: str
    time: float
    step: int | None
    level: str
    message: str
    data: str


# -- rows a backend reads back (named, so a reader says row.vmin, not r[5]) ------


class StoredChunk(NamedTuple):
    """One encoded chunk of a series, as ``_chunks.decode_chunks`` takes it."""

    n: int
    steps: bytes
    values: bytes
    times: bytes


class ChunkStat(NamedTuple):
    """The metadata of one chunk: enough for a series' length and last/min/max."""

    tag: str
    seq: int
    n: int
    last_step: int | None
    last_value: float | None
    vmin: float | None
    vmax: float | None


class StoredHistogram(NamedTuple):
    """One stored histogram; ``edges`` and ``counts`` are encoded arrays."""

    step: int
    time: float
    edges: bytes
    counts: bytes
    vmin: float | None
    vmax: float | None
    mean: float | None
    std: float | None
    value_count: int  # not `count`: that is tuple.count
    nan_count: int
    inf_count: int


class ArtifactInfo(NamedTuple):
    name: str
    kind: str
    created: float


class StoredArtifact(NamedTuple):
    kind: str
    data: bytes


class StoredEvent(NamedTuple):
    time: float
    step: int | None
    level: str
    message: str
    data: str | None


@dataclass
class WriteBatch:
    """Everything one flush persists, written in one transaction."""

    chunks: list[ChunkRow] = field(default_factory=list)
    histograms: list[HistogramRow] = field(default_factory=list)
    artifacts: list[ArtifactRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    run_updates: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(
            self.chunks or self.histograms or self.artifacts or self.events or self.run_updates
        )


class Backend(Protocol):
    """What a storage backend provides. Rows come back as the named tuples above (runs as dicts)."""

    location: str

    def create_run(self, row: dict[str, Any]) -> str: ...

    def write(self, batch: WriteBatch) -> None: ...

    def next_seq(self, run_id: str, tag: str) -> int: ...

    def runs(self) -> list[dict[str, Any]]: ...

    def chunks(
        self, run_id: str, tag: str, step_min: int | None = None, step_max: int | None = None
    ) -> list[StoredChunk]: ...

    def chunk_stats(self, run_id: str) -> list[ChunkStat]: ...

    def replace_chunks(self, run_id: str, tag: str, rows: Sequence[ChunkRow]) -> None: ...

    def histogram_rows(self, run_id: str, tag: str) -> list[StoredHistogram]: ...

    def histogram_tags(self, run_id: str) -> list[str]: ...

    def artifact_names(self, run_id: str) -> list[ArtifactInfo]: ...

    def artifact(self, run_id: str, name: str) -> StoredArtifact | None: ...

    def event_rows(self, run_id: str) -> list[StoredEvent]: ...

    def delete_run(self, run_id: str) -> None: ...

    def close(self) -> None: ...
