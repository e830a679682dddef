"""model_as_found: a torch model leaves every analysis exactly as it came in."""

from __future__ import annotations

import pytest
import torch

import modelglass as mg
from modelglass.core import model_as_found


def _model() -> torch.nn.Module:
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    m.train()
    m[1].eval()  # a mixed state that model.train()/eval() would not give back
    m[0].bias.requires_grad_(False)
    m[3].weight.grad = torch.full_like(m[3].weight, 0.5)
    return m


def _state(m: torch.nn.Module) -> tuple:
    return ([x.training for x in m.modules()], [p.requires_grad for p in m.parameters()],
            {k: v.clone() for k, v in m.state_dict().items()},
            [None if p.grad is None else p.grad.clone() for p in m.parameters()])


def _same(a: tuple, b: tuple) -> bool:
    grads_equal = all((x is None and y is None) or (x is not None and y is not None and torch.equal(x, y))
                      for x, y in zip(a[3], b[3]))
    return (a[0] == b[0] and a[1] == b[1] and grads_equal
            and all(torch.equal(a[2][k], b[2][k]) for k in a[2]))


def test_sets_inside_and_restores_after_an_error() -> None:
    m = _model()
    before = _state(m)
    rng = torch.get_rng_state()
    with pytest.raises(RuntimeError, match="boom"):
        with model_as_found(m, training=False, requires_grad=True, values=True, grads=True, rng=True):
            assert not any(x.training for x in m.modules())
            assert all(p.requires_grad for p in m.parameters())
            with torch.no_grad():
                m[0].weight.add_(1.0)
            m[3].weight.grad = None
            torch.rand(5)
            raise RuntimeError("boom")
    assert _same(_state(m), before)
    assert torch.equal(torch.get_rng_state(), rng)


def test_without_values_the_block_may_change_parameters() -> None:
    m = _model()
    with model_as_found(m, training=True):
        with torch.no_grad():
            m[0].weight.zero_()
    assert float(m[0].weight.detach().abs().sum()) == 0.0 and not m[1].training


def test_analyses_leave_the_model_as_found() -> None:
    m = _model()
    before = _state(m)
    X, y = torch.randn(32, 3), torch.randn(32, 1)
    mg.inspect(m, X)
    mg.landscape(m, torch.nn.functional.mse_loss, (X, y), steps=5)
    mg.lr_find(m, torch.nn.functional.mse_loss, (X, y), steps=10, end=1.0)
    assert _same(_state(m), before)
