"""A tiny stand-in for ``run.watch`` used by the diagnose suite.

It logs the series names of docs/names.md (``grad_norm``, ``grad_norm/<param>``,
``weight_norm/<param>``, ``update_ratio/<param>``, ``act/dead_fraction/<module>``,
``act/zero_fraction/<module>``, ``act/saturated_fraction/<module>``) and the ``watch``
artifact, so the suite does not depend on the probes while they are being built.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

_ACTS = (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.LeakyReLU)


class Recorder:
    """Record a model's gradients, weights, updates and activations every ``every`` steps."""

    def __init__(self, run: Any, model: nn.Module, optimizer: torch.optim.Optimizer, every: int = 10) -> None:
        self.run, self.model, self.opt, self.every = run, model, optimizer, every
        self.step = 0
        self.params = [(n, p) for n, p in model.named_parameters()]
        self._hooks = []
        self._seen: dict[str, torch.Tensor] = {}   # per unit: was it ever positive this window
        self._zeros: dict[str, list[float]] = {}
        self._sat: dict[str, list[float]] = {}
        self.module_order: list[str] = []
        self.types: dict[str, str] = {}
        for name, m in model.named_modules():
            if isinstance(m, _ACTS):
                self._hooks.append(m.register_forward_hook(self._act_hook(name, m)))
        self._out_width: int | None = None
        self._hooks.append(model.register_forward_hook(self._out_hook))

    def _out_hook(self, module: nn.Module, inp: Any, out: Any) -> None:
        if self._out_width is None and isinstance(out, torch.Tensor) and out.dim() >= 2:
            self._out_width = int(out.shape[1])

    def _act_hook(self, name: str, m: nn.Module) -> Any:
        def hook(module: nn.Module, inp: Any, out: torch.Tensor) -> None:
            if not module.training:
                return
            if name not in self.types:
                self.types[name] = type(m).__name__
                self.module_order.append(name)
            y = out.detach()
            units = y.transpose(0, 1).reshape(y.shape[1], -1)  # unit = feature or channel
            pos = (units > 0).any(dim=1)
            self._seen[name] = pos if name not in self._seen else (self._seen[name] | pos)
            self._zeros.setdefault(name, []).append(float((y == 0).float().mean()))
            if isinstance(m, nn.Tanh):
                self._sat.setdefault(name, []).append(float((y.abs() > 0.99).float().mean()))
            elif isinstance(m, nn.Sigmoid):
                self._sat.setdefault(name, []).append(float(((y < 0.01) | (y > 0.99)).float().mean()))
        return hook

    def optimizer_step(self) -> None:
        """Call instead of ``optimizer.step()``."""
        record = self.step % self.every == 0
        grads = [p.grad for _, p in self.params if p.grad is not None]
        gn = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)) if grads else torch.tensor(0.0)
        values = {"grad_norm": float(gn)}
        before = [p.detach().clone() for _, p in self.params] if record else None
        self.opt.step()
        if record:
            for (n, p), old in zip(self.params, before):
                if not p.requires_grad:
                    continue
                w = float(p.detach().norm())
                values[f"weight_norm/{n}"] = w
                if p.grad is not None:
                    values[f"grad_norm/{n}"] = float(p.grad.norm())
                d = float((p.detach() - old).norm())
                values[f"update_ratio/{n}"] = d / w if w > 0 else 0.0
            for name, seen in self._seen.items():
                values[f"act/dead_fraction/{name}"] = float((~seen).float().mean())
                values[f"act/zero_fraction/{name}"] = sum(self._zeros[name]) / len(self._zeros[name])
                if name in self._sat:
                    values[f"act/saturated_fraction/{name}"] = sum(self._sat[name]) / len(self._sat[name])
            self._seen.clear()
            self._zeros.clear()
            self._sat.clear()
        self.run.log(values, step=self.step)
        self.step += 1

    def close(self) -> None:
        for h in self._hooks:
            h.remove()
        self.run.log_artifact("watch", {
            "params": [n for n, _ in self.params],
            "param_shapes": {n: list(p.shape) for n, p in self.params},
            "modules": {n: self.types[n] for n in self.module_order},
            "output_width": self._out_width,
        })
