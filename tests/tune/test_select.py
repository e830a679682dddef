"""mg.compare_models: paired cross-validation, learning/validation curves, bias/variance findings."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeRegressor

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError


def _sine(n: int = 160, noise: float = 0.2, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, (n, 1))
    return x, 3 * np.sin(2 * x[:, 0]) + rng.normal(0, noise, n)


def test_underfitting_linear_model_is_high_bias_and_tree_wins() -> None:
    X, y = _sine()
    r = mg.compare_models({"linear": LinearRegression(), "tree": DecisionTreeRegressor(max_depth=6, random_state=0)},
                          X, y, cv=4, learning_curve_sizes=None)
    assert r.best == "tree" and r.scoring == "r2" and r.n_folds == 4
    bias = [f for f in r.findings if f.code == "high_bias"]
    assert [f.evidence["candidate"] for f in bias] == ["linear"]
    linear = next(c for c in r.candidates if c.name == "linear")
    assert not linear.tie_with_best and linear.p_value < 0.05
    assert linear.diff_vs_best > 0.5


def test_overfitting_tree_is_high_variance_and_curves_are_computed() -> None:
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (120, 3))
    y = X[:, 0] + rng.normal(0, 0.6, 120)
    r = mg.compare_models([DecisionTreeRegressor(random_state=0), Ridge()], X, y, cv=4,
                          validation_param="alpha", validation_values=[0.1, 10.0, 1000.0],
                          validation_candidate="Ridge")
    tree = next(c for c in r.candidates if c.name == "DecisionTreeRegressor")
    assert tree.train_mean == pytest.approx(1.0)
    variance = [f for f in r.findings if f.code == "high_variance"]
    assert [f.evidence["candidate"] for f in variance] == ["DecisionTreeRegressor"]
    lc = r.learning_curve
    assert lc.candidate == r.best == "Ridge"
    assert list(lc.x) == sorted(lc.x) and len(lc.x) == 5
    vc = r.validation_curve
    assert vc.x == (0.1, 10.0, 1000.0) and vc.x_name == "alpha"
    assert vc.val_mean[2] < vc.val_mean[0]  # heavy regularisation hurts
    for kind in ("scores", "learning", "validation"):
        assert len(r.figure(kind).data) >= 1


def test_near_identical_models_are_a_tie() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=100) > 0).astype(int)
    r = mg.compare_models({"C=1": LogisticRegression(C=1.0), "C=0.9": LogisticRegression(C=0.9)}, X, y, cv=5,
                          learning_curve_sizes=None)
    assert r.scoring == "accuracy"
    tie = next(f for f in r.findings if f.code == "best_is_tie")
    assert tie.evidence["tied"] and tie.evidence["best"] == r.best
    assert list(r.to_dict()) == ["schema_version", "result", "ok", "findings", "scoring", "n_folds", "best",
                                 "baseline", "perfect", "candidates", "learning_curve", "validation_curve"]


class MeanModel:
    """Not a scikit-learn estimator: only fit and predict."""

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_any_object_with_fit_and_predict() -> None:
    X, y = _sine(80)
    r = mg.compare_models({"mean": MeanModel(), "tree": DecisionTreeRegressor(max_depth=4)}, X, y, cv=3,
                          learning_curve_sizes=None)
    mean = next(c for c in r.candidates if c.name == "mean")
    assert mean.mean == pytest.approx(r.baseline)
    assert mean.mean < 0.05


def test_bad_candidates_and_data() -> None:
    X, y = _sine(40)
    with pytest.raises(BadTypeError, match="fit\\(X, y\\) and predict"):
        mg.compare_models({"bad": object()}, X, y)
    with pytest.raises(BadInputError, match="rows"):
        mg.compare_models([Ridge()], X, y[:10])
    with pytest.raises(BadInputError, match="no candidates"):
        mg.compare_models({}, X, y)
    with pytest.raises(BadInputError, match="The .cv. argument of compare_models must be an int >= 2"):
        mg.compare_models([Ridge()], X, y, cv=1)
