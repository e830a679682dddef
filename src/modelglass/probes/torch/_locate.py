"""Find the first module whose output or gradient holds NaN/Inf, once one has appeared.

The output check replays the last forward with a finiteness hook on every
module. The replay runs without gradients and puts back the module buffers
(BatchNorm statistics) and the random-number state, so training goes on as if
it had not happened.
"""

from __future__ import annotations

from typing import Any

from .._structures import tensors_in


def _nonfinite(obj: Any) -> bool:
    import torch

    for t in tensors_in(obj):
        if (t.is_floating_point() or t.is_complex()) and not bool(torch.isfinite(t).all()):
            return True
    return False


def first_nonfinite_output(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Where NaN/Inf first appeared in a replay of the forward pass.

    Returns ``{"module", "input_nonfinite"}`` and, when the first module to return
    NaN/Inf only passed on what it was given, ``"before"``: that module's name,
    while ``"module"`` names the module whose own code made it (its parent).
    """
    import torch

    names = {id(m): n for n, m in model.named_modules()}
    stack: list[tuple[str, bool]] = []
    found: dict[str, Any] = {}

    def pre(module: Any, m_args: Any, m_kwargs: Any) -> None:
        stack.append((names.get(id(module), ""), _nonfinite((m_args, m_kwargs))))

    def post(module: Any, m_args: Any, m_kwargs: Any, output: Any) -> None:
        name, input_bad = stack.pop()
        if found or not _nonfinite(output):
            return
        if input_bad and stack:
            found.update(module=stack[-1][0], before=name)
        else:
            found.update(module=name)

    handles = [h for m in model.modules() for h in (
        m.register_forward_pre_hook(pre, with_kwargs=True),
        m.register_forward_hook(post, with_kwargs=True))]
    buffers = [(b, b.detach().clone()) for b in model.buffers()]
    cpu_rng = torch.get_rng_state()
    cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    try:
        with torch.no_grad():
            try:
                model(*args, **kwargs)
            except Exception:  # noqa: BLE001 - the replay only looks; the real step already ran
                pass
    finally:
        for h in handles:
            h.remove()
        with torch.no_grad():
            for b, saved in buffers:
                b.copy_(saved)
        torch.set_rng_state(cpu_rng)
        if cuda_rng is not None:
            torch.cuda.set_rng_state_all(cuda_rng)
    found["input_nonfinite"] = _nonfinite((args, kwargs))
    return found


def first_nonfinite_grad(params: list[tuple[str, Any]], grads: list[Any], order: list[str]) -> tuple[str, str] | None:
    """(module, parameter) nearest the output whose gradient holds NaN/Inf.

    Gradients flow from the output back, so the bad gradient that appeared first
    is the one of the module latest in forward order.
    """
    import torch

    bad = [name for (name, _p), g in zip(params, grads)
           if g is not None and not bool(torch.isfinite(g).all())]
    if not bad:
        return None
    rank = {n: i for i, n in enumerate(order)}
    name = max(bad, key=lambda n: rank.get(n, -1))
    return name.rpartition(".")[0], name
