"""The Keras callback on the torch backend: every value Keras reported, at Keras's steps."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":  # pragma: no cover - another test imported keras first
    pytest.skip("Keras was imported with another backend", allow_module_level=True)

import modelglass as mg  # noqa: E402
from modelglass.core import BadInputError  # noqa: E402
from modelglass.integrations.keras import ModelglassCallback  # noqa: E402

from integrations._keras_common import data, model, seen_callback, series  # noqa: E402

pytestmark = [pytest.mark.usefixtures("one_torch_thread"),
              # Keras's own NumPy conversions on the torch backend warn about a copy keyword.
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def torch_grad_norm(m):
    grads = [w.value.grad for w in m.trainable_weights]
    return float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))


def fit(tmp_path, lr=0.05, epochs=3, every=4, verbose=False, **kw):
    x, y = data()
    m = model(keras, lr=lr)
    seen = seen_callback(keras, torch_grad_norm)
    cb = ModelglassCallback(project="k", store=tmp_path / "s", every=every, verbose=verbose, **kw)
    m.fit(x, y, batch_size=16, epochs=epochs, validation_data=data(32, seed=1), callbacks=[cb, seen],
          verbose=0)
    return m, cb, seen, mg.open_store(tmp_path / "s")


def test_every_logged_value_and_step_is_what_keras_reported(tmp_path):
    m, cb, seen, reader = fit(tmp_path)
    rid = cb.run.id
    steps = [s for s, _, _ in seen.batches]
    assert steps == list(range(1, 13))  # optimizer.iterations after each batch
    for key in ("loss", "mae"):
        assert series(reader, rid, f"train/{key}") == (steps, [logs[key] for _, logs, _ in seen.batches])
    for key in ("loss", "mae"):
        assert series(reader, rid, f"val/{key}") == ([s for s, _ in seen.epochs],
                                                     [logs[f"val_{key}"] for _, logs in seen.epochs])
    assert series(reader, rid, "lr")[1] == pytest.approx([0.05] * 12)
    got_steps, got = series(reader, rid, "grad_norm")
    assert got_steps == steps
    assert got == pytest.approx([n for _, _, n in seen.batches], rel=1e-5)
    assert series(reader, rid, "epoch") == ([4, 8, 12], [1.0, 2.0, 3.0])


def test_weights_gradients_and_model_structure(tmp_path):
    m, cb, seen, reader = fit(tmp_path)
    rid = cb.run.id
    kernel = "net/hidden/kernel"
    assert [w.path for w in m.trainable_weights][0] == kernel
    for tag in (f"weight_norm/{kernel}", f"grad_norm/{kernel}", f"update_ratio/{kernel}"):
        assert series(reader, rid, tag)[0] == [1, 5, 9], tag
    w_now = np.asarray(keras.ops.convert_to_numpy(m.trainable_weights[0].value))
    assert series(reader, rid, f"weight_norm/{kernel}")[1][-1] != pytest.approx(np.linalg.norm(w_now))
    h = reader.histograms(rid, f"weights/{kernel}").histograms[0]
    assert h.count == 32 and int(h.counts.sum()) == 32
    assert {f"grads/{kernel}", "weights/net/out/bias"} <= set(reader.histogram_tags(rid))
    art = reader.artifact(rid, "model")
    assert art["total_params"] == m.count_params() == 49
    assert art["framework"] == "keras/torch" and art["model_type"] == "Sequential"
    assert [(r["name"], r["type"], r["params"], r["output_shape"]) for r in art["layers"]] == [
        ("hidden", "Dense", 40, [None, 8]), ("out", "Dense", 9, [None, 1])]
    assert {p["name"] for p in art["parameters"]} == {w.path for w in m.weights}
    assert art["graph"]["edges"] == [["hidden", "out"]]
    assert [n["module_type"] for n in art["graph"]["nodes"]] == ["Dense", "Dense"]
    assert reader.runs()[0].status == "finished"


def test_update_ratio_is_the_step_just_made(tmp_path):
    """Step 1's ratio is ‖w1 - w0‖ / ‖w0‖, with w0 the initial weights (SGD: lr·‖g0‖/‖w0‖)."""
    x, y = data()
    m = model(keras, lr=0.05)
    w0 = np.asarray(keras.ops.convert_to_numpy(m.trainable_weights[0].value)).copy()
    grads = []

    class G(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            grads.append(m.trainable_weights[0].value.grad.detach().numpy().copy())

    cb = ModelglassCallback(project="k", store=tmp_path / "s", every=100, verbose=False, diagnose=False)
    m.fit(x, y, batch_size=16, epochs=1, callbacks=[cb, G()], verbose=0)
    reader = mg.open_store(tmp_path / "s")
    steps, ratio = series(reader, cb.run.id, "update_ratio/net/hidden/kernel")
    assert steps == [1]
    assert ratio[0] == pytest.approx(0.05 * np.linalg.norm(grads[0]) / np.linalg.norm(w0), rel=1e-4)


def test_a_healthy_fit_diagnoses_healthy_and_a_planted_high_lr_does_not(tmp_path, capsys):
    _, cb, _, reader = fit(tmp_path / "ok", lr=0.02, epochs=6, verbose=True)
    assert cb.diagnosis.verdict == "healthy" and not cb.diagnosis.causes, str(cb.diagnosis)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line == f"modelglass: run {cb.run.name} ({cb.run.id}) is healthy"
    assert reader.artifact(cb.run.id, "diagnosis")["verdict"] == "healthy"
    assert reader.runs()[0].summary["verdict"] == "healthy"

    _, bad, _, reader = fit(tmp_path / "bad", lr=2.0, epochs=6)
    assert bad.diagnosis.verdict == "error", str(bad.diagnosis)
    assert {"loss_divergence", "exploding_gradients", "nan_inf"} & set(bad.diagnosis.codes("error"))
    assert bad.diagnosis.top_cause.code == "lr_too_high", str(bad.diagnosis)
    assert reader.runs()[0].status == "finished"  # Keras finished; the diagnosis says it went wrong
    assert reader.artifact(bad.run.id, "diagnosis")["causes"][0]["code"] == "lr_too_high"
    line = next(e.message for e in reader.events(bad.run.id) if e.message.startswith("modelglass: run"))
    assert line.startswith(f"modelglass: run {bad.run.name} ({bad.run.id}) is error; likely cause: lr_too_high "
                           "(findings: ")


class Boom(keras.layers.Layer):
    """Raises on a real batch that holds the sentinel value (symbolic build calls pass)."""

    def call(self, x):
        if hasattr(x, "detach") and float(x.detach().max()) > 1e5:
            raise RuntimeError("planted failure")
        return x


def test_a_fit_that_raises_leaves_the_run_failed(tmp_path):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((4,)), Boom(), keras.layers.Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    found = m.train_function
    cb = ModelglassCallback(project="k", store=tmp_path / "s", verbose=False)
    x, y = data()
    x[40, 0] = 1e6  # in the third batch of 16
    with pytest.raises(RuntimeError, match="planted failure"):
        m.fit(x, y, batch_size=16, epochs=2, shuffle=False, callbacks=[cb], verbose=0)
    reader = mg.open_store(tmp_path / "s")
    info = reader.runs()[0]
    assert info.status == "failed"
    assert series(reader, info.id, "train/loss")[0] == [1, 2]
    assert found is None and m.train_function.__name__ == "one_step_on_data"  # our wrapper is gone


def test_bad_arguments_are_named():
    with pytest.raises(BadInputError, match="'every' argument of ModelglassCallback"):
        ModelglassCallback(project="k", every=0)
    with pytest.raises(BadInputError, match="'project'"):
        ModelglassCallback(project="")


def test_only_rank_zero_logs(tmp_path, monkeypatch):
    monkeypatch.setenv("RANK", "1")
    x, y = data()
    m = model(keras)
    cb = ModelglassCallback(project="k", store=tmp_path / "s", verbose=False)
    m.fit(x, y, batch_size=16, epochs=1, callbacks=[cb], verbose=0)
    assert cb.run is None and not (tmp_path / "s").exists()


def test_a_second_fit_with_the_same_callback_is_a_second_run(tmp_path):
    x, y = data()
    m = model(keras)
    cb = ModelglassCallback(project="k", store=tmp_path / "s", verbose=False, diagnose=False)
    m.fit(x, y, batch_size=16, epochs=1, callbacks=[cb], verbose=0)
    first = cb.run.id
    m.fit(x, y, batch_size=16, epochs=1, callbacks=[cb], verbose=0)
    assert cb.run.id != first
    reader = mg.open_store(tmp_path / "s")
    assert sorted(r.status for r in reader.runs()) == ["finished", "finished"]
    assert series(reader, cb.run.id, "train/loss")[0] == [5, 6, 7, 8]  # Keras keeps counting


def test_a_functional_model_graph_follows_its_branches(tmp_path):
    inp = keras.Input((4,), name="x")
    a = keras.layers.Dense(3, name="a")(inp)
    b = keras.layers.Dense(3, name="b")(inp)
    out = keras.layers.Dense(1, name="head")(keras.layers.Concatenate(name="cat")([a, b]))
    m = keras.Model(inp, out, name="fork")
    m.compile(optimizer="sgd", loss="mse")
    cb = ModelglassCallback(project="k", store=tmp_path / "s", verbose=False, diagnose=False)
    x, y = data()
    m.fit(x, y, batch_size=32, epochs=1, callbacks=[cb], verbose=0)
    art = mg.open_store(tmp_path / "s").artifact(cb.run.id, "model")
    assert sorted(map(tuple, art["graph"]["edges"])) == [
        ("a", "cat"), ("b", "cat"), ("cat", "head"), ("x", "a"), ("x", "b")]
    assert art["total_params"] == m.count_params() == 15 + 15 + 7
