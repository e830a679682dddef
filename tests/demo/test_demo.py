"""The seed's demo: the good rate converges, the large one diverges, the report shows it."""

from __future__ import annotations

import json
import re

import numpy as np

import modelglass as mg
from modelglass.cli import main
from modelglass.demo import gradient, loss, make_data, run_demo


def test_three_runs_behave_as_the_rates_say(store_dir, tmp_path) -> None:
    result = run_demo(store=store_dir, out=tmp_path / "r.html", walk=False)
    small, good, large = result.runs
    opt = result.data.optimum
    assert np.abs(good.thetas[-1] - opt).max() < 1e-3
    assert abs(good.final_loss - loss(result.data.X, result.data.y, opt)) < 1e-3
    assert large.losses[-1] > large.losses[0] * 1e6 and np.all(np.diff(large.losses[5:]) > 0)
    assert 0.8 * small.losses[0] < small.final_loss < small.losses[0]  # barely moves
    reader = mg.open_store(store_dir)
    assert [r.name for r in reader.runs()] == [f"lr={r.lr:g} ({r.label})" for r in result.runs]
    for r in result.runs:
        assert set(reader.tags(r.run_id)) == {"loss", "theta_0", "theta_1", "grad_norm", "step_size"}
        np.testing.assert_array_equal(reader.series(r.run_id, "loss").values, r.losses)


def test_report_has_the_contour_with_three_paths(store_dir, tmp_path) -> None:
    result = run_demo(store=store_dir, out=tmp_path / "r.html")
    html = result.report.read_text()
    assert result.report.exists() and "<script src=" not in html
    surface = re.search(r'Plotly.newPlot\(\s*"loss-surface",\s*(\[.*?\])\s*,\s*\{', html, re.S)
    traces = json.loads(surface.group(1))
    assert [t["type"] for t in traces].count("contour") == 1
    paths = [t for t in traces if t.get("name", "").startswith("path:")]
    assert len(paths) == 3
    assert "gradient of J/2" in html


def test_seed_gradient_is_half_the_mse_gradient() -> None:
    d = make_data()
    theta = np.array([0.3, -0.7])
    eps = 1e-6
    numeric = np.array([
        (loss(d.X, d.y, theta + eps * e) - loss(d.X, d.y, theta - eps * e)) / (2 * eps)
        for e in np.eye(2)
    ])
    np.testing.assert_allclose(gradient(d.X, d.y, theta), numeric / 2, rtol=1e-6)


def test_demo_cli_options(store_dir, tmp_path, capsys) -> None:
    out = tmp_path / "one.html"
    assert main(["demo", "--store", str(store_dir), "--lr", "0.3", "--epochs", "50",
                 "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["lr"] for r in data["runs"]] == [0.3] and out.exists()
    assert len(mg.open_store(store_dir).series(data["runs"][0]["run_id"], "loss")) == 51
    assert main(["demo", "--store", str(store_dir), "--epochs", "0"]) == 2
