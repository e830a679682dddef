"""The PyTorch side of the range test: one batch per rate, everything restored afterwards."""

from __future__ import annotations

import copy
import math
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from ..core import BadInputError, BadTypeError, argument_type_error, model_as_found, require


def torch_sweep(
    model: Any,
    loss_fn: Callable[[Any, Any], Any],
    data: Any,
    optimizer_cls: Any,
    optimizer_kwargs: Mapping[str, Any],
    lrs: np.ndarray,
    stop: Callable[[list[float]], bool],
) -> list[float]:
    """Train one batch per rate in ``lrs`` until ``stop(losses)``; restore the model after."""
    torch = require("torch", "lr_find")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise BadInputError(
            f"lr_find cannot train {type(model).__name__}: it has no parameter with "
            "requires_grad=True. Unfreeze some parameters first."
        )
    optimizer, owned = _optimizer(torch, optimizer_cls, optimizer_kwargs, params, float(lrs[0]))
    saved_optimizer = None if owned else copy.deepcopy(optimizer.state_dict())
    losses: list[float] = []
    try:
        with model_as_found(model, training=True, values=True, grads=True, rng=True):
            _sweep(model, loss_fn, data, optimizer, lrs, stop, losses)
    finally:
        if saved_optimizer is not None:
            optimizer.load_state_dict(saved_optimizer)
    return losses


def _sweep(model: Any, loss_fn: Callable[[Any, Any], Any], data: Any, optimizer: Any, lrs: np.ndarray,
           stop: Callable[[list[float]], bool], losses: list[float]) -> None:
    """One batch per rate until ``stop(losses)``; appends to ``losses``."""
    batches = _batches(data)
    for i, lr in enumerate(lrs):
        for group in optimizer.param_groups:
            group["lr"] = float(lr)
        try:
            x, y = next(batches)
        except StopIteration:  # a one-shot iterator ran out of batches
            break
        optimizer.zero_grad(set_to_none=True)
        loss = _loss(model, loss_fn, x, y, first=(i == 0))
        value = float(loss.detach())
        if math.isfinite(value):
            loss.backward()
            optimizer.step()
        losses.append(value)
        if stop(losses):
            break


def _loss(model: Any, loss_fn: Callable[[Any, Any], Any], x: Any, y: Any, first: bool) -> Any:
    if not first:
        return loss_fn(model(x), y)
    try:
        loss = loss_fn(model(x), y)
    except (RuntimeError, ValueError, TypeError, IndexError) as exc:
        shape = getattr(x, "shape", None)
        raise BadInputError(
            f"lr_find could not compute the loss on the first batch (inputs of shape "
            f"{tuple(shape) if shape is not None else '?'}): {' '.join(str(exc).split())[:300]}. "
            "Check that the data matches the model's input and the loss's target."
        ) from exc
    if getattr(loss, "ndim", 1) != 0:
        raise BadInputError(
            f"lr_find needs loss_fn to return one number (a 0-d tensor). Got shape {tuple(loss.shape)}; "
            "use reduction='mean'."
        )
    return loss


def _optimizer(torch: Any, cls: Any, kwargs: Mapping[str, Any], params: list[Any], lr: float) -> tuple[Any, bool]:
    if isinstance(cls, torch.optim.Optimizer):
        return cls, False
    cls = cls or torch.optim.SGD
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        raise argument_type_error("optimizer_cls", "lr_find", "a torch.optim.Optimizer class or instance", cls)
    return cls(params, lr=lr, **dict(kwargs)), True


def _batches(data: Any) -> Iterator[tuple[Any, Any]]:
    """Yield ``(x, y)`` forever: one pair repeated, or the batches of an iterable cycled."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and hasattr(data[0], "shape"):
        x, y = data
        if len(x) != len(y):
            raise BadInputError(
                f"lr_find: inputs and targets differ in length ({len(x)} vs {len(y)}). "
                "Pass (X, y) with one target per row."
            )
        while True:
            yield x, y
    try:
        iter(data)
    except TypeError:
        raise BadTypeError(
            f"lr_find needs data as (X, y) tensors or an iterable of (inputs, targets) batches. "
            f"Got {type(data).__name__}."
        ) from None
    while True:
        seen = False
        for batch in data:
            seen = True
            if not (isinstance(batch, (tuple, list)) and len(batch) >= 2):
                raise BadInputError(
                    f"lr_find expects each batch to be (inputs, targets). Got {type(batch).__name__}."
                )
            yield batch[0], batch[1]
        if not seen:
            raise BadInputError("lr_find got data with no batches in it (an empty DataLoader?).")
        if iter(data) is data:
            return
