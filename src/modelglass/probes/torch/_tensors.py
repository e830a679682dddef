"""Reductions on the device for many tensors, read back to the host together."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .._emit import hist_from_stats
from ...track import HistogramData

N_STATS = 7  # min, max, mean, std, n_finite, nan_count, numel
HIST_SAMPLE = 16384


def norms(tensors: Sequence[Any]) -> Any:
    """L2 norm of each tensor as one float32 vector on the first tensor's device."""
    import torch

    if not tensors:
        return torch.zeros(0)
    dev = tensors[0].device
    try:
        per = torch._foreach_norm(list(tensors))
    except (RuntimeError, TypeError, AttributeError):  # mixed dtypes/devices, sparse grads
        per = [torch.linalg.vector_norm(t.detach().float()) for t in tensors]
    return torch.stack([n.to(dev, torch.float32) for n in per])


def global_norm(per_tensor: Any) -> Any:
    import torch

    return torch.linalg.vector_norm(per_tensor) if per_tensor.numel() else torch.zeros((), device=per_tensor.device)


def hist_device(t: Any, bins: int) -> tuple[Any, Any]:
    """Stats (7 numbers) and counts (``bins``) of one tensor, on its device.

    Used on recorded steps only. In the common all-finite case min, max, mean and
    std are exact (four cheap passes after one host read of min and max) and the
    bucket counts of a tensor with more than ``HIST_SAMPLE`` values come from an
    evenly strided sample, scaled to the tensor's size: ``torch.histc`` costs
    about 30 ns a value on a CPU, too much for every weight of a large model.
    Tensors with NaN/Inf take an exact, masked path.
    """
    import torch

    x = t.detach().reshape(-1)
    if x.dtype not in (torch.float32, torch.float64):
        x = x.float()
    if x.numel() == 0:
        return x.new_tensor([float("nan")] * 4 + [0.0, 0.0, 0.0]).double(), x.new_zeros(bins).double()
    mn, mx = torch.aminmax(x)
    lo, hi = torch.stack([mn, mx]).tolist()
    if math.isfinite(lo) and math.isfinite(hi):
        n = x.numel()
        mean = x.sum() / n
        centred = x - mean
        std = (torch.dot(centred, centred) / n).sqrt()
        counts = x.new_zeros(bins)
        if hi > lo:
            sample = x[:: max(1, n // HIST_SAMPLE)]
            counts = torch.histc(sample, bins=bins, min=lo, max=hi) * (n / sample.numel())
        stats = torch.stack([mn, mx, mean, std, x.new_tensor(float(n)), x.new_tensor(0.0),
                             x.new_tensor(float(n))])
        return stats.double(), counts.double()
    return _masked(x, bins)


def _masked(x: Any, bins: int) -> tuple[Any, Any]:
    import torch

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
    idx = ((xz - lo) * scale).floor().clamp_(0, bins - 1).long()
    idx = torch.where(finite, idx, torch.full_like(idx, bins))
    counts = torch.bincount(idx, minlength=bins + 1)[:bins]
    stats = torch.stack([mn, mx, mean, var.sqrt(), n_fin.to(x.dtype),
                         torch.isnan(x).sum().to(x.dtype), x.new_tensor(float(x.numel()))])
    return stats.double(), counts.double()


def histograms(tensors: Sequence[Any], bins: int) -> list[HistogramData]:
    """Histograms of many tensors with one device-to-host transfer."""
    import torch

    if not tensors:
        return []
    parts = [hist_device(t, bins) for t in tensors]
    dev = parts[0][0].device
    flat = torch.cat([torch.cat([s.to(dev), c.to(dev)]) for s, c in parts]).cpu().numpy()
    out = []
    width = N_STATS + bins
    for i in range(len(parts)):
        row = flat[i * width:(i + 1) * width]
        mn, mx, mean, std, n_fin, nan, numel = (float(v) for v in row[:N_STATS])
        out.append(hist_from_stats(mn, mx, mean, std, int(n_fin), int(nan), int(numel),
                                   np.rint(row[N_STATS:]).astype(np.int64)))
    return out
