"""mg.compare_losses: the classic outlier demo, classification losses, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import modelglass as mg
from modelglass.core import BadInputError


def test_huber_beats_mse_when_the_training_data_has_outliers() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 200).astype(np.float32)
    y = (2 * x + 1 + rng.normal(0, 0.2, 200)).astype(np.float32)
    y[:20] += 25.0  # outliers in the training data only
    xv = rng.uniform(-2, 2, 100).astype(np.float32)
    yv = (2 * xv + 1).astype(np.float32)
    r = mg.compare_losses(lambda: torch.nn.Linear(1, 1), ["mse", "mae", "huber"], x, y, xv, yv,
                          epochs=400, lr=0.05)
    scores = r.scores()
    assert r.task == "regression" and r.metric == "mae" and not r.greater_is_better
    assert scores["huber"] < 0.5 * scores["mse"]
    assert r.best in ("huber", "mae")
    f = next(f for f in r.findings if f.code == "loss_choice_matters")
    assert f.evidence["default"] == "mse" and f.evidence["relative_gain"] > 0.5
    # Fitted lines: the MSE line is pulled up by the outliers, the Huber line is not.
    at_zero = {n: float(np.interp(0.0, r.fit_x, v)) for n, v in r.fit_y.items()}
    assert abs(at_zero["huber"] - 1.0) < 0.5 < abs(at_zero["mse"] - 1.0)
    for kind in ("metric", "fit", "training"):
        assert len(r.figure(kind).data) >= 1
    assert list(r.to_dict()) == ["schema_version", "result", "ok", "findings", "task", "metric",
                                 "greater_is_better", "best", "runs"]


def test_classification_losses() -> None:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(300, 2, generator=g)
    y = (X[:, 0] + X[:, 1] > 0).long()
    r = mg.compare_losses(lambda: torch.nn.Linear(2, 2), None, X, y, epochs=150, lr=0.05)
    assert r.task == "classification" and r.metric == "accuracy" and r.greater_is_better
    assert set(r.scores()) == {"cross_entropy", "label_smoothing", "focal"}
    assert all(s > 0.9 for s in r.scores().values())
    assert r.fit_x is None
    with pytest.raises(BadInputError, match="Fitted lines"):
        r.figure("fit")


def test_bad_input() -> None:
    x = np.linspace(0, 1, 20, dtype=np.float32)
    with pytest.raises(BadInputError, match="Unknown loss 'l3'"):
        mg.compare_losses(lambda: torch.nn.Linear(1, 1), ["l3"], x, x)
    with pytest.raises(BadInputError, match="both regression and classification"):
        mg.compare_losses(lambda: torch.nn.Linear(1, 1), ["mse", "focal"], x, x)
    with pytest.raises(BadInputError, match="rows"):
        mg.compare_losses(lambda: torch.nn.Linear(1, 1), ["mse"], x, x[:5])
    with pytest.raises(BadInputError, match="failed"):
        mg.compare_losses(lambda: torch.nn.Linear(3, 1), ["mse"], x, x, epochs=2)
