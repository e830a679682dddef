"""Numbers a Keras callback reads from a model: weights, gradients, structure (any backend).

Gradients: on the torch backend each weight's ``.value`` is a ``torch.nn.Parameter``
whose ``.grad`` still holds the step's gradient when ``on_train_batch_end`` runs. On
TensorFlow nothing keeps them, so :class:`TFGradientTap` wraps the optimizer's
``apply_gradients`` (before the train function is traced) and copies the norm of each
gradient into a variable: the exact gradients of every step, read back once per batch hook.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def to_numpy(x: Any) -> np.ndarray:
    """A backend tensor or Keras variable value as a NumPy array (torch directly, others via Keras)."""
    if hasattr(x, "detach"):
        return np.asarray(x.detach().cpu().numpy())
    import keras

    return np.asarray(keras.ops.convert_to_numpy(x))


def weight_arrays(weights: list[Any]) -> list[np.ndarray]:
    """Each Keras variable's value as a float64 NumPy array."""
    return [to_numpy(w.value).astype(np.float64) for w in weights]


class Values:
    """Weight values, their norms and differences: torch tensors on the torch backend (no
    copy to the host until the few numbers are read back), float64 NumPy arrays elsewhere."""

    def __init__(self, torch_backend: bool) -> None:
        self.torch = torch_backend

    def current(self, weights: list[Any]) -> list[Any]:
        if self.torch:
            return [w.value.detach() for w in weights]
        return [to_numpy(w.value).ravel() for w in weights]  # the backend's own copy, its dtype

    def snapshot(self, weights: list[Any]) -> list[Any]:
        values = self.current(weights)
        return [v.clone() for v in values] if self.torch else values

    def norms(self, values: list[Any]) -> list[float]:
        if not values:
            return []
        if self.torch:
            import torch

            return [float(v) for v in torch.stack(torch._foreach_norm(values)).tolist()]
        return [math.sqrt(float(np.dot(a, a))) for a in values]

    def diff_norms(self, now: list[Any], before: list[Any]) -> list[float]:
        if self.torch:
            import torch

            return self.norms(list(torch._foreach_sub(now, before))) if now else []
        return [math.sqrt(float(np.dot(d, d))) for d in (a - b for a, b in zip(now, before))]


def torch_grads(weights: list[Any]) -> list[Any]:
    """The ``.grad`` of each weight on the torch backend (None where there is none)."""
    return [getattr(w.value, "grad", None) for w in weights]


def torch_grad_norms(grads: list[Any]) -> list[float]:
    """Per-gradient L2 norms (NaN where a gradient is missing), one host transfer."""
    import torch

    present = [g for g in grads if g is not None]
    if not present:
        return [float("nan")] * len(grads)
    per = iter(torch.stack(torch._foreach_norm(present)).tolist())
    return [next(per) if g is not None else float("nan") for g in grads]


def global_norm(per: Any) -> float:
    finite = [float(v) for v in per if not math.isnan(v)]
    return math.sqrt(sum(v * v for v in finite)) if finite else float("nan")


class TFGradientTap:
    """Copies each step's number, learning rate and per-weight gradient norms into one
    TensorFlow variable, so that the batch hook reads them back with one transfer.

    ``install`` replaces the optimizer's ``apply_gradients`` on the instance and makes
    the model retrace its train function; ``remove`` undoes both.
    """

    def __init__(self, model: Any, weights: list[Any]) -> None:
        import tensorflow as tf

        self.model, self.optimizer = model, model.optimizer
        self.n = len(weights)
        self.index = {id(w.value): i for i, w in enumerate(weights)}
        self.index.update({id(w): i for i, w in enumerate(weights)})
        self.state = tf.Variable(tf.fill([2 + self.n], tf.constant(float("nan"), tf.float64)), trainable=False,
                                 dtype=tf.float64, name="modelglass_step_state")
        self._had_own = "apply_gradients" in vars(self.optimizer)
        self._own = vars(self.optimizer).get("apply_gradients")

    def install(self) -> None:
        original = self.optimizer.apply_gradients

        def apply_gradients(grads_and_vars: Any, *args: Any, **kwargs: Any) -> Any:
            pairs = list(grads_and_vars)
            self._capture(pairs)
            return original(pairs, *args, **kwargs)

        self.optimizer.apply_gradients = apply_gradients
        self.model.make_train_function(force=True)

    def _capture(self, pairs: list[tuple[Any, Any]]) -> None:
        import tensorflow as tf

        nan = tf.constant(float("nan"), tf.float64)
        norms = [nan] * self.n
        for g, v in pairs:
            i = self.index.get(id(v), self.index.get(id(getattr(v, "value", None))))
            if g is None or i is None:
                continue
            if isinstance(g, tf.IndexedSlices):
                g = tf.convert_to_tensor(g)
            norms[i] = tf.cast(tf.norm(tf.cast(g, tf.float32)), tf.float64)
        step = tf.cast(self.optimizer.iterations, tf.float64) + 1.0  # the step this update makes
        lr = tf.cast(self.optimizer.learning_rate, tf.float64)
        self.state.assign(tf.stack([step, lr, *norms]))

    def read(self) -> tuple[int | None, float, list[float]]:
        """The last update's step (None before the first), learning rate and gradient norms."""
        values = [float(v) for v in self.state.numpy()]
        step = None if math.isnan(values[0]) else int(values[0])
        return step, values[1], values[2:]

    def remove(self) -> None:
        if self._had_own:
            self.optimizer.apply_gradients = self._own
        else:
            try:
                del self.optimizer.apply_gradients
            except AttributeError:
                pass
        self.model.make_train_function(force=True)


def structure(model: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Layer rows (name, type, depth, output shape, parameter counts) and the module tree."""
    layers: list[dict[str, Any]] = []
    modules: list[dict[str, Any]] = []

    def visit(layer: Any, prefix: str, depth: int) -> None:
        name = f"{prefix}/{layer.name}" if prefix else layer.name
        total = _count(layer.weights)
        trainable = _count(layer.trainable_weights)
        children = list(getattr(layer, "layers", None) or [])
        layers.append({"name": name, "type": type(layer).__name__, "depth": depth,
                       "input_shape": _shape(layer, "input"), "output_shape": _shape(layer, "output"),
                       "params": total, "trainable_params": trainable, "flops": None})
        own = total - sum(_count(c.weights) for c in children)
        modules.append({"name": name, "type": type(layer).__name__, "own_params": max(own, 0)})
        for child in children:
            visit(child, name, depth + 1)

    for layer in model.layers:
        visit(layer, "", 0)
    return layers, modules


def graph(model: Any) -> dict[str, Any]:
    """The layers as graph nodes, linked by the Keras tensors that flow between them.

    A model whose layers were never called symbolically (a subclassed model) has no
    recorded links: its layers are then chained in the order ``model.layers`` gives.
    """
    layers = list(model.layers)
    names = {id(layer): layer.name for layer in layers}
    nodes = [{"id": layer.name, "op": "call_module", "target": layer.name, "module_type": type(layer).__name__}
             for layer in layers]
    edges: list[list[str]] = []
    for layer in layers:
        for node in getattr(layer, "_inbound_nodes", None) or []:
            for t in getattr(node, "input_tensors", None) or []:
                history = getattr(t, "_keras_history", None)
                src = getattr(history, "operation", None)
                if src is not None and id(src) in names and [names[id(src)], layer.name] not in edges:
                    edges.append([names[id(src)], layer.name])
    if not edges:
        edges = [[a["id"], b["id"]] for a, b in zip(nodes, nodes[1:])]
    return {"method": "keras", "nodes": nodes, "edges": edges}


def _count(weights: Any) -> int:
    seen: dict[int, int] = {}
    for w in weights:
        seen[id(w)] = int(np.prod(w.shape)) if len(w.shape) else 1
    return sum(seen.values())


def _shape(layer: Any, which: str) -> list[Any] | None:
    try:
        t = getattr(layer, which)
    except (AttributeError, ValueError):
        return None
    shape = getattr(t, "shape", None)
    if shape is None:
        return None
    return [d if d is None else int(d) for d in shape]
