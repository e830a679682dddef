"""The cheap online checks that run.watch(..., diagnose=True) calls every step."""

from __future__ import annotations

import math

import numpy as np

from modelglass.diagnose import LiveState, live_rules


def _feed(state, losses, grads=None):
    found = []
    for i, v in enumerate(losses):
        values = {"loss": v}
        if grads is not None:
            values["grad_norm"] = grads[i]
        found += live_rules(values, i, state)
    return found


def test_nan_fires_once_per_state_and_names_the_series() -> None:
    state = LiveState()
    assert live_rules({"loss": 1.0, "grad_norm": 0.5}, 0, state) == []
    first = live_rules({"loss": 1.0, "grad_norm/fc.weight": math.nan}, 1, state)
    assert [f.code for f in first] == ["nan_inf"]
    assert first[0].evidence["first_series"] == "grad_norm/fc.weight" and first[0].step == 1
    assert live_rules({"loss": math.inf}, 2, state) == []


def test_without_a_state_only_the_nan_check_runs() -> None:
    assert [f.code for f in live_rules({"loss": math.nan}, 3)] == ["nan_inf"]
    assert live_rules({"loss": 1e9, "update_ratio/w": math.nan}, 4) == []


def test_divergence_and_exploding_gradients_fire_on_a_blow_up() -> None:
    losses = list(np.full(30, 2.3)) + list(np.geomspace(2.3, 1e4, 40))
    grads = list(np.full(30, 1.0)) + list(np.geomspace(1.0, 1e6, 40))
    found = _feed(LiveState(), losses, grads)
    codes = [f.code for f in found]
    assert codes.count("loss_divergence") == 1 and codes.count("exploding_gradients") == 1
    assert all(f.step >= 30 for f in found)


def test_a_noisy_healthy_run_stays_quiet() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(2000)
    losses = 0.05 + 2.25 * np.exp(-t / 300) + 0.3 * rng.exponential(1.0, t.size) * np.exp(-t / 1000)
    grads = 1.0 + 0.5 * rng.exponential(1.0, t.size)
    grads[500] = 80.0  # one large batch gradient is not an explosion
    assert _feed(LiveState(), losses, grads) == []


def test_thresholds_apply_to_the_live_checks() -> None:
    losses = list(np.full(30, 2.0)) + list(np.full(30, 3.5))
    assert _feed(LiveState(), losses) == []
    found = _feed(LiveState(thresholds={"loss_divergence.factor": 1.5}), losses)
    assert [f.code for f in found] == ["loss_divergence"]


def test_watch_logs_the_live_finding_as_an_event(tmp_path) -> None:
    import modelglass as mg

    from ._suite import run_scenario

    store = str(tmp_path / "store")
    d = run_scenario("t_high_lr", store)  # SGD lr=5: gradients explode within a few steps
    with mg.open_store(store) as reader:
        live = [(e.data.get("finding") or {}) for e in reader.events(d.run_id)]
    assert "exploding_gradients" in [f.get("code") for f in live if f.get("source") == "diagnose"]
