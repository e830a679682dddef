"""The CLI as a user runs it: JSON output with stable keys, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import modelglass as mg
from helpers import PYTHON, plotly_array, python_env
from modelglass.cli import main


@pytest.fixture
def filled(store_dir: Path) -> Path:
    with mg.init("vision", name="baseline", config={"lr": 0.1}, store=store_dir) as run:
        for i in range(5):
            run.log({"loss": 5.0 - i, "acc": i / 10})
        run.summary["best"] = 1.0
    with mg.init("text", name="bert", store=store_dir) as run2:
        run2.log({"loss": 2.0})
    return store_dir


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_runs_json(filled, capsys) -> None:
    out = _json(capsys, ["runs", "--store", str(filled), "--json"])
    assert [r["name"] for r in out["runs"]] == ["baseline", "bert"]
    assert set(out["runs"][0]) == {"id", "project", "name", "status", "config", "summary",
                                   "started", "ended", "duration", "host", "study"}
    only = _json(capsys, ["runs", "--store", str(filled), "--project", "text", "--json"])
    assert [r["name"] for r in only["runs"]] == ["bert"]


def test_runs_table(filled, capsys) -> None:
    assert main(["runs", "--store", str(filled)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "project", "name", "status", "started", "(UTC)", "duration", "(s)"]
    assert lines[2].split()[1:4] == ["vision", "baseline", "finished"]


def test_show_json(filled, capsys) -> None:
    out = _json(capsys, ["show", "baseline", "--store", str(filled), "--json"])
    assert out["run"]["config"] == {"lr": 0.1} and out["run"]["summary"] == {"best": 1.0}
    assert out["series"] == [
        {"tag": "acc", "length": 5, "last_step": 4, "last": 0.4, "min": 0.0, "max": 0.4},
        {"tag": "loss", "length": 5, "last_step": 4, "last": 1.0, "min": 1.0, "max": 5.0},
    ]
    latest = _json(capsys, ["show", "latest", "--store", str(filled), "--json"])
    assert latest["run"]["name"] == "bert"


def test_export_csv_and_parquet(filled, tmp_path, capsys) -> None:
    assert main(["export", "baseline", "--store", str(filled)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "tag,step,value,time" and len(lines) == 11
    assert lines[1].startswith("acc,0,0.0,")
    pytest.importorskip("pyarrow")
    import pandas as pd

    out = tmp_path / "x.parquet"
    assert main(["export", "baseline", "--store", str(filled), "-o", str(out)]) == 0
    df = pd.read_parquet(out)
    assert df[df.tag == "loss"].value.tolist() == [5.0, 4.0, 3.0, 2.0, 1.0]


def test_report_writes_offline_html(filled, tmp_path, capsys) -> None:
    out = tmp_path / "r.html"
    assert main(["report", "baseline", "bert", "--store", str(filled), "-o", str(out)]) == 0
    html = out.read_text()
    assert "cdn" not in html.lower().split("<script>")[0]
    assert "data-tag='loss'" in html and "data-tag='acc'" in html
    assert "Plotly.newPlot" in html and "<script src=" not in html
    assert html.count("Plotly.newPlot") < 5  # one copy of plotly.js and one drawing function, not one per chart


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["show", "nope"], "No run 'nope'"),
        (["runs", "--store", "{tmp}/missing"], "does not exist"),
        (["runs", "--store", "{tmp}"], "not a modelglass store"),
        (["show"], "required: run"),
        (["frobnicate"], "invalid choice"),
        (["export", "baseline", "--format", "parquet"], "needs -o FILE"),
    ],
)
def test_bad_input_exit_2_one_line(filled, tmp_path, argv, fragment) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "--store" not in argv:
        argv += ["--store", str(filled)]
    proc = subprocess.run([PYTHON, "-m", "modelglass", *argv], capture_output=True, text=True,
                          env=python_env())
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_report_keeps_a_spike_of_a_long_series(store_dir, tmp_path) -> None:
    import re

    with mg.init("long", store=store_dir) as run:
        for i in range(50_000):
            run.log({"loss": 1000.0 if i == 31_337 else 1.0})
    out = tmp_path / "r.html"
    assert main(["report", run.id, "--store", str(store_dir), "-o", str(out)]) == 0
    html = out.read_text()
    import json

    spec = re.search(r"<script type='application/json' id='fig\d+-spec'>(.*?)</script>", html, re.S).group(1)
    (trace,) = json.loads(spec)["data"]
    ys = plotly_array(trace["y"])
    assert len(ys) <= 2000 and ys.max() == 1000.0


def test_unwritable_output_is_bad_input(filled, tmp_path, capsys) -> None:
    code = main(["export", "baseline", "--store", str(filled), "-o", str(tmp_path / "no" / "dir" / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "no/dir" in err
    assert len(err.strip().splitlines()) == 1
