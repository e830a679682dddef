"""Directions in parameter space: filter-normalised random ones (Li et al. 2018) and PCA of a trajectory."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..core import BadInputError, BadTypeError, argument_error

DIRECTION_KINDS = ("filter", "layer")


def random_directions(
    torch: Any, params: Mapping[str, Any], n: int, kind: str, ignore_1d: bool, seed: int
) -> list[dict[str, Any]]:
    """``n`` random directions, each a dict name -> tensor shaped like the parameter.

    ``filter``: every filter (slice along the first axis) of the direction gets the
    norm of the same filter of the weights, so that the plot does not depend on the
    scale of each layer. ``layer``: the same per whole tensor. Biases and other 1-D
    parameters (normalisation scales) are zeroed when ``ignore_1d``.
    """
    if kind not in DIRECTION_KINDS:
        expected = f"one of {', '.join(map(repr, DIRECTION_KINDS))}, or a list of dicts name -> tensor"
        raise argument_error("directions", "landscape", expected, kind)
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        d = {}
        for name, p in params.items():
            r = torch.randn(p.shape, generator=gen, dtype=p.dtype).to(p.device)
            if p.dim() <= 1:
                d[name] = torch.zeros_like(p) if ignore_1d else r * (p.norm() / (r.norm() + 1e-10))
            elif kind == "filter":
                w = p.reshape(p.shape[0], -1)
                rr = r.reshape(p.shape[0], -1)
                scale = w.norm(dim=1, keepdim=True) / (rr.norm(dim=1, keepdim=True) + 1e-10)
                d[name] = (rr * scale).reshape(p.shape)
            else:
                d[name] = r * (p.norm() / (r.norm() + 1e-10))
        out.append(d)
    return out


def given_directions(torch: Any, params: Mapping[str, Any], dirs: Sequence[Any], n: int) -> list[dict[str, Any]]:
    """Check user directions: ``n`` dicts with a tensor of the right shape for each parameter."""
    if len(dirs) != n:
        raise BadInputError(f"This landscape needs {n} direction(s); got {len(dirs)}.")
    out = []
    for i, d in enumerate(dirs):
        if not isinstance(d, Mapping):
            raise BadTypeError(f"Direction {i} must be a dict name -> tensor. Got {type(d).__name__}.")
        full = {}
        for name, p in params.items():
            v = d.get(name)
            t = torch.zeros_like(p) if v is None else torch.as_tensor(v, dtype=p.dtype, device=p.device)
            if t.shape != p.shape:
                raise BadInputError(
                    f"Direction {i} has shape {tuple(t.shape)} for {name!r}; the parameter is {tuple(p.shape)}."
                )
            full[name] = t
        out.append(full)
    return out


def flatten_checkpoint(ckpt: Any, names: Sequence[str], shapes: Mapping[str, tuple[int, ...]]) -> np.ndarray:
    """One checkpoint (a state dict, or a flat vector) as a flat float64 vector in ``names`` order."""
    if isinstance(ckpt, Mapping):
        parts = []
        for name in names:
            if name not in ckpt:
                raise BadInputError(f"A trajectory checkpoint lacks the parameter {name!r}.")
            v = ckpt[name]
            a = v.detach().cpu().double().numpy() if hasattr(v, "detach") else np.asarray(v, dtype=np.float64)
            if tuple(a.shape) != tuple(shapes[name]):
                raise BadInputError(
                    f"Checkpoint parameter {name!r} has shape {a.shape}; the model's is {shapes[name]}."
                )
            parts.append(a.ravel())
        return np.concatenate(parts)
    a = ckpt.detach().cpu().double().numpy() if hasattr(ckpt, "detach") else np.asarray(ckpt, dtype=np.float64)
    return a.ravel()


def pca_directions(path: np.ndarray, final: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two principal directions of ``path - final`` (Li et al. 2018, section 7).

    Returns:
        The directions (2 x P, orthonormal), the path's coordinates on them (N x 2),
        and the fraction of the path's variation each explains.
    """
    diffs = path - final[None, :]
    if diffs.shape[0] < 2 or not np.any(diffs):
        raise BadInputError("A trajectory needs at least two checkpoints that differ from the final parameters.")
    _, s, vt = np.linalg.svd(diffs, full_matrices=False)
    if vt.shape[0] < 2:
        vt = np.vstack([vt, np.zeros_like(vt[0])])
        s = np.append(s, 0.0)
    dirs = vt[:2]
    total = float(np.sum(s ** 2)) or 1.0
    return dirs, diffs @ dirs.T, (s[:2] ** 2) / total


def unflatten(torch: Any, vec: np.ndarray, params: Mapping[str, Any]) -> dict[str, Any]:
    out, i = {}, 0
    for name, p in params.items():
        k = p.numel()
        out[name] = torch.as_tensor(vec[i:i + k].reshape(tuple(p.shape)), dtype=p.dtype, device=p.device)
        i += k
    return out
