"""scikit-learn probes: log an estimator's learning curves into a run.

``track(run, est)`` reads the curves a fitted estimator keeps (``loss_curve_``,
``validation_scores_``, ``train_score_``...); ``track(run, est, X, y)`` fits it
first and turns a ``ConvergenceWarning`` into a finding. ``partial_fit`` trains
an ``SGD*`` (or any ``partial_fit``) estimator epoch by epoch and logs the loss
of each epoch.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core import BadInputError, Finding, Severity, jsonable, require
from ._inputs import sklearn_signals
from ._emit import log_scalars
from ._live import check_positive_int

__all__ = ["SklearnTrack", "partial_fit", "track"]

# attribute -> series name
_CURVES = {
    "loss_curve_": "loss",
    "validation_scores_": "val/score",
    "train_score_": "train/score",
    "validation_score_": "val/score",
    "oob_improvement_": "oob_improvement",
}


@dataclass
class SklearnTrack:
    """What the probe logged: series name -> number of points, and findings."""

    estimator: str
    series: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"estimator": self.estimator, "series": self.series,
                         "findings": [f.to_dict() for f in self.findings]})


def _final(estimator: Any) -> Any:
    return estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator


def _check(run: Any, estimator: Any) -> None:
    if not hasattr(run, "log") or not hasattr(run, "log_event"):
        raise BadInputError(f"track expects a modelglass Run as 'run'. Got {type(run).__name__}.")
    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
        raise BadInputError(
            f"track expects a scikit-learn estimator. Got {type(estimator).__name__}."
        )


def track(run: Any, estimator: Any, X: Any = None, y: Any = None, **fit_params: Any) -> SklearnTrack:
    """Log the learning curves of ``estimator`` (fitting it on ``X, y`` first when given).

    ``loss_curve_`` goes to ``loss``; ``validation_scores_`` / ``validation_score_``
    to ``val/score``; ``train_score_`` to ``train/loss`` for GradientBoosting*
    (its training loss per stage, so ``diagnose`` reads it as the loss) and to
    ``train/score`` for HistGradientBoosting* (a score per iteration). A ``ConvergenceWarning`` raised while fitting, or
    ``n_iter_`` that reached ``max_iter``, becomes a ``not_converged`` finding and a run event.
    """
    _check(run, estimator)
    caught: list[str] = []
    if X is not None:
        exceptions = require("sklearn.exceptions", "tracking scikit-learn estimators")
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", exceptions.ConvergenceWarning)
            estimator.fit(X, y, **fit_params)
        for w in seen:
            if issubclass(w.category, exceptions.ConvergenceWarning):
                caught.append(str(w.message))
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    final = _final(estimator)
    result = SklearnTrack(type(final).__name__)
    for attr, tag in _CURVES.items():
        if attr == "train_score_" and type(final).__name__.startswith("GradientBoosting"):
            tag = "train/loss"  # classic gradient boosting stores its training loss per stage
        curve = getattr(final, attr, None)
        if curve is None:
            continue
        values = np.asarray(curve, dtype=np.float64).ravel()
        for step, v in enumerate(values):
            log_scalars(run, {tag: float(v)}, step)
        result.series[tag] = result.series.get(tag, 0) + int(values.size)
    run.log_artifact("signals", sklearn_signals(estimator, final, X))
    finding = _convergence(final, caught)
    if finding is not None:
        result.findings.append(finding)
        run.log_event(finding.title, level="warning", step=finding.step, finding=finding.to_dict())
    return result


def _convergence(est: Any, caught: list[str]) -> Finding | None:
    n_iter = getattr(est, "n_iter_", None)
    max_iter = getattr(est, "max_iter", None)
    hit = (n_iter is not None and isinstance(max_iter, (int, np.integer))
           and int(np.max(n_iter)) >= int(max_iter))
    if not caught and not hit:
        return None
    evidence: dict[str, Any] = {"module": type(est).__name__}
    if n_iter is not None:
        evidence["n_iter"] = int(np.max(n_iter))
    if isinstance(max_iter, (int, np.integer)):
        evidence["max_iter"] = int(max_iter)
    if caught:
        evidence["warning"] = caught[0]
    return Finding(
        "not_converged", Severity.WARNING,
        f"{type(est).__name__} stopped before converging", evidence,
        "Raise max_iter, scale the features (StandardScaler), or raise tol / lower the "
        "learning rate if the loss oscillates.",
        evidence.get("n_iter"), "probes",
    )


def partial_fit(run: Any, estimator: Any, X: Any, y: Any, epochs: int = 10, classes: Any = None,
                validation_data: tuple[Any, Any] | None = None) -> SklearnTrack:
    """Train with ``partial_fit`` for ``epochs`` passes and log ``loss`` (and ``val/loss``) per epoch.

    The loss is the log-loss for classifiers with ``predict_proba``, the hinge
    loss for other classifiers, and half the mean squared error for regressors
    (what ``SGDRegressor`` minimises).
    """
    _check(run, estimator)
    check_positive_int(epochs, "epochs", "partial_fit")
    if not hasattr(estimator, "partial_fit"):
        raise BadInputError(
            f"{type(estimator).__name__} has no partial_fit. Use track(run, estimator, X, y) instead."
        )
    is_clf = hasattr(estimator, "classes_") or classes is not None or _is_classifier(estimator)
    if is_clf and classes is None:
        classes = np.unique(y)
    result = SklearnTrack(type(estimator).__name__)
    run.log_artifact("signals", sklearn_signals(estimator, _final(estimator), X))
    for epoch in range(epochs):
        if is_clf:
            estimator.partial_fit(X, y, classes=classes)
        else:
            estimator.partial_fit(X, y)
        values = {"loss": _loss(estimator, X, y, is_clf)}
        if validation_data is not None:
            values["val/loss"] = _loss(estimator, *validation_data, is_clf)
        log_scalars(run, values, epoch)
        for k in values:
            result.series[k] = result.series.get(k, 0) + 1
    return result


def _is_classifier(est: Any) -> bool:
    base = require("sklearn.base", "tracking scikit-learn estimators")
    return bool(base.is_classifier(est))


def _loss(est: Any, X: Any, y: Any, is_clf: bool) -> float:
    metrics = require("sklearn.metrics", "tracking scikit-learn estimators")
    if is_clf and hasattr(est, "predict_proba"):
        try:
            return float(metrics.log_loss(y, est.predict_proba(X), labels=est.classes_))
        except AttributeError:  # predict_proba is only there for some losses
            pass
    if is_clf:
        return float(metrics.hinge_loss(y, est.decision_function(X), labels=est.classes_))
    return 0.5 * float(metrics.mean_squared_error(y, est.predict(X)))
