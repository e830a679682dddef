"""A tiny Keras regression and a callback that records what Keras itself reported (both backends)."""

from __future__ import annotations

import numpy as np


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]]) + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    return x, y


def model(keras, lr=0.05, seed=0, **compile_kwargs):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential(name="net", layers=[keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="hidden"),
                          keras.layers.Dense(1, name="out")])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="mse", metrics=["mae"], **compile_kwargs)
    return m


def seen_callback(keras, grad_norm=None):
    """Records each batch's step and logs, each epoch's logs, and the gradient norm the hook sees."""

    class Seen(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batches, self.epochs = [], []

        def on_train_batch_end(self, batch, logs=None):
            step = int(self.model.optimizer.iterations.numpy())
            norm = grad_norm(self.model) if grad_norm else None
            self.batches.append((step, dict(logs), norm))

        def on_epoch_end(self, epoch, logs=None):
            step = int(self.model.optimizer.iterations.numpy())
            self.epochs.append((step, dict(logs)))

    return Seen()


def series(reader, rid, tag):
    s = reader.series(rid, tag)
    return [int(v) for v in s.steps], [float(v) for v in s.values]
