"""Cross-validation for anything with fit/predict, on fixed splits so scores can be paired."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..core import BadInputError, BadTypeError, argument_error, positive_int, require


@dataclass(frozen=True)
class ScoreCurve:
    """Train and validation score against one varying quantity (size or a hyperparameter)."""

    candidate: str
    x_name: str
    x: tuple[Any, ...]
    train_mean: np.ndarray
    train_std: np.ndarray
    val_mean: np.ndarray
    val_std: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate, "x_name": self.x_name, "x": list(self.x),
            "train_mean": self.train_mean.tolist(), "train_std": self.train_std.tolist(),
            "val_mean": self.val_mean.tolist(), "val_std": self.val_std.tolist(),
        }


def fresh(estimator: Any) -> Any:
    """An unfitted copy: ``sklearn.clone`` when it applies, else a deep copy."""
    if hasattr(estimator, "get_params"):
        from sklearn.base import clone

        try:
            return clone(estimator)
        except (TypeError, RuntimeError):
            pass
    return copy.deepcopy(estimator)


def check_candidate(name: str, est: Any) -> None:
    if not (callable(getattr(est, "fit", None)) and callable(getattr(est, "predict", None))):
        raise BadTypeError(
            f"Candidate {name!r} must have fit(X, y) and predict(X) methods. "
            f"Got {type(est).__name__}; wrap it or pass a scikit-learn estimator."
        )


def is_classification(candidates: Sequence[Any], y: np.ndarray) -> bool:
    from sklearn.base import is_classifier, is_regressor
    from sklearn.utils.multiclass import type_of_target

    def safe(check: Any, est: Any) -> bool:
        try:
            return bool(check(est))
        except (AttributeError, TypeError):  # not a scikit-learn estimator
            return False

    if any(safe(is_classifier, c) for c in candidates):
        return True
    if any(safe(is_regressor, c) for c in candidates):
        return False
    return type_of_target(y) in ("binary", "multiclass")


def make_splits(X: Any, y: np.ndarray, cv: Any, classification: bool, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    ms = require("sklearn.model_selection", "compare_models")
    if isinstance(cv, int) and not isinstance(cv, bool):
        positive_int(cv, "cv", "compare_models", minimum=2)
        if cv > len(y):
            raise BadInputError(f"cv={cv} folds need at least {cv} samples; got {len(y)}.")
        splitter = (ms.StratifiedKFold if classification else ms.KFold)(cv, shuffle=True, random_state=seed)
    elif hasattr(cv, "split"):
        splitter = cv
    else:
        raise argument_error("cv", "compare_models", "an int or a splitter with .split()", cv)
    try:
        return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(X, y)]
    except ValueError as exc:
        raise BadInputError(f"Cannot split the data for cross-validation: {exc}") from exc


def take(X: Any, idx: np.ndarray) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[idx]
    return X[idx]


def fit_score(est: Any, scorer: Any, X: Any, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> tuple[float, float]:
    """Fit a fresh copy on ``train``; return (train score, test score)."""
    model = fresh(est)
    model.fit(take(X, train), y[train])
    return float(scorer(model, take(X, train), y[train])), float(scorer(model, take(X, test), y[test]))


def cv_scores(est: Any, scorer: Any, X: Any, y: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    pairs = [fit_score(est, scorer, X, y, tr, te) for tr, te in splits]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def learning_curve(name: str, est: Any, scorer: Any, X: Any, y: np.ndarray,
                   splits: list[tuple[np.ndarray, np.ndarray]], fractions: Sequence[float], seed: int) -> ScoreCurve:
    rng = np.random.default_rng(seed)
    orders = [rng.permutation(tr) for tr, _ in splits]
    sizes, tr_m, tr_s, va_m, va_s = [], [], [], [], []
    for frac in fractions:
        n = max(2, int(round(frac * min(len(o) for o in orders))))
        scores = []
        for order, (_, te) in zip(orders, splits):
            try:
                scores.append(fit_score(est, scorer, X, y, order[:n], te))
            except ValueError:  # too few samples of a class at this size
                continue
        if not scores:
            continue
        a = np.array(scores)
        sizes.append(n)
        tr_m.append(a[:, 0].mean()); tr_s.append(a[:, 0].std())
        va_m.append(a[:, 1].mean()); va_s.append(a[:, 1].std())
    return ScoreCurve(name, "train_size", tuple(sizes), np.array(tr_m), np.array(tr_s), np.array(va_m), np.array(va_s))


def validation_curve(name: str, est: Any, scorer: Any, X: Any, y: np.ndarray,
                     splits: list[tuple[np.ndarray, np.ndarray]], param: str, values: Sequence[Any]) -> ScoreCurve:
    if not hasattr(est, "set_params"):
        raise BadTypeError(f"A validation curve needs set_params(); candidate {name!r} has none.")
    tr_m, tr_s, va_m, va_s = [], [], [], []
    for v in values:
        model = fresh(est)
        try:
            model.set_params(**{param: v})
        except ValueError as exc:
            raise BadInputError(f"Candidate {name!r} has no parameter {param!r}: {exc}") from exc
        tr, va = cv_scores(model, scorer, X, y, splits)
        tr_m.append(tr.mean()); tr_s.append(tr.std()); va_m.append(va.mean()); va_s.append(va.std())
    return ScoreCurve(name, param, tuple(values), np.array(tr_m), np.array(tr_s), np.array(va_m), np.array(va_s))
