"""``diagnose(run)``: run every registered rule over a run's history and explain the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping

import numpy as np

from ..core import BadInputError, Finding, Result, Severity, sort_findings, worst_severity
from ._cause import CAUSE_RULES, Cause, link, rank
from ._evidence import Evidence
from ._history import History, load_history
from ._registry import RULES, SOURCE, NotEnoughData, resolve_thresholds
from ._summary import diagnosis_text, jsonable_related, related_findings, write_summary

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

# Importing the rule modules registers them.
from . import _rules_act, _rules_fit, _rules_grad, _rules_loss  # noqa: F401,E402
from . import _causes_data, _causes_model, _causes_opt  # noqa: F401,E402

# 2: the Result contract (findings a tuple; ok, result) and causes.
DIAGNOSIS_SCHEMA_VERSION = 2

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
class Diagnosis(Result):
    """What is wrong with a run, why, and what to change.

    Attributes:
        run_id: The run diagnosed.
        run_name: Its name.
        findings: The symptoms, worst first, then by the step where they started.
        related: Findings stored with the run by the data check (``data``) and the model
            inspection (``model``); they inform the causes but not the verdict.
        summary: A few sentences: the most likely cause and its chain, then the symptoms.
        loss_tag: The training-loss series used.
        val_tag: The validation-loss series used.
        thresholds: The thresholds every rule used.
        causes: The bugs behind the findings, most likely first (empty for a healthy run).
    """

    TITLE: ClassVar[str] = "Diagnosis"
    SCHEMA_VERSION: ClassVar[int] = DIAGNOSIS_SCHEMA_VERSION
    FIGURE_KINDS: ClassVar[tuple[str, ...]] = ("loss",)

    run_id: str
    run_name: str
    findings: tuple[Finding, ...]
    related: dict[str, list[Finding]]
    summary: str
    loss_tag: str | None
    val_tag: str | None
    thresholds: dict[str, dict[str, float]]
    history: History = field(repr=False, compare=False)
    causes: tuple[Cause, ...] = ()

    @property
    def top_cause(self) -> Cause | None:
        """The most likely cause, or None for a healthy run."""
        return self.causes[0] if self.causes else None

    @property
    def verdict(self) -> str:
        """``healthy``, ``warning`` or ``error``: the worst severity among findings and causes."""
        worst = worst_severity([*self.findings, *self.causes])  # type: ignore[list-item]
        if worst is None or worst == Severity.INFO:
            return "healthy"
        return VERDICTS[int(worst)]

    @property
    def explained_by(self) -> dict[str, str]:
        """Finding code -> the cause code that explains it."""
        return link(list(self.findings), self.causes)

    def codes(self, min_severity: str = "warning") -> list[str]:
        """The codes of the findings at or above ``min_severity``, in order, once each."""
        level = Severity.parse(min_severity)
        out: list[str] = []
        for f in self.findings:
            if f.severity >= level and f.code not in out:
                out.append(f.code)
        return out

    def cause_codes(self, min_severity: str = "warning") -> list[str]:
        """The codes of the causes at or above ``min_severity``, most likely first."""
        level = Severity.parse(min_severity)
        return [c.code for c in self.causes if c.severity >= level]

    def _to_dict_body(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "run_name": self.run_name,
            "verdict": self.verdict,
            "summary": self.summary,
            "causes": [c.to_dict() for c in self.causes],
            "top_cause": None if self.top_cause is None else self.top_cause.code,
            "explained_by": self.explained_by,
            "loss_tag": self.loss_tag,
            "val_tag": self.val_tag,
            "related": jsonable_related(self.related),
            "thresholds": self.thresholds,
        }

    def _card_title(self) -> str:
        return f"Diagnosis of {self.run_name}"

    def _text_body(self) -> str:
        return self.summary

    def text(self) -> str:
        """The plain-text report: verdict, the causes with their chains, then every finding."""
        head = f"{self._card_title()} [{self.status}] ({self.run_id}): {self.verdict}"
        return diagnosis_text(self, show_info=True, head=head)

    def _figure(self, kind: str) -> "go.Figure":
        from ..viz import render_diagnosis_figure

        return render_diagnosis_figure(self.figure_data())

    def figure_data(self) -> Any:
        """The loss curves with the step of each finding marked (a frozen dataclass)."""
        from ..viz import diagnosis_figure_data

        loss, val = self.history.loss(), self.history.val_loss()
        return diagnosis_figure_data(
            train=None if loss is None else (loss.steps, loss.values),
            val=None if val is None else (val.steps, val.values),
            findings=[f for f in self.findings if f.severity >= Severity.WARNING],
            train_tag=self.loss_tag, val_tag=self.val_tag, title=f"Diagnosis of {self.run_name}",
            cause=next((c for c in self.causes if c.severity >= Severity.WARNING), None),
            all_findings=self.findings,
        )

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


def diagnose(
    run_or_id: Any,
    store: Any = None,
    loss: str | None = None,
    val_loss: str | None = None,
    num_classes: int | None = None,
    thresholds: Mapping[str, Any] | None = None,
    baseline: float | None = None,
    rules: Iterable[str] | None = None,
) -> Any:
    """Diagnose a logged training run: what is wrong, why, and what to change.

    Args:
        run_or_id: A :class:`~modelglass.Run`, a :class:`~modelglass.store.RunInfo`, or a run
            id, name or ``"latest"``; or a list of them to compare (one row per run).
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
        A :class:`Diagnosis` (its ``causes`` first), or for a list a
        :class:`~modelglass.diagnose.DiagnosisComparison`.
    """
    if isinstance(run_or_id, (list, tuple)):
        from ._compare import DiagnosisComparison

        if not run_or_id:
            raise BadInputError("diagnose([...]) needs at least one run. Got an empty list.")
        return DiagnosisComparison(tuple(
            diagnose(r, store, loss, val_loss, num_classes, thresholds, baseline, rules) for r in run_or_id))
    params = resolve_thresholds(thresholds)
    selected = _select(rules)
    h = load_history(run_or_id, store, loss, val_loss, num_classes, baseline)
    try:
        findings = run_rules(h, params, selected)
        related = related_findings(h)
        causes = find_causes(h, findings) if rules is None else ()
        summary = write_summary(h, findings, related, causes)
    finally:
        if h._reader is not None and not (store is not None and store is h._reader):
            h._reader.close()
        h._reader = None
    return Diagnosis(h.run_id, h.name, tuple(findings), related, summary, h.loss_tag, h.val_tag,
                     {c: dict(params[c]) for c in selected}, h, causes)


def find_causes(h: History, findings: list[Finding]) -> tuple[Cause, ...]:
    """Every cause rule over the run, most likely first."""
    e = Evidence(h, findings)
    found = []
    with np.errstate(all="ignore"):
        for check in CAUSE_RULES.values():
            try:
                c = check(e)
            except (ArithmeticError, ValueError, IndexError, TypeError, KeyError):
                c = None  # a signal in a shape the rule does not know: no cause, not a crash
            if c is not None:
                found.append(c)
    return rank(found)


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
    findings = [_with_series(h, f) for f in findings]
    if skipped:  # one finding per run, naming every rule that could not judge and why
        reasons = {c: reason for reason, codes_ in skipped.items() for c in codes_}
        first = next(iter(skipped))
        more = f" (and {len(skipped) - 1} more reason(s))" if len(skipped) > 1 else ""
        findings.append(Finding(
            "not_enough_data", "info",
            f"{len(reasons)} rule(s) could not judge this run: {', '.join(reasons)}. "
            f"First reason: {first}{more}",
            {"rules": reasons, "reasons": list(skipped)},
            "Log the missing series (see docs/names.md) to let these rules judge the run.",
            None, SOURCE,
        ))
    return sort_findings(findings)


# code -> (series prefix or None for the loss, the evidence key naming the layer/parameter)
_SERIES = {
    "dead_units": ("act/dead_fraction/", "module"),
    "saturated_activations": ("act/saturated_fraction/", "module"),
    "vanishing_gradients": ("grad_norm/", "first_layer"),
    "update_ratio_high": ("update_ratio/", "parameters"),
    "update_ratio_low": ("update_ratio/", "parameters"),
    "unchanged_parameters": ("weight_norm/", "parameters"),
    "loss_divergence": (None, ""), "loss_oscillation": (None, ""), "loss_plateau": (None, ""),
    "underfitting": (None, ""), "bad_initial_loss": (None, ""),
}


def _with_series(h: History, f: Finding) -> Finding:
    """The finding with ``evidence["series"]``: the series to plot when it is clicked."""
    if "series" in f.evidence:
        return f
    series: str | None = None
    if f.code == "exploding_gradients":
        series = f"grad_norm/{f.evidence['first_layer']}" if "first_layer" in f.evidence else "grad_norm"
    elif f.code == "nan_inf":
        series = f.evidence.get("first_series")
    elif f.code == "overfitting":
        series = h.val_tag
    elif f.code in _SERIES:
        prefix, key = _SERIES[f.code]
        if prefix is None:
            series = h.loss_tag
        else:
            name = f.evidence.get(key)
            name = name[0] if isinstance(name, list) and name else name
            series = f"{prefix}{name}" if isinstance(name, str) else None
    if not series or series not in h.tags:
        return f
    return Finding(f.code, f.severity, f.title, {**f.evidence, "series": series}, f.suggestion,
                   f.step, f.source)
