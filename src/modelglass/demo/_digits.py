"""The seed's method on a real dataset: softmax regression on ``load_digits`` by gradient descent.

The same update as the linear regression, ``theta = theta - alpha * grad``, now with
``theta = (W, b)`` and the cross-entropy loss. A few labels are flipped on purpose so
that the data check has something real to find.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..core import require
from ..track import init

# Rates for pixels scaled to [0, 1]: too small, good, too large (the largest throws
# the logits so far that the loss jumps to hundreds and keeps oscillating).
DIGITS_RATES = {"too small": 0.05, "good": 2.0, "too large": 2000.0}


@dataclass(frozen=True)
class DigitsData:
    X: np.ndarray  # (n, 64) pixels scaled to [0, 1]
    y: np.ndarray  # (n,) labels as given, with ``flipped`` rows changed on purpose
    y_true: np.ndarray  # the labels before flipping
    flipped: np.ndarray  # the rows whose label was changed


@dataclass(frozen=True)
class DigitsRun:
    label: str
    lr: float
    run_id: str
    losses: np.ndarray
    accuracy: float
    W: np.ndarray
    b: np.ndarray


def load_digits_data(n_flip: int = 20, seed: int = 0) -> DigitsData:
    """scikit-learn's 8x8 digits (1,797 images), ``n_flip`` labels changed to another digit."""
    datasets = require("sklearn.datasets", "the demo's digits")
    X, y = datasets.load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    flipped = np.sort(rng.choice(len(y), n_flip, replace=False))
    y_given = y.copy()
    y_given[flipped] = (y[flipped] + rng.integers(1, 10, n_flip)) % 10  # never the true digit
    return DigitsData(X / 16.0, y_given, y, flipped)


def softmax_loss_grad(X: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray
                      ) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean cross-entropy and its gradient with respect to ``W`` and ``b``."""
    z = X @ W + b
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = float(-np.mean(np.log(p[np.arange(n), y] + 1e-300)))
    p[np.arange(n), y] -= 1.0
    return loss, X.T @ p / n, p.mean(axis=0)


def train_digits(data: DigitsData, lr: float, epochs: int, label: str,
                 store: str | os.PathLike[str] | None = None, project: str = "demo") -> DigitsRun:
    """Full-batch gradient descent on the (partly mislabelled) digits, logged every epoch."""
    W, b = np.zeros((data.X.shape[1], 10)), np.zeros(10)
    losses = []
    config = {"lr": lr, "epochs": epochs, "n": len(data.y), "num_classes": 10, "model": "softmax regression"}
    with init(project=project, name=f"digits lr={lr:g} ({label})", config=config, store=store) as run:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(epochs):
                loss, gW, gb = softmax_loss_grad(data.X, data.y, W, b)
                grad_norm = float(np.sqrt((gW * gW).sum() + (gb * gb).sum()))
                run.log({"loss": loss, "grad_norm": grad_norm}, step=epoch)
                losses.append(loss)
                W, b = W - lr * gW, b - lr * gb
        acc = float(np.mean(np.argmax(data.X @ W + b, axis=1) == data.y_true))
        run.summary.update(final_loss=losses[-1], accuracy_on_true_labels=acc)
    return DigitsRun(label, lr, run.id, np.array(losses), acc, W, b)
