"""mg.gradcheck: the seed's gradient, a planted bug, a constant factor, and PyTorch autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError


@pytest.fixture
def seed():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2, 100)
    X = np.column_stack([np.ones(100), x])
    y = 2 * x + 3 + rng.normal(0, 0.5, 100)
    theta = np.array([0.5, -1.0])
    return X, y, theta


def test_seed_gradient_passes_against_half_the_mse(seed) -> None:
    X, y, theta = seed
    half_mse = lambda th: 0.5 * np.mean((X @ th - y) ** 2)  # noqa: E731
    grad = lambda th: X.T @ (X @ th - y) / len(y)  # noqa: E731
    r = mg.gradcheck(half_mse, grad, theta)
    assert r.verdict == "good" and r.passed
    assert r.rel_error <= 1e-7
    assert r.findings == ()


def test_seed_gradient_against_plain_mse_is_off_by_a_constant_factor(seed) -> None:
    X, y, theta = seed
    mse = lambda th: np.mean((X @ th - y) ** 2)  # noqa: E731
    grad = lambda th: X.T @ (X @ th - y) / len(y)  # noqa: E731
    r = mg.gradcheck(mse, grad, theta)
    assert r.verdict == "scaled" and not r.passed
    assert "off by a constant factor 0.5" in r.message
    assert r.params[0].factor == pytest.approx(0.5, rel=1e-6)
    [f] = r.findings
    assert f.code == "gradcheck_scaled" and f.severity == mg.Severity.WARNING


def test_planted_bugs_fail(seed) -> None:
    X, y, theta = seed
    half_mse = lambda th: 0.5 * np.mean((X @ th - y) ** 2)  # noqa: E731
    flipped = lambda th: X.T @ (y - X @ th) / len(y)  # noqa: E731
    r = mg.gradcheck(half_mse, flipped, theta)
    assert r.verdict == "wrong" and "sign is flipped" in r.message
    assert r.findings[0].code == "gradcheck_wrong" and r.findings[0].severity == mg.Severity.ERROR
    forgot_y = lambda th: X.T @ (X @ th) / len(y)  # noqa: E731
    r = mg.gradcheck(half_mse, forgot_y, theta)
    assert r.verdict == "wrong" and r.rel_error > 1e-2 and r.params[0].factor is None


def test_bands() -> None:
    f = lambda th: float(np.sum(th ** 2))  # noqa: E731
    theta = np.array([1.0, 2.0, 3.0])
    assert mg.gradcheck(f, lambda th: 2 * th * (1 + 1e-6 * np.array([1, -1, 1])), theta).verdict == "suspicious"
    assert mg.gradcheck(f, lambda th: 2 * th + np.array([0.0, 0.05, 0.0]), theta).verdict == "likely_wrong"
    kinky = mg.gradcheck(f, lambda th: 2 * th * (1 + 1e-6 * np.array([1, -1, 1])), theta, kinks=True)
    assert kinky.verdict == "good"


class BuggySquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # should be 2 * x


class Net(torch.nn.Module):
    def __init__(self, buggy: bool) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.a = torch.nn.Linear(3, 4)
        self.b = torch.nn.Linear(4, 1)
        self.buggy = buggy

    def forward(self, x):
        h = self.a(x)
        h = BuggySquare.apply(h) if self.buggy else torch.tanh(h)
        return self.b(h)


def test_torch_autograd_good_and_planted_bug() -> None:
    X, y = torch.randn(16, 3), torch.randn(16, 1)
    loss = torch.nn.functional.mse_loss
    good_net = Net(buggy=False)
    r = mg.gradcheck(good_net, loss_fn=loss, data=(X, y))
    assert r.verdict == "good"
    assert [p.name for p in r.params] == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert next(good_net.parameters()).dtype == torch.float32  # the user's model is untouched
    bad = mg.gradcheck(Net(buggy=True), loss, (X, y))  # positional form also works
    by_name = {p.name: p for p in bad.params}
    assert by_name["b.weight"].verdict == "good"  # above the bug
    assert by_name["a.weight"].verdict in ("scaled", "wrong", "likely_wrong")
    assert not bad.passed and bad.findings


def test_bad_input(seed) -> None:
    X, y, theta = seed
    with pytest.raises(BadInputError, match="shape"):
        mg.gradcheck(lambda th: 0.0, lambda th: np.zeros(3), theta)
    with pytest.raises(BadTypeError):
        mg.gradcheck(lambda th: 0.0, None, theta)
    with pytest.raises(BadInputError, match="loss_fn and data"):
        mg.gradcheck(Net(False))
    with pytest.raises(BadInputError, match="eps"):
        mg.gradcheck(lambda th: 0.0, lambda th: th, theta, eps=2.0)
