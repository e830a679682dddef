"""scikit-learn learning curves and the NumPy array probe use the same stored names."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import modelglass as mg
from modelglass.probes import TrainingError
from modelglass.probes.numpy import ArrayProbe

pytest.importorskip("sklearn")


def data(n=80):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def test_mlp_curves_and_convergence_warning_become_a_finding(tmp_path):
    from modelglass.probes.sklearn import track
    from sklearn.neural_network import MLPClassifier

    X, y = data()
    with mg.init("sk", store=tmp_path / "s") as run:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the ConvergenceWarning is caught by track
            result = track(run, MLPClassifier(max_iter=4, early_stopping=True, random_state=0), X, y)
    assert result.series == {"loss": 4, "val/score": 4}
    assert [f.code for f in result.findings] == ["not_converged"]
    assert result.findings[0].evidence["max_iter"] == 4
    reader = mg.open_store(tmp_path / "s")
    rid = reader.runs()[0].id
    assert list(reader.series(rid, "loss").steps) == [0, 1, 2, 3]
    assert [e.level for e in reader.events(rid)] == ["warning"]


def test_gradient_boosting_train_score_of_a_fitted_pipeline(tmp_path):
    from modelglass.probes.sklearn import track
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data()
    pipe = make_pipeline(StandardScaler(), GradientBoostingClassifier(n_estimators=7, random_state=0)).fit(X, y)
    with mg.init("sk", store=tmp_path / "s") as run:
        result = track(run, pipe)
    assert result.series == {"train/loss": 7} and result.findings == []
    reader = mg.open_store(tmp_path / "s")
    values = reader.series(reader.runs()[0].id, "train/loss").values
    assert np.allclose(values, pipe[-1].train_score_)


def test_sgd_partial_fit_logs_a_loss_per_epoch(tmp_path):
    from modelglass.probes.sklearn import partial_fit
    from sklearn.linear_model import SGDClassifier, SGDRegressor

    X, y = data()
    with mg.init("sk", store=tmp_path / "s") as run:
        result = partial_fit(run, SGDClassifier(loss="log_loss", random_state=0), X, y, epochs=3,
                             validation_data=(X[:20], y[:20]))
    assert result.series == {"loss": 3, "val/loss": 3}
    reader = mg.open_store(tmp_path / "s")
    assert len(reader.series(reader.runs()[0].id, "val/loss")) == 3
    with mg.init("sk", store=tmp_path / "s") as run:
        assert partial_fit(run, SGDRegressor(random_state=0), X, X[:, 0], epochs=2).series == {"loss": 2}
        with pytest.raises(ValueError, match="epochs"):
            partial_fit(run, SGDRegressor(), X, X[:, 0], epochs=0)


def test_array_probe_matches_the_seed_loop(tmp_path):
    rng = np.random.default_rng(0)
    X = np.c_[np.ones(50), rng.normal(size=(50, 2))]
    y = X @ np.array([1.0, 2.0, -1.0])
    theta = np.full(3, 0.5)
    with mg.init("np", store=tmp_path / "s") as run:
        probe = ArrayProbe(run, every=2, histograms=True)
        grads = []
        for _ in range(5):
            grad = X.T @ (X @ theta - y) / len(y)
            grads.append(grad.copy())
            probe.log({"theta": theta}, {"theta": grad})
            theta -= 0.1 * grad
    reader = mg.open_store(tmp_path / "s")
    rid = reader.runs()[0].id
    assert list(reader.series(rid, "grad_norm").steps) == [0, 1, 2, 3, 4]
    assert reader.series(rid, "grad_norm").values[0] == pytest.approx(np.linalg.norm(grads[0]))
    assert list(reader.series(rid, "weight_norm/theta").steps) == [0, 2, 4]
    ratio = reader.series(rid, "update_ratio/theta")
    assert list(ratio.steps) == [0, 2]
    assert ratio.values[0] == pytest.approx(np.linalg.norm(0.1 * grads[0]) / np.linalg.norm(np.full(3, 0.5)))
    assert {"weights/theta", "grads/theta"} <= set(reader.histogram_tags(rid))


def test_array_probe_nan(tmp_path):
    with mg.init("np", store=tmp_path / "s") as run:
        probe = ArrayProbe(run, on_error="raise")
        with pytest.raises(TrainingError) as info:
            probe.log({"theta": np.ones(2)}, {"theta": np.array([1.0, np.inf])})
    assert info.value.finding.evidence == {"step": 0, "module": "theta", "where": "grad"}
    with pytest.raises(ValueError, match="every"):
        ArrayProbe(run, every=0)
