"""``mg.compare_models``: cross-validated scores, paired against the best, with bias/variance findings."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..core import BadInputError, Finding, Result, Severity, format_number, jsonable, require, sort_findings
from ..core import iter_progress
from ._cv import Curve, check_candidate, cv_scores, is_classification, learning_curve, make_splits, validation_curve

_ALPHA = 0.05
_GAP = 0.10  # train-validation gap, as a fraction of the room between baseline and perfect
_POOR = 0.60  # a train score below this fraction of that room is poor


@dataclass(frozen=True)
class CandidateScore:
    """Cross-validated scores of one candidate, and how it compares with the best."""

    name: str
    mean: float
    std: float
    train_mean: float
    folds: np.ndarray
    diff_vs_best: float
    p_value: float | None
    tie_with_best: bool

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "name": self.name, "mean": self.mean, "std": self.std, "train_mean": self.train_mean,
            "folds": self.folds, "diff_vs_best": self.diff_vs_best, "p_value": self.p_value,
            "tie_with_best": self.tie_with_best,
        })


@dataclass(frozen=True)
class ModelComparison(Result):
    """The outcome of :func:`modelglass.compare_models`.

    Attributes:
        scoring: The scikit-learn scorer used.
        n_folds: How many folds every candidate was scored on.
        candidates: One score per candidate, in the order given.
        best: Name of the candidate with the best mean score.
        baseline: A constant guess's score (the floor).
        perfect: The best score possible (the ceiling).
        learning_curve: The best candidate's learning curve, or None.
        validation_curve: The validation curve asked for, or None.
        findings: Bias, variance and ties.
    """

    TITLE = "Model comparison"
    FIGURE_KINDS = ("scores", "learning", "validation")

    scoring: str
    n_folds: int
    candidates: tuple[CandidateScore, ...]
    best: str
    baseline: float
    perfect: float
    learning_curve: Curve | None
    validation_curve: Curve | None
    findings: tuple[Finding, ...] = field(default=())

    def _to_dict_body(self) -> dict[str, Any]:
        return {
            "scoring": self.scoring, "n_folds": self.n_folds, "best": self.best,
            "baseline": jsonable(self.baseline), "perfect": self.perfect,
            "candidates": [c.to_dict() for c in self.candidates],
            "learning_curve": self.learning_curve.to_dict() if self.learning_curve else None,
            "validation_curve": self.validation_curve.to_dict() if self.validation_curve else None,
        }

    def _figure(self, kind: str) -> Any:
        """``scores`` (mean ± std per candidate), ``learning`` or ``validation`` curve."""
        from ..viz import comparison_figure

        return comparison_figure(self, kind)

    def _text_body(self) -> str:
        lines = [f"{self.scoring}, {self.n_folds} folds; a constant guess scores {format_number(self.baseline)}."]
        for c in self.candidates:
            mark = "best" if c.name == self.best else ("tie" if c.tie_with_best else "")
            lines.append(f"  {c.name:24s} {format_number(c.mean):>8s} ± {format_number(c.std):<8s} {mark}")
        return "\n".join(lines)


def compare_models(
    candidates: Mapping[str, Any] | Sequence[Any],
    X: Any,
    y: Any,
    cv: Any = 5,
    scoring: str | None = None,
    *,
    learning_curve_sizes: Sequence[float] | None = (0.1, 0.25, 0.5, 0.75, 1.0),
    validation_param: str | None = None,
    validation_values: Sequence[Any] | None = None,
    validation_candidate: str | None = None,
    random_state: int = 0,
    progress: bool = True,
) -> ModelComparison:
    """Cross-validate every candidate on the same folds and say which is best.

    A candidate whose fold-by-fold difference from the best is smaller than the
    noise (corrected resampled t-test, p > 0.05) is called a tie.

    Args:
        candidates: ``{name: estimator}`` or a list of estimators (anything with fit/predict).
        X: Features.
        y: Targets.
        cv: Number of folds or a scikit-learn splitter.
        scoring: A scikit-learn scorer name; default accuracy (classification) or r2.
        learning_curve_sizes: Fractions of the training folds for the best
            candidate's learning curve; None to skip it.
        validation_param: A hyperparameter to sweep for a validation curve.
        validation_values: Its values.
        validation_candidate: Which candidate to sweep (default the best).
        random_state: Seed of the folds.
        progress: Show a progress bar of the candidates (on a terminal or in a notebook only).
    """
    require("sklearn", "compare_models")
    from sklearn.metrics import get_scorer

    named = _named(candidates)
    y_arr = np.asarray(y)
    if len(X) != len(y_arr):
        raise BadInputError(f"X has {len(X)} rows but y has {len(y_arr)}. Pass one target per row.")
    classification = is_classification(list(named.values()), y_arr)
    scoring = scoring or ("accuracy" if classification else "r2")
    try:
        scorer = _any_model_scorer(get_scorer(scoring), classification)
    except ValueError as exc:
        raise BadInputError(f"Unknown scoring {scoring!r}: {exc}") from exc
    splits = make_splits(X, y_arr, cv, classification, random_state)
    scores = {}
    for name, est in iter_progress(list(named.items()), "compare_models: candidates", progress=progress):
        try:
            scores[name] = cv_scores(est, scorer, X, y_arr, splits)
        except (ValueError, TypeError) as exc:
            raise BadInputError(f"Candidate {name!r} failed to fit or score: {exc}") from exc
    best = max(scores, key=lambda n: scores[n][1].mean())
    table = tuple(_paired(n, scores[n], scores[best][1], splits) for n in named)
    baseline = _baseline(classification, scorer, X, y_arr, splits)
    perfect = 0.0 if scoring.startswith("neg_") else 1.0
    lc = (learning_curve(best, named[best], scorer, X, y_arr, splits, learning_curve_sizes, random_state)
          if learning_curve_sizes else None)
    vc = None
    if validation_param:
        if not validation_values:
            raise BadInputError("validation_param needs validation_values, the values to try.")
        which = validation_candidate or best
        if which not in named:
            raise BadInputError(f"validation_candidate {which!r} is not one of {list(named)}.")
        vc = validation_curve(which, named[which], scorer, X, y_arr, splits, validation_param, validation_values)
    findings = _findings(table, best, baseline, perfect, lc)
    return ModelComparison(scoring, len(splits), table, best, baseline, perfect, lc, vc, findings)


def _any_model_scorer(scorer: Any, classification: bool) -> Any:
    """Let scikit-learn scorers score objects that only have fit/predict."""
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

    mixin = ClassifierMixin if classification else RegressorMixin

    class Adapter(mixin, BaseEstimator):  # type: ignore[misc, valid-type]
        def __init__(self, model: Any = None) -> None:
            self.model = model

        def predict(self, X: Any) -> Any:
            return self.model.predict(X)

        def __getattr__(self, name: str) -> Any:  # predict_proba, decision_function, classes_
            if name in ("predict_proba", "decision_function", "classes_"):
                return getattr(self.__dict__["model"], name)
            raise AttributeError(name)

    def score(est: Any, X: Any, y: Any) -> float:
        if not hasattr(est, "__sklearn_tags__"):
            est = Adapter(est)
        return scorer(est, X, y)

    return score


def _named(candidates: Any) -> dict[str, Any]:
    if isinstance(candidates, Mapping):
        named = {str(k): v for k, v in candidates.items()}
    elif isinstance(candidates, (list, tuple)):
        named = {}
        for est in candidates:
            base = type(est).__name__
            name, i = base, 2
            while name in named:
                name, i = f"{base}#{i}", i + 1
            named[name] = est
    else:
        raise BadInputError(
            f"compare_models expects a dict {{name: estimator}} or a list of estimators. Got {type(candidates).__name__}."
        )
    if not named:
        raise BadInputError("compare_models got no candidates. Pass at least one estimator.")
    for name, est in named.items():
        check_candidate(name, est)
    return named


def _paired(name: str, sc: tuple[np.ndarray, np.ndarray], best_val: np.ndarray,
            splits: list[tuple[np.ndarray, np.ndarray]]) -> CandidateScore:
    train, val = sc
    diff = best_val - val
    k = len(diff)
    if np.allclose(diff, 0):
        p, tie = None, True
    else:
        # Nadeau & Bengio: folds share training data, so the plain variance is too small.
        ratio = np.mean([len(te) / len(tr) for tr, te in splits])
        var = diff.var(ddof=1) * (1.0 / k + ratio)
        if var <= 0:
            p, tie = 0.0, False
        else:
            from scipy import stats

            t = diff.mean() / math.sqrt(var)
            p = float(2 * stats.t.sf(abs(t), df=k - 1))
            tie = p > _ALPHA
    return CandidateScore(name, float(val.mean()), float(val.std()), float(train.mean()), val,
                          float(diff.mean()), p, tie)


def _baseline(classification: bool, scorer: Any, X: Any, y: np.ndarray, splits: list[Any]) -> float:
    from sklearn.dummy import DummyClassifier, DummyRegressor

    dummy = DummyClassifier(strategy="prior") if classification else DummyRegressor()
    try:
        return float(cv_scores(dummy, scorer, X, y, splits)[1].mean())
    except (ValueError, TypeError, AttributeError):
        return float("nan")


def _findings(table: tuple[CandidateScore, ...], best: str, baseline: float, perfect: float,
              lc: Curve | None) -> tuple[Finding, ...]:
    out: list[Finding] = []
    room = perfect - baseline
    for c in table:
        if not math.isfinite(room) or room <= 0:
            break
        gap = (c.train_mean - c.mean) / room
        reached = (c.train_mean - baseline) / room
        ev = {"candidate": c.name, "train_score": c.train_mean, "val_score": c.mean,
              "baseline": baseline, "gap_fraction": gap, "train_fraction_of_room": reached}
        if gap > _GAP:
            rising = bool(lc is not None and lc.candidate == c.name and len(lc.val_mean) >= 2
                          and lc.val_mean[-1] > lc.val_mean[-2] + 1e-9)
            ev["val_still_rising"] = rising
            out.append(Finding(
                "high_variance", Severity.WARNING,
                f"{c.name} fits the training folds much better than it predicts new data "
                f"({c.train_mean:.3g} vs {c.mean:.3g}): it overfits.",
                ev, "Get more data" + (" (the learning curve is still rising)" if rising else "")
                + ", add regularisation, or use a simpler model.", source="compare_models"))
        elif reached < _POOR:
            out.append(Finding(
                "high_bias", Severity.WARNING,
                f"{c.name} scores poorly on both training and validation folds "
                f"({c.train_mean:.3g} and {c.mean:.3g}; a constant guess gets {baseline:.3g}): it underfits.",
                ev, "Give the model more capacity or better features; more data will not help much.",
                source="compare_models"))
    ties = [c for c in table if c.name != best and c.tie_with_best]
    if ties:
        out.append(Finding(
            "best_is_tie", Severity.INFO,
            f"{best} is best, but {', '.join(c.name for c in ties)} differ from it by less than the noise.",
            {"best": best, "tied": [c.name for c in ties],
             "p_values": {c.name: c.p_value for c in ties},
             "differences": {c.name: c.diff_vs_best for c in ties}},
            "Prefer the simplest or cheapest of the tied models, or collect more data to separate them.",
            source="compare_models"))
    return tuple(sort_findings(out))
