"""What a search found: the trials as a table, the best one, findings about the search."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..core import Finding, Result, Severity, check_kind, format_number, jsonable, sort_findings
from ._space import describe_distribution

RUN_ID_ATTR = "modelglass_run_id"
ERROR_ATTR = "modelglass_error"
_BOUNDARY_FRACTION = 0.02
#: The figures of a search (``TuneResult.figure(kind)``); the first is the default.
TUNE_FIGURE_KINDS = ("history", "importance", "parallel", "contour", "slice")


@dataclass(frozen=True)
class TrialRecord:
    """One trial of a study, flattened for tables and JSON."""

    number: int
    state: str
    value: float | None
    params: Mapping[str, Any]
    run_id: str | None
    error: str | None
    duration: float | None
    started: float | None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "number": self.number, "state": self.state, "value": self.value,
                "params": dict(self.params), "run_id": self.run_id, "error": self.error,
                "duration": self.duration, "started": self.started,
            }
        )


@dataclass(frozen=True)
class TuneResult(Result):
    """The outcome of :func:`modelglass.tune`: every trial, the best, findings and figures.

    Attributes:
        study: The study name.
        storage: Where Optuna keeps it (password hidden).
        direction: ``minimize`` or ``maximize``.
        trials: Every trial in number order.
        best: The best completed trial, or None when none completed.
        distributions: The range of every parameter seen, by name.
        findings: What is worth knowing about the search.
    """

    TITLE = "Hyperparameter search"
    FIGURE_KINDS = TUNE_FIGURE_KINDS

    study: str
    storage: str
    direction: str
    trials: tuple[TrialRecord, ...]
    best: TrialRecord | None
    distributions: Mapping[str, Mapping[str, Any]]
    findings: tuple[Finding, ...] = ()
    optuna_study: Any = field(default=None, compare=False, repr=False)

    @property
    def best_params(self) -> dict[str, Any]:
        return dict(self.best.params) if self.best else {}

    @property
    def best_value(self) -> float | None:
        return self.best.value if self.best else None

    def counts(self) -> dict[str, int]:
        """How many trials are in each state."""
        out: dict[str, int] = {}
        for t in self.trials:
            out[t.state] = out.get(t.state, 0) + 1
        return out

    def _to_dict_body(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "storage": self.storage,
            "direction": self.direction,
            "n_trials": len(self.trials),
            "counts": self.counts(),
            "best": self.best.to_dict() if self.best else None,
            "distributions": jsonable(dict(self.distributions)),
            "trials": [t.to_dict() for t in self.trials],
        }

    def to_pandas(self) -> Any:
        """The trials as a DataFrame: number, state, value, one ``param_<name>`` column each."""
        import pandas as pd

        rows = []
        for t in self.trials:
            row = {"number": t.number, "state": t.state, "value": t.value, "run_id": t.run_id}
            row.update({f"param_{k}": v for k, v in t.params.items()})
            row["error"] = t.error
            rows.append(row)
        return pd.DataFrame(rows)

    def importances(self) -> dict[str, float]:
        """Parameter importances (Optuna's default evaluator), largest first."""
        if self.optuna_study is None or self.best is None or not self.distributions:
            return {}
        import optuna

        try:
            imp = optuna.importance.get_param_importances(self.optuna_study)
        except (RuntimeError, ValueError):  # too few complete trials for the evaluator
            return {}
        return {k: float(v) for k, v in imp.items()}

    def figure(self, kind: str | None = None, **kwargs: Any) -> Any:
        """A plotly figure: ``history`` (the default), ``importance``, ``parallel``, ``contour``
        or ``slice``; ``kwargs`` go to the builder (``x``, ``y`` and ``bins`` for a contour)."""
        from ..viz import tune_figure

        return tune_figure(self, check_kind(kind, self.FIGURE_KINDS, "TuneResult"), **kwargs)

    def _figure(self, kind: str) -> Any:
        return self.figure(kind)

    def _card_title(self) -> str:
        return f"Hyperparameter search: {self.study}"

    def _text_body(self) -> str:
        counts = ", ".join(f"{n} {state}" for state, n in self.counts().items()) or "no trials"
        lines = [f"{len(self.trials)} trials ({counts}); {self.direction}."]
        if self.best is not None:
            params = ", ".join(f"{k}={format_number(v)}" for k, v in self.best.params.items())
            lines.append(f"best: trial {self.best.number}, value {format_number(self.best.value)} ({params})")
        return "\n".join(lines)


def result_from_study(study: Any, storage: str) -> TuneResult:
    """Build a :class:`TuneResult` from an Optuna study."""
    trials = study.get_trials(deepcopy=False)
    records = tuple(_record(t) for t in trials)
    dists: dict[str, dict[str, Any]] = {}
    for t in trials:
        for name, d in t.distributions.items():
            dists.setdefault(name, describe_distribution(d))
    direction = study.direction.name.lower()
    complete = [r for r in records if r.state == "complete" and r.value is not None]
    best = None
    if complete:
        pick = min if direction == "minimize" else max
        best = pick(complete, key=lambda r: (r.value if math.isfinite(r.value) else math.inf * (1 if direction == "minimize" else -1)))
    findings = _findings(records, best, dists)
    return TuneResult(study.study_name, storage, direction, records, best, dists, findings, study)


def _record(t: Any) -> TrialRecord:
    started = t.datetime_start.timestamp() if t.datetime_start else None
    duration = (
        (t.datetime_complete - t.datetime_start).total_seconds()
        if t.datetime_start and t.datetime_complete else None
    )
    error = t.user_attrs.get(ERROR_ATTR) or t.system_attrs.get("fail_reason")
    return TrialRecord(
        number=t.number,
        state=t.state.name.lower(),
        value=None if t.value is None else float(t.value),
        params=dict(t.params),
        run_id=t.user_attrs.get(RUN_ID_ATTR),
        error=error,
        duration=duration,
        started=started,
    )


def _findings(records: tuple[TrialRecord, ...], best: TrialRecord | None, dists: Mapping[str, Any]) -> tuple[Finding, ...]:
    out: list[Finding] = []
    failed = [r for r in records if r.state == "fail"]
    if records and best is None:
        out.append(Finding(
            "tune_no_complete_trials", Severity.ERROR,
            f"None of the {len(records)} trials completed, so there is no best trial.",
            {"n_trials": len(records), "n_failed": len(failed),
             "first_error": failed[0].error if failed else None},
            "Run the objective once by hand with fixed values to see why it fails; "
            "check the errors in `modelglass tune show`.", source="tune",
        ))
    elif failed:
        out.append(Finding(
            "tune_trials_failed", Severity.WARNING,
            f"{len(failed)} of {len(records)} trials failed; the search went on without them.",
            {"n_failed": len(failed), "n_trials": len(records),
             "first_failed_trial": failed[0].number, "first_error": failed[0].error},
            "Read the error of the first failed trial; a range that produces invalid settings "
            "(a zero width, a divergent learning rate) is a common cause.", source="tune",
        ))
    if best is not None:
        out.extend(_boundary_findings(best, dists))
    return tuple(sort_findings(out))


def _boundary_findings(best: TrialRecord, dists: Mapping[str, Any]) -> list[Finding]:
    out = []
    for name, d in dists.items():
        v = best.params.get(name)
        if d.get("type") == "categorical" or not isinstance(v, (int, float)):
            continue
        low, high, log = float(d["low"]), float(d["high"]), bool(d["log"])
        f = (lambda x: math.log(x)) if log and low > 0 else (lambda x: x)
        width = f(high) - f(low)
        if width <= 0:
            continue
        pos = (f(float(v)) - f(low)) / width
        if pos <= _BOUNDARY_FRACTION or pos >= 1 - _BOUNDARY_FRACTION:
            edge = "low" if pos <= _BOUNDARY_FRACTION else "high"
            out.append(Finding(
                "tune_best_on_boundary", Severity.WARNING,
                f"The best {name!r} ({v:.4g}) sits at the {edge} end of its range; "
                "the optimum may lie outside it.",
                {"param": name, "value": v, "low": low, "high": high, "edge": edge,
                 "trial": best.number},
                f"Widen the range of {name!r} past its {edge} end and search again.",
                step=best.number, source="tune",
            ))
    return out
