"""``run.watch``: series, histograms, artifacts, NaN probe, and leaving the model as found."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import modelglass as mg  # noqa: E402
from modelglass.probes import TrainingError  # noqa: E402


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 1))


def train(model, opt, steps, x=None, run=None):
    x = torch.randn(32, 6, generator=torch.Generator().manual_seed(1)) if x is None else x
    y = x[:, :1] * 2
    losses = []
    for _ in range(steps):
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if run is not None:
            run.log({"loss": loss.item()})
    return losses


def test_series_histograms_and_watch_artifact(tmp_path):
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, every=5)
        train(model, opt, 12, run=run)
    reader = mg.open_store(tmp_path / "s")
    rid = reader.runs()[0].id
    assert list(reader.series(rid, "grad_norm").steps) == list(range(12))
    assert list(reader.series(rid, "loss").steps) == list(range(12))  # user steps not shifted
    for tag in ("grad_norm/0.weight", "weight_norm/4.bias", "update_ratio/2.weight", "lr",
                "act/mean/1", "act/std/3", "act/zero_fraction/1", "act/dead_fraction/1",
                "act/saturated_fraction/3", "act/mean/0"):
        assert list(reader.series(rid, tag).steps) == [0, 5, 10], tag
    assert "act/dead_fraction/3" not in reader.tags(rid)  # tanh has no dead units
    assert "act/saturated_fraction/1" not in reader.tags(rid)
    hists = reader.histogram_tags(rid)
    assert {"weights/0.weight", "grads/0.weight", "act/1"} <= set(hists)
    h = reader.histograms(rid, "weights/0.weight").histograms[0]
    assert h.count == 96 and h.counts.sum() == 96 and h.nan_count == 0
    art = reader.artifact(rid, "watch")
    assert art["params"] == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert art["modules"]["3"] == "Tanh" and art["output_width"] == 1 and art["every"] == 5


def test_numbers_are_right(tmp_path):
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, every=1)
        x = torch.randn(32, 6)
        w0 = model[0].weight.detach().clone()
        loss = ((model(x) - 1) ** 2).mean()
        loss.backward()
        g = model[0].weight.grad.clone()
        total = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters()))
        acts = torch.relu(model[0](x))
        opt.step()
    reader = mg.open_store(tmp_path / "s")
    rid = reader.runs()[0].id
    val = lambda tag: float(reader.series(rid, tag).values[0])  # noqa: E731
    assert val("grad_norm") == pytest.approx(float(total), rel=1e-5)
    assert val("grad_norm/0.weight") == pytest.approx(float(g.norm()), rel=1e-5)
    assert val("weight_norm/0.weight") == pytest.approx(float(w0.norm()), rel=1e-5)
    assert val("update_ratio/0.weight") == pytest.approx(float((0.1 * g).norm() / w0.norm()), rel=1e-4)
    assert val("act/zero_fraction/1") == pytest.approx(float((acts == 0).float().mean()), rel=1e-5)
    never_positive = (acts > 0).any(0).logical_not().float().mean()
    assert val("act/dead_fraction/1") == pytest.approx(float(never_positive), abs=1e-6)


def test_watch_leaves_the_model_bit_for_bit_as_found(tmp_path):
    plain, watched = make_model(), make_model()
    watched.train()
    watched[2].requires_grad_(False)
    plain[2].requires_grad_(False)
    before = set(watched.__dict__)
    sub_before = {n: set(m.__dict__) for n, m in watched.named_modules()}
    opt_p = torch.optim.Adam([p for p in plain.parameters() if p.requires_grad], lr=0.01)
    opt_w = torch.optim.Adam([p for p in watched.parameters() if p.requires_grad], lr=0.01)
    run = mg.init("w", store=tmp_path / "s")
    run.watch(watched, optimizer=opt_w, every=3)
    torch.manual_seed(5)
    watched_losses = train(watched, opt_w, 10)
    run.unwatch()
    torch.manual_seed(5)
    plain_losses = train(plain, opt_p, 10)
    run.finish()
    assert watched_losses == plain_losses  # the hooks changed nothing, not even the RNG stream
    for (k, a), (_, b) in zip(plain.state_dict().items(), watched.state_dict().items()):
        assert torch.equal(a, b), k
    assert set(watched.__dict__) == before
    assert {n: set(m.__dict__) for n, m in watched.named_modules()} == sub_before
    for m in watched.modules():
        assert not (m._forward_hooks or m._forward_pre_hooks or m._backward_hooks)
    assert not opt_w._optimizer_step_pre_hooks and not opt_w._optimizer_step_post_hooks
    assert watched.training and not watched[2].weight.requires_grad


def test_without_optimizer_a_step_is_a_backward(tmp_path):
    model = make_model()
    x = torch.randn(16, 6)
    with mg.init("w", store=tmp_path / "s") as run:
        watcher = run.watch(model, every=2)
        for _ in range(5):
            model.zero_grad()
            ((model(x) - 1) ** 2).mean().backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.05 * p.grad
        assert watcher.step == 5
    reader = mg.open_store(tmp_path / "s")
    rid = reader.runs()[0].id
    assert list(reader.series(rid, "grad_norm").steps) == [0, 1, 2, 3, 4]
    # The update after step 4 would be measured at the next forward, which never comes.
    assert list(reader.series(rid, "update_ratio/0.weight").steps) == [0, 2]
    assert all(v > 0 for v in reader.series(rid, "update_ratio/0.weight").values)


class Blows(nn.Module):
    """``mid`` takes the log of a negative number on purpose."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 4)
        self.mid = nn.Linear(4, 4)
        self.out = nn.Linear(4, 1)

    def forward(self, x):
        h = torch.relu(self.inp(x))
        return self.out(torch.log(self.mid(h) - 100.0))


def test_nan_probe_names_the_module_and_warns_once(tmp_path):
    model = Blows()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, every=50)
        x = torch.randn(8, 4)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            for _ in range(3):
                opt.zero_grad()
                model(x).mean().backward()
                opt.step()
    nan_warnings = [w for w in seen if "NaN/Inf" in str(w.message)]
    assert len(nan_warnings) == 1
    reader = mg.open_store(tmp_path / "s")
    rid = reader.runs()[0].id
    art = reader.artifact(rid, "nonfinite")
    assert art["step"] == 0 and art["where"] == "output"
    # mid's own output is finite and out only passes the NaN on: the log in the root's
    # own forward is where it breaks, just before 'out'.
    assert art["module"] == "" and art["before"] == "out"
    events = [e for e in reader.events(rid) if e.level == "error"]
    assert len(events) == 1 and events[0].data["finding"]["code"] == "nan_inf"


class BadLayer(nn.Module):
    def forward(self, x):
        return x / (x - x)  # 0/0: NaN


def test_nan_probe_finds_the_submodule_and_raises_before_the_update(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), BadLayer(), nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, every=50, on_error="raise")
        opt.zero_grad()
        model(torch.randn(8, 4)).mean().backward()
        with pytest.raises(TrainingError) as info:
            opt.step()
        assert info.value.finding.code == "nan_inf"
        assert info.value.finding.evidence["module"] == "2"
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    reader = mg.open_store(tmp_path / "s")
    art = reader.artifact(reader.runs()[0].id, "nonfinite")
    assert art == {"step": 0, "module": "2", "where": "output", "input_nonfinite": False}


class GradBomb(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        return g * float("inf")


class BadGrad(nn.Module):
    def forward(self, x):
        return GradBomb.apply(x)


def test_nan_in_gradients_only_names_the_module_nearest_the_output(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), BadGrad(), nn.Linear(4, 4), nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, on_error="ignore")
        model(torch.randn(8, 4)).sum().backward()
        opt.step()
    reader = mg.open_store(tmp_path / "s")
    art = reader.artifact(reader.runs()[0].id, "nonfinite")
    assert (art["module"], art["where"]) == ("0", "grad") and art["param"].startswith("0.")


def test_bad_arguments(tmp_path):
    with mg.init("w", store=tmp_path / "s") as run:
        with pytest.raises(ValueError, match="positive int. Got 0"):
            run.watch(make_model(), every=0)
        with pytest.raises(ValueError, match="torch.nn.Module"):
            run.watch("not a model")
        with pytest.raises(ValueError, match="on_error"):
            run.watch(make_model(), on_error="explode")


@pytest.fixture
def live_registry():
    """Restores whatever live rules were registered before the test."""
    from modelglass.probes import _live

    saved = _live._registered
    yield _live
    _live._registered = saved


def test_live_rules_hook_reports_findings(tmp_path, live_registry):
    from modelglass.core import Finding

    calls = []

    def live_rules(values, step):
        calls.append((step, "weight_norm/0.weight" in values))
        return [Finding("test_rule", "warning", "a test rule fired", {"step": step}, "", step, "diagnose")]

    mg.probes.set_live_rules(live_rules)
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, every=2)
        with pytest.warns(RuntimeWarning, match="a test rule fired"):
            train(model, opt, 5)
    # Every step gets the cheap check on grad_norm; recorded steps get every value.
    assert calls == [(0, True), (1, False), (2, True), (3, False), (4, True)]
    reader = mg.open_store(tmp_path / "s")
    events = reader.events(reader.runs()[0].id)
    assert [e.message for e in events] == ["a test rule fired"]


class _Counter:
    """A live state: how many steps the rules saw, one counter per watched run."""

    def __init__(self):
        self.steps = []


def count_steps(values, step, state):
    state.steps.append(step)
    return []


def test_live_rules_registered_by_path_are_imported_on_first_use(tmp_path, live_registry):
    states = []

    def new_state():
        states.append(_Counter())
        return states[-1]

    live_registry.set_live_rules(f"{__name__}:count_steps", new_state)
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, every=2)
        train(model, opt, 3)
        run.unwatch()
        run.watch(model, optimizer=opt, every=2, diagnose=False)
        train(model, opt, 2)
    assert [s.steps for s in states] == [[0, 1, 2]]  # one state per run; diagnose=False: no calls


def test_a_live_rules_path_that_does_not_import_warns_and_training_goes_on(tmp_path, live_registry):
    live_registry.set_live_rules("modelglass_no_such_module:rules")
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, every=2)
        with pytest.warns(RuntimeWarning, match="live diagnosis unavailable"):
            train(model, opt, 3)
    reader = mg.open_store(tmp_path / "s")
    assert list(reader.series(reader.runs()[0].id, "grad_norm").steps) == [0, 1, 2]


def test_device_histograms_agree_with_compute_histogram():
    from modelglass.probes.torch._tensors import HIST_SAMPLE, histograms
    from modelglass.track import compute_histogram

    torch.manual_seed(0)
    small = torch.randn(1000) * 2 + 3
    large = torch.randn(HIST_SAMPLE * 4, dtype=torch.float64) + 1000.0  # mean >> std
    broken = torch.tensor([1.0, float("nan"), 2.0, float("inf"), 4.0])
    ints = torch.arange(6)
    for t, h in zip((small, large, broken, ints), histograms([small, large, broken, ints], 16)):
        ref = compute_histogram(t.numpy(), 16)
        assert (h.count, h.nan_count, h.inf_count) == (ref.count, ref.nan_count, ref.inf_count)
        assert (h.min, h.max) == pytest.approx((ref.min, ref.max))
        assert h.mean == pytest.approx(ref.mean, rel=1e-6)
        assert h.std == pytest.approx(ref.std, rel=1e-4)
        assert int(h.counts.sum()) == ref.count
    exact = histograms([small], 16)[0]
    assert list(exact.counts) == list(compute_histogram(small.numpy(), 16).counts)


def test_raise_without_optimizer_comes_out_of_backward(tmp_path):
    model = nn.Sequential(nn.Linear(3, 3), BadLayer(), nn.Linear(3, 1))
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, on_error="raise")
        with pytest.raises(TrainingError) as info:
            model(torch.randn(2, 3)).sum().backward()
    assert info.value.finding.evidence["module"] == "1"


def test_half_precision_gradients_keep_their_norm():
    from modelglass.probes.torch._tensors import global_norm, norms

    g = [torch.full((1000,), 0.01, dtype=torch.bfloat16), torch.ones(3)]
    assert global_norm(norms(g)).item() == pytest.approx((1000 * 0.01 ** 2 + 3) ** 0.5, rel=1e-3)


def test_huge_but_finite_gradients_are_not_reported_as_nan(tmp_path) -> None:
    """A float32 sum of squares overflows near 1e19; the true norm is finite and is logged."""
    import warnings

    import torch

    import modelglass as mg

    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    run = mg.init("huge", store=tmp_path / "s")
    run.watch(model, opt, every=1)
    x = torch.full((8, 4), 1e19)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NaN/Inf warning may fire
        opt.zero_grad()
        model(x).mean().backward()
        opt.step()
    run.finish()
    reader = mg.open_store(tmp_path / "s")
    assert reader.series(run.id, "grad_norm").values[0] == pytest.approx(2e19, rel=1e-6)
    assert reader.series(run.id, "grad_norm/weight").values[0] == pytest.approx(2e19, rel=1e-6)
    assert reader.artifact(run.id, "nonfinite", default=None) is None
