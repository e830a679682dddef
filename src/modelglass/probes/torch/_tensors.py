"""Reductions on the device for many tensors, read back to the host together."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .._emit import hist_from_stats
from ...track import HistogramData

N_STATS = 7  # min, max, mean, spread, n_finite, nan_count, numel
HIST_SAMPLE = 16384
# What the "spread" slot holds.
STD, CENTRED, RAW = 0, 1, 2


def norms(tensors: Sequence[Any]) -> Any:
    """L2 norm of each tensor as one float32 vector on the first tensor's device."""
    import torch

    if not tensors:
        return torch.zeros(0)
    dev = tensors[0].device
    try:  # accumulate in float32 so that bf16/fp16 gradients keep their norm's digits
        per = torch._foreach_norm(list(tensors), 2, dtype=torch.float32)
    except (RuntimeError, TypeError, AttributeError):  # sparse grads, odd dtypes
        per = [torch.linalg.vector_norm(t.detach().float()) for t in tensors]
    try:
        return torch.stack(per).float()  # the common case: one device, one dtype
    except RuntimeError:  # parameters spread over devices
        return torch.stack([n.to(dev, torch.float32) for n in per])


def exact_global_norm(tensors: Sequence[Any]) -> float:
    """The global L2 norm in float64 (finite whenever every element is finite)."""
    import torch

    if not tensors:
        return 0.0
    per = [torch.linalg.vector_norm(t.detach().double()) for t in tensors]
    return float(torch.linalg.vector_norm(torch.stack([p.cpu() for p in per])))


def global_norm(per_tensor: Any) -> Any:
    import torch

    return torch.linalg.vector_norm(per_tensor) if per_tensor.numel() else torch.zeros((), device=per_tensor.device)


def _flat(t: Any) -> Any:
    import torch

    x = t.detach().reshape(-1)
    return x if x.dtype in (torch.float32, torch.float64) else x.float()


def hist_device(x: Any, bins: int, lo: float, hi: float, mn: Any, mx: Any) -> tuple[Any, Any, int]:
    """Stats, bucket counts and the meaning of the spread slot for one tensor.

    ``lo``/``hi`` are the host copies of ``mn``/``mx`` (read for many tensors at
    once). Used on recorded steps only. In the common all-finite case min, max and mean
    are exact, the spread is a second moment (raw for large tensors, so that no
    temporary is made; the host checks it for cancellation), and the bucket counts
    of a tensor with more than ``HIST_SAMPLE`` values come from an evenly strided
    sample scaled to the tensor's size: ``torch.histc`` costs about 30 ns a value
    on a CPU, too much for every weight of a large model. Tensors with NaN/Inf
    take an exact, masked path.
    """
    import torch

    n = x.numel()
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return _masked(x, bins)
    mean = x.sum() / n
    if n <= HIST_SAMPLE:
        centred = x - mean
        spread, mode = torch.dot(centred, centred) / n, CENTRED
    else:
        spread, mode = torch.dot(x, x) / n, RAW
    counts = x.new_zeros(bins)
    if hi > lo:
        sample = x[:: max(1, n // HIST_SAMPLE)]
        counts = torch.histc(sample, bins=bins, min=lo, max=hi) * (n / sample.numel())
    stats = torch.stack([mn, mx, mean, spread, x.new_tensor(float(n)), x.new_tensor(0.0),
                         x.new_tensor(float(n))])
    return stats.double(), counts.double(), mode


def _empty(x: Any, bins: int) -> tuple[Any, Any, int]:
    nan = float("nan")
    return x.new_tensor([nan, nan, nan, nan, 0.0, 0.0, 0.0]).double(), x.new_zeros(bins).double(), STD


def _masked(x: Any, bins: int) -> tuple[Any, Any, int]:
    import torch

    # The rare path (NaN/Inf present) runs in float64: in float32 the span of a diverging
    # tensor (finite values near ±3e38) overflows, and inf * 0 made a NaN bucket index.
    x = x.double()
    finite = torch.isfinite(x)
    n_fin = finite.sum()
    mn = torch.where(finite, x, torch.full_like(x, float("inf"))).amin()
    mx = torch.where(finite, x, torch.full_like(x, float("-inf"))).amax()
    xz = torch.where(finite, x, torch.zeros_like(x))
    denom = n_fin.clamp_min(1).to(x.dtype)
    mean = xz.sum() / denom
    var = (torch.where(finite, x - mean, torch.zeros_like(x)) ** 2).sum() / denom
    span = mx - mn
    ok = torch.isfinite(span) & (span > 0)
    scale = torch.where(ok, bins / torch.where(ok, span, torch.ones_like(span)), torch.zeros_like(span))
    lo = torch.where(torch.isfinite(mn), mn, torch.zeros_like(mn))
    idx = torch.nan_to_num((xz - lo) * scale, nan=0.0).floor().clamp_(0, bins - 1).long()
    idx = torch.where(finite, idx, torch.full_like(idx, bins))
    counts = torch.bincount(idx, minlength=bins + 1)[:bins]
    stats = torch.stack([mn, mx, mean, var.sqrt(), n_fin.to(x.dtype),
                         torch.isnan(x).sum().to(x.dtype), x.new_tensor(float(x.numel()))])
    return stats.double(), counts.double(), STD


def _std(t: Any, mean: float, spread: float, mode: int) -> float:
    if mode == STD:
        return spread
    if mode == CENTRED:
        return math.sqrt(max(spread, 0.0))
    var = spread - mean * mean
    if var > 1e-4 * spread:
        return math.sqrt(var)
    import torch  # mean dominates: E[x^2] - mean^2 lost the digits, so measure exactly

    return float(torch.std(t.detach().double().reshape(-1), correction=0))


def histograms(tensors: Sequence[Any], bins: int) -> list[HistogramData]:
    """Histograms of many tensors with one device-to-host transfer (after the min/max reads)."""
    import torch

    if not tensors:
        return []
    flats = [_flat(t) for t in tensors]
    nan = float("nan")
    ranges = [torch.aminmax(x) if x.numel() else (x.new_tensor(nan), x.new_tensor(nan)) for x in flats]
    dev = flats[0].device
    bounds = torch.stack([torch.stack([a.to(dev, torch.float64), b.to(dev, torch.float64)])
                          for a, b in ranges]).tolist()
    parts = [hist_device(x, bins, lo, hi, mn, mx) if x.numel() else _empty(x, bins)
             for x, (lo, hi), (mn, mx) in zip(flats, bounds, ranges)]
    dev = parts[0][0].device
    flat = torch.cat([torch.cat([s.to(dev), c.to(dev)]) for s, c, _ in parts]).cpu().numpy()
    out = []
    width = N_STATS + bins
    for i, (_s, _c, mode) in enumerate(parts):
        row = flat[i * width:(i + 1) * width]
        mn, mx, mean, spread, n_fin, nan, numel = (float(v) for v in row[:N_STATS])
        std = _std(tensors[i], mean, spread, mode) if n_fin else float("nan")
        counts = np.rint(row[N_STATS:]).astype(np.int64)
        if mode == RAW and counts.size:  # scaled sample: make the buckets add up to the count
            counts[counts.argmax()] += int(n_fin) - int(counts.sum())
        out.append(hist_from_stats(mn, mx, mean, std, int(n_fin), int(nan), int(numel), counts))
    return out
