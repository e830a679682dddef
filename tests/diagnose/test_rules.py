"""Rule-level behaviour on synthetic series: each rule fires on its pattern and only there."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import modelglass as mg
from modelglass.diagnose import RULES, known_thresholds

from ._synth import falling, make_run


def _codes(store, series, **kw):
    cfg = kw.pop("config", {})
    arts = kw.pop("artifacts", None)
    run = make_run(str(store), series, artifacts=arts, **cfg)
    return mg.diagnose(run, **kw)


def test_every_rule_documents_its_thresholds_and_meaning() -> None:
    for code, rule in RULES.items():
        assert rule.doc, code
        assert rule.cause in ("optimisation", "data", "model")
        for name, param in rule.params.items():
            assert param.doc and math.isfinite(param.default), f"{code}.{name}"
    assert "loss_plateau.min_drop" in known_thresholds()


def test_a_clean_falling_loss_is_healthy(tmp_path) -> None:
    d = _codes(tmp_path, {"loss": falling()})
    assert d.verdict == "healthy" and d.codes() == []
    assert "No problem found" in d.summary


def test_divergence_reports_where_the_loss_started_to_grow(tmp_path) -> None:
    loss = np.concatenate([falling(100, 2.0, 1.0), np.geomspace(1.0, 50.0, 100)])
    d = _codes(tmp_path, {"loss": loss})
    f = next(f for f in d.findings if f.code == "loss_divergence")
    assert f.severity == mg.Severity.ERROR and d.verdict == "error"
    assert 80 <= f.step <= 110
    assert f.evidence["growth"] > 2


def test_nan_names_the_first_step_and_series(tmp_path) -> None:
    loss = falling(50)
    loss[30:] = np.nan
    gn = np.ones(50)
    gn[28] = np.inf
    d = _codes(tmp_path, {"loss": loss, "grad_norm/fc.weight": gn})
    f = next(f for f in d.findings if f.code == "nan_inf")
    assert f.step == 28
    assert f.evidence["first_series"] == "grad_norm/fc.weight"
    assert f.evidence["module"] == "fc.weight"


def test_nan_in_the_probes_derived_ratios_is_not_a_fault(tmp_path) -> None:
    ratio = np.full(20, 1e-3)
    ratio[5] = np.nan  # a 0/0 inside a probe, not the model's
    d = _codes(tmp_path, {"loss": falling(60), "update_ratio/w": (np.arange(0, 60, 3), ratio)})
    assert "nan_inf" not in d.codes()


def test_plateau_fires_on_a_flat_loss_and_not_on_a_converged_one(tmp_path) -> None:
    flat = 2.3 + 0.01 * np.random.default_rng(1).standard_normal(200)
    assert "loss_plateau" in _codes(tmp_path / "a", {"loss": flat}).codes()
    converged = np.concatenate([falling(100, 2.3, 0.2), 0.2 + 0.005 * np.random.default_rng(2).standard_normal(300)])
    assert "loss_plateau" not in _codes(tmp_path / "b", {"loss": converged}).codes()


def test_thresholds_can_be_overridden_and_unknown_ones_are_an_error(tmp_path) -> None:
    slow = np.linspace(2.3, 2.0, 200)  # fell 13%: not a plateau by default
    run = make_run(str(tmp_path), {"loss": slow})
    assert "loss_plateau" not in mg.diagnose(run).codes()
    assert "loss_plateau" in mg.diagnose(run, thresholds={"loss_plateau.min_drop": 0.2}).codes()
    assert "loss_plateau" in mg.diagnose(run, thresholds={"loss_plateau": {"min_drop": 0.2}}).codes()
    with pytest.raises(mg.core.BadInputError, match="loss_plateau.min_dorp"):
        mg.diagnose(run, thresholds={"loss_plateau.min_dorp": 0.2})
    with pytest.raises(mg.core.BadInputError, match="finite number"):
        mg.diagnose(run, thresholds={"loss_plateau.min_drop": "a lot"})


def test_oscillation_fires_on_slow_swings_not_on_minibatch_jitter(tmp_path) -> None:
    t = np.arange(600)
    swing = 1.0 + 0.6 * np.sin(t / 15.0) + 0.05 * np.random.default_rng(3).standard_normal(600)
    assert "loss_oscillation" in _codes(tmp_path / "a", {"loss": swing}).codes()
    rng = np.random.default_rng(4)
    jitter = np.concatenate([falling(200, 2.3, 0.05), 0.05 * rng.exponential(1.0, 400)])
    assert "loss_oscillation" not in _codes(tmp_path / "b", {"loss": jitter}).codes()


def test_underfitting_needs_a_baseline_and_fires_near_it(tmp_path) -> None:
    loss = falling(100, 2.35, 2.25, 0.01)
    d = _codes(tmp_path / "a", {"loss": loss})
    assert "underfitting" not in d.codes()
    assert any(f.code == "not_enough_data" and "underfitting" in f.evidence["rules"] for f in d.findings)
    d = _codes(tmp_path / "b", {"loss": loss}, num_classes=10)
    f = next(f for f in d.findings if f.code == "underfitting")
    assert f.evidence["baseline"] == pytest.approx(math.log(10), rel=1e-3)
    d = _codes(tmp_path / "c", {"loss": falling(100, 1.0, 0.3)}, config={"baseline_loss": 1.0})
    assert "underfitting" not in d.codes()


def test_overfitting_needs_a_rise_not_a_constant_gap(tmp_path) -> None:
    train = falling(400, 2.3, 0.05, 0.0)
    steps = np.arange(19, 400, 20)
    gap_only = (steps, train[steps] + 0.3)
    assert "overfitting" not in _codes(tmp_path / "a", {"loss": train, "val/loss": gap_only}).codes()
    v = np.concatenate([np.linspace(1.5, 0.6, 8), np.linspace(0.6, 1.2, 12)])
    d = _codes(tmp_path / "b", {"loss": train, "val/loss": (steps, v)})
    f = next(f for f in d.findings if f.code == "overfitting")
    assert f.step == int(steps[7]) or abs(f.step - int(steps[7])) <= 20
    assert f.evidence["val_rise"] > 0.1


def test_bad_initial_loss_uses_log_of_the_classes(tmp_path) -> None:
    loss = np.concatenate([[40.0], falling(100, 3.0, 0.3)])
    assert "bad_initial_loss" in _codes(tmp_path / "a", {"loss": loss}, num_classes=10).codes()
    assert "bad_initial_loss" not in _codes(tmp_path / "b", {"loss": falling(100)}, num_classes=10).codes()


def _layers(n: int, first: float, last: float) -> dict:
    steps = np.arange(0, n * 10, 10)
    return {
        "loss": falling(n * 10),
        "grad_norm/0.weight": (steps, np.full(n, first)),
        "grad_norm/1.weight": (steps, np.full(n, math.sqrt(first * last))),
        "grad_norm/2.weight": (steps, np.full(n, last)),
    }


def test_layer_ratio_finds_exploding_and_vanishing_gradients(tmp_path) -> None:
    assert "exploding_gradients" in _codes(tmp_path / "a", _layers(10, 100.0, 0.5)).codes()
    assert "vanishing_gradients" in _codes(tmp_path / "b", _layers(10, 1e-6, 0.1)).codes()
    healthy = _codes(tmp_path / "c", _layers(10, 0.3, 0.2)).codes()
    assert "exploding_gradients" not in healthy and "vanishing_gradients" not in healthy


def test_global_gradient_growth_is_exploding(tmp_path) -> None:
    g = np.concatenate([np.ones(100), np.geomspace(1, 1e5, 50)])
    d = _codes(tmp_path, {"loss": falling(150), "grad_norm": g})
    f = next(f for f in d.findings if f.code == "exploding_gradients")
    assert f.evidence["growth"] > 1000 and 100 <= f.step <= 150


def test_frozen_parameters_are_not_unchanged_parameters(tmp_path) -> None:
    steps = np.arange(0, 100, 10)
    series = {
        "loss": falling(100),
        "weight_norm/backbone.weight": (steps, np.full(10, 3.0)),  # frozen: no gradient logged
        "weight_norm/head.weight": (steps, np.linspace(1.0, 1.5, 10)),
        "grad_norm/head.weight": (steps, np.full(10, 0.1)),
    }
    assert "unchanged_parameters" not in _codes(tmp_path / "a", series).codes()
    series["grad_norm/backbone.weight"] = (steps, np.full(10, 0.2))  # gets gradients, never moves
    f = next(f for f in _codes(tmp_path / "b", series).findings if f.code == "unchanged_parameters")
    assert f.evidence["parameters"] == ["backbone.weight"]


def test_update_ratio_rules_skip_biases_and_converged_runs(tmp_path) -> None:
    steps = np.arange(0, 200, 10)
    series = {"loss": np.full(200, 2.0) + 0.01 * np.sin(np.arange(200)),
              "update_ratio/fc.weight": (steps, np.full(20, 1e-9)),
              "update_ratio/fc.bias": (steps, np.full(20, 1e-3)),
              "grad_norm/fc.weight": (steps, np.full(20, 1e-3))}
    assert "update_ratio_low" in _codes(tmp_path / "a", series).codes()
    series["update_ratio/fc.weight"] = (steps, np.full(20, 0.5))
    assert "update_ratio_high" in _codes(tmp_path / "b", series).codes()
    series["loss"] = falling(200, 2.0, 0.01, 0.0)
    series["update_ratio/fc.weight"] = (steps, np.r_[np.full(5, 1e-3), np.full(15, 1e-9)])
    assert "update_ratio_low" not in _codes(tmp_path / "c", series).codes()


def test_dead_units_ignore_linear_outputs_and_saturation_ignores_the_output_sigmoid(tmp_path) -> None:
    steps = np.arange(0, 100, 10)
    watch = {"params": [], "modules": {"1": "ReLU", "3": "Linear", "5": "Tanh", "6": "Sigmoid"}}
    series = {"loss": falling(100),
              "act/dead_fraction/1": (steps, np.full(10, 0.9)),
              "act/dead_fraction/3": (steps, np.full(10, 0.95)),
              "act/saturated_fraction/5": (steps, np.full(10, 0.1)),
              "act/saturated_fraction/6": (steps, np.full(10, 0.99))}
    d = _codes(tmp_path, series, artifacts={"watch": watch})
    dead = next(f for f in d.findings if f.code == "dead_units")
    assert dead.evidence["module"] == "1" and "3" not in dead.evidence["modules"]
    assert "saturated_activations" not in d.codes()


def test_to_dict_is_strict_json_with_stable_keys(tmp_path) -> None:
    loss = falling(60)
    loss[40:] = np.inf
    d = _codes(tmp_path, {"loss": loss, "grad_norm": np.r_[np.ones(40), np.full(20, np.nan)]})
    out = d.to_dict()
    text = json.dumps(out, allow_nan=False)
    assert set(out) == {"schema_version", "result", "ok", "run_id", "run_name", "verdict", "summary",
                        "loss_tag", "val_tag", "findings", "related", "thresholds", "causes",
                        "top_cause", "explained_by"}
    assert out["schema_version"] == 2 and out["result"] == "Diagnosis" and out["ok"] is False
    assert json.loads(text)["verdict"] == "error"
    sev = [f["severity"] for f in out["findings"]]
    order = {"error": 0, "warning": 1, "info": 2}
    assert sev == sorted(sev, key=order.__getitem__)


def test_a_weight_that_only_gets_a_vanishing_gradient_is_not_unchanged_parameters(tmp_path) -> None:
    steps = np.arange(0, 100, 10)
    series = {"loss": falling(100),
              "weight_norm/0.weight": (steps, np.full(10, 2.0)),  # float32 cannot hold its tiny updates
              "grad_norm/0.weight": (steps, np.full(10, 1e-9)),
              "weight_norm/1.weight": (steps, np.linspace(2.0, 2.5, 10)),
              "grad_norm/1.weight": (steps, np.full(10, 0.1))}
    assert "unchanged_parameters" not in _codes(tmp_path, series).codes()


def test_classes_come_from_a_batch_by_classes_output_and_can_be_switched_off(tmp_path) -> None:
    loss = np.concatenate([[40.0], falling(100, 3.0, 0.3)])
    flat = {"params": [], "output_shape": [32, 10], "output_width": 10}
    image = {"params": [], "output_shape": [32, 3, 8, 8], "output_width": 8}
    assert "bad_initial_loss" in _codes(tmp_path / "a", {"loss": loss}, artifacts={"watch": flat}).codes()
    assert "bad_initial_loss" not in _codes(tmp_path / "b", {"loss": loss}, artifacts={"watch": image}).codes()
    assert "bad_initial_loss" not in _codes(tmp_path / "c", {"loss": loss}, artifacts={"watch": flat},
                                            num_classes=0).codes()
    assert "bad_initial_loss" not in _codes(tmp_path / "d", {"loss": loss}, artifacts={"watch": flat},
                                            config={"task": "regression"}).codes()


def test_dead_units_names_the_worst_layer_and_the_first_step_of_any(tmp_path) -> None:
    steps = np.arange(0, 100, 10)
    mostly = np.r_[np.full(3, 0.2), np.full(7, 0.8)]  # dead from step 30
    series = {"loss": falling(100),
              "act/dead_fraction/a": (steps, np.r_[np.full(6, 0.1), np.full(4, 0.95)]),  # from 60
              "act/zero_fraction/a": (steps, np.full(10, 0.95)),
              "act/dead_fraction/b": (steps, mostly), "act/zero_fraction/b": (steps, mostly),
              "act/dead_fraction/c": (steps, np.full(10, 0.1)), "act/zero_fraction/c": (steps, np.full(10, 0.1))}
    f = next(f for f in _codes(tmp_path, series).findings if f.code == "dead_units")
    assert f.evidence["module"] == "a" and f.evidence["first_step"] == 60
    assert list(f.evidence["modules"]) == ["a", "b"] and f.step == 30
    assert f.title == "95% of the units in a never fire"
