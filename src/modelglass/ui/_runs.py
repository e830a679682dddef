"""Handlers for the runs table and the compare view.

Each handler is a pure function ``(reader, params) -> JSON-able`` so that tests
and the HTML report can call it without HTTP. No handler returns a file path.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

from ..core import jsonable
from ._common import (
    finite_or_none,
    get_run,
    is_user_metric,
    metric_order,
    param_ids,
    run_map,
    severity_counts,
    stored_findings,
)

MAX_METRIC_COLUMNS = 4
MAX_CONFIG_COLUMNS = 4


def list_runs(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The runs table: one row per run, plus the metric and config columns to show.

    Params:
        project: Only runs of this project.
        q: Only runs whose name, project, id or study contains this text (any case).
        status: Only runs with this status.
    """
    project = params.get("project") or None
    status = params.get("status") or None
    q = str(params.get("q") or "").strip().lower()
    every = reader.runs()
    projects = sorted({r.project for r in every})
    runs = [r for r in every if (project is None or r.project == project)
            and (status is None or r.status == status)
            and (not q or q in " ".join([r.name, r.project, r.id, r.study or ""]).lower())]
    rows = [_row(reader, r) for r in runs]
    return {
        "runs": rows,
        "projects": projects,
        "metric_keys": _metric_keys(rows),
        "config_keys": _varying_keys([r["config"] for r in rows], MAX_CONFIG_COLUMNS),
        "total": len(every),
    }


def _row(reader: Any, r: Any) -> dict[str, Any]:
    stats = reader.series_stats(r.id)
    metrics = {s.tag: finite_or_none(s.last) for s in stats if is_user_metric(s.tag)}
    last_step = max((s.last_step for s in stats if s.last_step is not None), default=None)
    return {
        "id": r.id,
        "project": r.project,
        "name": r.name,
        "status": r.status,
        "started": r.started,
        "ended": r.ended,
        "duration": r.duration,
        "study": r.study,
        "config": jsonable(dict(r.config)),
        "summary": jsonable(dict(r.summary)),
        "metrics": metrics,
        "last_step": last_step,
        "n_tags": len(stats),
        "findings": severity_counts(stored_findings(reader, r.id)),
    }


def _metric_keys(rows: list[dict[str, Any]]) -> list[str]:
    seen = Counter(t for row in rows for t in row["metrics"])
    common = sorted(seen, key=lambda t: (-seen[t], metric_order(t)))[:MAX_METRIC_COLUMNS]
    return sorted(common, key=metric_order)


def _varying_keys(configs: list[dict[str, Any]], limit: int | None = None) -> list[str]:
    """Config keys whose value is not the same in every run (all keys when one run)."""
    keys: list[str] = []
    for c in configs:
        keys.extend(k for k in c if k not in keys)
    if len(configs) > 1:
        keys = [k for k in keys if len({repr(c.get(k)) for c in configs}) > 1]
    return keys[:limit] if limit else keys


def finding_counts(reader: Any, params: Mapping[str, Any],
                   cache: dict[Any, dict[str, int]] | None = None) -> dict[str, Any]:
    """Findings per severity of each run, the diagnosis' included (the runs table's badges).

    The runs table itself shows only the findings stored with each run, which is quick; the
    page asks for these afterwards, since diagnosing a run takes tens of milliseconds.

    Params:
        runs: Comma-separated run ids.

    Args:
        cache: Optional memo for runs that are not running.
    """
    from ._views import diagnosed

    by_id = run_map(reader)
    counts: dict[str, dict[str, int]] = {}
    for rid in param_ids(params):
        info = by_id.get(rid)
        if info is None:
            continue
        key = (rid, info.status, info.ended)
        hit = cache.get(key) if cache is not None and info.status != "running" else None
        if hit is None:
            hit = severity_counts(diagnosed(reader, rid)["findings"])
            if cache is not None and info.status != "running":
                cache[key] = hit
        counts[rid] = hit
    return {"counts": counts}


def run_detail(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """One run: its row, its series with cheap statistics, histogram tags, artifacts, events."""
    r = get_run(reader, str(params.get("run", "")))
    return {
        "run": _row(reader, r),
        "series": [
            {**s.to_dict(), "last": finite_or_none(s.last), "min": finite_or_none(s.min),
             "max": finite_or_none(s.max)}
            for s in reader.series_stats(r.id)
        ],
        "histogram_tags": reader.histogram_tags(r.id),
        "artifacts": reader.artifacts(r.id),
        "events": [
            {"time": e.time, "step": e.step, "level": e.level, "message": e.message,
             "data": jsonable(dict(e.data))}
            for e in reader.events(r.id)
        ],
    }


def compare(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """Config differences and final metrics of the selected runs, for a table and parallel coordinates.

    Params:
        runs: Comma-separated run ids.
    """
    by_id = run_map(reader)
    runs = [by_id[i] for i in param_ids(params) if i in by_id]
    configs = [jsonable(dict(r.config)) for r in runs]
    differ = _varying_keys(configs)
    every_key = _varying_keys(configs[:1]) + [k for c in configs[1:] for k in c]
    same = [k for k in dict.fromkeys(every_key) if k not in differ]
    finals = []
    for r in runs:
        finals.append({s.tag: finite_or_none(s.last) for s in reader.series_stats(r.id)
                       if is_user_metric(s.tag)})
    metric_keys = sorted({t for f in finals for t in f}, key=metric_order)
    # A series named like a config key (e.g. `lr` logged each step) is already an axis.
    dims, dropped = _dimensions(differ, configs, [m for m in metric_keys if m not in differ], finals)
    return {
        "runs": [{"id": r.id, "name": r.name, "project": r.project, "status": r.status}
                 for r in runs],
        "differ": differ,
        "same": same,
        "config": configs,
        "metrics": finals,
        "metric_keys": metric_keys,
        "dimensions": dims,
        "dropped": dropped,
    }


def _dimensions(keys: list[str], configs: list[dict[str, Any]], metric_keys: list[str],
                finals: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Parallel-coordinates axes, and the axes left out because some run lacks a number.

    Numeric config values stay numbers, others become categories (a missing value is the
    category ``(missing)``). ``log`` marks a numeric axis to draw on a log scale. A line with a gap is not drawn at all, so a numeric axis or
    a metric that some run lacks is left out rather than hiding that run.
    """
    dims, dropped = [], []
    for k in keys:
        vals = [c.get(k) for c in configs]
        if all(_is_number(v) for v in vals if v is not None):
            nums = [None if v is None else finite_or_none(v) for v in vals]
            if None in nums:
                dropped.append(k)
                continue
            dims.append({"label": k, "kind": "config", "values": nums, "log": _looks_log(nums)})
        else:
            names = ["(missing)" if v is None else v if isinstance(v, str) else repr(v) for v in vals]
            labels = sorted(set(names))
            dims.append({"label": k, "kind": "config", "values": [labels.index(n) for n in names],
                         "ticktext": labels})
    for m in metric_keys:
        vals = [f.get(m) for f in finals]
        if None in vals:
            dropped.append(m)
            continue
        dims.append({"label": m, "kind": "metric", "values": vals, "log": False})
    return dims, dropped


LOG_SPAN = 100.0


def _looks_log(values: list[Any]) -> bool:
    """Positive values spanning two decades or more, as a log-sampled search draws them: a
    linear axis would crowd all but the largest at its bottom."""
    return bool(values) and min(values) > 0 and max(values) / min(values) >= LOG_SPAN


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
