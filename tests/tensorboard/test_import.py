"""Logs of the real writers (torch, tensorboardX, tensorboard's own) imported point for point."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

import modelglass as mg
from modelglass.core import BadInputError
from modelglass.integrations.tensorboard import STATE_ARTIFACT, find_runs, import_tensorboard

torch_tb = pytest.importorskip("torch.utils.tensorboard")


def _values(n, seed=0):
    v = np.random.default_rng(seed).normal(0, 3, n).astype(np.float32)
    v[[7, 11, 13]] = [np.nan, np.inf, -np.inf]
    v[20] = np.float32(3.4e38)
    v[21] = np.float32(1e-45)  # the smallest float32 subnormal
    return v


@pytest.mark.parametrize("new_style", [False, True])
def test_torch_scalars_every_point_exactly(tmp_path, new_style, tb):
    logdir = tmp_path / "logs"
    values = _values(500)
    with torch_tb.SummaryWriter(str(logdir / "exp")) as w:
        for step, v in enumerate(values):
            w.add_scalar("Loss/train", float(v), 3 * step, new_style=new_style)
    store = tmp_path / "mg.db"
    (run_id,) = import_tensorboard(logdir, store=store)
    reader = mg.open_store(store)
    assert reader.run(run_id).name == "exp" and reader.run(run_id).project == "tensorboard"
    s = reader.series(run_id, "Loss/train")
    np.testing.assert_array_equal(s.steps, 3 * np.arange(500))
    np.testing.assert_array_equal(s.values, values.astype(np.float64))  # NaN/Inf too
    acc = tb.accumulate(logdir / "exp")
    ref = acc.Tensors("Loss/train") if new_style else acc.Scalars("Loss/train")
    np.testing.assert_allclose(s.times, [e.wall_time for e in ref], rtol=0, atol=1e-6)


def test_tensorboardx_and_tensorboards_own_writer(tmp_path):
    tbx = pytest.importorskip("tensorboardX")
    from tensorboard.summary import DirectoryOutput, Writer

    logdir = tmp_path / "logs"
    values = _values(200, seed=1)
    w = tbx.SummaryWriter(str(logdir / "tbx"))
    for step, v in enumerate(values):
        w.add_scalar("acc", float(v), step)
    w.close()
    own = Writer(DirectoryOutput(str(logdir / "own")))
    for step, v in enumerate(values):
        own.add_scalar("train/loss", np.float32(v), step)
    own.close()

    store = tmp_path / "mg.db"
    ids = import_tensorboard(logdir, store=store)
    reader = mg.open_store(store)
    by_name = {reader.run(i).name: i for i in ids}
    assert sorted(by_name) == ["own", "tbx"]
    np.testing.assert_array_equal(reader.series(by_name["tbx"], "acc").values, values.astype(np.float64))
    own_loss = reader.series(by_name["own"], "train/loss")
    np.testing.assert_array_equal(own_loss.values, values.astype(np.float64))
    np.testing.assert_array_equal(own_loss.steps, np.arange(200))


def test_torch_histograms_text_and_hparams(tmp_path, tb):
    logdir = tmp_path / "logs"
    rng = np.random.default_rng(2)
    with torch_tb.SummaryWriter(str(logdir / "exp")) as w:
        for step in range(0, 100, 10):
            w.add_histogram("weights/fc", rng.normal(step / 10, 1, 2000), step)
        w.add_text("notes", "switched to **cosine** schedule", 40)
        w.add_hparams({"lr": 0.01, "batch": 64, "opt": "sgd"}, {"hp/val_loss": 0.25}, run_name="hp")
    store = tmp_path / "mg.db"
    ids = import_tensorboard(logdir, store=store)
    reader = mg.open_store(store)
    by_name = {reader.run(i).name: i for i in ids}
    run_id = by_name["exp"]

    ref = tb.accumulate(logdir / "exp").Histograms("weights/fc")
    hists = reader.histograms(run_id, "weights/fc").histograms
    assert [h.step for h in hists] == [e.step for e in ref] == list(range(0, 100, 10))
    for h, e in zip(hists, ref):
        hv = e.histogram_value
        np.testing.assert_array_equal(h.edges[1:], hv.bucket_limit)
        np.testing.assert_array_equal(h.counts, hv.bucket)
        assert h.edges[0] <= hv.min and (h.min, h.max, h.count) == (hv.min, hv.max, 2000)
        assert h.mean == pytest.approx(hv.sum / hv.num, rel=1e-12)
        assert h.std == pytest.approx(math.sqrt(hv.sum_squares / hv.num - (hv.sum / hv.num) ** 2), rel=1e-9)
    (note,) = reader.events(run_id)
    assert (note.step, note.message, note.data["tag"]) == (40, "switched to **cosine** schedule",
                                                           "notes/text_summary")
    hp_run = reader.run(by_name["exp/hp"])
    assert hp_run.config == {"lr": 0.01, "batch": 64, "opt": "sgd"}
    assert reader.series(hp_run.id, "hp/val_loss").values.tolist() == [0.25]


def test_keras_layout_is_one_run_and_nested_folders_keep_their_path(tmp_path):
    logdir = tmp_path / "logs"
    for split, offset in (("train", 0.0), ("validation", 0.5)):
        with torch_tb.SummaryWriter(str(logdir / "keras" / split)) as w:
            for step in range(10):
                w.add_scalar("epoch_loss", 1.0 / (step + 1) + offset, step)
    with torch_tb.SummaryWriter(str(logdir / "group" / "seed_1")) as w:
        w.add_scalar("loss", 1.0, 0)
    assert [r.name for r in find_runs(str(logdir))] == ["group/seed_1", "keras"]
    store = tmp_path / "mg.db"
    ids = import_tensorboard(logdir, store=store, project="p")
    reader = mg.open_store(store)
    keras_id = next(i for i in ids if reader.run(i).name == "keras")
    assert reader.tags(keras_id) == ["train/epoch_loss", "val/epoch_loss"]
    np.testing.assert_array_equal(
        reader.series(keras_id, "val/epoch_loss").values,
        np.float32(1.0 / (np.arange(10) + 1) + 0.5).astype(np.float64),
    )


def test_reimport_adds_only_new_points(tmp_path, tb):
    logdir = tmp_path / "logs"
    store = tmp_path / "mg.db"
    w = torch_tb.SummaryWriter(str(logdir / "live"))
    for step in range(100):
        w.add_scalar("loss", float(step), step)
    w.flush()
    (run_id,) = import_tensorboard(logdir, store=store)
    assert import_tensorboard(logdir, store=store) == [run_id]  # nothing new: nothing stored
    for step in range(100, 250):
        w.add_scalar("loss", float(step), step)
    w.add_histogram("h", np.arange(10.0), 200)
    w.close()
    assert import_tensorboard(logdir, store=store) == [run_id]
    import_tensorboard(logdir, store=store)
    reader = mg.open_store(store)
    s = reader.series(run_id, "loss")
    np.testing.assert_array_equal(s.steps, np.arange(250))
    np.testing.assert_array_equal(s.values, np.arange(250.0))
    assert len(reader.histograms(run_id, "h")) == 1
    state = reader.artifact(run_id, STATE_ARTIFACT)
    (path,) = tb.event_files(logdir / "live")
    assert state["files"] == {"live/" + os.path.basename(path): os.path.getsize(path)}
    # Another project is another set of runs; the same project finds its runs again.
    other = import_tensorboard(logdir, store=store, project="other")
    assert other != [run_id] and len(mg.open_store(store).runs()) == 2


def test_a_new_file_in_a_run_folder_continues_the_run(tmp_path):
    logdir = tmp_path / "logs"
    store = tmp_path / "mg.db"
    with torch_tb.SummaryWriter(str(logdir / "r"), filename_suffix=".a") as w:
        for step in range(5):
            w.add_scalar("loss", float(step), step)
    (run_id,) = import_tensorboard(logdir, store=store)
    with torch_tb.SummaryWriter(str(logdir / "r"), filename_suffix=".b") as w:  # a resumed job
        for step in range(5, 9):
            w.add_scalar("loss", float(step), step)
    assert import_tensorboard(logdir, store=store) == [run_id]
    np.testing.assert_array_equal(mg.open_store(store).series(run_id, "loss").values, np.arange(9.0))


def test_bad_input_is_one_clear_error(tmp_path):
    with pytest.raises(BadInputError, match="does not exist or is not a folder"):
        import_tensorboard(tmp_path / "missing", store=tmp_path / "mg.db")
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "notes.txt").write_text("x")
    with pytest.raises(BadInputError, match=r"holds no TensorBoard event files \(\*tfevents\*\)"):
        import_tensorboard(tmp_path / "empty", store=tmp_path / "mg.db")
    with pytest.raises(BadInputError, match="'project' argument"):
        import_tensorboard(tmp_path / "empty", store=tmp_path / "mg.db", project="  ")


def test_an_unreadable_event_file_is_one_clear_error(tmp_path, capsys):
    (tmp_path / "logs" / "r").mkdir(parents=True)
    broken = tmp_path / "logs" / "r" / "events.out.tfevents.1.host"
    broken.symlink_to(tmp_path / "gone")
    with pytest.raises(BadInputError, match=r"Cannot read the event file .*events\.out\.tfevents\.1\.host"):
        import_tensorboard(tmp_path / "logs", store=tmp_path / "mg.db")
    from modelglass.cli import main

    assert main(["import", "tensorboard", str(tmp_path / "logs"), "--store", str(tmp_path / "mg.db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("modelglass: error: Cannot read the event file") and err.count("\n") == 1


def test_two_importers_of_one_folder_store_nothing_twice(tmp_path):
    from modelglass.integrations.tensorboard import TensorBoardImporter

    logdir = tmp_path / "logs"
    w = torch_tb.SummaryWriter(str(logdir / "r"))
    for step in range(10):
        w.add_scalar("loss", float(step), step)
    w.flush()
    store = tmp_path / "mg.db"
    with TensorBoardImporter(logdir, store) as a, TensorBoardImporter(logdir, store) as b:
        (src,) = find_runs(str(logdir))
        late = a._read_run(a._plan(src))  # a reads, then b imports before a writes
        b.import_once()
        assert a._write_run(*late).points == 0
        for step in range(10, 15):
            w.add_scalar("loss", float(step), step)
        w.flush()
        late = a._read_run(a._plan(src))
        b.import_once()
        assert a._write_run(*late).points == 0
        assert a.import_once()[0].points == 0  # b has imported everything already
    w.close()
    (run,) = mg.open_store(store).runs()
    np.testing.assert_array_equal(mg.open_store(store).series(run.id, "loss").steps, np.arange(15))
