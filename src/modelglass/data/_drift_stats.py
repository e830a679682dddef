"""Two-sample statistics for drift between a training and a test column (NumPy only)."""

from __future__ import annotations

import math

import numpy as np

_EPS = 1e-4  # floor of a bin's share in PSI, so an empty bin does not give infinity


def _merged_cdfs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both empirical CDFs at each distinct value of the pooled sample: (values, F_a, F_b)."""
    pooled = np.concatenate([np.sort(a), np.sort(b)])
    order = np.argsort(pooled, kind="stable")  # merging two sorted runs: linear time
    grid = pooled[order]
    fa = np.cumsum(order < len(a)) / len(a)
    fb = np.cumsum(order >= len(a)) / len(b)
    last = np.append(grid[1:] != grid[:-1], True)  # the CDF steps at a value's last copy
    return grid[last], fa[last], fb[last]


def ks_test(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic D and its asymptotic p-value."""
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return 0.0, 1.0
    _, fa, fb = _merged_cdfs(a, b)
    d = float(np.max(np.abs(fa - fb)))
    return d, ks_p_value(d, n, m)


def ks_p_value(d: float, n: int, m: int) -> float:
    """Asymptotic p-value of a two-sample KS statistic ``d`` (with Stephens' correction)."""
    en = math.sqrt(n * m / (n + m))
    return _kolmogorov_sf((en + 0.12 + 0.11 / en) * d)


def _kolmogorov_sf(lam: float) -> float:
    if lam < 0.2:
        return 1.0
    j = np.arange(1, 101)
    s = 2 * np.sum((-1.0) ** (j - 1) * np.exp(-2 * (j**2) * lam * lam))
    return float(min(max(s, 0.0), 1.0))


def wasserstein(a: np.ndarray, b: np.ndarray) -> float:
    """1-D Wasserstein (earth mover's) distance between two samples."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    grid, fa, fb = _merged_cdfs(a, b)
    return float(np.sum(np.abs(fa - fb)[:-1] * np.diff(grid)))


def ks_and_wasserstein(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """KS D, its p-value and the Wasserstein distance from one merge of the two samples."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 1.0, 0.0
    grid, fa, fb = _merged_cdfs(a, b)
    diff = np.abs(fa - fb)
    d = float(diff.max())
    return d, ks_p_value(d, len(a), len(b)), float(np.sum(diff[:-1] * np.diff(grid)))


def psi(p: np.ndarray, q: np.ndarray) -> float:
    """Population stability index between two share vectors (train ``p``, test ``q``)."""
    p = np.maximum(p, _EPS)
    q = np.maximum(q, _EPS)
    return float(np.sum((q - p) * np.log(q / p)))


def numeric_psi(a: np.ndarray, b: np.ndarray, bins: int = 10) -> float:
    """PSI over ``bins`` quantile bins of the training sample ``a``."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    edges = np.unique(np.quantile(a, np.linspace(0, 1, bins + 1)[1:-1]))
    ca = np.bincount(np.searchsorted(edges, a, "right"), minlength=len(edges) + 1)
    cb = np.bincount(np.searchsorted(edges, b, "right"), minlength=len(edges) + 1)
    return psi(ca / ca.sum(), cb / cb.sum())


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2, between 0 and 1) of two share vectors."""
    m = 0.5 * (p + q)

    def kl(x: np.ndarray) -> float:
        nz = x > 0
        return float(np.sum(x[nz] * np.log2(x[nz] / m[nz])))

    return float(math.sqrt(max(0.5 * kl(p) + 0.5 * kl(q), 0.0)))


def chi2_homogeneity(ca: np.ndarray, cb: np.ndarray) -> tuple[float, float]:
    """Chi-square test that two count vectors come from one distribution: (statistic, p-value).

    The p-value is the exact chi-square tail (a finite series for integer degrees of freedom).
    """
    table = np.vstack([ca, cb]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or table.sum(axis=1).min() == 0:
        return 0.0, 1.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    stat = float(np.sum((table - expected) ** 2 / expected))
    return stat, chi2_sf(stat, table.shape[1] - 1)


def chi2_sf(x: float, dof: int) -> float:
    """P(X > x) for a chi-square variable with ``dof`` degrees of freedom."""
    if x <= 0:
        return 1.0
    h = x / 2.0
    if dof % 2 == 0:
        i = np.arange(dof // 2)
        terms = i * math.log(h) - np.array([math.lgamma(k + 1) for k in i]) - h
        return float(min(np.exp(terms).sum(), 1.0))
    i = np.arange(1, (dof - 1) // 2 + 1)
    terms = (i - 0.5) * math.log(h) - np.array([math.lgamma(k + 0.5) for k in i]) - h
    return float(min(math.erfc(math.sqrt(h)) + np.exp(terms).sum(), 1.0))
