"""Out-of-fold predicted probabilities from a fast default model (for label_issues)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import require
from ._context import DataContext

#: Categorical features with more distinct values than this enter the model as plain codes.
MAX_NATIVE_CATEGORIES = 250


def feature_matrix(ctx: DataContext, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Features of ``rows`` as float64 (categories as codes, Inf as NaN) and a categorical mask."""
    cols, cat = [], []
    for col in ctx.features:
        kind = ctx.kind(col)
        if kind == "numeric":
            x = ctx.numeric(col)[rows].copy()
            x[~np.isfinite(x)] = np.nan
            cols.append(x)
            cat.append(False)
        elif kind == "categorical":
            codes, uniques = ctx.codes(col)
            x = codes[rows].astype(np.float64)
            x[x < 0] = np.nan
            cols.append(x)
            cat.append(len(uniques) <= MAX_NATIVE_CATEGORIES)
    if not cols:
        return np.zeros((len(rows), 0)), np.zeros(0, dtype=bool)
    return np.column_stack(cols), np.asarray(cat, dtype=bool)


def default_model(categorical: np.ndarray, seed: int) -> Any:
    """HistGradientBoostingClassifier with early stopping: fast, handles NaN and categories."""
    ens = require("sklearn.ensemble", "finding label issues")
    return ens.HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.1,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        categorical_features=categorical if categorical.any() else None,
        random_state=seed,
    )


def out_of_fold_probs(
    x: np.ndarray, labels: np.ndarray, model: Any, cv: int, seed: int
) -> np.ndarray:
    """Predicted probabilities for each row from a model that did not see that row."""
    ms = require("sklearn.model_selection", "finding label issues")
    folds = ms.StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    probs = ms.cross_val_predict(model, x, labels, cv=folds, method="predict_proba")
    return np.asarray(probs, dtype=np.float64)
