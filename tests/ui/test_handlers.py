"""The dashboard's pure handlers, called without HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import modelglass as mg
from modelglass import ui
from modelglass.core import BadInputError, MissingDependencyError, NotFoundError
from modelglass.ui._series import SeriesCache, decode_b64


def test_runs_table_lists_rows_with_metrics_config_and_finding_counts(filled: dict[str, Any]) -> None:
    out = ui.list_runs(filled["reader"], {})
    rows = {r["name"]: r for r in out["runs"]}
    assert set(rows) == {"lr-0.1", "lr-0.01", "nan-run", "trial-0", "trial-1"}
    assert out["projects"] == ["a", "b"]
    assert out["metric_keys"][0] == "loss" and "grad_norm/net.0.weight" not in out["metric_keys"]
    assert rows["lr-0.1"]["metrics"]["loss"] == pytest.approx(1 / (1 + 99 * 0.1))
    assert rows["lr-0.1"]["findings"] == {"error": 0, "warning": 1, "info": 0}  # from the model
    assert rows["nan-run"]["findings"]["error"] == 1  # from the live event
    assert rows["nan-run"]["metrics"]["loss"] is None  # NaN is not JSON
    assert rows["lr-0.1"]["status"] == "finished" and rows["lr-0.1"]["last_step"] == 99
    assert "lr" in out["config_keys"] and "x" in out["config_keys"]


def test_runs_table_filters_by_project_and_text(filled: dict[str, Any]) -> None:
    reader = filled["reader"]
    assert {r["name"] for r in ui.list_runs(reader, {"project": "b"})["runs"]} == {"trial-0", "trial-1"}
    assert [r["name"] for r in ui.list_runs(reader, {"q": "NAN"})["runs"]] == ["nan-run"]
    assert ui.list_runs(reader, {"q": "quad"})["total"] == 5


def test_tags_are_grouped_by_prefix(filled: dict[str, Any]) -> None:
    ids = filled["ids"]
    out = ui.tags(filled["reader"], {"runs": f"{ids['lr-0.1']},{ids['nan-run']},nosuchrun"})
    groups = {g["group"]: g["tags"] for g in out["groups"]}
    assert groups == {"": ["loss"], "grad_norm": ["grad_norm/net.0.weight"], "val": ["val/loss"]}
    assert {t["tag"]: t["runs"] for t in out["tags"]}["loss"] == 2


def test_the_loss_is_the_first_tag_whatever_its_prefix(tmp_path: Path) -> None:
    with mg.init(project="p", store=tmp_path / "s") as run:
        run.log({"accuracy": 0.5, "lr": 0.1, "train/loss": 1.0, "train/acc": 0.4, "val/loss": 1.1,
                 "grad_norm/w": 0.1, "a_metric": 3.0}, step=0)
    out = ui.tags(mg.open_store(tmp_path / "s"), {"runs": run.id})
    assert [t["tag"] for t in out["tags"]] == [
        "train/loss", "val/loss", "a_metric", "accuracy", "lr", "train/acc", "grad_norm/w"]
    assert [g["group"] for g in out["groups"]] == ["train", "val", "", "grad_norm"]


def test_scalars_give_one_series_per_run_that_has_the_tag(filled: dict[str, Any]) -> None:
    ids = filled["ids"]
    runs = [ids["lr-0.1"], ids["lr-0.01"], ids["trial-0"]]
    out = ui.scalars(filled["reader"], {"runs": ",".join(runs), "tag": "val/loss"})
    assert [s["run_id"] for s in out["series"]] == runs[:2]
    s = out["series"][0]
    assert s["steps"] == list(range(100)) and s["total"] == 100 and s["shown"] == 100
    assert s["values"][0] == pytest.approx(1.2) and s["run_name"] == "lr-0.1"


def test_nan_is_sent_as_null_and_reported_with_its_first_step(filled: dict[str, Any]) -> None:
    out = ui.scalars(filled["reader"], {"runs": filled["ids"]["nan-run"], "tag": "loss"})
    s = out["series"][0]
    assert s["values"][39] == pytest.approx(0.61) and s["values"][40] is None
    assert s["nonfinite"] == 20 and s["first_nonfinite_step"] == 40


def test_zoom_returns_full_resolution_inside_the_range(store_dir: Any) -> None:
    with mg.init(project="p", store=store_dir) as run:
        for s in range(20_000):
            run.log({"m": float(s % 10)}, step=s)
    reader = mg.open_store(store_dir)
    whole = ui.scalars(reader, {"runs": run.id, "tag": "m", "max_points": 100})["series"][0]
    assert whole["shown"] <= 100 and whole["total"] == 20_000 and whole["max"] == 9.0
    zoom = ui.scalars(reader, {"runs": run.id, "tag": "m", "start": 500, "end": 549})["series"][0]
    assert zoom["steps"] == list(range(500, 550)) and zoom["total"] == 50


def test_b64_encoding_carries_the_same_numbers(filled: dict[str, Any]) -> None:
    params = {"runs": filled["ids"]["nan-run"], "tag": "loss", "x": "relative"}
    plain = ui.scalars(filled["reader"], params)["series"][0]
    packed = ui.scalars(filled["reader"], {**params, "encoding": "b64"})["series"][0]
    assert decode_b64(packed["steps"]).tolist() == plain["steps"]
    values = decode_b64(packed["values"])
    assert np.isnan(values[40:]).all() and values[:40].tolist() == plain["values"][:40]
    assert decode_b64(packed["times"]).tolist() == pytest.approx(plain["times"])
    assert all(t >= 0 for t in plain["times"])


def test_the_cache_serves_finished_runs_but_never_a_running_one(store_dir: Any) -> None:
    run = mg.init(project="p", store=store_dir)
    run.log({"loss": 1.0}, step=0)
    run.flush()
    reader, cache = mg.open_store(store_dir), SeriesCache()
    first = ui.scalars(reader, {"runs": run.id, "tag": "loss"}, cache)["series"][0]
    run.log({"loss": 0.5}, step=1)
    run.flush()
    second = ui.scalars(reader, {"runs": run.id, "tag": "loss"}, cache)["series"][0]
    assert first["steps"] == [0] and second["steps"] == [0, 1] and second["status"] == "running"
    run.finish()
    done = ui.scalars(reader, {"runs": run.id, "tag": "loss"}, cache)["series"][0]
    assert done["status"] == "finished"
    assert ui.scalars(reader, {"runs": run.id, "tag": "loss"}, cache)["series"][0] is done


def test_bad_scalar_parameters_say_what_is_wrong(filled: dict[str, Any]) -> None:
    reader = filled["reader"]
    with pytest.raises(BadInputError, match="'tag' is required"):
        ui.scalars(reader, {"runs": filled["ids"]["lr-0.1"]})
    with pytest.raises(BadInputError, match="'x' must be one of"):
        ui.scalars(reader, {"runs": filled["ids"]["lr-0.1"], "tag": "loss", "x": "epoch"})
    with pytest.raises(BadInputError, match="'start' must be an integer"):
        ui.scalars(reader, {"runs": filled["ids"]["lr-0.1"], "tag": "loss", "start": "ten"})


def test_compare_lists_the_config_that_differs_and_final_metrics(filled: dict[str, Any]) -> None:
    ids = filled["ids"]
    out = ui.compare(filled["reader"], {"runs": [ids["lr-0.1"], ids["lr-0.01"], ids["nan-run"]]})
    assert out["differ"] == ["lr", "opt"] and out["same"] == ["depth"]
    dims = {d["label"]: d for d in out["dimensions"]}
    assert dims["lr"]["values"] == [0.1, 0.01, 5.0]
    assert dims["opt"]["ticktext"] == ["adam", "sgd"] and dims["opt"]["values"] == [1, 1, 0]
    assert "loss" not in dims and out["dropped"] == ["loss", "val/loss"]  # NaN / absent in nan-run
    two = ui.compare(filled["reader"], {"runs": [ids["lr-0.1"], ids["lr-0.01"]]})
    assert {d["label"]: d["values"] for d in two["dimensions"]}["loss"] == pytest.approx(
        [1 / (1 + 99 * 0.1), 1 / (1 + 99 * 0.01)])
    mixed = ui.compare(filled["reader"], {"runs": [ids["lr-0.1"], ids["trial-0"]]})
    mdims = {d["label"]: d for d in mixed["dimensions"]}
    assert "lr" in mixed["dropped"] and mdims["opt"]["ticktext"] == ["(missing)", "sgd"]


def _score(trial: Any) -> float:
    return trial.suggest_float("x", 0.0, 10.0)


def test_studies_follow_the_direction_of_the_study(store_dir: Any) -> None:
    result = mg.tune(_score, n_trials=8, direction="maximize", study="score", store=store_dir,
                     sampler="random", seed=0)
    reader = mg.open_store(store_dir)
    [s] = ui.studies(reader, {})["studies"]
    values = [t.value for t in result.trials]
    assert s["direction"] == "maximize" and s["n_trials"] == 8
    assert s["best_value"] == pytest.approx(max(values)) == pytest.approx(result.best_value)
    assert s["best_trial"] == result.best.number and s["params"] == ["x"]
    assert s["history"]["best_so_far"] == pytest.approx(np.maximum.accumulate(values).tolist())
    runs = {r.id: r.name for r in reader.runs(study="score")}
    assert [t["name"] for t in s["trials"]] == [runs[t.run_id] for t in result.trials]
    assert [t["params"]["x"] for t in s["trials"]] == pytest.approx([t.params["x"] for t in result.trials])
    assert ui.studies(reader, {"study": "score"})["studies"][0]["study"] == "score"
    with pytest.raises(NotFoundError, match="No study 'other'"):
        ui.studies(reader, {"study": "other"})


def test_studies_name_runs_whose_study_is_not_in_the_storage(filled: dict[str, Any]) -> None:
    out = ui.studies(filled["reader"], {})
    assert out["available"] and out["studies"] == [] and out["unlisted"] == ["quad"]


def test_studies_without_optuna_say_what_to_install(store_dir: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    mg.tune(_score, n_trials=2, study="score", store=store_dir, sampler="random", seed=0)

    def missing() -> Any:
        raise MissingDependencyError('modelglass needs the package \'optuna\'. Run: pip install "modelglass[tune]"')

    monkeypatch.setattr("modelglass.tune._search.optuna_module", missing)
    out = ui.studies(mg.open_store(store_dir), {})
    assert not out["available"] and "pip install" in out["reason"]
    assert out["studies"] == [] and out["unlisted"] == ["score"]


def test_model_view_has_a_tree_and_a_layered_graph(filled: dict[str, Any]) -> None:
    out = ui.model(filled["reader"], {"run": filled["ids"]["lr-0.1"]})
    assert out["available"] and out["total_params"] == 97
    tree = dict(zip(out["tree"]["ids"], out["tree"]["values"]))
    assert tree["(model)"] == 97 and tree["net"] == 97 and tree["net.0"] == 80
    labels = dict(zip(out["tree"]["ids"], out["tree"]["labels"]))
    assert labels["net.0"] == "0: Linear" and labels["net.0.weight"] == "weight"
    nodes = {n["label"]: n for n in out["graph"]["nodes"]}
    assert nodes["x"]["y"] == 0 and nodes["net.2"]["y"] == -3 and nodes["output"]["y"] == -4
    assert nodes["skip"]["y"] == -1 and nodes["skip"]["x"] != nodes["net.0"]["x"]
    assert out["findings"][0]["code"] == "high_dropout"


def test_views_without_data_say_how_to_get_it(filled: dict[str, Any]) -> None:
    reader, rid = filled["reader"], filled["ids"]["trial-0"]
    assert "run.log_model" in ui.model(reader, {"run": rid})["reason"]
    assert "log_data_report" in ui.data(reader, {"run": rid})["reason"]
    assert ui.histograms(reader, {"run": rid}) == {"run_id": rid, "tags": [], "map": None}
    with pytest.raises(NotFoundError, match="No run with id"):
        ui.model(reader, {"run": "nosuchrun"})


def test_histograms_view_gives_the_grid_of_a_tag(filled: dict[str, Any]) -> None:
    out = ui.histograms(filled["reader"], {"run": filled["ids"]["lr-0.1"], "bins": 16})
    assert out["tags"] == ["weights/net.0.weight"]
    m = out["map"]
    assert m["steps"] == [0, 50] and len(m["centers"]) == 16
    assert min(m["centers"]) < -1.5 and max(m["centers"]) > 1.5
    with pytest.raises(BadInputError, match="no histogram"):
        ui.histograms(filled["reader"], {"run": filled["ids"]["lr-0.1"], "tag": "grads/x"})


def test_data_view_normalises_columns_stored_as_a_mapping(store_dir: Any) -> None:
    with mg.init(project="p", store=store_dir) as run:
        run.log_data_report({"findings": [{"code": "missing_values", "severity": "warning",
                                           "title": "age has gaps", "evidence": {"column": "age"}}],
                             "columns": {"age": {"type": "numeric", "missing": 3}},
                             "drift": [{"column": "age", "score": 0.4, "drifted": True}],
                             "label_issues": {"n_issues": 1, "suspects": [{"row": 7, "score": 0.9}]}})
    out = ui.data(mg.open_store(store_dir), {"run": run.id})
    assert out["available"] and out["columns"] == [{"name": "age", "type": "numeric", "missing": 3}]
    assert out["findings"][0]["code"] == "missing_values"
    assert out["drift"][0]["drifted"] and out["label_issues"]["suspects"][0]["row"] == 7


def test_diagnosis_lists_stored_and_diagnosed_findings_worst_first(filled: dict[str, Any]) -> None:
    out = ui.diagnosis(filled["reader"], {"run": filled["ids"]["nan-run"]})
    codes = [f["code"] for f in out["findings"]]
    assert "nan_inf" in codes and out["findings"][0]["severity"] == "error"
    assert out["default_tag"] == "loss"
    order = ["error", "warning", "info"]
    ranks = [order.index(f["severity"]) for f in out["findings"]]
    assert ranks == sorted(ranks)
    assert out["available"] and out["reason"] == "" and out["verdict"] == "error"
    # The diagnosis finds the NaN itself; the live event of the same step is not listed twice.
    assert [(f["source"], f["step"]) for f in out["findings"] if f["code"] == "nan_inf"] == [("diagnose", 40)]


def test_each_finding_names_the_series_that_shows_it() -> None:
    from modelglass.ui._views import finding_series

    tags = ["loss", "act/dead_fraction/net.1", "act/zero_fraction/net.1", "grad_norm/net.0.weight",
            "update_ratio/net.0.weight", "val/loss"]
    dead = {"code": "dead_units", "evidence": {"module": "net.1", "dead_fraction": 0.98, "first_step": 20}}
    assert finding_series(dead, tags) == "act/dead_fraction/net.1"
    grads = {"code": "exploding_gradients", "evidence": {"first_layer": "net.0.weight", "ratio": 9.0}}
    assert finding_series(grads, tags) == "grad_norm/net.0.weight"
    upd = {"code": "update_ratio_high", "evidence": {"parameter": "net.0.weight"}}
    assert finding_series(upd, tags) == "update_ratio/net.0.weight"
    named = {"code": "nan_inf", "evidence": {"series": ["nope", "val/loss"], "module": "net.1"}}
    assert finding_series(named, tags) == "val/loss"
    assert finding_series({"code": "plateau", "evidence": {"end_loss": 1.0}}, tags) is None
    whole = {"code": "exploding_gradients", "evidence": {"norm": 5e20, "step": 17}}
    assert finding_series(whole, ["loss", "grad_norm/net.0.weight"]) is None
    assert finding_series(whole, ["loss", "grad_norm", "grad_norm/net.0.weight"]) == "grad_norm"


def _fake_diagnosis(monkeypatch: pytest.MonkeyPatch, causes: list[dict[str, Any]] | None) -> None:
    import modelglass.diagnose as dg

    real = dg.diagnose

    class Wrapped:
        def __init__(self, d: Any) -> None:
            self.d = d

        def to_dict(self) -> dict[str, Any]:
            out = self.d.to_dict()
            out.pop("causes", None)
            if causes is not None:
                out["causes"] = causes
            return out

    monkeypatch.setattr(dg, "diagnose", lambda *a, **k: Wrapped(real(*a, **k)))


CAUSE = {"code": "lr_too_high", "severity": "error", "confidence": 0.87123456,
         "title": "The learning rate is about 30x too high", "because": ["loss x17 at step 1", "NaN at step 40"],
         "prescription": "Lower the learning rate to ~3e-3.", "change": {"lr": 0.003},
         "findings": ["nan_inf"], "extra": "kept out"}


def test_the_diagnosis_gives_its_causes_first_in_a_stable_shape(filled: dict[str, Any],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_diagnosis(monkeypatch, [CAUSE, {"code": "label_noise", "confidence": 2, "because": "x"}])
    out = ui.diagnosis(filled["reader"], {"run": filled["ids"]["nan-run"]})
    top, second = out["causes"]
    assert top == {k: v for k, v in CAUSE.items() if k != "extra"}
    assert second["confidence"] == 1.0 and second["severity"] == "warning" and second["because"] == ["x"]
    nan = next(f for f in out["findings"] if f["code"] == "nan_inf")
    assert nan["series"] == "loss"


def test_a_diagnosis_without_causes_gives_findings_only(filled: dict[str, Any],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_diagnosis(monkeypatch, None)
    out = ui.diagnosis(filled["reader"], {"run": filled["ids"]["nan-run"]})
    assert out["causes"] == [] and out["verdict"] == "error"
    assert all(f["series"] == "loss" for f in out["findings"])


def test_the_runs_badges_count_the_diagnosis_findings(filled: dict[str, Any]) -> None:
    reader, ids = filled["reader"], filled["ids"]
    rid = ids["nan-run"]
    stored = next(r for r in ui.list_runs(reader, {})["runs"] if r["id"] == rid)["findings"]
    cache: dict[Any, Any] = {}
    counts = ui.finding_counts(reader, {"runs": f"{rid},nosuchrun"}, cache)["counts"]
    assert list(counts) == [rid]
    every = ui.diagnosis(reader, {"run": rid})["findings"]
    assert counts[rid] == {s: sum(f["severity"] == s for f in every) for s in ("error", "warning", "info")}
    assert sum(counts[rid].values()) > sum(stored.values()) and len(cache) == 1
    assert ui.finding_counts(reader, {"runs": rid}, cache)["counts"] == counts


def test_a_value_spanning_two_decades_gets_a_log_axis_in_compare(tmp_path: Path) -> None:
    ids = []
    for lr, width in ((1e-4, 16), (3e-3, 64), (0.05, 100)):
        with mg.init(project="p", config={"lr": lr, "width": width}, store=tmp_path / "s") as run:
            run.log({"loss": lr * 10}, step=0)
            ids.append(run.id)
    out = ui.compare(mg.open_store(tmp_path / "s"), {"runs": ",".join(ids)})
    logs = {d["label"]: d["log"] for d in out["dimensions"]}
    assert logs == {"lr": True, "width": False, "loss": False}


def test_study_figures_give_importances_and_a_contour_on_log_axes(tmp_path: Path) -> None:
    pytest.importorskip("optuna")

    def objective(t: Any) -> float:
        return (np.log10(t.suggest_float("lr", 1e-5, 1e-1, log=True)) + 3) ** 2 + t.suggest_float("d", 0, 1)

    mg.tune(objective, n_trials=12, study="s1", store=tmp_path / "s", sampler="random", seed=0)
    reader = mg.open_store(tmp_path / "s")
    listed = ui.studies(reader, {})["studies"][0]
    assert listed["distributions"]["lr"]["log"] is True
    cache: dict[Any, Any] = {}
    out = ui.study_figures(reader, {"study": "s1"}, cache)
    assert set(out["importance"]) == {"lr", "d"} and sum(out["importance"].values()) == pytest.approx(1)
    assert out["contour"]["x"]["log"] or out["contour"]["y"]["log"]
    assert len(out["contour"]["points_x"]) == 12 and len(out["contour"]["grid_z"]) == 25
    assert ui.study_figures(reader, {"study": "s1"}, cache) is out  # finished work is kept
    with pytest.raises(BadInputError, match="'study' is required"):
        ui.study_figures(reader, {})
