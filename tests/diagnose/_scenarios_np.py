"""NumPy and scikit-learn scenarios: the seed's linear regression and iterative estimators."""

from __future__ import annotations

from typing import Any

import numpy as np

from modelglass.probes import sklearn as sk_probe
from modelglass.probes.numpy import ArrayProbe

from ._common import diabetes, digits, new_run, scenario


def _linreg_data(seed: int = 0, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    X = np.hstack([np.ones((n, 1)), X])
    y = X @ np.array([1.0, 2.0, -3.0, 0.5]) + 0.3 * rng.standard_normal(n)
    return X, y


def _linreg(store: str, name: str, alpha: float, steps: int, batch: int | None = None,
            seed: int = 0) -> tuple[str, dict[str, Any]]:
    """The seed: theta -= alpha * grad on J = 1/(2m) * ||X theta - y||^2."""
    X, y = _linreg_data(seed)
    base = float(np.var(y) / 2)  # the loss of predicting the mean
    run = new_run(store, name, alpha=alpha, baseline_loss=base)
    probe = ArrayProbe(run, every=5, on_error="ignore")
    rng = np.random.default_rng(seed + 1)
    theta = np.zeros(X.shape[1])
    with np.errstate(all="ignore"):
        for step in range(steps):
            idx = rng.choice(len(y), batch, replace=False) if batch else slice(None)
            Xb, yb = X[idx], y[idx]
            r = Xb @ theta - yb
            loss = float(r @ r / (2 * len(yb)))
            grad = Xb.T @ r / len(yb)
            run.log({"loss": loss}, step=step)
            probe.log({"theta": theta}, {"theta": grad}, step=step)
            theta -= alpha * grad
            if not np.isfinite(loss):
                break
    run.finish()
    return run.id, {}


@scenario("np_linreg_good", "numpy", None, "the seed's linear regression, alpha=0.1")
def np_linreg_good(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _linreg(store, "np_linreg_good", 0.1, 300, seed=seed)


@scenario("np_linreg_minibatch", "numpy", None, "noisy but fine: minibatches of 8")
def np_linreg_minibatch(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _linreg(store, "np_linreg_minibatch", 0.05, 800, batch=8, seed=seed)


@scenario("np_linreg_high_lr", "numpy", "loss_divergence", "alpha=2.5: gradient descent overshoots")
def np_linreg_high_lr(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _linreg(store, "np_linreg_high_lr", 2.5, 300, seed=seed)


@scenario("np_linreg_tiny_lr", "numpy", "loss_plateau", "alpha=1e-5: nothing moves")
def np_linreg_tiny_lr(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _linreg(store, "np_linreg_tiny_lr", 1e-5, 300, seed=seed)


def _logreg(store: str, name: str, alpha: float, naive: bool, steps: int = 300, seed: int = 0) -> tuple[str, dict[str, Any]]:
    X, y, _, _ = digits()
    X = np.hstack([np.ones((len(y), 1)), X.astype(np.float64)])
    t = (y >= 5).astype(np.float64)
    rng = np.random.default_rng(3 + seed)
    flip = rng.random(len(t)) < 0.1  # label noise: the data are not separable
    t[flip] = 1 - t[flip]
    run = new_run(store, name, alpha=alpha, num_classes=2)
    probe = ArrayProbe(run, every=5, on_error="ignore")
    w = np.zeros(X.shape[1])
    with np.errstate(all="ignore"):
        for step in range(steps):
            z = X @ w
            if naive:  # log(sigmoid) written out: log(0) once a logit passes ~37
                p = 1 / (1 + np.exp(-z))
                loss = float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))
            else:
                loss = float(np.mean(np.logaddexp(0, z) - t * z))
                p = 1 / (1 + np.exp(-z))
            grad = X.T @ (p - t) / len(t)
            run.log({"loss": loss}, step=step)
            probe.log({"w": w}, {"w": grad}, step=step)
            w -= alpha * grad
    run.finish()
    return run.id, {}


@scenario("np_logreg_good", "numpy", None, "logistic regression with a stable log-loss")
def np_logreg_good(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _logreg(store, "np_logreg_good", 0.5, naive=False, seed=seed)


@scenario("np_logreg_log0", "numpy", "nan_inf", "log(sigmoid) written out: log(0) gives Inf")
def np_logreg_log0(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _logreg(store, "np_logreg_log0", 50.0, naive=True, seed=seed)


@scenario("np_logreg_bounce", "numpy", "loss_oscillation", "logistic regression, alpha=20: the loss bounces")
def np_logreg_bounce(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _logreg(store, "np_logreg_bounce", 20.0, naive=False, seed=seed)


# -- scikit-learn, through modelglass.probes.sklearn -----------------------------------
def _mlp(store: str, name: str, shuffle: bool, lr: float, hidden: tuple[int, ...], iters: int,
         seed: int = 0) -> tuple[str, dict[str, Any]]:
    from sklearn.neural_network import MLPClassifier

    X, y, _, _ = digits()
    if shuffle:
        y = np.random.default_rng(5 + seed).permutation(y)
    clf = MLPClassifier(hidden_layer_sizes=hidden, learning_rate_init=lr, max_iter=iters,
                        random_state=seed, n_iter_no_change=iters)
    run = new_run(store, name, num_classes=10)
    sk_probe.track(run, clf, X, y)  # loss_curve_ -> loss
    run.finish()
    return run.id, {}


@scenario("sk_mlp_good", "sklearn", None, "MLPClassifier on digits")
def sk_mlp_good(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _mlp(store, "sk_mlp_good", False, 1e-3, (64,), 40, seed=seed)


@scenario("sk_mlp_shuffled", "sklearn", "underfitting", "MLPClassifier on shuffled labels")
def sk_mlp_shuffled(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _mlp(store, "sk_mlp_shuffled", True, 1e-3, (16,), 30, seed=seed)


@scenario("sk_mlp_lr_1e7", "sklearn", "loss_plateau", "MLPClassifier, Adam with learning_rate_init=1e-7")
def sk_mlp_lr_1e7(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    return _mlp(store, "sk_mlp_lr_1e7", False, 1e-7, (64,), 40, seed=seed)


@scenario("sk_sgd_regressor", "sklearn", None, "SGDRegressor.partial_fit on diabetes")
def sk_sgd_regressor(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    from sklearn.linear_model import SGDRegressor

    X, y, Xv, yv = diabetes()
    reg = SGDRegressor(learning_rate="constant", eta0=0.002, random_state=seed)
    run = new_run(store, "sk_sgd_regressor", baseline_loss=0.5)  # half the MSE of the mean
    sk_probe.partial_fit(run, reg, X, y, epochs=40, validation_data=(Xv, yv))
    run.finish()
    return run.id, {}


@scenario("sk_gbr_good", "sklearn", None, "GradientBoostingRegressor train_score_ on diabetes")
def sk_gbr_good(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    from sklearn.ensemble import GradientBoostingRegressor

    X, y, _, _ = diabetes()
    gbr = GradientBoostingRegressor(n_estimators=80, max_depth=2, random_state=seed)
    run = new_run(store, "sk_gbr_good", baseline_loss=1.0)
    sk_probe.track(run, gbr, X, y)  # train_score_ (the training loss per stage) -> train/loss
    run.finish()
    return run.id, {}


@scenario("sk_mlp_regressor", "sklearn", None, "MLPRegressor on diabetes")
def sk_mlp_regressor(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    from sklearn.neural_network import MLPRegressor

    X, y, _, _ = diabetes()
    reg = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=3e-3, max_iter=60,
                       random_state=seed, n_iter_no_change=60)
    # MLPRegressor's loss is half the mean squared error: predicting the mean costs 0.5.
    run = new_run(store, "sk_mlp_regressor", baseline_loss=0.5)
    sk_probe.track(run, reg, X, y)
    run.finish()
    return run.id, {}
