"""Single-feature predictive power: how well one column alone predicts the target."""

from __future__ import annotations

import numpy as np


def ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank), 1-based."""
    import pandas as pd

    return pd.Series(x).rank(method="average").to_numpy()


def binary_auc(x: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC of ``x`` as a score for ``y == 1``, folded to ``max(AUC, 1 - AUC)``."""
    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return 0.5
    auc = (ranks(x)[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    return float(max(auc, 1 - auc))


def neighbour_agreement(x: np.ndarray, y: np.ndarray, k: int, seed: int = 0) -> float:
    """1 when sorting by ``x`` puts the classes in contiguous runs, about 0 when unrelated.

    Counts label changes between neighbours in ``x`` order (ties in random order), beyond
    the ``k - 1`` a perfect separation needs, relative to the changes expected by chance.
    """
    m = len(x)
    if m < 3:
        return 0.0
    tie = np.random.default_rng(seed).random(m)
    order = np.lexsort((tie, x))
    ys = y[order]
    changes = int((ys[1:] != ys[:-1]).sum())
    p = np.bincount(y, minlength=k) / m
    expected = (m - 1) * (1 - float((p**2).sum()))
    if expected <= 0:
        return 0.0
    return float(1 - max(changes - (k - 1), 0) / expected)


def r2_scores(x: np.ndarray, y: np.ndarray) -> float:
    """The larger of Pearson r² and Spearman rho² between ``x`` and ``y``."""
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return 0.0
    pearson = np.corrcoef(x, y)[0, 1]
    rx, ry = ranks(x), ranks(y)
    spearman = np.corrcoef(rx, ry)[0, 1] if np.std(rx) > 0 and np.std(ry) > 0 else 0.0
    return float(np.nan_to_num(max(pearson**2, spearman**2)))


def crossfit_group_score(codes: np.ndarray, y: np.ndarray, k: int | None, seed: int = 0) -> float:
    """How well the value of a categorical column predicts ``y``, judged on held-out halves.

    Learns the majority class (``k`` classes) or the mean (``k=None``: regression) of each
    value on one half and scores the other half, both ways round: Cohen's kappa-like gain
    over the majority class, or R². A value unseen in the fitting half predicts the overall
    majority or mean, so an ID column scores about 0.
    """
    m = len(codes)
    if m < 4:
        return 0.0
    codes = codes - codes.min()
    half = np.random.default_rng(seed).random(m) < 0.5
    scores = []
    for fit in (half, ~half):
        ev = ~fit
        if fit.sum() == 0 or ev.sum() == 0:
            return 0.0
        g = int(codes.max()) + 1
        cf, yf, ce, ye = codes[fit], y[fit], codes[ev], y[ev]
        if k is not None:
            table = np.bincount(cf * k + yf, minlength=g * k).reshape(g, k)
            overall = int(np.bincount(yf, minlength=k).argmax())
            pred = np.where(table.sum(axis=1) > 0, table.argmax(axis=1), overall)[ce]
            acc = float((pred == ye).mean())
            base = float((ye == overall).mean())
            scores.append((acc - base) / (1 - base) if base < 1 else 0.0)
        else:
            sums = np.bincount(cf, weights=yf, minlength=g)
            cnt = np.bincount(cf, minlength=g)
            mean = np.where(cnt > 0, sums / np.maximum(cnt, 1), yf.mean())
            resid = ((ye - mean[ce]) ** 2).sum()
            total = ((ye - ye.mean()) ** 2).sum()
            scores.append(1 - resid / total if total > 0 else 0.0)
    return float(np.mean(scores))
