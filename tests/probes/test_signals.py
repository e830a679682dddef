"""The bug signals ``run.watch`` records into the ``signals`` artifact."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import modelglass as mg  # noqa: E402
from modelglass.core import BadInputError  # noqa: E402


def _model(dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(0)
    layers = [nn.Linear(6, 16), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else []) + [nn.Linear(16, 3)]
    return nn.Sequential(*layers)


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.randn(24, 6, generator=g), torch.randint(0, 3, (24,), generator=g)


def _signals(tmp_path, pattern: str, steps: int = 12, accumulate: int = 1, **watch) -> dict:
    model, (x, y) = _model(watch.pop("dropout", 0.0)), _data()
    params = watch.pop("params", None)
    opt = torch.optim.SGD(params(model) if params else model.parameters(), lr=0.01)
    crit = watch.pop("loss_fn", nn.CrossEntropyLoss())
    store = str(tmp_path / "s")
    with mg.init("sig", store=store) as run:
        run.watch(model, opt, every=2, loss_fn=crit, **watch)
        for i in range(steps * accumulate):
            if pattern == "zero_first":
                opt.zero_grad()
            out = model(x)
            loss = crit(out, y)
            if pattern == "zero_after_forward":
                opt.zero_grad()
            (loss / accumulate).backward()
            if (i + 1) % accumulate == 0:
                opt.step()
                if pattern == "zero_after_step":
                    opt.zero_grad()
        with torch.no_grad():
            model(x)  # a validation pass without model.eval()
        run_id = run.id
    with mg.open_store(store) as reader:
        return reader.artifact(run_id, "signals")


def test_a_forgotten_zero_grad_is_seen_at_the_next_backward(tmp_path) -> None:
    s = _signals(tmp_path, "never")["stale_grad"]
    assert s["checked"] >= 5 and s["stale"] == s["checked"]
    assert s["first_step"] == 1 and s["param"] == "0.weight"


@pytest.mark.parametrize("pattern, accumulate", [
    ("zero_first", 1), ("zero_after_forward", 1), ("zero_after_step", 4),
])
def test_correct_zeroing_patterns_are_not_stale(tmp_path, pattern: str, accumulate: int) -> None:
    s = _signals(tmp_path, pattern, accumulate=accumulate)["stale_grad"]
    assert s["checked"] >= 5 and s["stale"] == 0


def test_a_no_grad_pass_in_training_mode_is_counted_only_with_dropout(tmp_path) -> None:
    with_dropout = _signals(tmp_path / "a", "zero_first", dropout=0.3)["eval_mode"]
    assert with_dropout["train_mode_modules"] == ["Dropout"]
    assert with_dropout["no_grad_forwards_in_train_mode"] == 1 and with_dropout["first_step"] == 12
    plain = _signals(tmp_path / "b", "zero_first")["eval_mode"]
    assert plain["train_mode_modules"] == [] and plain["no_grad_forwards_in_train_mode"] == 0


def test_loss_inputs_are_recorded_and_a_broadcast_is_flagged(tmp_path) -> None:
    loss = _signals(tmp_path / "a", "zero_first")["loss"]
    assert loss["module"] == "CrossEntropyLoss" and loss["shape_mismatch"] is None
    rec = loss["records"][0]
    assert rec["input_shape"] == [24, 3] and rec["target_shape"] == [24]
    assert rec["target_levels"] == 3 and rec["row_sum_dev"] > 0.01  # logits, not probabilities

    class Wrapped(nn.Module):  # the user's wrapper: the torch loss inside is what gets hooked
        def __init__(self) -> None:
            super().__init__()
            self.mse = nn.MSELoss()

        def forward(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return self.mse(out[:, :1], y.float())  # (N, 1) against (N,): broadcasts to (N, N)

    bad = _signals(tmp_path / "b", "zero_first", loss_fn=Wrapped())["loss"]
    assert bad["module"] == "MSELoss" and bad["class"] == "Wrapped"
    assert bad["shape_mismatch"] == {"input": [24, 1], "target": [24]}


def test_parameters_left_out_of_the_optimizer_but_not_frozen_ones(tmp_path) -> None:
    def first_only(model: nn.Module) -> list:
        model[2].weight.requires_grad_(False)  # frozen on purpose: a choice, not a bug
        return list(model[0].parameters())

    s = _signals(tmp_path, "zero_first", params=first_only)
    assert s["not_in_optimizer"] == ["2.bias"]
    assert s["frozen"] == ["2.weight"]


def test_the_input_scale_is_recorded(tmp_path) -> None:
    rows = _signals(tmp_path, "zero_first")["inputs"]
    assert rows[0]["step"] == 0 and rows[0]["shape"] == [24, 6]
    x, _ = _data()
    assert rows[0]["std"] == pytest.approx(float(x.double().std(correction=0)), rel=1e-6)


def test_loss_fn_must_be_a_module(tmp_path) -> None:
    with mg.init("sig", store=str(tmp_path / "s")) as run:
        with pytest.raises(BadInputError, match="loss module"):
            run.watch(_model(), loss_fn=nn.functional.cross_entropy)


@pytest.mark.parametrize("on_error, expect", [
    ("warn", list(range(50)) + list(range(50, 120, 5))),  # dense while an lr blow-up shows
    ("raise", list(range(120))),  # every step: training stops before the first bad update
])
def test_grad_norm_every_step_first_then_every_tenth_of_every(tmp_path, on_error: str,
                                                             expect: list[int]) -> None:
    model, (x, y) = _model(), _data()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    store = str(tmp_path / "s")
    with mg.init("stride", store=store) as run:
        run.watch(model, opt, every=50, on_error=on_error, activations=False, histograms=False)
        for _ in range(120):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
        run_id = run.id
    with mg.open_store(store) as reader:
        assert list(reader.series(run_id, "grad_norm").steps) == expect
