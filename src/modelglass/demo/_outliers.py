"""Step 4's loss comparison: the seed's regression on data with outliers, fitted with three losses.

Each loss is fitted by the seed's update, ``theta = theta - alpha * grad``, from the same
start; what differs is only how much one bad point can pull the line. Judged on clean
held-out points from the true line ``y = 3x + 2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._linreg import TRUE_BIAS, TRUE_WEIGHT, LinearData, make_data

HUBER_DELTA = 1.0


@dataclass(frozen=True)
class LossFit:
    name: str
    theta: np.ndarray
    val_mae: float  # mean absolute error on clean held-out points

    @property
    def distance_to_truth(self) -> float:
        return float(np.hypot(self.theta[0] - TRUE_BIAS, self.theta[1] - TRUE_WEIGHT))


@dataclass(frozen=True)
class OutlierComparison:
    train: LinearData
    outliers: np.ndarray  # rows of train pushed off the line
    fits: tuple[LossFit, ...]

    @property
    def best(self) -> str:
        return min(self.fits, key=lambda f: f.val_mae).name


def _residual_grad(kind: str) -> Callable[[np.ndarray], np.ndarray]:
    """d loss / d residual for each loss (MSE written as the seed writes it: the gradient of J/2)."""
    if kind == "mse":
        return lambda r: r
    if kind == "mae":
        return np.sign
    return lambda r: np.clip(r, -HUBER_DELTA, HUBER_DELTA)  # huber


def fit(data: LinearData, kind: str, lr: float = 0.5, epochs: int = 3000) -> np.ndarray:
    """Gradient descent on one loss; returns theta = (bias, weight)."""
    g = _residual_grad(kind)
    theta = np.zeros(2)
    for _ in range(epochs):
        theta = theta - lr * data.X.T @ g(data.X @ theta - data.y) / len(data.y)
    return theta


def compare_outlier_losses(n_outliers: int = 10, seed: int = 0) -> OutlierComparison:
    """MSE, MAE and Huber fits of the seed's data with ``n_outliers`` points pushed up by 15-25."""
    base = make_data(seed=seed)
    rng = np.random.default_rng(seed + 1)
    rows = np.sort(rng.choice(np.flatnonzero(base.X[:, 1] > 1.2), n_outliers, replace=False))
    y = base.y.copy()
    y[rows] += rng.uniform(15.0, 25.0, n_outliers)
    train = LinearData(base.X, y)
    val = make_data(n=200, seed=seed + 2)
    fits = []
    for kind in ("mse", "mae", "huber"):
        theta = fit(train, kind)
        fits.append(LossFit(kind, theta, float(np.mean(np.abs(val.X @ theta - val.y)))))
    return OutlierComparison(train, rows, tuple(fits))
