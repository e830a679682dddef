"""Compact histograms: bucket edges and counts plus moments, in a few passes over the data."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import BadTypeError, is_tensor

DEFAULT_BINS = 64


@dataclass(frozen=True)
class HistogramData:
    edges: np.ndarray
    counts: np.ndarray
    min: float
    max: float
    mean: float
    std: float
    count: int
    nan_count: int
    inf_count: int


def compute_histogram(values: Any, bins: int = DEFAULT_BINS) -> HistogramData:
    """Histogram of the finite values; NaN and Inf are counted, not binned.

    NumPy input is read in place (no copy for float32/float64 arrays); a torch
    tensor is reduced on its own device and only ``bins`` counts come back.
    """
    if is_tensor(values):
        return _torch_histogram(values, bins)
    a = np.asarray(values)
    if a.dtype.kind not in "fiub":
        raise BadTypeError(
            f"log_histogram expects numbers. Got an array of dtype {a.dtype} instead."
        )
    a = a.ravel()
    if a.dtype.kind != "f" or a.dtype.itemsize < 4:
        a = a.astype(np.float64)  # float16 squares overflow already at 256
    n_total = int(a.size)
    if n_total == 0:
        return _empty(bins)
    mn, mx = float(a.min()), float(a.max())
    nan_count = inf_count = 0
    if not (math.isfinite(mn) and math.isfinite(mx)):
        finite = np.isfinite(a)
        nan_count = int(np.isnan(a).sum())
        inf_count = n_total - nan_count - int(finite.sum())
        a = a[finite]
        if a.size == 0:
            return _empty(bins, nan_count=nan_count, inf_count=inf_count)
        mn, mx = float(a.min()), float(a.max())
    big = max(abs(mn), abs(mx))
    if big > _HUGE[a.dtype.itemsize >= 8]:
        return _scaled(a, big, bins, nan_count, inf_count)
    counts, edges = _uniform_counts(a, mn, mx, bins)
    mean = float(a.sum(dtype=np.float64)) / a.size
    # Centre first, then one BLAS dot: several times cheaper than ndarray.std and
    # accurate to ~1e-6 relative in float32 (the centring removes the cancellation).
    centred = np.subtract(a, a.dtype.type(mean), out=_scratch(a.dtype, a.size))
    std = math.sqrt(max(float(np.dot(centred, centred)), 0.0) / a.size) if a.size > 1 else 0.0
    return HistogramData(edges, counts, mn, mx, mean, std, int(a.size), nan_count, inf_count)


# Above these magnitudes a range, a sum of squares or a centred value can overflow
# (float32, float64): such data is binned in float64 divided by a power of two.
_HUGE = (1e12, 1e150)


def _scaled(a: np.ndarray, big: float, bins: int, nan_count: int, inf_count: int) -> HistogramData:
    scale = math.ldexp(1.0, math.frexp(big)[1] - 1)  # a power of two: dividing is exact
    h = compute_histogram(a.astype(np.float64) / scale, bins)
    return HistogramData(
        h.edges * scale, h.counts, h.min * scale, h.max * scale, h.mean * scale,
        h.std * scale, h.count, nan_count, inf_count,
    )


def _uniform_counts(a: np.ndarray, mn: float, mx: float, bins: int) -> tuple[np.ndarray, np.ndarray]:
    if mx == mn:
        edges = np.array([mn - 0.5, mx + 0.5])
        return np.array([a.size], dtype=np.int64), edges
    edges = np.linspace(mn, mx, bins + 1)
    scale = bins / (mx - mn)
    # Scale, one cast, one bincount: several times cheaper than np.histogram,
    # which searches the edges.
    pos = np.subtract(a, a.dtype.type(mn), out=_scratch(a.dtype, a.size))
    pos *= a.dtype.type(scale)
    idx = _scratch(np.dtype(np.intp), a.size)
    np.copyto(idx, pos, casting="unsafe")
    counts = np.bincount(idx, minlength=bins + 1).astype(np.int64)
    # The maximum lands on index ``bins`` (and rounding may put a few there): the
    # last bucket is closed on the right, as in np.histogram.
    counts[bins - 1] += counts[bins:].sum()
    return counts[:bins], edges


_local = threading.local()
_SCRATCH_MAX = 1 << 24  # keep at most 16M elements a dtype around between calls


def _scratch(dtype: np.dtype, n: int) -> np.ndarray:
    """A reusable buffer: fresh large arrays cost page faults on every call."""
    if n > _SCRATCH_MAX:
        return np.empty(n, dtype=dtype)
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    buf = pool.get(dtype)
    if buf is None or buf.size < n:
        buf = pool[dtype] = np.empty(n, dtype=dtype)
    return buf[:n]


def _empty(bins: int, nan_count: int = 0, inf_count: int = 0) -> HistogramData:
    nan = float("nan")
    return HistogramData(
        np.zeros(0), np.zeros(0, dtype=np.int64), nan, nan, nan, nan, 0, nan_count, inf_count
    )


def _torch_histogram(t: Any, bins: int) -> HistogramData:
    import torch

    with torch.no_grad():
        x = t.detach().reshape(-1)
        if not x.is_floating_point():
            x = x.double()
        finite = torch.isfinite(x)
        nan_count_t = torch.isnan(x).sum()
        n_finite_t = finite.sum()
        xf = x[finite].double()
        if xf.numel() == 0:
            return _empty(bins, int(nan_count_t), int(x.numel() - n_finite_t - nan_count_t))
        mn_t, mx_t = xf.min(), xf.max()
        counts_t = torch.histc(xf, bins=bins, min=0, max=0)  # min=max=0: use data range
        stats = torch.stack(
            [mn_t, mx_t, xf.mean(), xf.std(unbiased=False) if xf.numel() > 1 else mn_t * 0,
             nan_count_t.double(), n_finite_t.double()]
        ).cpu()  # one host transfer for all the numbers
        counts = counts_t.cpu().numpy().astype(np.int64)
    mn, mx, mean, std, nan_count, n_finite = (float(v) for v in stats)
    if mx == mn:
        return HistogramData(
            np.array([mn - 0.5, mx + 0.5]), np.array([int(n_finite)], dtype=np.int64),
            mn, mx, mean, std, int(n_finite), int(nan_count),
            int(x.numel() - n_finite - nan_count),
        )
    edges = np.linspace(mn, mx, bins + 1)
    inf_count = int(x.numel() - n_finite - nan_count)
    return HistogramData(edges, counts, mn, mx, mean, std, int(n_finite), int(nan_count), inf_count)
