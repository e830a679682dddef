"""Logs written by TensorFlow's tf.summary and Keras's TensorBoard callback, imported point for point."""

from __future__ import annotations

import os

import numpy as np
import pytest
import tensorflow as tf

import modelglass as mg

pytest.importorskip("google_crc32c")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.plugins.hparams import api as hp  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

from modelglass.integrations.tensorboard import import_tensorboard  # noqa: E402

keras = pytest.importorskip("keras")

ALL = {"scalars": 0, "histograms": 0, "tensors": 0, "images": 0, "audio": 0, "compressedHistograms": 0}


def _reference_tensors(folder: str, tag: str) -> list:
    acc = EventAccumulator(folder, size_guidance=ALL)
    acc.Reload()
    return acc.Tensors(tag)


def test_tf_summary_scalars_histograms_text_hparams(tmp_path):
    logdir = tmp_path / "logs"
    rng = np.random.default_rng(0)
    losses = rng.normal(1.0, 0.3, 300).astype(np.float32)
    writer = tf.summary.create_file_writer(str(logdir / "tf_run"))
    with writer.as_default():
        hp.hparams({"lr": 0.003, "optimizer": "adam", "layers": 3})
        for step, v in enumerate(losses):
            tf.summary.scalar("loss", v, step=step)
            tf.summary.scalar("lr", tf.constant(1e-3 * (step + 1), tf.float64), step=step)
        for step in range(0, 300, 50):
            tf.summary.histogram("weights", rng.normal(size=500) + step / 100, step=step, buckets=20)
        tf.summary.text("notes", "learning rate halved", step=150)
    writer.close()

    store = str(tmp_path / "mg.db")
    (run_id,) = import_tensorboard(logdir, store=store)
    reader = mg.open_store(store)
    info = reader.run(run_id)
    assert info.name == "tf_run"
    assert info.config == {"lr": 0.003, "optimizer": "adam", "layers": 3}
    loss = reader.series(run_id, "loss")
    np.testing.assert_array_equal(loss.steps, np.arange(300))
    np.testing.assert_array_equal(loss.values, losses.astype(np.float64))
    lr = reader.series(run_id, "lr")  # tf.summary.scalar writes float32, whatever it is given
    np.testing.assert_array_equal(lr.values, np.float32(1e-3 * (np.arange(300) + 1)).astype(np.float64))

    ref = _reference_tensors(str(logdir / "tf_run"), "weights")
    hists = reader.histograms(run_id, "weights").histograms
    assert [h.step for h in hists] == [e.step for e in ref] == list(range(0, 300, 50))
    for h, e in zip(hists, ref):
        buckets = tensor_util.make_ndarray(e.tensor_proto)
        np.testing.assert_array_equal(h.edges, np.concatenate((buckets[:1, 0], buckets[:, 1])))
        np.testing.assert_array_equal(h.counts, buckets[:, 2])
        assert h.count == 500
        assert h.time == pytest.approx(e.wall_time, abs=1e-6)
    (note,) = [e for e in reader.events(run_id) if e.data.get("kind") == "text"]
    assert (note.step, note.message, note.data["tag"]) == (150, "learning rate halved", "notes")


def _fit(logdir: str, lr: float, epochs: int = 15):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 1))).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    cb = keras.callbacks.TensorBoard(logdir, histogram_freq=1)
    return model.fit(x, y, validation_split=0.25, epochs=epochs, batch_size=32, verbose=0,
                     callbacks=[cb]).history


def test_keras_callback_train_and_validation_become_one_run(tmp_path):
    logdir = tmp_path / "logs"
    history = _fit(str(logdir / "mlp"), lr=0.05, epochs=6)
    assert sorted(os.listdir(logdir / "mlp")) == ["train", "validation"]

    store = str(tmp_path / "mg.db")
    (run_id,) = import_tensorboard(logdir, store=store, project="keras")
    reader = mg.open_store(store)
    info = reader.run(run_id)
    assert (info.name, info.project) == ("mlp", "keras")
    train = reader.series(run_id, "train/epoch_loss")
    val = reader.series(run_id, "val/epoch_loss")
    np.testing.assert_array_equal(train.steps, np.arange(6))
    np.testing.assert_array_equal(train.values, np.float32(history["loss"]).astype(np.float64))
    np.testing.assert_array_equal(val.values, np.float32(history["val_loss"]).astype(np.float64))
    # Two layers' kernel and bias, once per epoch.
    tags = reader.histogram_tags(run_id)
    assert len(tags) == 4 and all(t.startswith("train/") for t in tags)
    assert all(len(reader.histograms(run_id, t)) == 6 for t in tags)
    # Importing again adds nothing.
    assert import_tensorboard(logdir, store=store, project="keras") == [run_id]
    assert len(reader.series(run_id, "train/epoch_loss")) == 6


def test_diagnose_names_the_too_high_learning_rate_of_an_imported_keras_run(tmp_path):
    logdir = tmp_path / "logs"
    bad = _fit(str(logdir / "lr_0.4"), lr=0.4)
    _fit(str(logdir / "lr_0.05"), lr=0.05)
    assert not np.isfinite(bad["loss"][-1])  # the planted bug: the loss blows up

    store = str(tmp_path / "mg.db")
    import_tensorboard(logdir, store=store)
    diverged = mg.diagnose("lr_0.4", store=store)
    codes = [f.code for f in diverged.findings]
    assert "loss_divergence" in codes and "nan_inf" in codes
    finding = next(f for f in diverged.findings if f.code == "loss_divergence")
    assert "learning rate is most likely too high" in finding.suggestion
    assert finding.evidence["blew_up"] is True

    # The doctor names the planted bug as the most likely cause.
    assert diverged.top_cause is not None and diverged.top_cause.code == "lr_too_high"

    healthy = mg.diagnose("lr_0.05", store=store)
    assert not {"loss_divergence", "nan_inf"} & {f.code for f in healthy.findings}
    assert healthy.verdict == "healthy" and not healthy.causes
