"""Datasets of the bug suite: scikit-learn's bundled ones and generated ones; nothing downloaded.

Each returns ``(X_train, y_train, X_val, y_val)`` as NumPy arrays with a fixed split
(the run's seed changes the model and the batch order, not the data), standardised
with the training rows' statistics unless ``raw=True``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _split(X: np.ndarray, y: np.ndarray, n_train: int, raw: bool, seed: int = 0) -> Split:
    order = np.random.default_rng(seed).permutation(len(y))
    X, y = X[order].astype(np.float32), y[order]
    if not raw:
        mu, sd = X[:n_train].mean(0), X[:n_train].std(0) + 1e-3
        X = (X - mu) / sd
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


@cache
def digits(raw: bool = False) -> Split:
    """8x8 handwritten digits: 1200 training rows, 597 validation rows, 64 pixels, 10 classes."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return _split(X, y.astype(np.int64), 1200, raw)


@cache
def wine(raw: bool = False) -> Split:
    """13 chemical measurements (proline ~1e3, hue ~1), 3 classes: 130 training rows, 48 validation."""
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    return _split(X, y.astype(np.int64), 130, raw)


@cache
def cancer(raw: bool = False) -> Split:
    """30 tumour measurements (areas ~1e3, smoothness ~0.1), 2 classes: 420 training rows, 149 validation."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    return _split(X, y.astype(np.int64), 420, raw)


@cache
def diabetes() -> Split:
    """10 measurements, disease progression standardised: 340 training rows, 102 validation."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    Xt, yt, Xv, yv = _split(X, y.astype(np.float32), 340, False, seed=1)
    mu, sd = yt.mean(), yt.std()
    return Xt, (yt - mu) / sd, Xv, (yv - mu) / sd


@cache
def circles() -> Split:
    """Two noisy concentric circles (not linearly separable): 600 training rows, 200 validation."""
    from sklearn.datasets import make_circles

    X, y = make_circles(800, noise=0.08, factor=0.5, random_state=0)
    return _split(X, y.astype(np.int64), 600, False)


@cache
def waves() -> Split:
    """Sequences of 20 steps of a noisy sine; the target is its frequency: 600 training rows, 200 validation."""
    rng = np.random.default_rng(0)
    n, t = 800, np.arange(20, dtype=np.float32)
    freq = rng.uniform(0.1, 0.6, n).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, n).astype(np.float32)
    X = np.sin(freq[:, None] * t + phase[:, None]) + 0.1 * rng.standard_normal((n, 20)).astype(np.float32)
    y = (freq - 0.35) / 0.144  # standardised (uniform on [0.1, 0.6])
    return X[:600, :, None], y[:600], X[600:, :, None], y[600:]


def linreg(seed: int = 0, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """The seed's regression: a bias column and 3 features, y linear plus noise."""
    rng = np.random.default_rng(seed)
    X = np.hstack([np.ones((n, 1)), rng.standard_normal((n, 3))])
    return X, X @ np.array([1.0, 2.0, -3.0, 0.5]) + 0.3 * rng.standard_normal(n)
