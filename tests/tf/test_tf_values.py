"""TensorFlow values go into a run the way NumPy's do (Keras users log them straight from a metric)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import modelglass as mg
from modelglass.core import BadTypeError


def test_tf_scalars_and_variables_are_logged_exactly(tmp_path):
    store = str(tmp_path / "mg.db")
    run = mg.init(project="tf", store=store)
    values = [0.5, 0.25, 1e-3]
    for step, v in enumerate(values):
        run.log({"loss": tf.constant(v, dtype=tf.float32), "lr": tf.Variable(v * 2, dtype=tf.float64)}, step=step)
    run.log_histogram("w", tf.random.stateless_normal([1000], seed=[1, 2]), step=2)
    run.finish()

    reader = mg.open_store(store)
    loss = reader.series(run.id, "loss")
    np.testing.assert_array_equal(loss.steps, [0, 1, 2])
    np.testing.assert_array_equal(loss.values, np.float32(values).astype(np.float64))
    np.testing.assert_allclose(reader.series(run.id, "lr").values, [1.0, 0.5, 2e-3])
    hist = reader.histograms(run.id, "w")
    assert len(hist) == 1 and int(np.sum(hist.histograms[0].counts)) == 1000


def test_a_tf_vector_is_refused_with_a_pointer_to_histograms(tmp_path):
    run = mg.init(project="tf", store=str(tmp_path / "mg.db"))
    with pytest.raises(BadTypeError, match="log_histogram"):
        run.log({"v": tf.constant([1.0, 2.0])})
    run.finish()
