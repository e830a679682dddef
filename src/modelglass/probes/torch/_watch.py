"""``watch``: hooks that record a PyTorch model's training into a run, cheaply.

The global gradient norm (one fused norm of every gradient, one host read) is taken
on every step for the first ``every`` steps (where a too-high learning rate shows),
then on every ``max(1, every // 10)``-th step and on every recorded step; with
``on_error="raise"`` on every step, so that training stops before the first bad
update. Every ``every`` steps the watcher also records per-parameter norms, the update
ratio, weight and gradient histograms and, through hooks armed for that one step only,
the activation statistics. Series names are listed in ``docs/names.md``.
"""

from __future__ import annotations

import math
from typing import Any

from ...core import BadInputError
from .._emit import log_histogram_data, log_scalars
from .._live import LiveChecker, check_on_error, check_positive_int, nan_inf_finding
from .._structures import tensors_in
from ._activations import ActivationProbe
from ._signals import SignalProbe
from ._locate import first_nonfinite_grad, first_nonfinite_output
from ._tensors import exact_global_norm, global_norm, histograms, norms

WATCH_SCHEMA_VERSION = 1
NORM_STRIDE_DIVISOR = 10


def watch(run: Any, model: Any, optimizer: Any = None, every: int = 50, activations: bool = True,
          diagnose: bool = True, on_error: str = "warn", histograms: bool = True,
          bins: int = 64, manual: bool = False, loss_fn: Any = None) -> "Watcher":
    """Record a PyTorch model's weights, gradients and activations into ``run`` while it trains.

    Args:
        run: The :class:`~modelglass.track.Run` to log into.
        model: The ``torch.nn.Module`` being trained.
        optimizer: Its optimizer; a step is then one ``optimizer.step()``. Without it a
            step is one backward pass through the model's parameters. A framework's wrapper
            (accelerate's ``AcceleratedOptimizer``, anything whose ``.optimizer`` is a torch
            optimizer) is unwrapped: the hooks go on the optimizer inside, and the run's
            events and ``watch`` artifact name both. If any hook cannot be added, none is
            left and a :class:`~modelglass.core.BadInputError` says why.
        every: Record the detailed statistics every this many steps.
        activations: Also record activation statistics on recorded steps.
        diagnose: Run the live checks registered with
            :func:`modelglass.probes.set_live_rules` (``modelglass.diagnose``'s by default):
            on the gradient norm every step, on every recorded value on recorded steps.
        on_error: ``"warn"`` (default), ``"raise"`` (a :class:`TrainingError` stops
            training at the first NaN/Inf) or ``"ignore"`` (log only).
        histograms: Store weight, gradient and activation histograms on recorded steps.
        bins: Buckets per histogram.
        manual: Add no optimizer or backward hook: the caller says when a step's gradients
            are final with :meth:`Watcher.record_step` (framework callbacks do, e.g. where
            Lightning runs forward and backward inside ``optimizer.step``'s closure).
        loss_fn: The loss module (``nn.CrossEntropyLoss()``...); when given, what it is fed
            (shapes, value ranges) is recorded, so that diagnose can tell a prediction and
            target that broadcast, or probabilities passed where logits belong.

    Returns:
        The :class:`Watcher`; ``watcher.remove()`` (or ``run.unwatch()``) takes every hook off.
    """
    return Watcher(run, model, optimizer, every, activations, diagnose, on_error, histograms, bins,
                   manual=manual, loss_fn=loss_fn)


class Watcher:
    """The hooks ``watch`` installed, and what they have seen."""

    def __init__(self, run: Any, model: Any, optimizer: Any, every: int, activations: bool,
                 diagnose: bool, on_error: str, with_histograms: bool, bins: int,
                 manual: bool = False, loss_fn: Any = None) -> None:
        import torch

        optimizer, wrapper = unwrap_optimizer(optimizer)
        _validate(model, optimizer, every, bins, loss_fn)
        self.run, self.model, self.optimizer, self.every = run, model, optimizer, int(every)
        self.optimizer_wrapper, self.manual, self._recorded = wrapper, bool(manual), False
        self.bins, self.with_histograms = int(bins), bool(with_histograms)
        self.checker = LiveChecker(run, check_on_error(on_error, "watch"), diagnose)
        self.params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.start = self.step = int(getattr(run, "step", 0))
        # Between recorded steps the norm is read on every stride-th step only: a full pass
        # over the gradients is most of what watch costs a step on a CPU.
        self.stride = 1 if on_error == "raise" else max(1, self.every // NORM_STRIDE_DIVISOR)
        self.acts = ActivationProbe(model) if activations else None
        self.signals = SignalProbe(run, model, optimizer, self.params, loss_fn)
        self._grad_enabled = torch.is_grad_enabled
        self.removed = False
        self._last_inputs: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})
        self._snap: tuple[int, list[Any], Any] | None = None
        self._order: list[str] = []
        self._artifact_written = False
        self._handles: list[Any] = []
        self._order_handles: list[Any] = []
        try:
            self._install(torch)
        except Exception as exc:
            self._undo_install()
            raise _install_error(exc, model, optimizer) from exc
        if wrapper is not None:
            run.log_event(f"watch records the optimizer inside {wrapper}: {type(optimizer).__name__}",
                          wrapper=wrapper, optimizer=type(optimizer).__name__)
        self._arm()

    def _install(self, torch: Any) -> None:
        """Add every hook; ``__init__`` takes them all off again if one fails."""
        model, optimizer = self.model, self.optimizer
        self._handles.append(model.register_forward_hook(self._on_forward, with_kwargs=True))
        if self.manual:
            pass
        elif optimizer is not None:
            self._handles.append(optimizer.register_step_pre_hook(self._on_pre_step))
            self._handles.append(optimizer.register_step_post_hook(self._on_post_step))
        elif self.params:
            self._handles.append(torch.autograd.graph.register_multi_grad_hook(
                [p for _, p in self.params], self._on_backward, mode="all"))
        for n, m in model.named_modules():
            if any(True for _ in m.parameters(recurse=False)):
                self._order_handles.append(m.register_forward_pre_hook(self._order_hook(n)))

    def _undo_install(self) -> None:
        self.signals.detach()
        for h in self._handles + self._order_handles:
            h.remove()
        self._handles, self._order_handles = [], []
        if self.acts is not None:
            self.acts.disarm()
            self.acts.clear()

    # -- hooks -------------------------------------------------------------------
    def _order_hook(self, name: str) -> Any:
        def hook(module: Any, args: Any) -> None:
            if name not in self._order:
                self._order.append(name)
        return hook

    def _on_forward(self, module: Any, args: Any, kwargs: Any, output: Any) -> None:
        if self._order_handles:
            for h in self._order_handles:
                h.remove()
            self._order_handles = []
            self._write_artifact(output)
        self._last_inputs = (args, kwargs)  # references only: replayed if NaN/Inf shows up
        self.signals.on_forward(self.step, self._grad_enabled(), args,
                                (self.step - self.start) % self.every == 0)
        if (self.optimizer is None or self.manual) and self._snap is not None:
            self._log_update_ratio()

    def _on_pre_step(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        self._on_step([p.grad for _, p in self.params])

    def _on_post_step(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        if self._snap is not None:
            self._log_update_ratio()
        if (self.step - self.start) % self.every == 0:
            self.signals.after_step(self.step)
        self._advance()

    def _on_backward(self, grads: Any) -> None:
        self._on_step(list(grads))
        self._advance()

    def record_step(self, step: int) -> None:
        """Record the gradients the parameters hold now as step ``step`` (``manual=True``).

        Call it once per optimizer step, when the gradients are final (after accumulation
        and unscaling); the update it makes is measured at the next forward pass.
        """
        if not self.manual:
            raise BadInputError("Watcher.record_step is for watch(..., manual=True); this watcher "
                                "records on its own hooks.")
        if not self._recorded:
            self._recorded = True
            self.start = int(step)
        self.step = int(step)
        self._on_step([p.grad for _, p in self.params])
        self._advance()

    # -- per step ------------------------------------------------------------------
    def _on_step(self, grads: list[Any]) -> None:
        rel = self.step - self.start
        if rel >= self.every and rel % self.stride and rel % self.every:
            return
        present = [(n, p, g) for (n, p), g in zip(self.params, grads) if g is not None]
        per = norms([g for _, _, g in present])
        gnorm = global_norm(per).item()  # the one host read of an ordinary step
        if not math.isfinite(gnorm):
            # A float32 sum of squares overflows for finite gradients near 1e19: an
            # exploding gradient, not a NaN/Inf. Only then pay for float64.
            gnorm = exact_global_norm([g for _, _, g in present])
        log_scalars(self.run, {"grad_norm": gnorm}, self.step)
        if not math.isfinite(gnorm):
            self._nonfinite(present)
        if (self.step - self.start) % self.every == 0:
            self._record(present, per, gnorm)
        elif self.checker.diagnose:
            self.checker.live({"grad_norm": gnorm}, self.step)  # a few float comparisons

    def _advance(self) -> None:
        self.step += 1
        if self.acts is not None:
            self.acts.disarm()
            self.acts.clear()
        self._arm()

    def _arm(self) -> None:
        if self.acts is not None and (self.step - self.start) % self.every == 0:
            self.acts.arm()

    def _record(self, present: list[tuple[str, Any, Any]], per: Any, gnorm: float) -> None:
        import torch

        weights = [p.detach() for _, p in self.params]
        wn = norms(weights)
        vals = torch.cat([wn, per.to(wn.device)]).tolist() if weights else []
        tensors = weights + [g for _, _, g in present]
        for i, v in enumerate(vals):
            if not math.isfinite(v):  # float32 overflow of a finite tensor's norm: redo in float64
                vals[i] = exact_global_norm([tensors[i]])
        values: dict[str, float] = {f"weight_norm/{n}": v for (n, _), v in zip(self.params, vals)}
        values.update({f"grad_norm/{n}": v for (n, _, _), v in zip(present, vals[len(self.params):])})
        if self.optimizer is not None:
            lr = self.optimizer.param_groups[0].get("lr")
            if isinstance(lr, (int, float)) or hasattr(lr, "item"):
                values["lr"] = float(lr)
        first_bad = None
        if self.acts is not None:
            act_values, act_hists, first_bad = self.acts.collect(self.bins, self.with_histograms)
            self.acts.disarm()
            values.update(act_values)
            for tag, h in act_hists.items():
                log_histogram_data(self.run, tag, h, self.step)
        if self.with_histograms and present:
            hs = histograms(weights + [g for _, _, g in present], self.bins)
            tags = [f"weights/{n}" for n, _ in self.params] + [f"grads/{n}" for n, _, _ in present]
            for tag, h in zip(tags, hs):
                log_histogram_data(self.run, tag, h, self.step)
        log_scalars(self.run, values, self.step)
        self.signals.on_record(self.step, present)
        self.signals.flush()
        self._snap = (self.step, [w.clone() for w in weights], wn)
        if first_bad is not None:
            self._report_nonfinite(first_bad, "output")
        self.checker.live({**values, "grad_norm": gnorm}, self.step)

    def _log_update_ratio(self) -> None:
        import torch

        step, before, wn = self._snap  # type: ignore[misc]
        self._snap = None
        now = [p.detach() for _, p in self.params]
        delta = norms(torch._foreach_sub(now, before))
        ratio = (delta / wn.clamp_min(1e-12)).tolist()
        log_scalars(self.run, {f"update_ratio/{n}": r for (n, _), r in zip(self.params, ratio)}, step)

    # -- NaN / Inf -------------------------------------------------------------------
    def _nonfinite(self, present: list[tuple[str, Any, Any]]) -> None:
        """The gradient norm is NaN/Inf: replay the forward to find the module, else the gradients."""
        if "nan_inf" in self.checker.seen:
            self.checker.report(nan_inf_finding(self.step, "", "output"))  # raises when asked to
            return
        args, kwargs = self._last_inputs
        where = first_nonfinite_output(self.model, args, kwargs) if (args or kwargs) else {}
        if "module" in where:
            module = where.pop("module")
            self._report_nonfinite(module, "output", **where)
            return
        hit = first_nonfinite_grad([(n, p) for n, p, _ in present], [g for _, _, g in present],
                                   self._forward_param_order())
        if hit is not None:
            self._report_nonfinite(hit[0], "grad", param=hit[1])
        else:
            self._report_nonfinite("", "output")

    def _report_nonfinite(self, module: str, where: str, **extra: Any) -> None:
        finding = nan_inf_finding(self.step, module, where, **extra)
        artifact = {"step": self.step, "module": module, "where": where, **extra}
        self.checker.report(finding, ("nonfinite", artifact))

    # -- the watch artifact ------------------------------------------------------------
    def _forward_param_order(self) -> list[str]:
        names = []
        for mod in self._order:
            m = self.model.get_submodule(mod) if mod else self.model
            names += [f"{mod}.{p}" if mod else p for p, _ in m.named_parameters(recurse=False)]
        declared = [n for n, _ in self.model.named_parameters()]
        known = set(declared)
        ordered = [n for n in dict.fromkeys(names) if n in known]
        return ordered + [n for n in declared if n not in set(ordered)]

    def _write_artifact(self, output: Any = None) -> None:
        if self._artifact_written:
            return
        self._artifact_written = True
        first = next(iter(tensors_in(output)), None) if output is not None else None
        self.run.log_artifact("watch", {
            "schema_version": WATCH_SCHEMA_VERSION,
            "every": self.every,
            "start_step": self.start,
            "params": self._forward_param_order(),
            "param_shapes": {n: list(p.shape) for n, p in self.model.named_parameters()},
            "trainable": [n for n, _ in self.params],
            "modules": {n or "": type(m).__name__ for n, m in self.model.named_modules()},
            "activations": [n for n, _, _ in self.acts.targets] if self.acts else [],
            "output_shape": list(first.shape) if first is not None else None,
            "output_width": int(first.shape[-1]) if first is not None and first.dim() else None,
            "optimizer": type(self.optimizer).__name__ if self.optimizer is not None else None,
            "optimizer_wrapper": self.optimizer_wrapper,
        })

    def remove(self) -> None:
        """Take every hook off and drop every reference; the model is left as found."""
        if self.removed:
            return
        self.removed = True
        self._undo_install()
        self._snap, self._last_inputs = None, ((), {})
        self._write_artifact()
        self.signals.remove()  # writes the `signals` artifact (its hooks are already off)


def unwrap_optimizer(optimizer: Any) -> tuple[Any, str | None]:
    """The optimizer whose hooks fire, and the class name of the wrapper around it (or None).

    Frameworks hand their callbacks a wrapper (accelerate's ``AcceleratedOptimizer``,
    Lightning's ``LightningOptimizer``) whose ``step`` calls the real optimizer's; hooks
    go on the innermost ``.optimizer`` (or ``._optimizer``) that is a torch optimizer.
    """
    if optimizer is None:
        return None, None
    outer, seen = optimizer, 0
    while seen < 8:
        inner = getattr(optimizer, "optimizer", None)
        if inner is None or inner is optimizer:
            inner = getattr(optimizer, "_optimizer", None)
        if inner is None or inner is optimizer or not hasattr(inner, "register_step_pre_hook"):
            break
        optimizer, seen = inner, seen + 1
    return optimizer, (type(outer).__name__ if optimizer is not outer else None)


def _install_error(exc: Exception, model: Any, optimizer: Any) -> BadInputError:
    what = f"{type(exc).__name__}: {exc}"
    if optimizer is not None and "_optimizer_step" in str(exc):
        return BadInputError(
            f"watch could not add its hooks to the optimizer {type(optimizer).__name__} ({what}); it "
            "looks like a wrapper that never ran torch.optim.Optimizer.__init__. No hook was left on "
            "the model. Pass the optimizer it wraps (often its '.optimizer')."
        )
    return BadInputError(
        f"watch could not add its hooks to {type(model).__name__} ({what}). No hook was left on the "
        "model or the optimizer."
    )


def _validate(model: Any, optimizer: Any, every: Any, bins: Any, loss_fn: Any = None) -> None:
    import torch

    if not isinstance(model, torch.nn.Module):
        raise BadInputError(f"watch expects a torch.nn.Module as 'model'. Got {type(model).__name__}.")
    check_positive_int(every, "every", "watch")
    check_positive_int(bins, "bins", "watch")
    if loss_fn is not None and not isinstance(loss_fn, torch.nn.Module):
        raise BadInputError(
            "watch(loss_fn=...) expects the loss module (e.g. torch.nn.CrossEntropyLoss()), whose "
            f"inputs it can hook. Got {type(loss_fn).__name__}; wrap a loss function in a module."
        )
    if optimizer is not None and not hasattr(optimizer, "register_step_pre_hook"):
        raise BadInputError(
            f"watch expects a torch.optim.Optimizer as 'optimizer'. Got {type(optimizer).__name__}."
        )
