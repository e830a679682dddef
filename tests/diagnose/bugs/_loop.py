"""The PyTorch training loop every torch run of the suite uses, written the way people write it.

The bugs of the loop itself (``zero_grad`` forgotten, validation without
``model.eval()``, batches in the order of the labels) are switches of ``fit``; the bugs
of models, data, losses and optimizers are planted by the run that calls it.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

import modelglass as mg

Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def tensors(data: Data, regression: bool = False) -> list[torch.Tensor]:
    """NumPy splits as tensors: float32 inputs, int64 class labels (float32 targets when regression)."""
    X, y, Xv, yv = data
    target = torch.float32 if regression else torch.int64
    return [torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=target),
            torch.as_tensor(Xv, dtype=torch.float32), torch.as_tensor(yv, dtype=target)]


def _watch_kwargs(criterion: Any) -> dict[str, Any]:
    """``loss_fn=criterion`` where this modelglass's ``watch`` takes it (issue 11 adds it)."""
    from modelglass.probes.torch import watch

    takes = "loss_fn" in inspect.signature(watch).parameters
    return {"loss_fn": criterion} if takes and isinstance(criterion, nn.Module) else {}


def fit(
    store: str,
    name: str,
    model: nn.Module,
    opt: torch.optim.Optimizer,
    data: list[torch.Tensor],
    *,
    epochs: int,
    seed: int,
    criterion: Callable[..., torch.Tensor] | None = None,
    batch: int = 64,
    zero_grad: str = "after_forward",
    accumulate: int = 1,
    shuffle: bool = True,
    validate: str | None = "eval",
    sched: Any = None,
    every: int = 10,
    val_every: int = 10,
    inputs: Callable[[torch.Tensor], torch.Tensor] | None = None,
    config: dict[str, Any] | None = None,
) -> str:
    """Train ``model`` with minibatches, watched by modelglass; the run id.

    Args:
        zero_grad: ``"before_forward"`` or ``"after_forward"`` (both correct),
            ``"never"`` (the bug: gradients pile up across steps).
        accumulate: Micro-batches per optimizer step (gradients zeroed after the step).
        shuffle: Reshuffle every epoch; False keeps the data's order.
        validate: ``"eval"`` (``model.eval()`` then ``no_grad``), ``"no_eval"`` (the bug:
            ``no_grad`` only, dropout and batch norm stay in training mode) or None.
        val_every: Validate every this many optimizer steps (and after the last).
        inputs: Turns a batch of inputs into what the model takes (e.g. image rows).
    """
    X, y, Xv, yv = data
    criterion = criterion or nn.CrossEntropyLoss()
    prep = inputs or (lambda x: x)
    cfg = {"lr": opt.param_groups[0]["lr"], "optimizer": type(opt).__name__, "batch_size": batch,
           "epochs": epochs, "seed": seed, **(config or {})}
    run = mg.init(project="bug-suite", name=name, config=cfg, store=store)
    run.watch(model, opt, every=every, **_watch_kwargs(criterion))
    g = torch.Generator().manual_seed(seed)
    step, bad = 0, 0
    with warnings.catch_warnings():
        # The live checks warn on the planted bugs (RuntimeWarning); PyTorch's own warnings
        # (a loss that broadcasts) stay as a user would see them.
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(epochs):
            model.train()
            order = torch.randperm(len(X), generator=g) if shuffle else torch.arange(len(X))
            for i, idx in enumerate(order.split(batch)):
                if zero_grad == "before_forward" and i % accumulate == 0:
                    opt.zero_grad()
                loss = criterion(model(prep(X[idx])), y[idx])
                if zero_grad == "after_forward" and accumulate == 1:
                    opt.zero_grad()
                (loss / accumulate).backward()
                if (i + 1) % accumulate:
                    continue
                opt.step()
                if zero_grad == "after_forward" and accumulate > 1:
                    opt.zero_grad()
                run.log({"loss": loss.item()}, step=step)
                step += 1
                if sched is not None:
                    sched.step()
                if validate and step % val_every == 0:
                    _validate(run, model, criterion, prep(Xv), yv, step - 1, validate == "eval")
                    model.train()
                bad += not bool(torch.isfinite(loss))
                if bad >= 5:  # a user would stop a run whose loss is NaN
                    break
            if bad >= 5:
                break
        if validate and step % val_every:
            _validate(run, model, criterion, prep(Xv), yv, step - 1, validate == "eval")
    run.finish()
    return run.id


def _validate(run: Any, model: nn.Module, criterion: Any, Xv: torch.Tensor, yv: torch.Tensor,
              step: int, eval_mode: bool) -> None:
    if eval_mode:
        model.eval()
    with torch.no_grad():
        out = model(Xv)
        values = {"val/loss": criterion(out, yv).item()}
        if yv.dtype == torch.int64 and out.dim() == 2 and out.shape[1] > 1:
            values["val/acc"] = (out.argmax(1) == yv).float().mean().item()
    run.log(values, step=step)
