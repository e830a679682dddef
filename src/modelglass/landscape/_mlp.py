"""A faster batched evaluation for plain MLPs (``nn.Sequential`` of Linear layers and activations).

Two things make it faster than tracing the model with ``vmap``:

* the first layer is linear in the grid coordinates, so ``X @ (W + a D1 + b D2).T`` is
  ``Z0 + a Z1 + b Z2`` with the three products computed once for the whole grid;
* later layers run as one ``baddbmm`` per batch of points, with activations applied in
  place, and batches sized to stay in the CPU cache.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

_CACHE_BYTES = 2 ** 19  # one activation tensor of a batch of points: stays in the L2 cache


def _elementwise(torch: Any) -> dict[type, Callable[[Any], Any] | None]:
    nn, F = torch.nn, torch.nn.functional
    return {
        nn.ReLU: lambda h: h.relu_(),
        nn.Tanh: lambda h: h.tanh_(),
        nn.Sigmoid: lambda h: h.sigmoid_(),
        nn.GELU: F.gelu,
        nn.SiLU: F.silu,
        nn.ELU: F.elu,
        nn.Identity: None,
        nn.Dropout: None,  # evaluated in eval mode: the identity
    }


def mlp_layers(torch: Any, model: Any) -> list[tuple[str, Any]] | None:
    """The layers of ``model`` as (kind, module) when it is a plain MLP, else None."""
    if not isinstance(model, torch.nn.Sequential) or len(model) == 0:
        return None
    acts = _elementwise(torch)
    out: list[tuple[str, Any]] = []
    for name, m in model.named_children():
        if type(m) is torch.nn.Linear:
            out.append(("linear", name))
        elif type(m) in acts:
            if acts[type(m)] is not None:
                out.append(("act", acts[type(m)]))
        elif type(m) is torch.nn.LeakyReLU:
            slope = m.negative_slope
            out.append(("act", lambda h, s=slope: torch.nn.functional.leaky_relu_(h, s)))
        else:
            return None
    if not out or out[0][0] != "linear":
        return None
    return out


def evaluate_mlp(
    torch: Any,
    layers: list[tuple[str, Any]],
    loss_fn: Callable[[Any, Any], Any],
    batches: list[tuple[Any, Any]],
    theta: Mapping[str, Any],
    dirs: list[Mapping[str, Any]],
    coords: np.ndarray,
    batch_points: int | None = None,
) -> tuple[np.ndarray, int]:
    """Mean loss at each row of ``coords``; returns the losses and the points per batch.

    Every parameter at a grid point is ``[1, a, b] @ [theta; d1; d2]``: one small matrix
    product per batch of points builds all their weights without temporaries.
    """
    total = sum(len(x) for x, _ in batches)
    widest = max(theta[f"{name}.weight"].shape[0] for kind, name in layers if kind == "linear")
    n_max = max(len(x) for x, _ in batches)
    if batch_points is None:
        batch_points = int(np.clip(_CACHE_BYTES // (4 * n_max * widest), 1, 256))
    dtype = theta[f"{layers[0][1]}.weight"].dtype
    coef = torch.cat([torch.ones(len(coords), 1, dtype=dtype), torch.as_tensor(coords, dtype=dtype)], dim=1)
    stacks = {key: _stack(torch, theta, dirs, key) for kind, name in layers[1:] if kind == "linear"
              for key in (f"{name}.weight", f"{name}.bias")}
    for kind, name in layers[1:]:
        if kind == "linear":  # store W.T so each batch of weights is contiguous for bmm
            w = theta[f"{name}.weight"]
            stacks[f"{name}.weight"] = torch.stack([t.T.reshape(-1) for t in
                                                    [w] + [d[f"{name}.weight"] for d in dirs]])
    out = np.zeros(len(coords))
    buffers: dict[Any, Any] = {}  # reused activations: no large allocation per batch of points
    with torch.no_grad():
        for x, y in batches:
            first = _first_layer_stack(torch, layers[0][1], x, theta, dirs)
            for start in range(0, len(coords), batch_points):
                c = coef[start:start + batch_points]
                h = _buffer(torch, buffers, ("first", len(c), len(x)), (len(c), first.shape[1]), dtype)
                if len(c) == 1:  # z0 + a z1 + b z2 as in-place adds: cheaper than a 1-row matmul
                    torch.add(first[0], first[1], alpha=float(c[0, 1]), out=h[0])
                    for j in range(2, first.shape[0]):
                        h[0].add_(first[j], alpha=float(c[0, j]))
                else:
                    torch.mm(c, first, out=h)
                h = h.view(len(c), len(x), -1)
                h = _rest(torch, layers[1:], h, c, theta, stacks, buffers)
                vals = [float(loss_fn(h[i], y)) for i in range(len(c))]
                out[start:start + len(c)] += np.asarray(vals) * (len(x) / total)
    return out, batch_points


def _stack(torch: Any, theta: Mapping[str, Any], dirs: list[Mapping[str, Any]], key: str) -> Any:
    """``[theta; d1; d2]`` of one parameter, flattened: (1 + n_dirs) x numel."""
    t = theta.get(key)
    if t is None:
        return None
    return torch.stack([t.reshape(-1)] + [d[key].reshape(-1) for d in dirs])


def _first_layer_stack(torch: Any, name: str, x: Any, theta: Mapping[str, Any], dirs: list[Mapping[str, Any]]) -> Any:
    """The first layer is linear in the coordinates: its output is ``[1, a, b] @ [Z0; Z1; Z2]``."""
    w, b = theta[f"{name}.weight"], theta.get(f"{name}.bias")
    terms = [x @ w.T if b is None else torch.addmm(b, x, w.T)]
    for d in dirs:
        db = d.get(f"{name}.bias")
        terms.append(x @ d[f"{name}.weight"].T if db is None else torch.addmm(db, x, d[f"{name}.weight"].T))
    return torch.stack([t.reshape(-1) for t in terms])


def _buffer(torch: Any, buffers: dict[Any, Any], key: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    buf = buffers.get(key)
    if buf is None:
        buf = buffers[key] = torch.empty(shape, dtype=dtype)
    return buf


def _rest(torch: Any, layers: list[tuple[str, Any]], h: Any, c: Any, theta: Mapping[str, Any],
          stacks: Mapping[str, Any], buffers: dict[Any, Any]) -> Any:
    for i, (kind, item) in enumerate(layers):
        if kind == "act":
            h = item(h)
            continue
        n_out, n_in = theta[f"{item}.weight"].shape
        w_t = (c @ stacks[f"{item}.weight"]).view(len(c), n_in, n_out)
        buf = _buffer(torch, buffers, (i, len(c), h.shape[1]), (len(c), h.shape[1], n_out), h.dtype)
        bias = stacks[f"{item}.bias"]
        if len(c) == 1:  # one point: a plain addmm, the fastest CPU kernel for this shape
            if bias is None:
                torch.mm(h[0], w_t[0], out=buf[0])
            else:
                torch.addmm(c[0] @ bias, h[0], w_t[0], out=buf[0])
            h = buf
            continue
        h = torch.bmm(h, w_t, out=buf)
        if bias is not None:
            h.add_((c @ bias).unsqueeze(1))
    return h
