"""Handlers for scalar series: the tags of the selected runs, and one tag's points per run."""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from typing import Any, Hashable, Mapping

import numpy as np

from ..core import BadInputError, NotFoundError
from ..viz import DEFAULT_MAX_POINTS, minmax_index
from ._common import (
    floats,
    is_probe_tag,
    metric_order,
    param_count,
    param_ids,
    param_int,
    run_map,
    tag_group,
)

MAX_POINTS_LIMIT = 10_000
X_MODES = ("step", "time", "relative")
ENCODINGS = ("json", "b64")


class SeriesCache:
    """Downsampled series of runs that no longer change (finished, failed, crashed).

    A running run is read afresh on every call, so live charts never go stale.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self._items: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: Hashable, item: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = item
            while len(self._items) > self._max:
                self._items.popitem(last=False)


def tags(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The scalar tags of the selected runs, grouped by prefix (``train/``, ``grad_norm/``...), loss first.

    Params:
        runs: Comma-separated run ids.
    """
    by_id = run_map(reader)
    counts: dict[str, int] = {}
    lengths: dict[str, int] = {}
    for rid in param_ids(params):
        if rid not in by_id:
            continue
        for s in reader.series_stats(rid):
            counts[s.tag] = counts.get(s.tag, 0) + 1
            lengths[s.tag] = max(lengths.get(s.tag, 0), s.length)
    # The user's metrics before the probes' series, the loss first of all (the chart people
    # look at first); the groups follow in the order of their first tag.
    ordered = sorted(counts, key=lambda t: (is_probe_tag(t), metric_order(t)))
    groups: dict[str, list[str]] = {}
    for t in ordered:
        groups.setdefault(tag_group(t), []).append(t)
    return {
        "tags": [{"tag": t, "group": tag_group(t), "runs": counts[t], "length": lengths[t]}
                 for t in ordered],
        "groups": [{"group": g, "tags": ts} for g, ts in groups.items()],
    }


def scalars(reader: Any, params: Mapping[str, Any], cache: SeriesCache | None = None) -> dict[str, Any]:
    """One tag's points for each selected run, downsampled so spikes stay.

    Params:
        runs: Comma-separated run ids.
        tag: The series name.
        start, end: Keep only steps in this closed range (zoom), at full resolution.
        max_points: At most this many points per run (default 2,000).
        x: ``step`` (default), ``time`` or ``relative``: which x values to send.
        encoding: ``json`` (default: lists of numbers, NaN/Inf as null) or ``b64``
            (base64 of little-endian float64 arrays, NaN/Inf kept: what the page uses).

    Args:
        cache: Optional memo for runs that are not running.
    """
    tag = params.get("tag")
    if not tag:
        raise BadInputError("The parameter 'tag' is required: the name of a series, e.g. 'loss'.")
    x = _choice(params, "x", X_MODES)
    encoding = _choice(params, "encoding", ENCODINGS)
    start = param_int(params, "start")
    end = param_int(params, "end")
    max_points = param_count(params, "max_points", DEFAULT_MAX_POINTS, 8, MAX_POINTS_LIMIT)
    by_id = run_map(reader)
    out = []
    for rid in param_ids(params):
        info = by_id.get(rid)
        if info is None:
            continue
        key = (rid, str(tag), start, end, max_points, x, encoding)
        item = cache.get(key) if cache is not None and info.status != "running" else None
        if item is None:
            item = _one(reader, info, str(tag), start, end, max_points, x, encoding)
            if item is not None and cache is not None and info.status != "running":
                cache.put(key, item)
        if item is not None:
            out.append(item)
    return {"tag": tag, "x": x, "encoding": encoding, "start": start, "end": end,
            "max_points": max_points, "series": out}


def _choice(params: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = str(params.get(key) or allowed[0])
    if value not in allowed:
        raise BadInputError(f"The parameter {key!r} must be one of {', '.join(allowed)}. Got {value!r}.")
    return value


def _one(reader: Any, info: Any, tag: str, start: int | None, end: int | None,
         max_points: int, x: str, encoding: str) -> dict[str, Any] | None:
    try:
        s = reader.series(info.id, tag, start, end)
    except NotFoundError:
        return None
    kept = minmax_index(s.values, max_points)
    idx = kept.index
    values = s.values[idx]
    finite = values[np.isfinite(values)]
    pack = _b64 if encoding == "b64" else floats
    item: dict[str, Any] = {
        "run_id": info.id,
        "run_name": info.name,
        "status": info.status,
        "steps": _b64(s.steps[idx]) if encoding == "b64" else s.steps[idx].tolist(),
        "values": pack(values),
        "total": kept.total,
        "shown": int(idx.size),
        "nonfinite": kept.nonfinite,
        "first_nonfinite_step": (None if kept.first_nonfinite is None
                                 else int(s.steps[kept.first_nonfinite])),
        "min": float(finite.min()) if finite.size else None,
        "max": float(finite.max()) if finite.size else None,
        "last_step": int(s.steps[-1]) if len(s) else None,
    }
    if x == "time":
        item["times"] = pack(s.times[idx])
    elif x == "relative":
        item["times"] = pack(s.times[idx] - info.started)
    return item


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode("ascii")


def decode_b64(text: str) -> np.ndarray:
    """The inverse of the ``b64`` encoding (for tests and Python clients)."""
    return np.frombuffer(base64.b64decode(text), dtype="<f8")
