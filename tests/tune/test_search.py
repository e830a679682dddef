"""mg.tune: Optuna search where every trial is a modelglass run."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError, NotFoundError
from modelglass.tune import list_studies, load_study


def quadratic(trial):
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", -5.0, 5.0)
    return (x - 2.0) ** 2 + (y + 1.0) ** 2


def test_finds_known_optimum_and_logs_every_trial_as_a_run(store_dir: Path) -> None:
    result = mg.tune(quadratic, n_trials=40, study="quad", store=store_dir, seed=0)
    assert result.best is not None
    assert abs(result.best_params["x"] - 2.0) < 0.5
    assert abs(result.best_params["y"] + 1.0) < 0.5
    assert result.best_value < 0.3
    with mg.open_store(store_dir) as reader:
        runs = reader.runs(study="quad")
        assert len(runs) == 40
        by_id = {r.id: r for r in runs}
        for t in result.trials:
            run = by_id[t.run_id]
            assert run.status == "finished"
            assert dict(run.config) == pytest.approx(dict(t.params))
            assert run.summary["objective"] == pytest.approx(t.value)
        assert reader.runs(study="other") == []
    # The default Optuna storage lives beside the run store.
    assert (store_dir / "optuna.journal").exists()


def test_failed_trial_is_recorded_with_its_error_and_the_study_goes_on(store_dir: Path) -> None:
    def objective(trial):
        x = trial.suggest_int("x", 0, 9)
        if x % 3 == 0:
            raise RuntimeError(f"cannot train with x={x}")
        return float(x)

    result = mg.tune(objective, n_trials=25, study="flaky", store=store_dir, sampler="random", seed=1)
    failed = [t for t in result.trials if t.state == "fail"]
    done = [t for t in result.trials if t.state == "complete"]
    assert failed and done and len(failed) + len(done) == 25
    assert all(t.error.startswith("RuntimeError: cannot train with x=") for t in failed)
    assert result.best_params["x"] % 3 != 0
    codes = [f.code for f in result.findings]
    assert "tune_trials_failed" in codes
    with mg.open_store(store_dir) as reader:
        run = reader.run(failed[0].run_id)
        assert run.status == "failed"
        assert "cannot train" in run.summary["error"]
        assert any("cannot train" in e.message and e.level == "error" for e in reader.events(run.id))


def test_all_trials_failing_is_an_error_finding(store_dir: Path) -> None:
    def objective(trial):
        trial.suggest_float("x", 0, 1)
        return "not a number"

    result = mg.tune(objective, n_trials=3, store=store_dir)
    assert result.best is None
    assert [f.code for f in result.findings] == ["tune_no_complete_trials"]
    assert "must return a number" in result.trials[0].error


def test_reported_values_become_the_objective_series_and_pruning_works(store_dir: Path) -> None:
    def objective(trial):
        slope = trial.suggest_float("slope", 0.1, 10.0, log=True)
        assert mg.current_run() is not None
        for step in range(8):
            trial.report(slope * (8 - step), step)
            if trial.should_prune():
                import optuna

                raise optuna.TrialPruned()
        return slope

    result = mg.tune(objective, n_trials=20, store=store_dir, study="pr", pruner="median", seed=3)
    states = result.counts()
    assert states.get("pruned", 0) >= 1 and states.get("complete", 0) >= 1
    first = result.trials[0]
    with mg.open_store(store_dir) as reader:
        series = reader.series(first.run_id, "objective")
        assert list(series.steps) == list(range(8))
        assert series.values[0] == pytest.approx(first.params["slope"] * 8)
        pruned = next(t for t in result.trials if t.state == "pruned")
        assert reader.run(pruned.run_id).summary["state"] == "pruned"


def test_declared_space_is_suggested_and_checked(store_dir: Path) -> None:
    seen = []

    def objective(trial):
        seen.append(dict(trial.params))
        return trial.params["lr"] * (1 if trial.params["opt"] == "sgd" else 2)

    space = {"lr": (1e-4, 1e-1, "log"), "opt": ["sgd", "adam"], "layers": (1, 4)}
    result = mg.tune(objective, n_trials=12, space=space, store=store_dir, seed=0)
    assert set(seen[0]) == {"lr", "opt", "layers"}
    assert isinstance(seen[0]["layers"], int)
    assert result.distributions["lr"]["log"] is True
    assert result.distributions["opt"] == {"type": "categorical", "choices": ["sgd", "adam"]}

    with pytest.raises(BadInputError, match="empty range"):
        mg.tune(objective, n_trials=2, space={"lr": (0.1, 0.1)}, store=store_dir)
    with pytest.raises(BadInputError, match="empty list"):
        mg.tune(objective, n_trials=2, space={"opt": []}, store=store_dir)


def test_best_on_boundary_finding(store_dir: Path) -> None:
    result = mg.tune(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=30, store=store_dir, seed=0)
    f = next(f for f in result.findings if f.code == "tune_best_on_boundary")
    assert f.evidence["edge"] == "low" and f.evidence["param"] == "x"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_trials": 0}, "n_trials"),
        ({"direction": "down"}, "direction"),
        ({"n_trials": None}, "never stop"),
        ({"sampler": "genetic"}, "Unknown sampler"),
    ],
)
def test_bad_arguments(store_dir: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(BadInputError, match=match):
        mg.tune(quadratic, store=store_dir, **{"n_trials": 2, **kwargs})


def test_objective_must_be_callable(store_dir: Path) -> None:
    with pytest.raises(BadTypeError, match="objective"):
        mg.tune(42, n_trials=1, store=store_dir)


def test_continuing_a_study_and_loading_it(store_dir: Path) -> None:
    mg.tune(quadratic, n_trials=3, study="cont", store=store_dir)
    mg.tune(quadratic, n_trials=2, study="cont", store=store_dir)
    loaded = load_study("cont", store=store_dir)
    assert [t.number for t in loaded.trials] == [0, 1, 2, 3, 4]
    [summary] = list_studies(store=store_dir)
    assert summary["study"] == "cont" and summary["n_trials"] == 5
    assert summary["best_value"] == pytest.approx(loaded.best_value)
    with pytest.raises(NotFoundError, match="No study 'nope'"):
        load_study("nope", store=store_dir)
    with pytest.raises(BadInputError, match="direction"):
        mg.tune(quadratic, n_trials=1, study="cont", store=store_dir, direction="maximize")


def test_package_is_callable_like_the_function(store_dir: Path) -> None:
    import modelglass.tune as tune_pkg

    result = tune_pkg(quadratic, n_trials=2, store=store_dir)
    assert len(result.trials) == 2
    assert mg.tune(quadratic, n_trials=1, store=store_dir).trials[0].state == "complete"


def test_to_dict_has_stable_keys(store_dir: Path) -> None:
    d = mg.tune(quadratic, n_trials=3, study="k", store=store_dir).to_dict()
    assert list(d) == ["schema_version", "result", "ok", "findings", "study", "storage", "direction",
                       "n_trials", "counts", "best", "distributions", "trials"]
    assert list(d["trials"][0]) == ["number", "state", "value", "params", "run_id", "error", "duration",
                                    "started"]
    assert not math.isnan(d["best"]["value"])


def test_threads_in_one_process(store_dir: Path) -> None:
    result = mg.tune(quadratic, n_trials=6, n_jobs=2, study="threads", store=store_dir)
    assert result.counts() == {"complete": 6}
    with mg.open_store(store_dir) as reader:
        assert {r.id for r in reader.runs(study="threads")} == {t.run_id for t in result.trials}


def test_sqlite_storage_path(store_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "studies.db"
    result = mg.tune(quadratic, n_trials=2, study="sq", store=store_dir, storage=db)
    assert result.storage == str(db) and db.exists()
    assert load_study("sq", store=store_dir, storage=db).counts() == {"complete": 2}


def test_unwritable_store_fails_before_any_trial(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-store"
    bogus.write_text("hello")
    calls = []
    with pytest.raises(mg.ModelglassError, match="not a modelglass store"):
        mg.tune(lambda t: calls.append(1) or 0.0, n_trials=3, store=bogus)
    assert calls == []
