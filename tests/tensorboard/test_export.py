"""Export: TensorBoard's own loader reads every point back (float32), histograms too."""

from __future__ import annotations

import numpy as np
import pytest

import modelglass as mg
from modelglass.cli import main
from modelglass.core import BadInputError
from modelglass.integrations.tensorboard import export_tensorboard, import_tensorboard


CONFIG = {"lr": 0.001, "optimizer": "adam", "layers": 3, "nesterov": True, "sizes": [64, 32]}


def _run(store):
    values = np.random.default_rng(0).normal(0, 1, 3000)
    values[[5, 6, 7, 8]] = [np.nan, np.inf, -np.inf, 1e300]
    with mg.init("p", name="native", config=CONFIG, store=store) as run:
        for step, v in enumerate(values):
            run.log({"loss": float(v), "lr": 0.1 / (step + 1)}, step=step)
        for step in (0, 100, 200):
            run.log_histogram("weights/fc", np.random.default_rng(step).normal(size=5000), step=step)
    return run.id, values


def test_event_accumulator_reads_every_point_and_histogram(tmp_path, tb):
    store = tmp_path / "mg.db"
    run_id, values = _run(store)
    path = export_tensorboard(run_id, tmp_path / "tb", store=store)
    assert "tfevents" in path
    acc = tb.accumulate(tmp_path / "tb")
    assert sorted(acc.Tags()["scalars"]) == ["loss", "lr"]
    loss = acc.Scalars("loss")
    assert [e.step for e in loss] == list(range(3000))
    with np.errstate(over="ignore"):
        expected = values.astype(np.float32)  # 1e300 -> inf: TensorBoard stores float32
    np.testing.assert_array_equal(np.array([e.value for e in loss], np.float32), expected)
    assert np.isinf(loss[8].value) and np.isnan(loss[5].value) and loss[7].value == -np.inf
    reader = mg.open_store(store)
    np.testing.assert_allclose([e.wall_time for e in loss], reader.series(run_id, "loss").times,
                               rtol=0, atol=1e-6)
    stored = reader.histograms(run_id, "weights/fc").histograms
    got = acc.Histograms("weights/fc")
    assert [e.step for e in got] == [0, 100, 200]
    for h, e in zip(stored, got):
        hv = e.histogram_value
        np.testing.assert_array_equal(hv.bucket_limit, h.edges[1:])
        np.testing.assert_array_equal(hv.bucket, h.counts)
        assert (hv.min, hv.max, hv.num) == (h.min, h.max, 5000)
        assert hv.sum / hv.num == pytest.approx(h.mean, abs=1e-12)


def test_export_then_import_is_the_float32_run(tmp_path):
    store = tmp_path / "mg.db"
    run_id, values = _run(store)
    export_tensorboard(run_id, tmp_path / "tb" / "native", store=store)
    export_tensorboard(run_id, tmp_path / "tb" / "native", store=store)  # replaces, no duplicate
    (back,) = import_tensorboard(tmp_path / "tb", store=tmp_path / "back.db")
    reader = mg.open_store(tmp_path / "back.db")
    s = reader.series(back, "loss")
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(s.values, values.astype(np.float32).astype(np.float64))
    # The config comes back through the hparams plugin (a list as its JSON text).
    assert reader.run(back).config == {**CONFIG, "sizes": "[64, 32]"}
    h0 = reader.histograms(back, "weights/fc").histograms[0]
    h1 = mg.open_store(store).histograms(run_id, "weights/fc").histograms[0]
    np.testing.assert_array_equal(h0.edges, h1.edges)
    np.testing.assert_array_equal(h0.counts, h1.counts)
    assert h0.std == pytest.approx(h1.std, rel=1e-9)


def test_cli_export_tensorboard(tmp_path, capsys, tb):
    store = tmp_path / "mg.db"
    _run(store)
    assert main(["export", "native", "--store", str(store), "--format", "tensorboard",
                 "-o", str(tmp_path / "out")]) == 0
    assert "wrote 6000 points and 3 histograms" in capsys.readouterr().err
    assert len(tb.accumulate(tmp_path / "out").Scalars("lr")) == 3000
    assert main(["export", "native", "--store", str(store), "--format", "tensorboard"]) == 2
    assert "needs -o DIR" in capsys.readouterr().err
    (tmp_path / "afile").write_text("x")
    with pytest.raises(BadInputError, match="is a file"):
        export_tensorboard("native", tmp_path / "afile", store=store)


def test_text_events_round_trip(tmp_path, tb):
    torch_tb = pytest.importorskip("torch.utils.tensorboard")
    with torch_tb.SummaryWriter(str(tmp_path / "logs" / "r")) as w:
        w.add_text("notes", "lr halved", 40)
        w.add_scalar("loss", 1.0, 0)
    (run_id,) = import_tensorboard(tmp_path / "logs", store=tmp_path / "a.db")
    export_tensorboard(run_id, tmp_path / "tb", store=tmp_path / "a.db")
    (back,) = import_tensorboard(tmp_path / "tb", store=tmp_path / "b.db")
    (note,) = mg.open_store(tmp_path / "b.db").events(back)
    assert (note.step, note.message, note.data["tag"]) == (40, "lr halved", "notes/text_summary")
    assert "notes/text_summary" in tb.accumulate(tmp_path / "tb").Tags()["tensors"]
