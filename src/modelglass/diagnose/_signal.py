"""Robust, guarded numerics the rules share: windows, smoothing, safe ratios.

Every division in diagnose goes through :func:`ratio`, so the tool never makes a
NaN or an Inf of its own and ``nan_inf`` only ever reports the model's.
"""

from __future__ import annotations

import math

import numpy as np

TINY = 1e-12


def ratio(num: float, den: float, default: float | None = None) -> float | None:
    """``num / den``, or ``default`` when either is not finite or ``den`` is ~0."""
    if not (math.isfinite(num) and math.isfinite(den)) or abs(den) < TINY:
        return default
    out = num / den
    return out if math.isfinite(out) else default


def rel_change(new: float, old: float) -> float | None:
    """``(new - old) / |old|``, guarded."""
    return ratio(new - old, abs(old))


def window(n: int, frac: float, lo: int = 1, hi: int | None = None) -> int:
    """A window of ``frac`` of ``n`` points, at least ``lo`` and at most ``hi`` (and ``n``)."""
    w = max(lo, int(round(n * frac)))
    if hi is not None:
        w = min(w, hi)
    return max(1, min(w, n))


def head_median(values: np.ndarray, frac: float = 0.05, lo: int = 1, hi: int = 50) -> float:
    """Median of the first points: a start level that one noisy batch cannot move."""
    return float(np.median(values[: window(values.size, frac, lo, hi)]))


def tail_median(values: np.ndarray, frac: float = 0.1, lo: int = 1, hi: int | None = None) -> float:
    """Median of the last points."""
    return float(np.median(values[-window(values.size, frac, lo, hi):]))


def running_median(values: np.ndarray, k: int) -> np.ndarray:
    """Centred running median of odd width ``k`` (edges use the points available)."""
    n = values.size
    if k <= 1 or n < 3:
        return values.astype(np.float64)
    k = min(k | 1, n if n % 2 else n - 1)
    h = k // 2
    padded = np.concatenate([np.full(h, values[0]), values, np.full(h, values[-1])])
    win = np.lib.stride_tricks.sliding_window_view(padded, k)
    return np.median(win, axis=1)


def running_mean(values: np.ndarray, k: int) -> np.ndarray:
    """Trailing mean over ``k`` points (the first points average what exists)."""
    if k <= 1 or values.size == 0:
        return values.astype(np.float64)
    c = np.cumsum(np.concatenate([[0.0], values.astype(np.float64)]))
    idx = np.arange(1, values.size + 1)
    lo = np.maximum(idx - k, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def longest_run(mask: np.ndarray) -> tuple[int, int]:
    """Length and start index of the longest run of True in ``mask``."""
    if mask.size == 0 or not mask.any():
        return 0, 0
    m = np.concatenate([[False], mask.astype(bool), [False]])
    d = np.diff(m.astype(np.int8))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    lengths = ends - starts
    i = int(np.argmax(lengths))
    return int(lengths[i]), int(starts[i])


def lag1_autocorr(x: np.ndarray) -> float:
    """Lag-1 autocorrelation of ``x`` (0 when it cannot be judged)."""
    if x.size < 4:
        return 0.0
    d = x - x.mean()
    den = float(np.dot(d, d))
    r = ratio(float(np.dot(d[1:], d[:-1])), den, 0.0)
    return float(r) if r is not None else 0.0


def spread(x: np.ndarray, lo: float = 10.0, hi: float = 90.0) -> float:
    """Inter-percentile range: how far the values swing, ignoring the extreme tails."""
    if x.size == 0:
        return 0.0
    a, b = np.percentile(x, [lo, hi])
    return float(b - a)
