"""Signals of common training bugs that ``watch`` observes directly, cheaply.

What a run's history cannot show, hooks can see: a gradient still holding the last
optimizer step's value when the next backward pass starts adding to it (a forgotten
``zero_grad``), a forward pass under ``no_grad`` while dropout or batch norm is still
in training mode (a missing ``model.eval()``), what the loss module is fed (shapes
that broadcast, probabilities where logits belong), the scale of the raw inputs, and
trainable parameters the optimizer does not hold. Everything per step is a few Python
comparisons; tensor reductions run on recorded steps only. The results go into the
run's ``signals`` artifact (written when something new is seen, and at the end).
"""

from __future__ import annotations

import math
from typing import Any

from ...core import ModelglassError
from .._structures import tensors_in

SIGNALS_SCHEMA_VERSION = 1
# Loss modules that compare prediction and target element by element: a shape
# difference there broadcasts silently instead of failing.
ELEMENTWISE_LOSSES = ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss",
                      "BCEWithLogitsLoss", "SoftMarginLoss")
LOGIT_LOSSES = ("CrossEntropyLoss", "BCEWithLogitsLoss", "MultiLabelSoftMarginLoss")
LOG_PROB_LOSSES = ("NLLLoss",)
REGRESSION_LOSSES = ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss")
_TRAIN_MODE_KINDS = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                     "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm")
_MAX_LOSS_RECORDS = 5
# The raw inputs' scale does not change during training: the first recorded steps tell it.
_MAX_INPUT_RECORDS = 3


class SignalProbe:
    """The bug signals of one watched model (see the module docstring)."""

    def __init__(self, run: Any, model: Any, optimizer: Any, params: list[tuple[str, Any]],
                 loss_fn: Any = None) -> None:
        self.run, self.model, self.optimizer, self.params = run, model, optimizer, params
        self.train_mode_modules = sorted({type(m).__name__ for m in model.modules()
                                          if type(m).__name__ in _TRAIN_MODE_KINDS})
        self.data: dict[str, Any] = {
            "schema_version": SIGNALS_SCHEMA_VERSION,
            "not_in_optimizer": self._not_in_optimizer(),
            "frozen": [n for n, p in model.named_parameters() if not p.requires_grad],
            "no_grad_params": {}, "recorded_steps": 0,
            "stale_grad": {"checked": 0, "stale": 0, "first_step": None, "param": None},
            "eval_mode": {"train_mode_modules": self.train_mode_modules, "no_grad_forwards": 0,
                          "no_grad_forwards_in_train_mode": 0, "first_step": None},
            "inputs": [], "loss": None,
        }
        self._dirty = True
        self._stale_ref: tuple[Any, float, int] | None = None
        self._stale_handle: Any = None
        self._loss_handle = None
        if loss_fn is not None:
            self._loss_handle = self._hook_loss(loss_fn)

    # -- parameters -------------------------------------------------------------------
    def _not_in_optimizer(self) -> list[str]:
        if self.optimizer is None:
            return []
        held = {id(p) for g in self.optimizer.param_groups for p in g["params"]}
        return [n for n, p in self.params if id(p) not in held]

    def on_record(self, step: int, present: list[tuple[str, Any, Any]]) -> None:
        """A recorded step: which trainable parameters got no gradient."""
        self.data["recorded_steps"] += 1
        got = {n for n, _, _ in present}
        missing = self.data["no_grad_params"]
        for n, _ in self.params:
            if n not in got:
                missing[n] = missing.get(n, 0) + 1
                self._dirty = True
        if self.data["recorded_steps"] == 1:
            now = self._not_in_optimizer()  # a layer replaced after the optimizer was built
            if now != self.data["not_in_optimizer"]:
                self.data["not_in_optimizer"] = now
                self._dirty = True

    # -- stale gradients (a forgotten zero_grad) ----------------------------------------
    def after_step(self, step: int) -> None:
        """Right after an optimizer step on a recorded step: arm one check on the next backward."""
        if self.optimizer is None or self._stale_handle is not None:
            return
        for _, p in self.params:
            if p.grad is not None:
                self._stale_ref = (p.grad, float(p.grad.detach().norm()), step)
                self._stale_handle = p.register_hook(self._stale_hook(p))
                return

    def _stale_hook(self, p: Any) -> Any:
        def hook(grad: Any) -> None:
            ref, norm, step = self._stale_ref  # type: ignore[misc]
            self._stale_ref = None
            if self._stale_handle is not None:
                self._stale_handle.remove()
                self._stale_handle = None
            cur = p.grad
            s = self.data["stale_grad"]
            s["checked"] += 1
            # zero_grad() sets grad to None (or zeros it in place): both are a fresh start.
            if cur is not None and cur is ref and norm > 0:
                now = float(cur.detach().norm())
                if math.isclose(now, norm, rel_tol=1e-5):
                    s["stale"] += 1
                    if s["first_step"] is None:
                        s["first_step"], s["param"] = step + 1, self._name_of(p)
                        self._dirty = True
                        self.flush()
            self._dirty = True
        return hook

    def _name_of(self, p: Any) -> str:
        return next((n for n, q in self.params if q is p), "")

    # -- forward passes -------------------------------------------------------------------
    def on_forward(self, step: int, grad_enabled: bool, args: Any, record: bool) -> None:
        """Every forward of the model: a no_grad pass in training mode; on recorded steps the inputs."""
        if not grad_enabled and self.train_mode_modules:
            ev = self.data["eval_mode"]
            ev["no_grad_forwards"] += 1
            if self.model.training:
                ev["no_grad_forwards_in_train_mode"] += 1
                if ev["first_step"] is None:
                    ev["first_step"] = step
                    self._dirty = True
                    self.flush()  # once per run: the run may finish before the next record
        if record and grad_enabled and len(self.data["inputs"]) < _MAX_INPUT_RECORDS:
            self._input_stats(step, args)

    def _input_stats(self, step: int, args: Any) -> None:
        import torch

        x = next((t for t in tensors_in(args) if t.is_floating_point()), None)
        if x is None or x.numel() == 0 or x.dim() < 2:
            return
        if self.data["inputs"] and self.data["inputs"][-1]["step"] == step:
            return
        with torch.no_grad():
            flat = x.detach().reshape(x.shape[0], -1).double()
            col_std = flat.std(0, correction=0) if flat.shape[0] > 1 else flat.new_zeros(flat.shape[1])
            vals = torch.stack([flat.mean(), flat.std(correction=0), flat.abs().max(),
                                col_std.max(), col_std[col_std > 0].min() if (col_std > 0).any()
                                else flat.new_tensor(0.0)]).tolist()
        self.data["inputs"].append({"step": step, "mean": vals[0], "std": vals[1], "abs_max": vals[2],
                                    "col_std_max": vals[3], "col_std_min": vals[4],
                                    "shape": list(x.shape)})
        self._dirty = True

    # -- the loss module -------------------------------------------------------------------
    def _hook_loss(self, loss_fn: Any) -> Any:
        # A wrapper around a torch loss (squeezing, weighting): hook the torch loss inside,
        # whose inputs are what the maths sees.
        inner = next((m for m in loss_fn.modules() if _torch_loss_kind(m) is not None), loss_fn)
        self.loss_kind = _torch_loss_kind(inner) or type(inner).__name__
        self.data["loss"] = {"module": self.loss_kind, "class": type(loss_fn).__name__, "calls": 0,
                             "records": [], "shape_mismatch": None}
        return inner.register_forward_hook(self._on_loss, with_kwargs=True)

    def _on_loss(self, module: Any, args: Any, kwargs: Any, output: Any) -> None:
        info = self.data["loss"]
        info["calls"] += 1
        found = [t for t in tensors_in((args, kwargs))][:2]
        if len(found) < 2:
            return
        pred, target = found
        if (info["shape_mismatch"] is None and self.loss_kind in ELEMENTWISE_LOSSES
                and tuple(pred.shape) != tuple(target.shape)):
            info["shape_mismatch"] = {"input": list(pred.shape), "target": list(target.shape)}
            self._dirty = True
            self.flush()
        if len(info["records"]) < _MAX_LOSS_RECORDS and pred.requires_grad:
            info["records"].append(_loss_record(pred, target))
            self._dirty = True

    # -- writing ---------------------------------------------------------------------------
    def flush(self, force: bool = False) -> None:
        """Write the ``signals`` artifact when something changed."""
        if self._dirty or force:
            self._dirty = False
            self.run.log_artifact("signals", self.data)

    def detach(self) -> None:
        """Take the hooks off without writing anything."""
        for h in (self._stale_handle, self._loss_handle):
            if h is not None:
                h.remove()
        self._stale_handle = self._loss_handle = None
        self._stale_ref = None

    def remove(self) -> None:
        """Take the hooks off and write the ``signals`` artifact (unless the run has finished)."""
        self.detach()
        try:
            self.flush(force=True)
        except ModelglassError:  # finish() unwatches a closed run: what was written stands
            pass


def _torch_loss_kind(module: Any) -> str | None:
    """The torch.nn loss class a module is, or None for a module of its own."""
    for cls in type(module).__mro__:
        if cls.__module__.startswith("torch.nn.modules.loss") and cls.__name__.endswith("Loss"):
            return cls.__name__
    return None


def _loss_record(pred: Any, target: Any) -> dict[str, Any]:
    """What the loss was fed, in numbers: shapes, ranges, whether rows look like probabilities."""
    import torch

    with torch.no_grad():
        p = pred.detach().double()
        row_sum_dev = float((p.sum(-1) - 1).abs().max()) if p.dim() >= 2 and p.shape[-1] > 1 else None
        rec: dict[str, Any] = {"input_shape": list(pred.shape), "target_shape": list(target.shape),
                               "input_min": float(p.min()), "input_max": float(p.max()),
                               "row_sum_dev": row_sum_dev, "target_dtype": str(target.dtype)}
        t = target.detach()
        if t.is_floating_point():
            td = t.double()
            rec["target_integral"] = bool(torch.all(td == td.round()))
            rec["target_levels"] = int(torch.unique(td).numel()) if td.numel() <= 100000 else None
        else:
            rec["target_integral"] = True
            rec["target_levels"] = int(torch.unique(t).numel())
    return rec
