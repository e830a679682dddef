"""Per-parameter statistics for torch tensors and NumPy arrays alike."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import is_tensor


def expected_std(shape: tuple[int, ...], fan_in: int | None = None) -> float | None:
    """The std that LeCun-style initialisation gives a weight of this shape: 1/sqrt(fan_in).

    PyTorch's default (Kaiming-uniform with a=sqrt(5)) lands at about 0.58 of it,
    He initialisation at 1.41 of it; both are well inside the 10x band that
    ``init_scale`` allows. One-dimensional tensors (biases, norms) have no
    expected scale.
    """
    if fan_in is None:
        if len(shape) < 2:
            return None
        fan_in = int(shape[1]) * int(np.prod(shape[2:], dtype=np.int64))
    if fan_in <= 0:
        return None
    return 1.0 / math.sqrt(fan_in)


def to_numpy(values: Any) -> np.ndarray:
    if is_tensor(values):
        t = values.detach()
        if t.is_complex():
            t = t.abs()
        return t.to("cpu").double().numpy()
    return np.asarray(values, dtype=np.float64)


def param_stats(
    name: str,
    values: Any,
    module: str = "",
    requires_grad: bool = True,
    fan_in: int | None = None,
    check_init: bool = True,
) -> dict[str, Any]:
    """Shape, mean, std, min/max, norm, zero fraction, NaN/Inf counts and expected std."""
    if is_tensor(values):
        return _torch_stats(name, values, module, requires_grad, fan_in, check_init)
    a = to_numpy(values)
    shape = [int(d) for d in a.shape]
    flat = a.ravel()
    finite = np.isfinite(flat)
    nan = int(np.isnan(flat).sum())
    inf = int(flat.size - finite.sum()) - nan
    vals = flat[finite] if (nan or inf) else flat
    exp = expected_std(tuple(shape), fan_in) if check_init else None
    std = float(vals.std()) if vals.size else float("nan")
    return {
        "name": name,
        "module": module,
        "shape": shape,
        "numel": int(flat.size),
        "dtype": str(values.dtype).replace("torch.", "") if hasattr(values, "dtype") else "float64",
        "requires_grad": bool(requires_grad),
        "mean": float(vals.mean()) if vals.size else float("nan"),
        "std": std,
        "min": float(vals.min()) if vals.size else float("nan"),
        "max": float(vals.max()) if vals.size else float("nan"),
        "norm": float(np.sqrt(np.dot(vals, vals))) if vals.size else float("nan"),
        "zero_fraction": float(np.count_nonzero(flat == 0) / flat.size) if flat.size else 0.0,
        "nan_count": nan,
        "inf_count": inf,
        "expected_std": exp,
        "std_ratio": (std / exp) if exp else None,
    }


def _torch_stats(name: str, values: Any, module: str, requires_grad: bool, fan_in: int | None,
                 check_init: bool) -> dict[str, Any]:
    """:func:`param_stats` computed by torch in place: no float64 copy of every parameter.

    Reductions run in float32 (float64 tensors stay float64); a few kernels per tensor.
    """
    import torch

    t = values.detach()
    if t.is_complex():
        t = t.abs()
    if not t.is_floating_point() or t.element_size() < 4:
        t = t.float()
    flat = t.reshape(-1)
    n = int(flat.numel())
    finite = n
    nan = 0
    if n:
        lo, hi = torch.aminmax(flat)  # NaN and Inf reach the min or max: one cheap pass finds them
        if not (bool(torch.isfinite(lo)) and bool(torch.isfinite(hi))):
            keep = torch.isfinite(flat)
            finite, nan = int(keep.sum()), int(torch.isnan(flat).sum())
            flat = flat[keep]
            if flat.numel():
                lo, hi = torch.aminmax(flat)
    shape = [int(d) for d in values.shape]
    exp = expected_std(tuple(shape), fan_in) if check_init else None
    if flat.numel():
        mean = float(flat.sum()) / flat.numel()
        squares = float(torch.dot(flat, flat))
        norm = math.sqrt(squares)
        if mean * mean <= 1e-3 * squares / flat.numel():  # weights: E[x^2] - mean^2 loses nothing
            var = squares / flat.numel() - mean * mean
        else:  # a large mean (norm scales, constants): subtract it first
            centred = flat - mean
            var = float(torch.dot(centred, centred)) / flat.numel()
        std = math.sqrt(max(var, 0.0))
        low, high = float(lo), float(hi)
    else:
        std = mean = low = high = norm = float("nan")
    zeros = (finite - int(torch.count_nonzero(flat))) if n else 0
    return {
        "name": name,
        "module": module,
        "shape": shape,
        "numel": n,
        "dtype": str(values.dtype).replace("torch.", ""),
        "requires_grad": bool(requires_grad),
        "mean": mean,
        "std": std,
        "min": low,
        "max": high,
        "norm": norm,
        "zero_fraction": float(zeros / n) if n else 0.0,
        "nan_count": nan,
        "inf_count": n - finite - nan,
        "expected_std": exp,
        "std_ratio": (std / exp) if exp else None,
    }
