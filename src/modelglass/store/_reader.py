"""The read-only view of a store: runs, series, histograms, artifacts, events."""

from __future__ import annotations

import json
import os
import socket
import time
from typing import Any

import numpy as np

from ..core import NotFoundError
from . import _codec
from ._backend import Backend
from ._chunks import decode_chunks
from ._records import Event, Histogram, HistogramSeries, RunInfo, Series, SeriesStats

# A running run whose writer has not beaten for this long is taken as crashed, on
# another host. On this host a dead pid says so at once.
HEARTBEAT_TIMEOUT_S = 120.0


class Reader:
    """Read runs from a store. Obtain one with :func:`modelglass.open_store`."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    @property
    def location(self) -> str:
        return self._backend.location

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ------------------------------------------------------------------
    def runs(
        self,
        project: str | None = None,
        status: str | None = None,
        name: str | None = None,
        study: str | None = None,
    ) -> list[RunInfo]:
        """Runs in the order they started, optionally filtered."""
        out = []
        for row in self._backend.runs():
            info = _run_info(row)
            if project is not None and info.project != project:
                continue
            if status is not None and info.status != status:
                continue
            if name is not None and info.name != name:
                continue
            if study is not None and info.study != study:
                continue
            out.append(info)
        return out

    def projects(self) -> list[str]:
        return sorted({r.project for r in self.runs()})

    def run(self, ref: str) -> RunInfo:
        """A run by id, by unique name, or ``latest``."""
        runs = self.runs()
        if not runs:
            raise NotFoundError(f"The store {self.location} has no runs yet.")
        if ref == "latest":
            return max(runs, key=lambda r: r.started)
        by_id = [r for r in runs if r.id == ref]
        if by_id:
            return by_id[0]
        by_name = [r for r in runs if r.name == ref]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            ids = ", ".join(r.id for r in by_name)
            raise NotFoundError(f"Run name {ref!r} is not unique (ids: {ids}). Use an id.")
        prefix = [r for r in runs if r.id.startswith(ref)]
        if len(prefix) == 1:
            return prefix[0]
        raise NotFoundError(
            f"No run {ref!r} in {self.location}. Use an id or name from `modelglass runs`, "
            "or 'latest'."
        )

    # -- series ----------------------------------------------------------------
    def tags(self, run_id: str) -> list[str]:
        """Scalar series names of a run, sorted."""
        return sorted({row.tag for row in self._backend.chunk_stats(run_id)})

    def series_stats(self, run_id: str) -> list[SeriesStats]:
        """Length and last/min/max of every series, from chunk metadata only."""
        acc: dict[str, list[Any]] = {}
        for c in self._backend.chunk_stats(run_id):
            a = acc.setdefault(c.tag, [0, None, None, None, None])
            a[0] += c.n
            a[1], a[2] = c.last_step, c.last_value
            if c.vmin is not None:
                a[3] = c.vmin if a[3] is None else min(a[3], c.vmin)
            if c.vmax is not None:
                a[4] = c.vmax if a[4] is None else max(a[4], c.vmax)
        return [SeriesStats(tag, *vals) for tag, vals in sorted(acc.items())]

    def series(
        self,
        run_id: str,
        tag: str,
        start: int | None = None,
        end: int | None = None,
    ) -> Series:
        """A scalar series. ``start``/``end`` keep only steps in that closed range."""
        chunks = self._backend.chunks(run_id, tag, start, end)
        if not chunks and start is None and end is None and tag not in self.tags(run_id):
            known = ", ".join(self.tags(run_id)[:10]) or "none"
            raise NotFoundError(f"Run {run_id} has no series {tag!r} (it has: {known}).")
        steps, values, times = decode_chunks(chunks)
        if start is not None or end is not None:
            keep = np.ones(steps.size, dtype=bool)
            if start is not None:
                keep &= steps >= start
            if end is not None:
                keep &= steps <= end
            steps, values, times = steps[keep], values[keep], times[keep]
        return Series(run_id, tag, steps, values, times)

    # -- histograms ------------------------------------------------------------
    def histogram_tags(self, run_id: str) -> list[str]:
        return self._backend.histogram_tags(run_id)

    def histograms(self, run_id: str, tag: str) -> HistogramSeries:
        rows = self._backend.histogram_rows(run_id, tag)
        hists = tuple(
            Histogram(
                step=int(r.step), time=float(r.time),
                edges=_codec.decode_array(r.edges), counts=_codec.decode_array(r.counts),
                min=_f(r.vmin), max=_f(r.vmax), mean=_f(r.mean), std=_f(r.std),
                count=int(r.value_count), nan_count=int(r.nan_count), inf_count=int(r.inf_count),
            )
            for r in rows
        )
        return HistogramSeries(run_id, tag, hists)

    # -- artifacts and events --------------------------------------------------
    def artifacts(self, run_id: str) -> list[str]:
        return [a.name for a in self._backend.artifact_names(run_id)]

    def artifact(self, run_id: str, name: str, default: Any = ...) -> Any:
        """A stored artifact: JSON comes back as Python objects, bytes as bytes."""
        found = self._backend.artifact(run_id, name)
        if found is None:
            if default is not ...:
                return default
            raise NotFoundError(f"Run {run_id} has no artifact {name!r}.")
        if found.kind == "json":
            return json.loads(found.data.decode())
        return found.data

    def events(self, run_id: str) -> list[Event]:
        return [
            Event(run_id, e.time, e.step, e.level, e.message, json.loads(e.data) if e.data else {})
            for e in self._backend.event_rows(run_id)
        ]


def _f(x: Any) -> float:
    return float("nan") if x is None else float(x)


def _run_info(row: dict[str, Any]) -> RunInfo:
    status = row["status"]
    if status == "running" and _writer_is_dead(row):
        status = "crashed"
    return RunInfo(
        id=row["id"],
        project=row["project"],
        name=row["name"],
        status=status,
        config=json.loads(row["config"] or "{}"),
        summary=json.loads(row["summary"] or "{}"),
        started=float(row["started"]),
        ended=None if row["ended"] is None else float(row["ended"]),
        heartbeat=None if row["heartbeat"] is None else float(row["heartbeat"]),
        host=row["host"],
        pid=row["pid"],
        study=row.get("study"),
    )


def _writer_is_dead(row: dict[str, Any]) -> bool:
    if row["host"] == socket.gethostname() and row["pid"]:
        return not _pid_alive(int(row["pid"]))
    beat = row["heartbeat"] or row["started"]
    return time.time() - float(beat) > HEARTBEAT_TIMEOUT_S


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed child that its parent has not reaped yet is a zombie: dead for us.
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().split(b")")[-1].split()[0] != b"Z"
    except OSError:
        return True
