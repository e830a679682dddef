"""Out-of-fold predicted probabilities from a fast default model (for label_issues)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..core import iter_progress, require
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


#: From this many rows on, the default model is gradient boosting instead of logistic regression.
BOOSTING_FROM_ROWS = 10_000


def default_model(categorical: np.ndarray, n_rows: int, seed: int) -> Any:
    """The fast default classifier for out-of-fold probabilities.

    Below ``BOOSTING_FROM_ROWS`` rows: logistic regression on median-imputed, standardised
    numbers and one-hot categories (well calibrated on small data). From there on:
    HistGradientBoostingClassifier with early stopping (non-linear, handles NaN and
    categories natively).
    """
    if n_rows >= BOOSTING_FROM_ROWS:
        ens = require("sklearn.ensemble", "finding label issues")
        return ens.HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.1, early_stopping=True, validation_fraction=0.1,
            n_iter_no_change=10, categorical_features=categorical if categorical.any() else None,
            random_state=seed,
        )
    require("sklearn", "finding label issues")
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    num = np.flatnonzero(~categorical)
    cat = np.flatnonzero(categorical)
    parts = []
    if len(num):
        parts.append(("num", make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True),
                                           StandardScaler()), num))
    if len(cat):
        parts.append(("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value=-1.0),
                                           OneHotEncoder(handle_unknown="ignore")), cat))
    return make_pipeline(ColumnTransformer(parts), LogisticRegression(max_iter=300))


def free_cores() -> int:
    """CPU cores not already busy (cores minus the 1-minute load), at least 1.

    OpenMP and BLAS pools that ask for every core on a busy machine spin against other
    processes and can run ten times slower than one thread; this keeps them to what is free.
    """
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return cores
    return max(1, min(cores, int(cores - load + 0.5)))


def out_of_fold_probs(
    x: np.ndarray, labels: np.ndarray, model: Any, cv: int, seed: int, progress: bool = False
) -> np.ndarray:
    """Predicted probabilities for each row from a model that did not see that row.

    ``labels`` are codes ``0..k-1`` and every class has at least ``cv`` rows, so each
    training fold of the stratified split sees every class (what ``cross_val_predict``
    does, one fold at a time so that a progress bar can count them).
    """
    ms = require("sklearn.model_selection", "finding label issues")
    from sklearn.base import clone
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    folds = list(ms.StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(x, labels))
    probs = np.zeros((len(labels), int(labels.max()) + 1))
    with threadpool_limits(limits=free_cores()):
        for train, test in iter_progress(folds, "label-issue folds", progress=progress):
            est = clone(model).fit(x[train], labels[train])
            cols = np.asarray(est.classes_, dtype=np.int64)
            probs[np.ix_(test, cols)] = est.predict_proba(x[test])
    return probs
