"""Immutable records that the store hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

RUN_STATUSES = ("running", "finished", "failed", "crashed")


@dataclass(frozen=True)
class RunInfo:
    """One run as stored. ``status`` reads ``crashed`` when the writer died."""

    id: str
    project: str
    name: str
    status: str
    config: Mapping[str, Any]
    summary: Mapping[str, Any]
    started: float
    ended: float | None
    heartbeat: float | None
    host: str
    pid: int | None
    study: str | None = None

    @property
    def duration(self) -> float | None:
        end = self.ended if self.ended is not None else self.heartbeat
        return None if end is None else max(0.0, end - self.started)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "name": self.name,
            "status": self.status,
            "config": dict(self.config),
            "summary": dict(self.summary),
            "started": self.started,
            "ended": self.ended,
            "duration": self.duration,
            "host": self.host,
            "study": self.study,
        }


@dataclass(frozen=True)
class Series:
    """A scalar series: steps, values and wall times as NumPy arrays, in logged order."""

    run_id: str
    tag: str
    steps: np.ndarray
    values: np.ndarray
    times: np.ndarray

    def __len__(self) -> int:
        return int(self.steps.size)

    def to_pandas(self) -> "pd.DataFrame":
        import pandas as pd

        return pd.DataFrame(
            {"step": self.steps, "value": self.values, "time": self.times}
        )


@dataclass(frozen=True)
class SeriesStats:
    """Length, last/min/max of a series, read from chunk metadata without decoding."""

    tag: str
    length: int
    last_step: int | None
    last: float | None
    min: float | None
    max: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "length": self.length,
            "last_step": self.last_step,
            "last": self.last,
            "min": self.min,
            "max": self.max,
        }


@dataclass(frozen=True)
class Histogram:
    """One histogram: bucket edges (len = len(counts) + 1) and counts, plus moments."""

    step: int
    time: float
    edges: np.ndarray
    counts: np.ndarray
    min: float
    max: float
    mean: float
    std: float
    count: int
    nan_count: int
    inf_count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "time": self.time,
            "edges": self.edges.tolist(),
            "counts": self.counts.tolist(),
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "std": self.std,
            "count": self.count,
            "nan_count": self.nan_count,
            "inf_count": self.inf_count,
        }


@dataclass(frozen=True)
class HistogramSeries:
    """Every histogram logged under one tag, ordered by step."""

    run_id: str
    tag: str
    histograms: tuple[Histogram, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.histograms)

    @property
    def steps(self) -> np.ndarray:
        return np.array([h.step for h in self.histograms], dtype=np.int64)


@dataclass(frozen=True)
class Event:
    """A line in a run's event log (warnings from live diagnosis, notes)."""

    run_id: str
    time: float
    step: int | None
    level: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)
