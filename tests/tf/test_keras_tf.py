"""The Keras callback on TensorFlow: Keras's steps and values, exact gradient norms, steps_per_execution."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import keras  # noqa: E402 - after tensorflow: the TensorFlow backend

if keras.backend.backend() != "tensorflow":  # pragma: no cover
    pytest.skip("Keras is not on the TensorFlow backend here", allow_module_level=True)

import modelglass as mg  # noqa: E402
from modelglass.integrations.keras import ModelglassCallback  # noqa: E402

from integrations._keras_common import data, model, seen_callback, series  # noqa: E402

BATCH = 16


class TapeNorms(keras.callbacks.Callback):
    """Before each batch, the gradient norm of that batch's loss, by a tape of the test's own."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y, self.norms = x, y, []

    def on_train_batch_begin(self, batch, logs=None):
        xb, yb = self.x[batch * BATCH:(batch + 1) * BATCH], self.y[batch * BATCH:(batch + 1) * BATCH]
        with tf.GradientTape() as tape:
            loss = keras.losses.mean_squared_error(yb, self.model(xb, training=True))
            loss = tf.reduce_mean(loss)
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.norms.append(float(tf.linalg.global_norm(grads)))


def test_steps_values_and_gradient_norms_match_keras(tmp_path):
    x, y = data()
    m = model(keras, lr=0.05)
    seen, tape = seen_callback(keras), TapeNorms(x, y)
    cb = ModelglassCallback(project="tf", store=str(tmp_path / "s"), every=4, verbose=False)
    m.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, validation_data=data(32, seed=1),
          callbacks=[tape, cb, seen], verbose=0)
    reader = mg.open_store(str(tmp_path / "s"))
    rid = cb.run.id
    steps = [s for s, _, _ in seen.batches]
    assert steps == list(range(1, 9))
    assert series(reader, rid, "train/loss") == (steps, [logs["loss"] for _, logs, _ in seen.batches])
    assert series(reader, rid, "val/mae") == ([4, 8], [logs["val_mae"] for _, logs in seen.epochs])
    got_steps, got = series(reader, rid, "grad_norm")
    assert got_steps == steps and got == pytest.approx(tape.norms, rel=1e-4)
    assert series(reader, rid, "lr") == (steps, pytest.approx([0.05] * 8))
    assert series(reader, rid, "weight_norm/net/hidden/kernel")[0] == [1, 5]
    assert reader.artifact(rid, "model")["total_params"] == m.count_params()
    assert reader.runs()[0].status == "finished"
    assert "apply_gradients" not in vars(m.optimizer)  # the optimizer is left as found


def test_steps_per_execution_logs_at_each_hook_with_keras_step(tmp_path):
    x, y = data(80)
    m = model(keras, lr=0.05, steps_per_execution=4)
    seen = seen_callback(keras)
    cb = ModelglassCallback(project="tf", store=str(tmp_path / "s"), every=5, verbose=False)
    m.fit(x, y, batch_size=BATCH, epochs=2, callbacks=[cb, seen], verbose=0)
    reader = mg.open_store(str(tmp_path / "s"))
    rid = cb.run.id
    steps = [s for s, _, _ in seen.batches]
    assert steps == [4, 5, 9, 10]  # 5 batches an epoch: a chunk of 4, then one
    assert series(reader, rid, "train/loss") == (steps, [logs["loss"] for _, logs, _ in seen.batches])
    got_steps, got = series(reader, rid, "grad_norm")
    assert got_steps == steps and all(np.isfinite(got)) and min(got) > 0
    assert series(reader, rid, "weight_norm/net/out/kernel")[0] == [4, 9]  # 4 + every


def test_a_planted_high_learning_rate_is_diagnosed(tmp_path):
    x, y = data()
    m = model(keras, lr=2.0)
    cb = ModelglassCallback(project="tf", store=str(tmp_path / "s"), every=4, verbose=False)
    m.fit(x, y, batch_size=BATCH, epochs=6, callbacks=[cb], verbose=0)
    codes = set(cb.diagnosis.codes("error"))
    assert cb.diagnosis.verdict == "error"
    assert codes & {"loss_divergence", "nan_inf", "exploding_gradients"}, codes
    assert cb.diagnosis.top_cause.code == "lr_too_high", str(cb.diagnosis)


class Guard(keras.layers.Layer):
    """Fails inside the traced train step when a batch holds the sentinel value."""

    def call(self, x):
        check = tf.debugging.assert_less(tf.reduce_max(x), 1e5, message="planted failure")
        with tf.control_dependencies([check]):
            return tf.identity(x)


def test_a_fit_that_raises_leaves_the_run_failed_and_the_optimizer_as_found(tmp_path):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((4,)), Guard(), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    x, y = data()
    x[40, 0] = 1e6  # in the third batch of 16
    cb = ModelglassCallback(project="tf", store=str(tmp_path / "s"), verbose=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match="planted failure"):
        m.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, callbacks=[cb], verbose=0)
    reader = mg.open_store(str(tmp_path / "s"))
    info = reader.runs()[0]
    assert info.status == "failed"
    assert series(reader, info.id, "train/loss")[0] == [1, 2]
    assert "apply_gradients" not in vars(m.optimizer)
