"""``diagnose(run)``: run every registered rule over a run's history and explain the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np

from ..core import BadInputError, Finding, Severity, jsonable, sort_findings, worst_severity
from ._history import History, load_history
from ._registry import RULES, SOURCE, NotEnoughData, resolve_thresholds
from ._summary import jsonable_related, related_findings, write_summary

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

# Importing the rule modules registers them.
from . import _rules_act, _rules_fit, _rules_grad, _rules_loss  # noqa: F401,E402

DIAGNOSIS_SCHEMA_VERSION = 1

# code -> (series prefix, axis label, log scale, the threshold drawn as a line)
_FIGURES: dict[str, tuple[str, str, bool, str | None]] = {
    "exploding_gradients": ("grad_norm/", "gradient norm per parameter", True, None),
    "vanishing_gradients": ("grad_norm/", "gradient norm per parameter", True, "first_norm"),
    "unchanged_parameters": ("weight_norm/", "weight norm per parameter", False, None),
    "update_ratio_high": ("update_ratio/", "update / weight ratio", True, "limit"),
    "update_ratio_low": ("update_ratio/", "update / weight ratio", True, "limit"),
    "dead_units": ("act/dead_fraction/", "fraction of units never positive", False, "fraction"),
    "saturated_activations": ("act/saturated_fraction/", "fraction saturated", False, "fraction"),
}
VERDICTS = ("healthy", "warning", "error")


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with a run, the evidence, and what to try.

    Attributes:
        run_id: The run diagnosed.
        run_name: Its name.
        findings: Worst first, then by the step where they started.
        related: Findings stored with the run by the data check (``data``) and the model
            inspection (``model``); they inform the summary but not the verdict.
        summary: A few sentences: why the run is not improving.
        loss_tag: The training-loss series used.
        val_tag: The validation-loss series used.
        thresholds: The thresholds every rule used.
    """

    run_id: str
    run_name: str
    findings: list[Finding]
    related: dict[str, list[Finding]]
    summary: str
    loss_tag: str | None
    val_tag: str | None
    thresholds: dict[str, dict[str, float]]
    history: History = field(repr=False, compare=False)

    @property
    def verdict(self) -> str:
        """``healthy``, ``warning`` or ``error``: the worst severity among the findings."""
        worst = worst_severity(self.findings)
        if worst is None or worst == Severity.INFO:
            return "healthy"
        return VERDICTS[int(worst)]

    def codes(self, min_severity: str = "warning") -> list[str]:
        """The codes of the findings at or above ``min_severity``, in order, once each."""
        level = Severity.parse(min_severity)
        out: list[str] = []
        for f in self.findings:
            if f.severity >= level and f.code not in out:
                out.append(f.code)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, stable keys."""
        return jsonable({
            "schema_version": DIAGNOSIS_SCHEMA_VERSION,
            "run_id": self.run_id,
            "run_name": self.run_name,
            "verdict": self.verdict,
            "summary": self.summary,
            "loss_tag": self.loss_tag,
            "val_tag": self.val_tag,
            "findings": [f.to_dict() for f in self.findings],
            "related": jsonable_related(self.related),
            "thresholds": self.thresholds,
        })

    def figure_data(self) -> Any:
        """The loss curves with the step of each finding marked (a frozen dataclass)."""
        from ..viz import diagnosis_figure_data

        loss, val = self.history.loss(), self.history.val_loss()
        return diagnosis_figure_data(
            train=None if loss is None else (loss.steps, loss.values),
            val=None if val is None else (val.steps, val.values),
            findings=[f for f in self.findings if f.severity >= Severity.WARNING],
            train_tag=self.loss_tag, val_tag=self.val_tag, title=f"Diagnosis of {self.run_name}",
        )

    def figure(self) -> "go.Figure":
        """The loss curves (plotly) with a marker at the step where each finding started."""
        from ..viz import render_diagnosis_figure

        return render_diagnosis_figure(self.figure_data())

    def finding_figure_data(self, finding: Finding | str) -> Any:
        """The series behind one finding (a frozen dataclass), or None when no picture fits."""
        from ..viz import finding_figure_data

        code = finding if isinstance(finding, str) else finding.code
        spec = _FIGURES.get(code)
        if spec is None:
            return None
        prefix, label, log_y, param = spec
        series = {n: (c.steps, c.values) for n, c in self.history.with_prefix(prefix).items()}
        if not series:
            return None
        limits = self.thresholds.get(code, {})
        lines = [limits[param]] if param and param in limits else []
        return finding_figure_data(f"{code}: {label}", label, series, log_y, lines)

    def finding_figure(self, finding: Finding | str) -> "go.Figure | None":
        """A small plotly picture of one finding's evidence (None when none fits)."""
        from ..viz import render_finding_figure

        data = self.finding_figure_data(finding)
        return None if data is None else render_finding_figure(data)

    def __str__(self) -> str:
        lines = [f"{self.run_name} ({self.run_id}): {self.verdict}", self.summary]
        lines += [f"  [{f.severity}] {f.code}: {f.title}" for f in self.findings]
        return "\n".join(lines)


def diagnose(
    run_or_id: Any,
    store: Any = None,
    loss: str | None = None,
    val_loss: str | None = None,
    num_classes: int | None = None,
    thresholds: Mapping[str, Any] | None = None,
    baseline: float | None = None,
    rules: Iterable[str] | None = None,
) -> Diagnosis:
    """Diagnose a logged training run: what is wrong, where it started, and what to try.

    Args:
        run_or_id: A :class:`~modelglass.Run`, a :class:`~modelglass.store.RunInfo`, or a run
            id, name or ``"latest"``.
        store: The store to read (path, URL or Reader); default: the run's own store, else
            ``MODELGLASS_STORE``, else ``./mglogs``.
        loss: The training-loss series; default ``loss``, else ``train/loss``.
        val_loss: The validation-loss series; default ``val/loss``, ``val_loss``, ``valid/loss``.
        num_classes: Classes of a classifier (else the run config's ``num_classes``, else the
            width of a ``(batch, classes)`` output seen by ``watch``); 0 says the model is
            not a classifier (as does ``config={"task": "regression"}``).
        thresholds: Overrides, ``{"code.param": value}``; see :func:`known_thresholds`.
        baseline: The loss of a trivial predictor (regression: predicting the mean).
        rules: Run only these rule codes (default: all).

    Returns:
        A :class:`Diagnosis`.
    """
    params = resolve_thresholds(thresholds)
    selected = _select(rules)
    h = load_history(run_or_id, store, loss, val_loss, num_classes, baseline)
    try:
        findings = run_rules(h, params, selected)
        related = related_findings(h)
        summary = write_summary(h, findings, related)
    finally:
        if h._reader is not None and not (store is not None and store is h._reader):
            h._reader.close()
        h._reader = None
    return Diagnosis(h.run_id, h.name, findings, related, summary, h.loss_tag, h.val_tag,
                     {c: dict(params[c]) for c in selected}, h)


def _select(rules: Iterable[str] | None) -> list[str]:
    if rules is None:
        return list(RULES)
    chosen = [rules] if isinstance(rules, str) else list(rules)
    unknown = [r for r in chosen if r not in RULES]
    if unknown:
        raise BadInputError(f"Unknown diagnose rule(s) {unknown}. Known: {', '.join(RULES)}.")
    return chosen


def run_rules(h: History, params: Mapping[str, Mapping[str, float]], codes: Iterable[str]) -> list[Finding]:
    """Every selected rule's findings, plus one ``not_enough_data`` info per missing input."""
    findings: list[Finding] = []
    skipped: dict[str, list[str]] = {}
    for code in codes:
        try:
            # The rules guard their own results; huge or non-finite inputs must not spam warnings.
            with np.errstate(all="ignore"):
                findings.extend(RULES[code].check(h, params[code]))
        except NotEnoughData as why:
            skipped.setdefault(str(why), []).append(code)
        except (ArithmeticError, ValueError, IndexError, TypeError, KeyError) as exc:
            findings.append(Finding(
                "rule_failed", "info", f"The rule {code} could not judge this run: {exc}",
                {"rule": code, "error": type(exc).__name__}, "Please report this as a bug.",
                None, SOURCE,
            ))
    for reason, codes_ in skipped.items():
        findings.append(Finding(
            "not_enough_data", "info", f"Not enough data for {', '.join(codes_)}: {reason}",
            {"rules": codes_, "reason": reason},
            "Log the missing series (see docs/names.md) to let these rules judge the run.",
            None, SOURCE,
        ))
    return sort_findings(findings)
