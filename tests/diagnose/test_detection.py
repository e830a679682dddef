"""The evaluation suite: every planted fault is found, no healthy run gets a warning or error."""

from __future__ import annotations

import pytest

import modelglass as mg

from ._suite import all_scenarios, run_scenario

SCENARIOS = all_scenarios()
FAULTY = sorted(n for n, s in SCENARIOS.items() if s.expect)
HEALTHY = sorted(n for n, s in SCENARIOS.items() if not s.expect)


def test_the_suite_has_at_least_as_many_healthy_runs_as_faulty_ones() -> None:
    assert len(FAULTY) >= 15
    assert len(HEALTHY) >= len(FAULTY)
    assert {s.framework for s in SCENARIOS.values()} == {"numpy", "sklearn", "torch"}


@pytest.mark.parametrize("name", FAULTY)
def test_planted_fault_is_found(name: str, tmp_path) -> None:
    d = run_scenario(name, str(tmp_path / "store"))
    expect = SCENARIOS[name].expect
    assert expect in d.codes("warning"), f"{name}: expected {expect}, got {d.codes('info')}"
    assert d.verdict in ("warning", "error")
    hit = next(f for f in d.findings if f.code == expect)
    assert hit.evidence and hit.suggestion
    assert not [f for f in d.findings if f.code == "rule_failed"]


@pytest.mark.parametrize("name", HEALTHY)
def test_healthy_run_gets_no_warning(name: str, tmp_path) -> None:
    store = str(tmp_path / "store")
    d = run_scenario(name, store)
    assert d.codes("warning") == [], f"{name}: false alarm {[(f.code, f.title) for f in d.findings if f.severity]}"
    assert d.verdict == "healthy"
    assert not [f for f in d.findings if f.code == "rule_failed"]
    # Nor did the live checks that run.watch runs while training raise an alarm.
    with mg.open_store(store) as reader:
        alarms = [e.message for e in reader.events(d.run_id)
                  if e.level in ("warning", "error") and (e.data.get("finding") or {}).get("source") == "diagnose"]
    assert alarms == []
