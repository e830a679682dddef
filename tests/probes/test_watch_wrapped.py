"""``watch`` is all-or-nothing, and finds the optimizer inside a framework's wrapper.

accelerate's ``AcceleratedOptimizer`` subclasses ``torch.optim.Optimizer`` without
calling its ``__init__`` (so it has no hook dicts) and keeps the real optimizer in
``.optimizer``; ``NoInit`` below reproduces that without installing transformers.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import modelglass as mg  # noqa: E402
from modelglass.core import BadInputError  # noqa: E402


class NoInit(torch.optim.Optimizer):
    """A wrapper that skips ``Optimizer.__init__``, as AcceleratedOptimizer does."""

    def __init__(self, optimizer, expose=True):  # noqa: D107 - no super().__init__ on purpose
        if expose:
            self.optimizer = optimizer
        self._inner = optimizer

    @property
    def param_groups(self):
        return self._inner.param_groups

    def step(self, closure=None):
        return self._inner.step(closure)

    def zero_grad(self, set_to_none=True):
        self._inner.zero_grad(set_to_none)


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))


def _no_hooks(model, opt):
    for m in model.modules():
        assert not (m._forward_hooks or m._forward_pre_hooks), m
    assert not opt._optimizer_step_pre_hooks and not opt._optimizer_step_post_hooks


def test_a_failed_hook_leaves_no_hook_and_says_why(tmp_path):
    model = _model()
    inner = torch.optim.SGD(model.parameters(), lr=0.1)
    wrapped = NoInit(inner, expose=False)  # nothing to unwrap: its own hooks cannot be added
    with mg.init("w", store=tmp_path / "s") as run:
        with pytest.raises(BadInputError, match=r"NoInit.*Optimizer.__init__.*No hook was left") as info:
            run.watch(model, optimizer=wrapped)
        assert "_optimizer_step_pre_hooks" in str(info.value)
        _no_hooks(model, inner)
        # The forward pass that crashed before (a hook left behind) now runs.
        x = torch.randn(5, 4)
        ((model(x) - 1) ** 2).mean().backward()
        wrapped.step()


def test_the_inner_optimizer_is_watched_and_named(tmp_path):
    model = _model()
    inner = torch.optim.SGD(model.parameters(), lr=0.1)
    wrapped = NoInit(inner)
    x = torch.randn(16, 4)
    seen = []
    with mg.init("w", store=tmp_path / "s") as run:
        watcher = run.watch(model, optimizer=wrapped, every=1)
        assert watcher.optimizer is inner and watcher.optimizer_wrapper == "NoInit"
        for _ in range(3):
            wrapped.zero_grad()
            ((model(x) - 1) ** 2).mean().backward()
            seen.append(float(torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters()))))
            wrapped.step()
        run.unwatch()
        _no_hooks(model, inner)
    reader = mg.open_store(tmp_path / "s")
    rid = reader.runs()[0].id
    gn = reader.series(rid, "grad_norm")
    assert list(gn.steps) == [0, 1, 2]
    assert list(gn.values) == pytest.approx(seen, rel=1e-5)
    art = reader.artifact(rid, "watch")
    assert art["optimizer"] == "SGD" and art["optimizer_wrapper"] == "NoInit"
    events = [e for e in reader.events(rid) if "inside NoInit" in e.message]
    assert len(events) == 1 and events[0].data["optimizer"] == "SGD"
