"""Evaluate a model's loss at many points of parameter space at once.

Points ``theta + a * d1 + b * d2`` are built as one batched tensor per
parameter and the model runs on all of them with ``torch.func.functional_call``
under ``vmap``: no model copies, one forward per batch of grid points. A model
that ``vmap`` cannot trace (data-dependent control flow, ``.item()`` in the loss)
falls back to one ``functional_call`` per point.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..core import BadInputError, BadTypeError
from ..core import iter_progress

_DEFAULT_BUDGET_MB = 64  # small batches stay in cache; bigger ones only add memory traffic on a CPU


def batches_of(data: Any) -> list[tuple[Any, Any]]:
    """``(X, y)`` or an iterable of ``(inputs, targets)`` batches, as a list of pairs."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and hasattr(data[0], "shape"):
        return [(data[0], data[1])]
    try:
        out = [(b[0], b[1]) for b in data]
    except (TypeError, IndexError, KeyError):
        raise BadTypeError(
            f"The landscape needs data as (X, y) tensors or an iterable of (inputs, targets) batches. "
            f"Got {type(data).__name__}."
        ) from None
    if not out:
        raise BadInputError("The landscape got data with no batches in it.")
    return out


def point_bytes(torch: Any, model: Any, batches: list[tuple[Any, Any]], params: Mapping[str, Any]) -> int:
    """Rough memory one grid point needs: its parameters plus the activations of the largest batch."""
    x = max(batches, key=lambda b: len(b[0]))[0]
    sizes: list[int] = []
    hooks = [m.register_forward_hook(lambda _m, _i, o: sizes.append(o.numel() if hasattr(o, "numel") else 0))
             for m in model.modules() if not list(m.children())]
    try:
        with torch.no_grad():
            model(x[:1])
    finally:
        for h in hooks:
            h.remove()
    per_sample = sum(sizes)
    n_params = sum(p.numel() for p in params.values())
    # x3: the forward keeps inputs and outputs of each layer alive, plus the loss' own temporaries.
    return 4 * (n_params + 3 * per_sample * len(x)) + 1


def evaluate(
    torch: Any,
    model: Any,
    loss_fn: Callable[[Any, Any], Any],
    batches: list[tuple[Any, Any]],
    theta: Mapping[str, Any],
    dirs: list[Mapping[str, Any]],
    coords: np.ndarray,
    batch_points: int | None = None,
    memory_mb: float = _DEFAULT_BUDGET_MB,
    force_loop: bool = False,
    progress: bool = True,
) -> tuple[np.ndarray, str, int]:
    """The mean loss at each row of ``coords`` (n_points x n_dirs).

    Returns:
        The losses, the method used (``vmap`` or ``loop``) and the points per batch.
    """
    from torch.func import functional_call, vmap

    buffers = {k: v for k, v in model.named_buffers()}
    if batch_points is None:
        batch_points = max(1, int(memory_mb * 2 ** 20 // point_bytes(torch, model, batches, theta)))
    batch_points = min(batch_points, len(coords))
    total = sum(len(x) for x, _ in batches)

    def loss_at(p: Mapping[str, Any], x: Any, y: Any) -> Any:
        return loss_fn(functional_call(model, (p, buffers), (x,)), y)

    def points(c: Any) -> dict[str, Any]:
        out = {}
        for name, t in theta.items():
            shape = (c.shape[0],) + (1,) * t.dim()
            v = t.unsqueeze(0)
            for j, d in enumerate(dirs):
                v = v + c[:, j].reshape(shape).to(t.dtype) * d[name].unsqueeze(0)
            out[name] = v
        return out

    coords_t = torch.as_tensor(coords, dtype=torch.float64)
    out = np.empty(len(coords))
    method = "loop" if force_loop else "vmap"
    with torch.no_grad():
        batched = vmap(loss_at, in_dims=(0, None, None))
        starts = range(0, len(coords), batch_points)
        for start in iter_progress(starts, "landscape: grid points (batches)", progress=progress):
            c = coords_t[start:start + batch_points]
            p = points(c)
            acc = torch.zeros(len(c), dtype=torch.float64)
            for x, y in batches:
                if method == "vmap":
                    try:
                        vals = batched(p, x, y)
                    except (RuntimeError, NotImplementedError, ValueError):
                        method = "loop"
                if method == "loop":
                    vals = torch.stack([loss_at({k: v[i] for k, v in p.items()}, x, y) for i in range(len(c))])
                acc += vals.detach().double().reshape(len(c)).cpu() * (len(x) / total)
            out[start:start + len(c)] = acc.numpy()
    return out, method, batch_points


def model_loss(torch: Any, model: Any, loss_fn: Callable[[Any, Any], Any], batches: list[tuple[Any, Any]]) -> float:
    """The model's own loss on the data (the landscape's centre must equal it)."""
    total = sum(len(x) for x, _ in batches)
    with torch.no_grad():
        acc = 0.0
        for x, y in batches:
            try:
                loss = loss_fn(model(x), y)
            except (RuntimeError, ValueError, TypeError, IndexError) as exc:
                raise BadInputError(
                    f"The model could not compute the loss on inputs of shape {tuple(x.shape)}: "
                    f"{' '.join(str(exc).split())[:300]}. Check the data against the model's input."
                ) from exc
            if getattr(loss, "ndim", 1) != 0:
                raise BadInputError(
                    f"loss_fn must return one number (use reduction='mean'). Got shape {tuple(loss.shape)}."
                )
            acc += float(loss) * len(x) / total
    if not math.isfinite(acc):
        raise BadInputError(f"The model's loss at its own parameters is {acc}; fix that before drawing a landscape.")
    return acc


def iter_params(model: Any) -> Iterable[tuple[str, Any]]:
    return ((n, p.detach()) for n, p in model.named_parameters())
