"""`modelglass tune list/show` and the study figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import modelglass as mg
from modelglass.cli import main
from modelglass.viz._tune import contour_data, history_data, params_data, tune_figure


def objective(trial):
    x = trial.suggest_float("x", 0.01, 10.0, log=True)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    if x > 9.0:
        raise ValueError("x too large")
    return (np.log10(x) - 0.5) ** 2 + (0.0 if kind == "a" else 0.5)


@pytest.fixture
def study(store_dir: Path):
    return mg.tune(objective, n_trials=30, study="demo", store=store_dir, seed=0, sampler="random")


def test_tune_list_text_and_json(study, store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tune", "list", "--store", str(store_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["study", "direction", "trials", "best", "value", "started"]
    assert lines[1].split()[:3] == ["demo", "minimize", "30"]
    assert main(["tune", "list", "--store", str(store_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["studies"]
    assert list(data["studies"][0]) == ["study", "direction", "n_trials", "best_value", "best_params", "started"]
    assert data["studies"][0]["best_value"] == pytest.approx(study.best_value)


def test_tune_show_text_and_json(study, store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tune", "show", "demo", "--store", str(store_dir), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("study demo (minimize) in ")
    assert f"best: trial {study.best.number} value {study.best.value:.6g}" in out
    table = out.split("\n\n", 1)[1].splitlines()
    assert table[0].split() == ["trial", "state", "value", "x", "kind", "run"]
    assert table[1].split()[0] == str(study.best.number)
    assert main(["tune", "show", "demo", "--store", str(store_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["study"] == "demo" and data["n_trials"] == 30
    assert data["best"]["params"] == study.best_params


def test_tune_cli_bad_input_is_one_line_and_exit_2(study, store_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tune", "show", "missing", "--store", str(store_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "No study 'missing'" in err and "demo" in err
    assert main(["tune", "list", "--store", str(tmp_path / "nowhere")]) == 2
    assert "No store at" in capsys.readouterr().err
    assert main(["tune"]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["tune", "list", "--store", str(empty)]) == 0
    assert capsys.readouterr().out.strip() == "no studies"


def test_history_is_best_so_far(study) -> None:
    h = history_data(study)
    assert len(h.numbers) == study.counts()["complete"]
    assert np.all(np.diff(h.best_so_far) <= 0)
    assert h.best_so_far[-1] == pytest.approx(study.best_value)


def test_params_and_contour_data(study) -> None:
    p = params_data(study)
    names = [c.name for c in p.columns]
    assert names == ["x", "kind"]
    kind = p.columns[1]
    assert kind.labels == ("a", "b") and set(np.unique(kind.values)) <= {0.0, 1.0}
    assert p.columns[0].log is True
    c = contour_data(study, "x", "kind", bins=5)
    assert c.grid_z.shape == (5, 5)
    finite = c.grid_z[np.isfinite(c.grid_z)]
    assert finite.min() >= p.values.min() - 1e-12 and finite.max() <= p.values.max() + 1e-12
    assert np.all(c.grid_x > 0)  # log axis centres come back in the parameter's units


@pytest.mark.parametrize("kind", ["history", "importance", "parallel", "contour", "slice"])
def test_every_figure_renders(study, kind: str) -> None:
    fig = study.figure(kind)
    done = [t for t in study.trials if t.state == "complete"]
    if kind == "history":  # the trials, then the best so far
        assert list(fig.data[0].y) == pytest.approx([t.value for t in done])
        assert list(fig.data[1].y) == pytest.approx(np.minimum.accumulate([t.value for t in done]))
    elif kind == "importance":
        assert sorted(fig.data[0].y) == sorted(study.distributions)
    elif kind == "parallel":
        dims = fig.data[0].dimensions
        assert [d.label for d in dims] == ["objective", "log10(x)", "kind"]
        assert all(len(d.values) == len(done) for d in dims)
    elif kind == "contour":
        assert [t.type for t in fig.data] == ["contour", "scattergl"] and len(fig.data[1].x) == len(done)
    else:  # slice: one panel per parameter, a point per completed trial
        assert [t.name for t in fig.data] == list(study.distributions)
        assert all(len(t.x) == len(done) for t in fig.data)


def test_unknown_figure_kind(study) -> None:
    with pytest.raises(mg.ModelglassError, match="The 'kind' argument of tune_figure must be one of 'history'"):
        tune_figure(study, "pie")


def test_history_stays_fast_structure_for_many_trials(store_dir: Path) -> None:
    import optuna

    from modelglass.tune._result import result_from_study

    st = optuna.create_study()
    dist = {"x": optuna.distributions.FloatDistribution(0, 1)}
    rng = np.random.default_rng(0)
    st.add_trials([optuna.trial.create_trial(params={"x": float(v)}, distributions=dist, value=float(v))
                   for v in rng.random(1500)])
    fig = result_from_study(st, "memory").figure("history")
    assert fig.data[0].type == "scattergl" and len(fig.data[0].x) == 1500


def test_explicit_storage_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tune", "list", "--storage", str(tmp_path / "missing.journal")]) == 2
    assert "No Optuna storage at" in capsys.readouterr().err
