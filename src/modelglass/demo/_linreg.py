"""The seed's example: linear regression trained by batch gradient descent in NumPy.

``theta = (bias, weight)``, loss ``J(theta) = mean((X @ theta - y)**2)`` and the
update ``theta = theta - alpha * grad`` with ``grad = X.T @ (X @ theta - y) / n``,
exactly as the seed writes it. That ``grad`` is the gradient of ``J / 2`` (the
true gradient of the mean squared error carries a factor 2), so each step moves
``alpha / 2`` times the true gradient. It is kept as written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..track import init

# Three learning rates that differ only in size: too small, good, too large.
# With x ~ U(0, 2) the eigenvalues of X.T X / n are about 0.15 and 2.42, so this
# update converges for alpha below 2 / 2.42 ~ 0.83 and diverges above it.
DEFAULT_RATES = {"too small": 1e-4, "good": 0.5, "too large": 1.0}
TRUE_BIAS, TRUE_WEIGHT = 2.0, 3.0


@dataclass(frozen=True)
class LinearData:
    X: np.ndarray  # (n, 2): a column of ones, then x
    y: np.ndarray  # (n,)

    @property
    def optimum(self) -> np.ndarray:
        """The closed-form least-squares solution."""
        return np.linalg.lstsq(self.X, self.y, rcond=None)[0]


def make_data(n: int = 100, noise: float = 0.5, seed: int = 0) -> LinearData:
    """Synthetic, seeded data: ``y = 3x + 2 + noise``."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0, size=n)
    y = TRUE_WEIGHT * x + TRUE_BIAS + rng.normal(0.0, noise, size=n)
    return LinearData(np.column_stack([np.ones(n), x]), y)


def loss(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    """``J(theta) = mean((X @ theta - y)**2)``."""
    r = X @ theta - y
    return float(np.mean(r * r))


def gradient(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The seed's gradient: ``X.T @ (X @ theta - y) / n`` (the gradient of J/2)."""
    return X.T @ (X @ theta - y) / len(y)


@dataclass(frozen=True)
class DemoRun:
    label: str
    lr: float
    run_id: str
    thetas: np.ndarray  # (epochs + 1, 2): the path of theta
    losses: np.ndarray  # (epochs + 1,)

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def train(
    data: LinearData,
    lr: float,
    epochs: int,
    label: str,
    store: str | os.PathLike[str] | None = None,
    project: str = "demo",
) -> DemoRun:
    """Train one run with batch gradient descent, logging every epoch into the store."""
    X, y = data.X, data.y
    theta = np.zeros(2)
    thetas, losses = [theta.copy()], [loss(X, y, theta)]
    config = {"lr": lr, "epochs": epochs, "n": len(y), "optimizer": "batch gradient descent"}
    with init(project=project, name=f"lr={lr:g} ({label})", config=config, store=store) as run:
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(epochs):
                grad = gradient(X, y, theta)
                step = lr * grad
                run.log(
                    {
                        "loss": losses[-1],
                        "theta_0": theta[0],
                        "theta_1": theta[1],
                        "grad_norm": float(np.linalg.norm(grad)),
                        "step_size": float(np.linalg.norm(step)),
                    },
                    step=epoch,
                )
                theta = theta - step
                thetas.append(theta.copy())
                losses.append(loss(X, y, theta))
        run.log({"loss": losses[-1], "theta_0": theta[0], "theta_1": theta[1]}, step=epochs)
        opt = data.optimum
        run.summary.update(
            final_loss=losses[-1],
            optimum_loss=loss(X, y, opt),
            distance_to_optimum=float(np.linalg.norm(theta - opt)),
        )
    return DemoRun(label, lr, run.id, np.array(thetas), np.array(losses))
