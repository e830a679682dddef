"""NumPy gradient descent (the seed's linear regression and its kin) and scikit-learn estimators."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import modelglass as mg
from modelglass.probes import sklearn as sk_probe
from modelglass.probes.numpy import ArrayProbe

from . import bug
from ._data import cancer, circles, digits, linreg, wine

PROJECT = "bug-suite"


def _descend(store: str, name: str, X: np.ndarray, y: np.ndarray, alpha: float, steps: int,
             batch: int | None = None, reset_grad: bool = True, seed: int = 0, check_data: bool = False,
             **config: Any) -> str:
    """The seed's loop: theta -= alpha * grad of J = 1/(2m) ||X theta - y||^2, logged with the NumPy probe.

    ``check_data`` also stores ``mg.check_data`` of the features (without the bias column) with the run.
    """
    run = mg.init(project=PROJECT, name=name, config={"alpha": alpha, "steps": steps, **config}, store=store)
    if check_data:
        run.log_data_report(mg.check_data(X[:, 1:], y=y, task="regression"))
    probe = ArrayProbe(run, every=5, on_error="ignore")
    rng = np.random.default_rng(seed)
    theta, grad = np.zeros(X.shape[1]), np.zeros(X.shape[1])
    with np.errstate(all="ignore"):
        for step in range(steps):
            idx = rng.choice(len(y), batch, replace=False) if batch else slice(None)
            r = X[idx] @ theta - y[idx]
            if reset_grad:
                grad = X[idx].T @ r / len(r)
            else:  # the bug: grad += ..., with grad created once outside the loop
                grad += X[idx].T @ r / len(r)
            loss = float(r @ r / (2 * len(r)))
            run.log({"loss": loss}, step=step)
            probe.log({"theta": theta}, {"theta": grad}, step=step)
            theta -= alpha * grad
            if not np.isfinite(loss):
                break
    run.finish()
    return run.id


# -- NumPy, buggy ----------------------------------------------------------------------
@bug("np_linreg_alpha_2.5", "lr_too_high", "linear", "numpy", alternates=("numerical_instability",),
     note="the seed's linear regression with alpha=2.5: every step overshoots and the loss explodes")
def np_high(seed: int, store: str) -> str:
    X, y = linreg(seed)
    return _descend(store, "np_linreg_alpha_2.5", X, y, 2.5, 200, seed=seed, task="regression")


@bug("np_linreg_alpha_1e-5", "lr_too_low", "linear", "numpy", alternates=("not_enough_capacity",),
     note="the seed's linear regression with alpha=1e-5: after 300 steps the loss has barely moved")
def np_low(seed: int, store: str) -> str:
    X, y = linreg(seed)
    return _descend(store, "np_linreg_alpha_1e-5", X, y, 1e-5, 300, seed=seed, task="regression")


@bug("np_linreg_grad_never_reset", "missing_zero_grad", "linear", "numpy", alternates=("lr_too_high",),
     note="grad += X.T @ r / m with grad created once before the loop: every step adds to the last")
def np_grad_accumulates(seed: int, store: str) -> str:
    X, y = linreg(seed)
    return _descend(store, "np_linreg_grad_never_reset", X, y, 0.01, 300, reset_grad=False, seed=seed,
                    task="regression")


@bug("np_linreg_unscaled_features", "unscaled_inputs", "linear", "numpy", alternates=("lr_too_low",),
     note="house prices from size in square feet (~1500) and rooms (~3), unscaled: alpha must be tiny and the rooms never fit")
def np_unscaled(seed: int, store: str) -> str:
    rng = np.random.default_rng(seed)
    n = 200
    sqft = rng.normal(1500, 400, n)
    rooms = rng.integers(1, 6, n).astype(np.float64)
    X = np.column_stack([np.ones(n), sqft, rooms])
    y = 0.002 * sqft + 0.8 * rooms + 0.3 * rng.standard_normal(n)  # price in 100k
    return _descend(store, "np_linreg_unscaled_features", X, y, 2e-7, 300, seed=seed, check_data=True,
                    task="regression")


@bug("np_linreg_on_a_parabola", "not_enough_capacity", "linear", "numpy",
     note="a straight line fitted by gradient descent to y = x^2 + noise: the loss stops far above the noise")
def np_parabola(seed: int, store: str) -> str:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, 300)
    X = np.column_stack([np.ones_like(x), x])
    y = x ** 2 + 0.1 * rng.standard_normal(300)
    return _descend(store, "np_linreg_on_a_parabola", X, y, 0.1, 300, seed=seed, task="regression")


@bug("np_logreg_log_of_rounded_sigmoid", "numerical_instability", "linear", "numpy",
     note="logistic regression in float32 with p = 1/(1+exp(-z)) and -mean(y log p + (1-y) log(1-p)): "
          "once p rounds to 1.0, 0 * log(0) makes the loss NaN")
def np_logreg_nan(seed: int, store: str) -> str:
    X, y, _, _ = cancer()
    X = np.hstack([np.ones((len(y), 1), np.float32), X])
    t = y.astype(np.float32)
    run = mg.init(project=PROJECT, name="np_logreg_log_of_rounded_sigmoid",
                  config={"alpha": 1.0, "num_classes": 2}, store=store)
    probe = ArrayProbe(run, every=5, on_error="ignore")
    w = np.random.default_rng(seed).normal(0, 0.01, X.shape[1]).astype(np.float32)
    with np.errstate(all="ignore"):
        for step in range(300):
            p = 1 / (1 + np.exp(-(X @ w)))
            loss = float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))
            grad = X.T @ (p - t) / len(t)
            run.log({"loss": loss}, step=step)
            probe.log({"w": w}, {"w": grad}, step=step)
            w -= 1.0 * grad
    run.finish()
    return run.id


# -- scikit-learn, buggy -----------------------------------------------------------------
def _sk_track(store: str, name: str, est: Any, X: np.ndarray, y: np.ndarray, check_data: bool = False,
              **config: Any) -> str:
    params = {k: v for k, v in est.get_params().items() if isinstance(v, (int, float, str, bool, type(None)))}
    with mg.init(project=PROJECT, name=name, config={**params, **config}, store=store) as run:
        if check_data:  # the data report goes with the run, as the docs show
            run.log_data_report(mg.check_data(X, y=y))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk_probe.track(run, est, X, y)
    return run.id


@bug("sk_mlp_wine_raw_features", "unscaled_inputs", "MLP", "sklearn", alternates=("lr_too_high",),
     note="MLPClassifier on wine's raw measurements, no StandardScaler in the pipeline")
def sk_mlp_raw(seed: int, store: str) -> str:
    from sklearn.neural_network import MLPClassifier

    X, y, _, _ = wine(raw=True)
    est = MLPClassifier((64,), max_iter=150, random_state=seed)
    return _sk_track(store, "sk_mlp_wine_raw_features", est, X, y, check_data=True, num_classes=3)


@bug("sk_mlp_labels_shuffled", "label_noise", "MLP", "sklearn", alternates=("not_enough_capacity", "overfitting"),
     note="MLPClassifier with early stopping on digits whose labels were shuffled separately from the images")
def sk_mlp_shuffled(seed: int, store: str) -> str:
    from sklearn.neural_network import MLPClassifier

    X, y, _, _ = digits()
    y = np.random.default_rng(100 + seed).permutation(y)
    est = MLPClassifier((64,), max_iter=60, early_stopping=True, n_iter_no_change=60, random_state=seed)
    return _sk_track(store, "sk_mlp_labels_shuffled", est, X, y, num_classes=10)


@bug("sk_sgd_linear_on_circles", "not_enough_capacity", "linear", "sklearn",
     note="SGDClassifier (a linear model) trained with partial_fit on two concentric circles")
def sk_sgd_circles(seed: int, store: str) -> str:
    from sklearn.linear_model import SGDClassifier

    X, y, Xv, yv = circles()
    est = SGDClassifier(loss="log_loss", alpha=1e-4, learning_rate="constant", eta0=0.01, random_state=seed)
    with mg.init(project=PROJECT, name="sk_sgd_linear_on_circles",
                 config={"loss": "log_loss", "alpha": 1e-4, "eta0": 0.01, "num_classes": 2}, store=store) as run:
        sk_probe.partial_fit(run, est, X, y, epochs=30, validation_data=(Xv, yv))
    return run.id


# -- NumPy and scikit-learn, healthy -------------------------------------------------------
@bug("np_linreg_seed", None, "linear", "numpy", note="the seed's linear regression, alpha=0.1")
def np_good(seed: int, store: str) -> str:
    X, y = linreg(seed)
    return _descend(store, "np_linreg_seed", X, y, 0.1, 300, seed=seed, task="regression")


@bug("np_linreg_minibatch", None, "linear", "numpy", note="noisy but fine: minibatches of 8, alpha=0.05")
def np_minibatch(seed: int, store: str) -> str:
    X, y = linreg(seed)
    return _descend(store, "np_linreg_minibatch", X, y, 0.05, 600, batch=8, seed=seed, task="regression")


@bug("np_linreg_scaled_features", None, "linear", "numpy",
     note="the house prices again, features standardised first: alpha=0.1 converges")
def np_scaled(seed: int, store: str) -> str:
    rng = np.random.default_rng(seed)
    n = 200
    sqft = rng.normal(1500, 400, n)
    rooms = rng.integers(1, 6, n).astype(np.float64)
    y = 0.002 * sqft + 0.8 * rooms + 0.3 * rng.standard_normal(n)
    F = np.column_stack([sqft, rooms])
    X = np.column_stack([np.ones(n), (F - F.mean(0)) / F.std(0)])
    return _descend(store, "np_linreg_scaled_features", X, y, 0.1, 300, seed=seed, check_data=True,
                    task="regression")


@bug("sk_mlp_digits_scaled", None, "MLP", "sklearn", note="MLPClassifier on standardised digits, early stopping; its data report warns of constant border pixels (unrelated)")
def sk_mlp_good(seed: int, store: str) -> str:
    from sklearn.neural_network import MLPClassifier

    X, y, _, _ = digits()
    est = MLPClassifier((64,), max_iter=200, early_stopping=True, random_state=seed)
    return _sk_track(store, "sk_mlp_digits_scaled", est, X, y, check_data=True, num_classes=10)


@bug("sk_sgd_cancer_scaled", None, "linear", "sklearn",
     note="SGDClassifier(log_loss) with partial_fit on standardised breast-cancer data, validation each epoch")
def sk_sgd_good(seed: int, store: str) -> str:
    from sklearn.linear_model import SGDClassifier

    X, y, Xv, yv = cancer()
    est = SGDClassifier(loss="log_loss", alpha=1e-3, random_state=seed)
    with mg.init(project=PROJECT, name="sk_sgd_cancer_scaled",
                 config={"loss": "log_loss", "alpha": 1e-3, "num_classes": 2}, store=store) as run:
        sk_probe.partial_fit(run, est, X, y, epochs=20, validation_data=(Xv, yv))
    return run.id
