"""Small helpers shared by the dashboard handlers: parameters, run lookup, JSON values."""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np

from ..core import BadInputError, NotFoundError, jsonable

# Series written by the probes (docs/names.md); everything else is a user metric.
PROBE_PREFIXES = ("grad_norm/", "weight_norm/", "update_ratio/", "act/")
LOSS_FIRST = ("loss", "train/loss", "val/loss", "val_loss", "valid/loss")
SEVERITIES = ("error", "warning", "info")


def param_ids(params: Mapping[str, Any], key: str = "runs") -> list[str]:
    """Run ids from a comma-separated string or a list; duplicates removed, order kept."""
    raw = params.get(key)
    if raw is None or raw == "":
        return []
    items: Sequence[Any] = raw.split(",") if isinstance(raw, str) else raw
    out: list[str] = []
    for item in items:
        s = str(item).strip()
        if s and s not in out:
            out.append(s)
    return out


def param_int(params: Mapping[str, Any], key: str, default: int | None = None,
              lo: int | None = None, hi: int | None = None) -> int | None:
    """An optional integer parameter, clamped to ``[lo, hi]``."""
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(float(raw))
    except (TypeError, ValueError):
        raise BadInputError(f"The parameter {key!r} must be an integer. Got {raw!r}.") from None
    if lo is not None:
        value = max(lo, value)
    if hi is not None:
        value = min(hi, value)
    return value


def param_count(params: Mapping[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    """An integer parameter with a default, clamped to ``[lo, hi]``."""
    value = param_int(params, key, default, lo, hi)
    return default if value is None else value


def run_map(reader: Any) -> dict[str, Any]:
    """Every run by id (one query, instead of one ``reader.run`` per id)."""
    return {r.id: r for r in reader.runs()}


def get_run(reader: Any, run_id: str) -> Any:
    """The run with exactly this id."""
    for r in reader.runs():
        if r.id == run_id:
            return r
    raise NotFoundError(f"No run with id {run_id!r} in this store.")


def floats(a: np.ndarray) -> list[float | None]:
    """A float array as a JSON list; NaN and Inf become None (a gap in the line)."""
    if a.size == 0:
        return []
    if np.isfinite(a).all():
        return a.tolist()
    return [v if math.isfinite(v) else None for v in a.tolist()]


def finite_or_none(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def tag_group(tag: str) -> str:
    """The chart group of a tag: the text before its first '/', or '' for top-level tags."""
    return tag.split("/", 1)[0] if "/" in tag else ""


def is_user_metric(tag: str) -> bool:
    return not tag.startswith(PROBE_PREFIXES) and tag != "grad_norm"


def metric_order(tag: str) -> tuple[int, str]:
    """Sort key that puts the loss first: the usual loss names, then any tag naming a loss."""
    if tag in LOSS_FIRST:
        return (LOSS_FIRST.index(tag), tag)
    return (len(LOSS_FIRST) + ("loss" not in tag.lower()), tag)


def is_probe_tag(tag: str) -> bool:
    return tag.startswith(PROBE_PREFIXES) or tag == "grad_norm"


def stored_findings(reader: Any, run_id: str) -> list[dict[str, Any]]:
    """Findings stored with a run: model inspection, data report, and warning events."""
    out: list[dict[str, Any]] = []
    names = set(reader.artifacts(run_id))
    for name, source in (("model", "inspect"), ("data_report", "data")):
        if name not in names:
            continue
        art = reader.artifact(run_id, name, default=None)
        if isinstance(art, Mapping):
            for f in art.get("findings") or []:
                if isinstance(f, Mapping) and "code" in f:
                    out.append(finding_dict(f, source))
    for ev in reader.events(run_id):
        data = ev.data if isinstance(ev.data, Mapping) else {}
        f = data.get("finding") if isinstance(data.get("finding"), Mapping) else None
        if f is not None and "code" in f:
            # The event's step is the finding's, so the diagnosis can recognise it as the same.
            out.append(finding_dict({"step": ev.step, **f}, "live"))
    return out


def finding_dict(f: Mapping[str, Any], source: str = "") -> dict[str, Any]:
    """A stored finding with the stable keys, whatever shape it was stored in."""
    sev = str(f.get("severity", "info")).lower()
    if sev not in SEVERITIES:
        sev = {"2": "error", "1": "warning"}.get(sev, "info")
    return {
        "code": str(f.get("code", "")),
        "severity": sev,
        "title": str(f.get("title", "")),
        "evidence": jsonable(dict(f.get("evidence") or {})),
        "suggestion": str(f.get("suggestion", "")),
        "step": f.get("step") if isinstance(f.get("step"), int) else None,
        "source": str(f.get("source") or source),
    }


def severity_counts(findings: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    return counts
