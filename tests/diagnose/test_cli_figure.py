"""`modelglass diagnose`, the figures' data, and the summary that ties findings to causes."""

from __future__ import annotations

import json

import numpy as np

import modelglass as mg
from modelglass.cli import main
from modelglass.viz._downsample import downsample

from ._synth import falling, make_run


def test_cli_exit_codes_and_json(tmp_path, capsys) -> None:
    store = str(tmp_path)
    make_run(store, {"loss": falling()}, name="good")
    bad = np.r_[falling(50), np.full(10, np.nan)]
    make_run(store, {"loss": bad}, name="bad")
    assert main(["diagnose", "good", "--store", store]) == 0
    out = capsys.readouterr().out
    assert out.startswith("good (") and ": healthy" in out.splitlines()[0]
    assert main(["diagnose", "bad", "--store", store, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "error" and data["findings"][0]["code"] == "nan_inf"
    assert main(["diagnose", "nope", "--store", store]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No run 'nope'" in err
    assert main(["diagnose", "good", "--store", store, "--threshold", "loss_plateau.min_drop"]) == 2
    assert "CODE.PARAM=NUMBER" in capsys.readouterr().err
    assert main(["diagnose", "good", "--store", store, "--threshold", "no_such.rule=1"]) == 2
    assert "Unknown diagnose threshold" in capsys.readouterr().err


def test_cli_lists_the_rules_and_their_thresholds(capsys) -> None:
    assert main(["diagnose", "--list-rules"]) == 0
    out = capsys.readouterr().out
    assert "dead_units (warning, model):" in out and "    dead_units.fraction = 0.7:" in out
    assert main(["diagnose", "--list-rules", "--json"]) == 0
    rules = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert rules["exploding_gradients"]["thresholds"]["growth"]["default"] == 1000
    assert main(["diagnose"]) == 2
    assert "needs a RUN" in capsys.readouterr().err


def test_cli_text_lists_warnings_with_their_suggestion(tmp_path, capsys) -> None:
    store = str(tmp_path)
    make_run(store, {"loss": 2.3 + 0.01 * np.sin(np.arange(100))}, name="flat")
    assert main(["diagnose", "flat", "--store", store]) == 0
    out = capsys.readouterr().out
    assert "WARNING  loss_plateau (step 0)" in out and "try: " in out
    assert "info finding(s) not shown" in out


def test_figure_marks_each_finding_at_its_step(tmp_path) -> None:
    loss = np.r_[falling(100, 2.0, 1.0), np.geomspace(1.0, 50.0, 100)]
    d = mg.diagnose(make_run(str(tmp_path), {"loss": loss, "val/loss": (np.arange(9, 200, 10), loss[9::10])}))
    data = d.figure_data()
    assert [line.name for line in data.lines] == ["loss", "val/loss"]
    marker = next(m for m in data.markers if m.code == "loss_divergence")
    assert marker.severity == "error" and marker.y == loss[marker.step]
    fig = d.figure()
    assert len(fig.data) >= 3


def test_finding_figures_show_the_series_the_rule_judged(tmp_path) -> None:
    steps = np.arange(0, 100, 10)
    series = {"loss": falling(100), "act/dead_fraction/1": (steps, np.full(10, 0.9)),
              "act/zero_fraction/1": (steps, np.full(10, 0.9))}
    d = mg.diagnose(make_run(str(tmp_path), series))
    data = d.finding_figure_data("dead_units")
    assert [line.name for line in data.lines] == ["1"] and data.thresholds == (0.7,)
    assert d.finding_figure_data("loss_plateau") is None
    assert "1" in [t.name for t in d.finding_figure("dead_units").data]


def test_downsampling_keeps_spikes() -> None:
    v = np.zeros(100_000)
    v[12_345] = 99.0
    v[54_321] = np.nan
    s, out = downsample(np.arange(v.size), v, 1000)
    assert out.size <= 1000 and 12_345 in s.tolist() and np.nanmax(out) == 99.0


def test_summary_ties_findings_to_data_and_model_reports(tmp_path) -> None:
    flat = 2.3 + 0.01 * np.sin(np.arange(100))
    data_report = {"findings": [{"code": "label_noise", "severity": "warning", "title": "Labels look noisy"}]}
    model = {"findings": [{"code": "missing_nonlinearity", "severity": "warning", "title": "Two Linear in a row"},
                          {"code": "frozen_parameters", "severity": "info", "title": "Frozen"}]}
    d = mg.diagnose(make_run(str(tmp_path), {"loss": flat}, artifacts={"data_report": data_report, "model": model}),
                    num_classes=10)
    # The cause leads; the data check's finding that bears on it follows; the unrelated
    # model finding stays in the model view.
    assert d.summary.index("Most likely cause") < d.summary.index("The data check agrees: label_noise")
    assert d.top_cause is not None and d.top_cause.code == "label_noise"
    assert set(d.top_cause.findings) == {"loss_plateau", "underfitting"}
    assert "missing_nonlinearity" not in d.summary
    assert [f.code for f in d.related["model"]] == ["missing_nonlinearity", "frozen_parameters"]
    assert d.verdict == "warning"  # related findings inform, the verdict is the run's own


def test_summary_asks_for_a_data_check_when_none_is_attached(tmp_path) -> None:
    d = mg.diagnose(make_run(str(tmp_path), {"loss": 2.3 + 0.01 * np.sin(np.arange(100))}), num_classes=10)
    assert "No data check is attached" in d.summary
