"""Handlers for one run's views: histograms over time, the model, the diagnosis, the data."""

from __future__ import annotations

from typing import Any, Mapping

from ..core import BadInputError, Finding, jsonable, sort_findings
from ..viz import histmap_data
from ._common import LOSS_FIRST, finding_dict, finite_or_none, get_run, param_count, stored_findings
from ._graph import graph_layout, param_tree


def histograms(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """A run's histogram tags, and for ``tag`` a step x value density grid plus ridgeline steps.

    Params:
        run: The run id.
        tag: A histogram tag; default the first one.
        bins: Value buckets of the shared grid (default 64).
    """
    r = get_run(reader, str(params.get("run", "")))
    names = reader.histogram_tags(r.id)
    tag = params.get("tag") or (names[0] if names else None)
    if tag is None:
        return {"run_id": r.id, "tags": [], "map": None}
    if tag not in names:
        raise BadInputError(f"Run {r.id} has no histogram {tag!r}.")
    bins = param_count(params, "bins", 64, 4, 512)
    hs = reader.histograms(r.id, str(tag))
    return {"run_id": r.id, "tags": names, "map": histmap_data(str(tag), hs.histograms, bins).to_dict()}


def _stored(reader: Any, params: Mapping[str, Any], name: str) -> tuple[str, dict[str, Any] | None]:
    """The run id and its artifact ``name`` as JSON values (None when it has none)."""
    r = get_run(reader, str(params.get("run", "")))
    art = reader.artifact(r.id, name, default=None)
    return r.id, jsonable(dict(art)) if isinstance(art, Mapping) else None


def _stored_findings(art: Mapping[str, Any], source: str) -> list[dict[str, Any]]:
    """The findings kept in an artifact, worst first."""
    found = [finding_dict(f, source) for f in art.get("findings") or [] if isinstance(f, Mapping)]
    return [f.to_dict() for f in sort_findings(Finding.from_dict(f) for f in found)]


def model(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The inspection stored with the run (artifact ``model``), with a tree and a graph layout."""
    run_id, art = _stored(reader, params, "model")
    if art is None:
        return {"run_id": run_id, "available": False,
                "reason": "This run has no model inspection. Call run.log_model(model, example_input)."}
    return {
        "run_id": run_id,
        "available": True,
        "total_params": art.get("total_params"),
        "trainable_params": art.get("trainable_params"),
        "total_flops": art.get("total_flops"),
        "layers": [row for row in art.get("layers") or [] if isinstance(row, Mapping)],
        "tree": param_tree(art),
        "graph": graph_layout(art.get("graph") or {}),
        "findings": _stored_findings(art, "inspect"),
    }


def diagnosis(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The run's diagnosis: the causes (most likely first), then the findings, worst first.

    Findings are ``modelglass.diagnose``'s plus those stored with the run (model, data, live
    checks). Each finding carries ``series``: the tag that shows it (its evidence names it, or
    the layer it names has a probe series), else the loss. ``causes`` is empty when the
    diagnosis names none (or is a version without causes).
    """
    r = get_run(reader, str(params.get("run", "")))
    names = reader.tags(r.id)
    default_tag = next((t for t in LOSS_FIRST if t in names), names[0] if names else None)
    d = diagnosed(reader, r.id)
    for f in d["findings"]:
        f["series"] = finding_series(f, names) or default_tag
    return {"run_id": r.id, "available": d["available"], "reason": d["reason"],
            "verdict": d["verdict"], "default_tag": default_tag, "tags": names,
            "causes": d["causes"], "findings": d["findings"]}


def diagnosed(reader: Any, run_id: str) -> dict[str, Any]:
    """``modelglass.diagnose`` of a run merged with its stored findings (each (code, step) once)."""
    found = stored_findings(reader, run_id)
    verdict, available, reason, causes = None, False, "", []
    try:
        from ..diagnose import diagnose

        d = diagnose(run_id, store=reader).to_dict()
        verdict = d.get("verdict")
        causes = [cause_dict(c) for c in d.get("causes") or [] if isinstance(c, Mapping)]
        own = [finding_dict(f, "diagnose") for f in d.get("findings") or []]
        # The diagnosis already reads the probes' events: show each (code, step) once.
        seen = {(f.get("code"), f.get("step")) for f in own}
        found = own + [f for f in found if (f.get("code"), f.get("step")) not in seen]
        available = True
    except Exception as exc:  # noqa: BLE001 - a failing rule must not take the page down
        text = " ".join(str(exc).replace(reader.location, "the store").split())
        reason = f"The diagnosis could not run: {text[:300]}"
    ordered = [f.to_dict() for f in sort_findings(Finding.from_dict(f) for f in found)]
    if verdict is None:  # the stored findings alone, judged as the diagnosis would
        worst = ordered[0]["severity"] if ordered else "info"
        verdict = "healthy" if worst == "info" else worst
    return {"available": available, "reason": reason, "verdict": verdict, "causes": causes,
            "findings": ordered}


def cause_dict(c: Mapping[str, Any]) -> dict[str, Any]:
    """A cause of the diagnosis with the stable keys, whatever else it carries."""
    conf = finite_or_none(c.get("confidence"))
    change = c.get("change")
    return {
        "code": str(c.get("code", "")),
        "severity": str(c.get("severity", "warning")).lower(),
        "confidence": None if conf is None else min(1.0, max(0.0, conf)),
        "title": str(c.get("title", "")),
        "because": [str(b) for b in c.get("because") or []],
        "prescription": str(c.get("prescription", "")),
        "change": jsonable(dict(change)) if isinstance(change, Mapping) else None,
        "findings": [str(f) for f in c.get("findings") or []],
    }


# Evidence keys that name a series outright, most specific first.
_SERIES_KEYS = ("series", "tag", "first_series", "parameter_series", "metric")
# Evidence keys that name a layer or parameter; a probe series of it shows the finding.
_NAME_KEYS = ("module", "first_layer", "parameter", "parameters", "layer", "last_layer")


def finding_series(f: Mapping[str, Any], tags: list[str]) -> str | None:
    """The series that shows a finding: named in its evidence, or a probe series of its layer.

    For a layer, the probe series whose kind the evidence also names wins (``dead_fraction``
    -> ``act/dead_fraction/<layer>``); else one the finding's code points at (a gradient
    finding -> ``grad_norm/<layer>``); else any series of that layer.
    """
    ev = f.get("evidence") or {}
    have = set(tags)
    for key in _SERIES_KEYS:
        for v in _strings(ev.get(key)):
            if v in have:
                return v
    # The code's words by their first four letters ("exploding_gradients" -> grad_norm/), then
    # the evidence keys ("dead_fraction" -> act/dead_fraction/).
    kinds = [w[:4] for w in str(f.get("code", "")).split("_") if len(w) > 3]
    kinds += [k for k in ev if isinstance(k, str) and len(k) > 3]
    for key in _NAME_KEYS:
        for name in _strings(ev.get(key)):
            mine = {t[: -len(name) - 1]: t for t in tags if t.endswith("/" + name)}
            for kind in kinds:
                hit = next((t for path, t in mine.items() if kind in path), None)
                if hit:
                    return hit
            if mine:
                return next(iter(mine.values()))
    # No layer named: a whole-model series of that kind (exploding_gradients -> grad_norm).
    for kind in kinds[:2]:
        hit = next((t for t in tags if "/" not in t and t.startswith(kind)), None)
        if hit:
            return hit
    return None


def _strings(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple)):
        return [x for x in v if isinstance(x, str)]
    return []


def data(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The data-check report stored with the run (artifact ``data_report``)."""
    run_id, art = _stored(reader, params, "data_report")
    if art is None:
        return {"run_id": run_id, "available": False,
                "reason": "This run has no data report. Call run.log_data_report(mg.check_data(...))."}
    return {"run_id": run_id, "available": True,
            "findings": _stored_findings(art, "data"),
            "columns": _columns(art.get("columns")),
            "task": art.get("task"), "target": art.get("target"),
            "n_rows": art.get("n_rows") or art.get("rows"), "n_test_rows": art.get("n_test_rows"),
            "drift": [d for d in art.get("drift") or [] if isinstance(d, Mapping)],
            "label_issues": art.get("label_issues") if isinstance(art.get("label_issues"), Mapping) else None}


def _columns(cols: Any) -> list[dict[str, Any]]:
    """Per-column summaries as a list of dicts with a ``name``, whatever shape was stored."""
    if isinstance(cols, Mapping):
        cols = [{"name": k, **(v if isinstance(v, Mapping) else {"value": v})} for k, v in cols.items()]
    if not isinstance(cols, list):
        return []
    return [dict(c) for c in cols if isinstance(c, Mapping)]
