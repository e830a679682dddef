"""The "why is it not improving" text: findings tied to optimisation, data and model structure."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from ..core import Finding, Severity, format_number, sort_findings
from ._cause import Cause
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


DATA_CAUSES = ("label_noise", "unscaled_inputs", "unshuffled_data", "overfitting")
NO_DATA_CHECK = ("No data check is attached to this run: run mg.check_data(...) and "
                 "run.log_data_report(...) to see whether the data is the cause.")
# Data and model findings that bear on a cause: shown with it. Others stay in their own view.
BEARING = {
    "unscaled_inputs": ("feature_scale", "scale_mismatch", "unscaled", "large_values", "outliers"),
    "label_noise": ("label_noise", "label_conflicts", "duplicate_conflicts", "class_imbalance"),
    "not_enough_capacity": ("missing_nonlinearity", "bottleneck", "tiny_layer"),
    "saturating_deep_network": ("missing_normalisation", "saturating_activation", "deep_sigmoid"),
    "overfitting": ("leakage", "train_test_overlap", "too_few_rows"),
}


def write_summary(h: History, findings: Iterable[Finding], related: Mapping[str, list[Finding]],
                  causes: Sequence[Cause] = ()) -> str:
    """A few sentences: the most likely cause and its chain first, then what else is wrong."""
    own = [f for f in findings if f.severity >= Severity.WARNING]
    rel = {k: [f for f in v if f.severity >= Severity.WARNING] for k, v in related.items()}
    lines = [_progress(h)]
    serious = [c for c in causes if c.severity >= Severity.WARNING]
    if serious:
        lines += _cause_sentences(serious, own, rel)
        if serious[0].code in DATA_CAUSES and "data_report" not in h.artifacts:
            lines.append(NO_DATA_CHECK)
        return " ".join(lines)
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
            sentence += " Try first: " + first.suggestion.rstrip(".") + "."

        lines.append(sentence)
    data_hint = any(cause_of(f) == "data" or f.code == "underfitting" for f in own)
    if data_hint and "data_report" not in h.artifacts:
        lines.append(NO_DATA_CHECK)
    return " ".join(lines)


def _cause_sentences(causes: Sequence[Cause], own: list[Finding],
                     rel: Mapping[str, list[Finding]]) -> list[str]:
    top = causes[0]
    out = [f"Most likely cause: {_lower(top.title)} ({top.code}, confidence "
           f"{format_number(top.confidence, 2)}).",
           "Because: " + top.chain() + ".",
           "Change: " + top.prescription.rstrip(".") + "."]
    if len(causes) > 1:
        out.append("Also possible: " + ", ".join(
            f"{c.code} ({format_number(c.confidence, 2)})" for c in causes[1:4]) + ".")
    explained = {code for c in causes for code in c.findings}
    rest = [f for f in own if f.code not in explained]
    if rest:
        out.append("Other symptoms: " + "; ".join(f"{_lower(f.title)} ({f.code}{_at(f)})" for f in rest) + ".")
    bearing = {code for c in causes for code in BEARING.get(c.code, ())}
    for kind, who in (("data", "The data check"), ("model", "The model inspection")):
        hits = [f for f in rel.get(kind, []) if f.code in bearing]
        if hits:
            out.append(f"{who} agrees: " + ", ".join(f"{f.code} ({f.severity})" for f in hits[:4]) + ".")
    return out


def diagnosis_text(d: Any, show_info: bool = False) -> str:
    """The terminal report: verdict, causes with their chains and prescriptions, then symptoms."""
    lines = [f"{d.run_name} ({d.run_id}): {d.verdict}", "", d.summary, ""]
    causes = [c for c in d.causes if show_info or c.severity >= Severity.WARNING]
    for i, c in enumerate(causes):
        lines.append(f"{'CAUSE' if i == 0 else 'cause'} {c.code} ({c.severity}, confidence "
                     f"{format_number(c.confidence, 2)}): {c.title}")
        for b in c.because:
            lines.append(f"    because {b}")
        lines.append(f"    change: {c.prescription}")
        if c.change:
            lines.append(f"    config: {c.change}")
    if causes:
        lines.append("")
    explained = d.explained_by
    shown = [f for f in d.findings if show_info or f.severity >= Severity.WARNING]
    if shown:
        lines.append("Symptoms:" if causes else "Findings:")
    for f in shown:
        where = "" if f.step is None else f" (step {f.step})"
        by = f" [explained by {explained[f.code]}]" if f.code in explained else ""
        lines.append(f"{str(f.severity).upper():8} {f.code}{where}: {f.title}{by}")
        if f.suggestion and f.code not in explained:
            lines.append(f"         try: {f.suggestion}")
    hidden = len(d.findings) - len(shown)
    if hidden:
        lines.append(f"({hidden} info finding(s) not shown; use --all)")
    return "\n".join(lines).rstrip()


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
    return format_number(float(x))


def _at(f: Finding) -> str:
    return "" if f.step is None else f", step {f.step}"


def _lower(s: str) -> str:
    return s[:1].lower() + s[1:] if s and not s[1:2].isupper() else s


def jsonable_related(related: Mapping[str, list[Finding]]) -> dict[str, Any]:
    return {k: [f.to_dict() for f in v] for k, v in related.items()}
