"""One context manager that leaves a torch model exactly as it was found.

Every analysis that runs a user's model (inspect's forward pass and graph, the
loss landscape, the learning-rate finder) changes something on the way: the
training flag of each module, which parameters require a gradient, the
parameter values, their gradients, torch's random state. :func:`model_as_found`
sets what the caller asks for inside the block and restores all of it in
``finally``, even when the block raises (STYLE 8, after torchinfo's
``forward_pass``).

It touches the model only through its methods, so ``core`` needs no torch import.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Iterator


@contextmanager
def model_as_found(
    model: Any,
    *,
    training: bool | None = None,
    requires_grad: bool | None = None,
    values: bool = False,
    grads: bool = False,
    rng: bool = False,
) -> Iterator[Any]:
    """Run a block on ``model`` and put it back as it was.

    Args:
        model: A ``torch.nn.Module``.
        training: Set every module's ``training`` flag to this inside the block (flags
            are set directly, not through ``model.eval()``, which exported programs
            refuse); None leaves them. Each module's own flag is restored.
        requires_grad: Set ``requires_grad`` of every floating-point parameter inside
            the block; None leaves it. Each parameter's own flag is restored.
        values: Restore the parameter and buffer values (``state_dict``) afterwards.
        grads: Restore each parameter's ``.grad`` afterwards.
        rng: Restore torch's CPU random state afterwards.

    Yields:
        The model itself.
    """
    modules = list(model.modules())
    params = list({id(p): p for p in model.parameters()}.values())
    modes = [m.training for m in modules]
    flags = [p.requires_grad for p in params]
    state = {k: v.detach().clone() for k, v in model.state_dict().items()} if values else None
    saved_grads = [None if p.grad is None else p.grad.detach().clone() for p in params] if grads else None
    torch = sys.modules.get("torch")
    rng_state = torch.get_rng_state() if rng and torch is not None else None
    try:
        if training is not None:
            for m in modules:
                m.training = training
        if requires_grad is not None:
            for p in params:
                if p.is_floating_point() or p.is_complex():
                    p.requires_grad_(requires_grad)
        yield model
    finally:
        _restore(model, modules, params, modes, flags, state, saved_grads, rng_state, torch)


def _restore(model: Any, modules: list[Any], params: list[Any], modes: list[bool], flags: list[bool],
             state: dict[str, Any] | None, saved_grads: list[Any] | None, rng_state: Any, torch: Any) -> None:
    if state is not None:
        with torch.no_grad():
            model.load_state_dict(state)
    if saved_grads is not None:
        for p, g in zip(params, saved_grads):
            p.grad = g
    for p, flag in zip(params, flags):
        p.requires_grad_(flag)
    for m, mode in zip(modules, modes):
        m.training = mode
    if rng_state is not None:
        torch.set_rng_state(rng_state)
