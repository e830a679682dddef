"""``mg.landscape``: the loss along random or PCA directions, or the exact 2-parameter surface."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..core import BadInputError, BadTypeError, callable_arg, model_as_found, one_of, positive_int, positive_number, require
from ..core import iter_progress
from ._directions import flatten_checkpoint, given_directions, pca_directions, random_directions, unflatten
from ._evaluate import batches_of, evaluate, model_loss
from ._mlp import evaluate_mlp, mlp_layers
from ._result import Landscape, landscape_findings

_KINDS = ("1d", "2d")
_METHODS = ("auto", "vmap", "loop")
_MARGIN = 0.15


def landscape(
    model: Any,
    loss_fn: Callable[..., Any],
    data: Any = None,
    kind: str = "2d",
    directions: Any = "filter",
    steps: int = 41,
    span: float = 1.0,
    *,
    trajectory: Sequence[Any] | None = None,
    ignore_1d: bool = True,
    seed: int = 0,
    batch_points: int | None = None,
    memory_mb: float = 64,
    method: str = "auto",
    progress: bool = True,
) -> Landscape:
    """Compute the loss over a line or a plane through the model's parameters.

    PyTorch: ``model`` is an ``nn.Module``, ``loss_fn(output, target)`` and
    ``data`` is ``(X, y)`` or batches. The axes are random directions normalised
    filter by filter (Li et al., NeurIPS 2018; biases and normalisation
    parameters zeroed unless ``ignore_1d=False``), or, when a ``trajectory`` of
    parameter checkpoints is given, its two principal directions, with the path
    projected onto them. The model runs in eval mode and is left as it was.

    NumPy: ``model`` is the parameter vector (the seed's ``theta``) and
    ``loss_fn(theta)`` the loss; with two parameters the exact surface
    ``J(theta_0, theta_1)`` is drawn, with the gradient-descent path when
    ``trajectory`` holds the thetas visited.

    Args:
        model: A ``torch.nn.Module`` or a NumPy parameter vector.
        loss_fn: The loss.
        data: ``(X, y)`` or an iterable of batches (PyTorch only).
        kind: ``2d`` or ``1d``.
        directions: ``filter``, ``layer``, or a list of dicts name -> tensor.
        steps: Points per axis.
        span: The axes run from ``-span`` to ``span`` (units of the directions).
        trajectory: Parameter checkpoints (state dicts or flat vectors), oldest first.
        ignore_1d: Zero the directions of 1-D parameters (biases, norm scales).
        seed: Seed of the random directions.
        batch_points: Grid points per vmap batch (default: from ``memory_mb``).
        memory_mb: Memory budget of one batch of points.
        method: ``auto`` (a batched fast path for plain ``nn.Sequential`` MLPs, else
            ``vmap``), ``vmap`` or ``loop`` (one ``functional_call`` per point).
        progress: Show a progress bar of the grid (on a terminal or in a notebook only).
    """
    one_of(method, "method", "landscape", _METHODS)
    one_of(kind, "kind", "landscape", _KINDS)
    positive_int(steps, "steps", "landscape", minimum=3)
    positive_number(span, "span", "landscape")
    callable_arg(loss_fn, "loss_fn", "landscape")
    if isinstance(model, np.ndarray) or (isinstance(model, (list, tuple)) and model and
                                         all(isinstance(v, (int, float)) for v in model)):
        return _numpy_landscape(np.asarray(model, dtype=np.float64), loss_fn, kind, steps, span, trajectory, seed,
                                progress)
    torch = require("torch", "landscape of a PyTorch model")
    if not isinstance(model, torch.nn.Module):
        raise BadTypeError(
            f"landscape expects a torch.nn.Module or a NumPy parameter vector. Got {type(model).__name__}."
        )
    if data is None:
        raise BadInputError("landscape of a PyTorch model needs data: (X, y) or batches of them.")
    return _torch_landscape(torch, model, loss_fn, data, kind, directions, steps, span, trajectory,
                            ignore_1d, seed, batch_points, memory_mb, method, progress)


def _grid(kind: str, steps: int, span: float) -> tuple[np.ndarray, np.ndarray | None]:
    axis = np.linspace(-span, span, steps)
    return axis, (axis.copy() if kind == "2d" else None)


def _path_grid(coords: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Axes that cover the path and the centre with a margin."""
    axes = []
    for j in range(2):
        lo, hi = min(coords[:, j].min(), 0.0), max(coords[:, j].max(), 0.0)
        pad = _MARGIN * (hi - lo) or 1.0
        axes.append(_with_zero(np.linspace(lo - pad, hi + pad, steps)))
    return axes[0], axes[1]


def _with_zero(axis: np.ndarray) -> np.ndarray:
    """Move the grid point nearest to 0 onto 0, so the centre is evaluated exactly."""
    axis = axis.copy()
    axis[int(np.argmin(np.abs(axis)))] = 0.0
    return axis


def _coords(x: np.ndarray, y: np.ndarray | None) -> np.ndarray:
    if y is None:
        return x[:, None]
    xx, yy = np.meshgrid(x, y)
    return np.column_stack([xx.ravel(), yy.ravel()])


def _torch_landscape(torch: Any, model: Any, loss_fn: Any, data: Any, kind: str, directions: Any, steps: int,
                     span: float, trajectory: Any, ignore_1d: bool, seed: int, batch_points: int | None,
                     memory_mb: float, method: str, progress: bool = True) -> Landscape:
    params = {n: p.detach() for n, p in model.named_parameters()}
    if not params:
        raise BadInputError(f"{type(model).__name__} has no parameters; there is no landscape to draw.")
    batches = batches_of(data)
    with model_as_found(model, training=False):
        center_loss = model_loss(torch, model, loss_fn, batches)
        traj = explained = None
        if trajectory is not None:
            kind, how = "2d", "pca"
            names = list(params)
            shapes = {n: tuple(p.shape) for n, p in params.items()}
            final = flatten_checkpoint(params, names, shapes)
            path = np.stack([flatten_checkpoint(c, names, shapes) for c in trajectory])
            vecs, traj, explained = pca_directions(path, final)
            dirs = [unflatten(torch, v, params) for v in vecs]
            x, y = _path_grid(traj, steps)
        else:
            n = 2 if kind == "2d" else 1
            if isinstance(directions, str):
                dirs, how = random_directions(torch, params, n, directions, ignore_1d, seed), directions
            else:
                dirs, how = given_directions(torch, params, list(directions), n), "given"
            x, y = _grid(kind, steps, span)
            x = _with_zero(x)
            y = None if y is None else _with_zero(y)
        coords = _coords(x, y)
        if traj is not None:
            coords = np.vstack([coords, traj])
        layers = mlp_layers(torch, model) if method == "auto" else None
        if layers is not None:
            losses, _ = evaluate_mlp(torch, layers, loss_fn, batches, params, dirs, coords, batch_points)
            method = "mlp"
        else:
            losses, method, _ = evaluate(torch, model, loss_fn, batches, params, dirs, coords, batch_points,
                                         memory_mb, force_loop=(method == "loop"), progress=progress)
    n_grid = len(x) * (1 if y is None else len(y))
    grid = losses[:n_grid].reshape((len(x),) if y is None else (len(y), len(x)))
    tl = losses[n_grid:] if traj is not None else None
    labels = ("PC1", "PC2") if how == "pca" else ("direction 1", "direction 2" if y is not None else None)
    center = (0.0,) if y is None else (0.0, 0.0)
    return Landscape(kind, x, y, grid, center, center_loss, labels[0], labels[1], how, method, traj, tl,
                     None if explained is None else tuple(float(e) for e in explained),
                     landscape_findings(kind, x, y, grid, center, center_loss))


def _numpy_landscape(theta: np.ndarray, loss_fn: Callable[[np.ndarray], Any], kind: str, steps: int,
                     span: float, trajectory: Any, seed: int, progress: bool = True) -> Landscape:
    theta = theta.ravel()
    f = lambda th: _scalar(loss_fn(th))  # noqa: E731
    center_loss = f(theta)
    path = None if trajectory is None else np.asarray(trajectory, dtype=np.float64)
    if theta.size == 2:
        if path is not None:
            if path.ndim != 2 or path.shape[1] != 2:
                raise BadInputError(f"The trajectory must be an (N, 2) array of thetas. Got shape {path.shape}.")
            x, y = (c + theta[j] for j, c in enumerate(_path_grid(path - theta, steps)))
        else:
            x, y = (theta[j] + np.linspace(-span, span, steps) * max(abs(theta[j]), 1.0) for j in range(2))
        losses = np.array([[f(np.array([a, b])) for a in x]
                           for b in iter_progress(y, "landscape: grid rows", progress=progress)])
        tl = None if path is None else np.array([f(p) for p in path])
        center = (float(theta[0]), float(theta[1]))
        return Landscape("exact", x, y, losses, center, center_loss, "theta_0", "theta_1", "parameters",
                         "numpy", path, tl, None, landscape_findings("exact", x, y, losses, center, center_loss))
    rng = np.random.default_rng(seed)
    n = 2 if kind == "2d" else 1
    dirs = rng.normal(size=(n, theta.size))
    dirs *= (np.linalg.norm(theta) or 1.0) / np.linalg.norm(dirs, axis=1, keepdims=True)
    x, y = _grid(kind, steps, span)
    x = _with_zero(x)
    y = None if y is None else _with_zero(y)
    vals = np.array([f(theta + c @ dirs) for c in iter_progress(_coords(x, y), "landscape: points",
                                                                 progress=progress)])
    grid = vals.reshape((len(x),) if y is None else (len(y), len(x)))
    center = (0.0,) if y is None else (0.0, 0.0)
    return Landscape(kind, x, y, grid, center, center_loss, "direction 1", "direction 2" if y is not None else None,
                     "layer", "numpy", findings=landscape_findings(kind, x, y, grid, center, center_loss))


def _scalar(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        raise BadTypeError(f"loss_fn must return one number. Got {type(v).__name__}.") from None
