"""mg.lr_find: the learning-rate range test, for NumPy gradient descent and for PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError


def seed_data(n: int = 100, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 2.0, n)
    y = 2.0 * x + 3.0 + rng.normal(0.0, 0.5, n)
    return np.column_stack([np.ones(n), x]), y


def test_seed_suggestion_converges_when_used() -> None:
    X, y = seed_data()
    n = len(y)
    J = lambda th: float(np.mean((X @ th - y) ** 2))  # noqa: E731
    grad = lambda th: X.T @ (X @ th - y) / n  # noqa: E731

    def loss_after_a_few_steps(lr: float) -> float:
        theta = np.zeros(2)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(20):
                theta = theta - lr * grad(theta)
        return J(theta)

    result = mg.lr_find(loss_after_a_few_steps, start=1e-5, end=100.0, steps=100)
    assert result.kind == "function"
    assert result.stopped_at is not None  # the sweep ran into divergence and stopped
    lr = result.suggestion
    assert lr is not None and set(result.alternatives) == {"steepest", "valley", "minimum/10"}
    theta, losses = np.zeros(2), []
    for _ in range(5000):
        theta = theta - lr * grad(theta)
        losses.append(J(theta))
    best = J(np.linalg.lstsq(X, y, rcond=None)[0])
    assert np.all(np.diff(losses) <= 1e-12)  # never goes up
    assert losses[-1] == pytest.approx(best, rel=1e-3)
    # Every alternative is a stable rate too (below the divergence threshold 2/lambda_max).
    limit = 2.0 / np.linalg.eigvalsh(X.T @ X / n).max()
    assert all(v < limit for v in result.alternatives.values())
    assert any(f.code == "lr_suggested" for f in result.findings)


def _regression(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(256, 4, generator=g)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * torch.randn(256, 1, generator=g)
    return X, y


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Dropout(0.1), torch.nn.Linear(16, 1))


def test_torch_restores_model_optimizer_and_rng_exactly() -> None:
    X, y = _regression()
    model = _mlp()
    model.eval()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(X).pow(2).mean().backward()
    opt.step()  # the optimizer has state worth keeping
    before = {k: v.clone() for k, v in model.state_dict().items()}
    grads = [p.grad.clone() for p in model.parameters()]
    opt_state = {k: v.clone() for k, v in opt.state[next(model.parameters())].items()}
    rng = torch.get_rng_state()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32)
    result = mg.lr_find(model, torch.nn.functional.mse_loss, loader, opt, start=1e-5, end=10.0, steps=60)
    assert result.kind == "torch" and len(result.losses) >= 10
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads))
    assert not model.training
    assert opt.param_groups[0]["lr"] == 1e-3
    for k, v in opt.state[next(model.parameters())].items():
        assert torch.equal(v, opt_state[k]), k
    assert torch.equal(torch.get_rng_state(), rng)


def test_torch_suggestion_trains_and_sweep_stops_on_divergence() -> None:
    X, y = _regression()
    model = _mlp()
    result = mg.lr_find(model, torch.nn.functional.mse_loss, (X, y), start=1e-6, end=100.0, steps=80)
    assert result.stopped_at is not None and len(result.losses) < 80
    lr = result.suggestion
    assert 1e-6 < lr < result.stopped_at
    start = torch.nn.functional.mse_loss(model(X), y).item()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(100):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.5 * start
    d = result.to_dict()
    assert list(d) == ["schema_version", "result", "ok", "findings", "kind", "suggestion", "alternatives",
                       "stopped_at", "lrs", "losses", "smoothed"]
    fig = result.figure()
    assert {t.name.split(":")[0] for t in fig.data} >= {"loss", "smoothed", "steepest"}


def test_frozen_model_wrong_shapes_and_bad_ranges() -> None:
    X, y = _regression()
    frozen = _mlp()
    for p in frozen.parameters():
        p.requires_grad_(False)
    with pytest.raises(BadInputError, match="no parameter with requires_grad"):
        mg.lr_find(frozen, torch.nn.functional.mse_loss, (X, y))
    with pytest.raises(BadInputError, match="first batch"):
        mg.lr_find(_mlp(), torch.nn.functional.mse_loss, (X[:, :3], y))
    with pytest.raises(BadInputError, match="differ in length"):
        mg.lr_find(_mlp(), torch.nn.functional.mse_loss, (X, y[:10]))
    with pytest.raises(BadInputError, match="start < end"):
        mg.lr_find(lambda lr: lr, start=1.0, end=0.1)
    with pytest.raises(BadTypeError, match="lr_find expects"):
        mg.lr_find("model", torch.nn.functional.mse_loss, (X, y))
    with pytest.raises(BadInputError, match="loss_fn and data"):
        mg.lr_find(_mlp())


def test_model_that_cannot_learn_is_flagged() -> None:
    result = mg.lr_find(lambda lr: 1.0, start=1e-4, end=1.0, steps=20)
    codes = [f.code for f in result.findings]
    assert "lr_no_descent" in codes and "lr_no_divergence" in codes
    # No rate is read off a flat curve: the suggestion is withheld and the finding says what to try.
    assert result.suggestion is None and set(result.alternatives.values()) == {None}
    assert "lr_suggested" not in codes
    flat = next(f for f in result.findings if f.code == "lr_no_descent")
    assert "no learning rate is suggested" in flat.title and "raise 'end'" in flat.suggestion
    assert result.to_dict()["suggestion"] is None and "no suggestion" in result.text()


def test_loss_that_rises_from_the_first_rate_withholds_the_suggestion() -> None:
    result = mg.lr_find(lambda lr: 1.0 + lr, start=1e-2, end=3.0, steps=20)
    assert result.suggestion is None
    rose = next(f for f in result.findings if f.code == "lr_no_descent")
    assert "lower 'start'" in rose.suggestion and rose.evidence["last_loss"] > rose.evidence["first_loss"]


def test_torch_model_whose_loss_ignores_it_gets_no_suggestion() -> None:
    X, y = _regression()
    result = mg.lr_find(_mlp(), lambda out, target: (out * 0.0).sum() + 1.0, (X, y), steps=20)
    assert result.kind == "torch" and result.suggestion is None
    assert [f.code for f in result.findings][0] == "lr_no_descent"
