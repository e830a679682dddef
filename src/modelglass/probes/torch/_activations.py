"""Activation statistics on recorded steps only: hooks are armed for one step, then removed."""

from __future__ import annotations

from typing import Any

from .._structures import tensors_in
from ._tensors import histograms

RELU_FAMILY = ("ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU",
               "SiLU", "Mish", "Hardswish")
OTHER_ACTS = ("Softplus", "Hardtanh", "Hardsigmoid", "LogSigmoid", "Softsign", "Tanhshrink")
SATURATION = 0.99
# Mean, std, zero and saturated fractions and the histogram of a larger output are
# taken on an evenly strided sample of this many values: a full pass per statistic
# over every activation map would cost more than the 5% that watch may add.
ACT_SAMPLE = 65536


def activation_kind(module: Any) -> str | None:
    """``relu``, ``tanh``, ``sigmoid``, ``act`` or ``affine`` for modules worth watching."""
    import torch.nn as nn

    for cls_name in RELU_FAMILY:
        cls = getattr(nn, cls_name, None)
        if cls is not None and isinstance(module, cls):
            return "relu"
    if isinstance(module, nn.Tanh):
        return "tanh"
    if isinstance(module, nn.Sigmoid):
        return "sigmoid"
    if any(isinstance(module, getattr(nn, n)) for n in OTHER_ACTS if hasattr(nn, n)):
        return "act"
    if isinstance(module, (nn.Linear, nn.modules.conv._ConvNd)):
        return "affine"
    return None


class ActivationProbe:
    """Forward hooks on activation and affine modules, armed around one recorded step."""

    def __init__(self, model: Any) -> None:
        self.targets = [(n, m, k) for n, m in model.named_modules()
                        if (k := activation_kind(m)) is not None]
        self._handles: list[Any] = []
        self._stats: dict[str, list[Any]] = {}  # name -> [kind, stats tensor, ever-positive, output]
        self.order: list[str] = []

    @property
    def armed(self) -> bool:
        return bool(self._handles)

    def arm(self) -> None:
        if self._handles:
            return
        self._stats = {}
        for name, module, kind in self.targets:
            self._handles.append(module.register_forward_hook(self._hook(name, kind)))

    def disarm(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def clear(self) -> None:
        self._stats = {}

    def _hook(self, name: str, kind: str) -> Any:
        def hook(module: Any, args: Any, output: Any) -> None:
            found = tensors_in(output)
            if not found or not (found[0].is_floating_point()):
                return
            y = found[0].detach()
            entry = self._stats.get(name)
            ever = (y > 0).reshape(y.shape[0], -1).any(0) if kind == "relu" and y.dim() >= 2 else None
            if entry is not None:  # more forwards in the same step: widen the dead-unit window
                if ever is not None and entry[2] is not None and entry[2].shape == ever.shape:
                    entry[2] = entry[2] | ever
                return
            flat = y.reshape(-1)
            if flat.numel() > ACT_SAMPLE:
                flat = flat[:: flat.numel() // ACT_SAMPLE]
            self._stats[name] = [kind, _stats(flat, kind), ever, flat]
        return hook

    def collect(self, bins: int, with_histograms: bool) -> tuple[dict[str, float], dict[str, Any], str | None]:
        """Scalars by series name, histograms by name, and the first module with NaN/Inf output."""
        import torch

        if not self._stats:
            return {}, {}, None
        names = list(self._stats)
        rows = []
        for name in names:
            kind, st, ever, _y = self._stats[name]
            dead = (1.0 - ever.float().mean()) if ever is not None else st.new_tensor(float("nan"))
            rows.append(torch.cat([st, dead.reshape(1).to(st)]))
        vals = torch.stack(rows).cpu().tolist()
        out: dict[str, float] = {}
        first_bad = None
        for name, (mean, std, zero, sat, dead) in zip(names, vals):
            kind = self._stats[name][0]
            out[f"act/mean/{name}"] = mean
            out[f"act/std/{name}"] = std
            out[f"act/zero_fraction/{name}"] = zero
            if kind == "relu" and self._stats[name][2] is not None:  # batched outputs only
                out[f"act/dead_fraction/{name}"] = dead
            if kind in ("tanh", "sigmoid"):
                out[f"act/saturated_fraction/{name}"] = sat
            if first_bad is None and not (mean == mean and abs(mean) != float("inf")):
                first_bad = name
        hists = {}
        if with_histograms:
            hs = histograms([self._stats[n][3] for n in names], bins)
            hists = {f"act/{n}": h for n, h in zip(names, hs)}
        self._stats = {}
        return out, hists, first_bad


def _stats(y: Any, kind: str) -> Any:
    """mean, std, zero fraction, saturated fraction: a 4-vector on the device."""
    import torch

    yf = y.float().reshape(-1)
    n = max(yf.numel(), 1)
    # sum and dot instead of torch.std_mean, whose Welford loop is ~10x slower on a CPU.
    # float64 for the moments: a float32 sum of squares overflows for finite
    # activations near 1e19, which would read as a NaN/Inf that is not there.
    yd = yf.double()
    mean = yd.sum() / n
    centred = yd - mean
    std = (torch.dot(centred, centred) / n).sqrt()
    zero = (yf == 0).sum() / n
    if kind == "tanh":
        sat = (yf.abs() > SATURATION).sum() / n
    elif kind == "sigmoid":
        sat = ((yf < 1 - SATURATION) | (yf > SATURATION)).sum() / n
    else:
        sat = yf.new_tensor(float("nan"))
    return torch.stack([mean.float(), std.float(), zero.float(), sat.float()])
