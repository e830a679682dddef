"""The "why is it not improving" text: findings tied to optimisation, data and model structure."""

from __future__ import annotations

from typing import Any, Iterable, Mapping


from ..core import Finding, Severity, sort_findings
from ._history import History
from ._registry import RULES
from ._rules_loss import start_level
from ._signal import ratio, tail_median

CAUSES = ("optimisation", "data", "model")
_CAUSE_TEXT = {
    "optimisation": "Optimisation",
    "data": "Data",
    "model": "Model structure",
}


def related_findings(h: History) -> dict[str, list[Finding]]:
    """Findings stored with the run by the data check (``data``) and the inspection (``model``)."""
    out: dict[str, list[Finding]] = {"data": [], "model": []}
    for cause, art in (("data", "data_report"), ("model", "model")):
        report = h.artifacts.get(art)
        rows = report.get("findings") if isinstance(report, Mapping) else None
        for row in rows if isinstance(rows, list) else []:
            try:
                f = Finding.from_dict(row)
            except (KeyError, TypeError, ValueError):
                continue
            out[cause].append(f if f.source else _with_source(f, "data" if cause == "data" else "inspect"))
    return {k: sort_findings(v) for k, v in out.items()}


def _with_source(f: Finding, source: str) -> Finding:
    return Finding(f.code, f.severity, f.title, f.evidence, f.suggestion, f.step, source)


def cause_of(f: Finding) -> str:
    rule = RULES.get(f.code)
    return rule.cause if rule is not None else "optimisation"


def write_summary(h: History, findings: Iterable[Finding], related: Mapping[str, list[Finding]]) -> str:
    """A few sentences: what is wrong, grouped by the three reasons a model stops improving."""
    own = [f for f in findings if f.severity >= Severity.WARNING]
    rel = {k: [f for f in v if f.severity >= Severity.WARNING] for k, v in related.items()}
    lines = [_progress(h)]
    if not own and not any(rel.values()):
        lines.append("No problem found: nothing in the loss, gradients, weights or activations "
                     "points to a fault.")
        return " ".join(lines)
    for cause in CAUSES:
        mine = [f for f in own if cause_of(f) == cause]
        theirs = rel.get(cause, [])
        if not mine and not theirs:
            continue
        parts = [f"{_lower(f.title)} ({f.code}{_at(f)})" for f in mine]
        if theirs:
            who = "the data check" if cause == "data" else "the model inspection"
            parts.append(f"{who} found " + ", ".join(f"{f.code} ({f.severity})" for f in theirs[:4]))
        sentence = f"{_CAUSE_TEXT[cause]}: " + "; ".join(parts) + "."
        first = (mine or theirs)[0]
        if first.suggestion:
            sentence += " Try first: " + _first_advice(first.suggestion)
        lines.append(sentence)
    data_hint = any(cause_of(f) == "data" or f.code == "underfitting" for f in own)
    if data_hint and "data_report" not in h.artifacts:
        lines.append("No data check is attached to this run: run mg.check_data(...) and "
                     "run.log_data_report(...) to see whether the data is the cause.")
    return " ".join(lines)


def _first_advice(text: str) -> str:
    """The suggestion's first sentence, or its first two when the first only sets the scene."""
    parts = [p.strip() for p in text.split(". ") if p.strip()]
    take = parts[:2] if len(parts) > 1 and len(parts[0]) < 40 else parts[:1]
    return ". ".join(take).rstrip(".") + "."


def _progress(h: History) -> str:
    c = h.loss()
    if c is None or not len(c.finite()):
        return f"Run {h.name}: no usable training loss was logged."
    v = c.finite_prefix().values if len(c.finite_prefix()) else c.finite().values
    start, end = start_level(v), tail_median(v, 0.1)
    drop = ratio(start - end, abs(start))
    how = f"{_fmt(start)} to {_fmt(end)}"
    times = ratio(end, start)
    if drop is not None and drop >= 0:
        how += f" (-{round(100 * drop)}%)"
    elif times is not None and times >= 2:
        how += f" ({times:.3g}x higher)"
    elif drop is not None:
        how += f" (+{round(-100 * drop)}%)"
    return f"Run {h.name}: the training loss went from {how} by step {int(c.steps[-1])}."


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _at(f: Finding) -> str:
    return "" if f.step is None else f", step {f.step}"


def _lower(s: str) -> str:
    return s[:1].lower() + s[1:] if s and not s[1:2].isupper() else s


def jsonable_related(related: Mapping[str, list[Finding]]) -> dict[str, Any]:
    return {k: [f.to_dict() for f in v] for k, v in related.items()}
