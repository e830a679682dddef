"""Handlers for scalar series: the tags of the selected runs, and one tag's points per run."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..core import BadInputError
from ..viz._downsample import DEFAULT_MAX_POINTS, minmax_index
from ._common import floats, metric_order, param_ids, param_int, run_map, tag_group

MAX_POINTS_LIMIT = 10_000
X_MODES = ("step", "time", "relative")


def tags(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The scalar tags of the selected runs, grouped by prefix (``train/``, ``grad_norm/``...).

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
    ordered = sorted(counts, key=lambda t: (tag_group(t) != "", tag_group(t), metric_order(t)))
    groups: dict[str, list[str]] = {}
    for t in ordered:
        groups.setdefault(tag_group(t), []).append(t)
    return {
        "tags": [{"tag": t, "group": tag_group(t), "runs": counts[t], "length": lengths[t]}
                 for t in ordered],
        "groups": [{"group": g, "tags": ts} for g, ts in groups.items()],
    }


def scalars(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """One tag's points for each selected run, downsampled so spikes stay.

    Params:
        runs: Comma-separated run ids.
        tag: The series name.
        start, end: Keep only steps in this closed range (zoom), at full resolution.
        max_points: At most this many points per run (default 2,000).
        x: ``step`` (default), ``time`` or ``relative``: which x values to send.
    """
    tag = params.get("tag")
    if not tag:
        raise BadInputError("The parameter 'tag' is required: the name of a series, e.g. 'loss'.")
    x = str(params.get("x") or "step")
    if x not in X_MODES:
        raise BadInputError(f"The parameter 'x' must be one of {', '.join(X_MODES)}. Got {x!r}.")
    start = param_int(params, "start")
    end = param_int(params, "end")
    max_points = param_int(params, "max_points", DEFAULT_MAX_POINTS, 4, MAX_POINTS_LIMIT)
    by_id = run_map(reader)
    out = []
    for rid in param_ids(params):
        info = by_id.get(rid)
        if info is None or tag not in reader.tags(rid):
            continue
        out.append(_one(reader, info, str(tag), start, end, int(max_points), x))
    return {"tag": tag, "x": x, "start": start, "end": end, "max_points": max_points,
            "series": out}


def _one(reader: Any, info: Any, tag: str, start: int | None, end: int | None,
         max_points: int, x: str) -> dict[str, Any]:
    s = reader.series(info.id, tag, start, end)
    kept = minmax_index(s.values, max_points)
    idx = kept.index
    values = s.values[idx]
    finite = values[np.isfinite(values)]
    item: dict[str, Any] = {
        "run_id": info.id,
        "run_name": info.name,
        "status": info.status,
        "steps": s.steps[idx].tolist(),
        "values": floats(values),
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
        item["times"] = s.times[idx].tolist()
    elif x == "relative":
        item["times"] = (s.times[idx] - info.started).tolist()
    return item
