"""Confident learning (Northcutt, Jiang and Chuang, JAIR 2021), written from the paper.

Pure NumPy functions over given labels ``0..K-1`` and out-of-sample predicted
probabilities ``(n, K)``: per-class thresholds, the confident joint, its
calibration, and pruning by noise rate.
"""

from __future__ import annotations

import numpy as np

METHODS = ("prune_by_noise_rate", "prune_by_class", "both", "confident_joint")


def class_thresholds(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """t_j: the mean predicted probability of class j over the examples labelled j."""
    k = probs.shape[1]
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros(k)
    np.add.at(sums, labels, probs[np.arange(len(labels)), labels])
    with np.errstate(invalid="ignore", divide="ignore"):
        t = sums / counts
    t[counts == 0] = np.inf  # nobody is confidently in a class that was never given
    return t


def confident_assignment(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """For each example, the class it confidently belongs to (-1 when none).

    An example counts for class j when ``probs[:, j] >= t_j``; among several such
    classes the most probable wins.
    """
    t = class_thresholds(labels, probs)
    above = probs >= t[None, :] - 1e-9
    masked = np.where(above, probs, -1.0)
    best = masked.argmax(axis=1)
    best[~above.any(axis=1)] = -1
    return best


def confident_joint(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """C[i, j]: examples labelled i confidently belonging to j, calibrated so row i sums to n_i."""
    k = probs.shape[1]
    best = confident_assignment(labels, probs)
    ok = best >= 0
    c = np.bincount(labels[ok] * k + best[ok], minlength=k * k).reshape(k, k).astype(float)
    n_i = np.bincount(labels, minlength=k).astype(float)
    row = c.sum(axis=1)
    empty = row == 0
    c[empty] = 0.0
    c[empty, np.flatnonzero(empty)] = n_i[empty]
    row[empty] = n_i[empty]
    return c * (n_i / np.where(row > 0, row, 1.0))[:, None]


def _prune_counts(c: np.ndarray, labels: np.ndarray, frac_noise: float, min_per_class: int) -> np.ndarray:
    """How many examples of given class i to flag as really being j (off-diagonal of C)."""
    k = c.shape[0]
    counts = np.round(c * frac_noise).astype(np.int64)
    np.fill_diagonal(counts, 0)
    n_i = np.bincount(labels, minlength=k)
    for i in range(k):
        budget = max(int(n_i[i]) - min_per_class, 0)
        total = int(counts[i].sum())
        if total > budget:
            counts[i] = np.floor(counts[i] * budget / total).astype(np.int64)
    return counts


def _top(idx: np.ndarray, key: np.ndarray, m: int) -> np.ndarray:
    """The ``m`` entries of ``idx`` with the largest ``key``."""
    m = min(m, len(idx))
    if m <= 0:
        return idx[:0]
    return idx[np.argpartition(-key, m - 1)[:m]]


def prune_by_noise_rate(labels: np.ndarray, probs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each cell (i, j), flag ``counts[i, j]`` examples labelled i with the largest ``p_j - p_i``."""
    mask = np.zeros(len(labels), dtype=bool)
    for i in range(counts.shape[0]):
        idx = np.flatnonzero(labels == i)
        for j in np.flatnonzero(counts[i]):
            mask[_top(idx, probs[idx, j] - probs[idx, i], int(counts[i, j]))] = True
    return mask


def prune_by_class(labels: np.ndarray, probs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each class i, flag the ``sum_j counts[i, j]`` examples labelled i with the lowest ``p_i``."""
    mask = np.zeros(len(labels), dtype=bool)
    for i in range(counts.shape[0]):
        idx = np.flatnonzero(labels == i)
        mask[_top(idx, -probs[idx, i], int(counts[i].sum()))] = True
    return mask


def find_issues(
    labels: np.ndarray,
    probs: np.ndarray,
    method: str = "both",
    frac_noise: float = 1.0,
    min_per_class: int = 1,
) -> np.ndarray:
    """A boolean mask of examples whose given label is probably wrong.

    The calibrated confident joint C estimates how many examples labelled i really belong
    to j; the methods choose which ones (the paper's section 3.2):

    - ``prune_by_noise_rate``: for each off-diagonal cell (i, j), the examples labelled i
      with the largest margin ``p_j - p_i``;
    - ``prune_by_class``: for each class i, the examples labelled i with the lowest ``p_i``,
      as many as the off-diagonal of row i;
    - ``both`` (default): examples chosen by both of the above;
    - ``confident_joint``: the examples counted in off-diagonal cells of C.

    Args:
        labels: Given labels, integers ``0..K-1``.
        probs: Out-of-sample predicted probabilities, shape ``(n, K)``.
        method: One of the above.
        frac_noise: Scale of the estimated number of issues (1.0 = all of them).
        min_per_class: Never flag so many that fewer than this many examples stay in a class.

    Examples whose given label is also the most probable class are never flagged.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}. Got {method!r}.")
    if method == "confident_joint":
        best = confident_assignment(labels, probs)
        mask = (best >= 0) & (best != labels)
    else:
        counts = _prune_counts(confident_joint(labels, probs), labels, frac_noise, min_per_class)
        if method == "prune_by_noise_rate":
            mask = prune_by_noise_rate(labels, probs, counts)
        elif method == "prune_by_class":
            mask = prune_by_class(labels, probs, counts)
        else:
            mask = prune_by_noise_rate(labels, probs, counts) & prune_by_class(labels, probs, counts)
    return mask & (probs.argmax(axis=1) != labels)


def self_confidence(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """The predicted probability of the given label (low = suspicious)."""
    return probs[np.arange(len(labels)), labels]
