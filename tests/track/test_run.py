"""The Run API: values accepted, errors raised, statuses, summaries."""

from __future__ import annotations

import numpy as np
import pytest

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError
from modelglass.track import compute_histogram


def test_accepted_value_types(store_dir) -> None:
    torch = pytest.importorskip("torch")
    with mg.init("types", store=store_dir) as run:
        run.log({"py_float": 0.5, "py_int": 3, "np32": np.float32(1.5), "np_int": np.int64(7),
                 "zero_d": np.array(2.5), "tensor": torch.tensor(4.5), "flag": True})
    r = mg.open_store(store_dir)
    got = {t: r.series(run.id, t).values.tolist() for t in r.tags(run.id)}
    assert got == {"py_float": [0.5], "py_int": [3.0], "np32": [1.5], "np_int": [7.0],
                   "zero_d": [2.5], "tensor": [4.5], "flag": [1.0]}


@pytest.mark.parametrize(
    "value, fragment",
    [("0.5", "str"), (None, "NoneType"), (np.zeros(3), "ndarray of shape (3,)"), ([1.0], "list")],
)
def test_non_numbers_raise_type_error_naming_key(store_dir, value, fragment) -> None:
    with mg.init("bad", store=store_dir) as run:
        with pytest.raises(TypeError, match=rf"'val/acc'.*{fragment}".replace("(", r"\(").replace(")", r"\)")):
            run.log({"val/acc": value})
        run.log({"ok": 1.0})  # the run goes on
    assert mg.open_store(store_dir).tags(run.id) == ["ok"]


def test_auto_step_and_explicit_step(store_dir) -> None:
    with mg.init("steps", store=store_dir) as run:
        run.log({"a": 1.0})
        run.log({"a": 2.0})
        run.log({"a": 3.0}, step=10)
        run.log({"a": 4.0})
    s = mg.open_store(store_dir).series(run.id, "a")
    assert s.steps.tolist() == [0, 1, 10, 11]


def test_exception_marks_failed_and_keeps_data(store_dir) -> None:
    with pytest.raises(RuntimeError):
        with mg.init("fail", store=store_dir) as run:
            run.log({"loss": 1.0})
            raise RuntimeError("boom")
    (info,) = mg.open_store(store_dir).runs()
    assert info.status == "failed" and info.ended is not None
    assert mg.open_store(store_dir).series(info.id, "loss").values.tolist() == [1.0]


def test_summary_config_and_current_run(store_dir) -> None:
    assert mg.current_run() is None
    with mg.init("sum", name="first", config={"lr": np.float32(0.25), "layers": [2, 3]}, store=store_dir) as run:
        assert mg.current_run() is run
        run.summary["best"] = np.float64(0.125)
        run.summary.update(epochs=3)
    assert mg.current_run() is None
    (info,) = mg.open_store(store_dir).runs()
    assert info.name == "first" and info.status == "finished"
    assert info.config == {"lr": 0.25, "layers": [2, 3]}
    assert info.summary == {"best": 0.125, "epochs": 3}


def test_default_names_are_numbered(store_dir) -> None:
    names = []
    for _ in range(3):
        with mg.init("proj", store=store_dir) as run:
            names.append(run.name)
    assert names == ["proj-1", "proj-2", "proj-3"]


def test_bad_arguments(store_dir) -> None:
    with pytest.raises(BadInputError, match="project"):
        mg.init("", store=store_dir)
    with mg.init("x", store=store_dir) as run:
        with pytest.raises(BadTypeError, match="step"):
            run.log({"a": 1.0}, step="3")
        with pytest.raises(BadInputError, match="finished"):
            run.finish(status="weird")


def test_histogram_numbers_match_numpy() -> None:
    x = np.random.default_rng(3).standard_t(3, size=100_000)
    h = compute_histogram(x, bins=32)
    ref, _ = np.histogram(x, bins=h.edges)
    assert h.counts.sum() == x.size and np.abs(ref - h.counts).sum() <= 4
    assert (h.min, h.max) == (x.min(), x.max())
    assert h.mean == pytest.approx(x.mean()) and h.std == pytest.approx(x.std())
    const = compute_histogram(np.full(10, 2.0))
    assert const.counts.tolist() == [10] and const.edges[0] < 2.0 < const.edges[-1]
    empty = compute_histogram(np.array([np.nan, np.inf]))
    assert (empty.count, empty.nan_count, empty.inf_count) == (0, 1, 1)
    with pytest.raises(TypeError, match="numbers"):
        compute_histogram(np.array(["a", "b"]))


def test_torch_histogram_matches_numpy() -> None:
    torch = pytest.importorskip("torch")
    t = torch.randn(50_000, generator=torch.Generator().manual_seed(0))
    t[0] = float("nan")
    h = compute_histogram(t, bins=16)
    ref = compute_histogram(t.numpy(), bins=16)
    assert (h.count, h.nan_count) == (ref.count, 1)
    assert abs(h.counts - ref.counts).sum() <= 4
    assert h.mean == pytest.approx(ref.mean, abs=1e-6) and h.std == pytest.approx(ref.std, rel=1e-5)


def test_probe_logging_does_not_move_the_user_step(store_dir) -> None:
    with mg.init("adv", store=store_dir) as run:
        run.log({"loss": 1.0})
        run.log({"grad_norm": 5.0}, step=100, advance=False)
        run.log_histogram_data("weights/w", compute_histogram(np.arange(10.0)), step=100)
        run.log({"loss": 0.5})
    r = mg.open_store(store_dir)
    assert r.series(run.id, "loss").steps.tolist() == [0, 1]
    assert r.series(run.id, "grad_norm").steps.tolist() == [100]
    assert r.histograms(run.id, "weights/w").histograms[0].counts.sum() == 10
