"""``modelglass report``: the diagnosis first, the loss chart first, one copy of plotly.js."""

from __future__ import annotations

import base64
import html as html_mod
import json
import re
from types import SimpleNamespace

import numpy as np
import pytest

import modelglass as mg
from modelglass.cli import main
from modelglass.demo import make_data, train
from modelglass.report import write_report
from modelglass.report._diagnosis import result_html

XSS = "<img src=x onerror=alert(1)></script>"
PLOTLY_BANNER = "plotly.js v"  # the licence banner at the top of the bundle


def _specs(html: str) -> dict[str, dict]:
    """tag -> the chart's plotly spec, in page order."""
    found = re.findall(r"<div data-tag='([^']*)'><div class='mg-lazy' id='(fig\d+)'[^>]*></div>"
                       r"<script type='application/json' id='\2-spec'>(.*?)</script>", html, re.S)
    return {html_mod.unescape(tag): json.loads(spec) for tag, _, spec in found}


def _array(obj: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(obj["bdata"]), dtype="<" + obj["dtype"])


@pytest.fixture
def two_runs(store_dir):
    data = make_data()
    good = train(data, 0.5, 60, "good", store=store_dir)
    bad = train(data, 1.0, 60, "too large", store=store_dir)
    return good, bad


def test_report_puts_the_diagnosis_before_the_series(two_runs, store_dir, tmp_path):
    good, bad = two_runs
    out = write_report([good.run_id, bad.run_id], store=store_dir, out=tmp_path / "r.html", progress=False)
    html = out.read_text()
    assert html.index("Diagnosis: what is wrong") < html.index("<h2>Series</h2>")
    diag = mg.diagnose(bad.run_id, store=store_dir)
    assert diag.verdict == "error"
    block = html[html.index("lr=1 (too large)</h3>") if "lr=1 (too large)</h3>" in html else 0:]
    assert "badge-error" in html and "loss_divergence" in html
    for code in diag.codes("warning"):  # every warning and error is a row of the findings table
        assert f"<td><code>{code}</code></td>" in block
    causes = getattr(diag, "causes", None)
    if causes:  # the doctor's causes, most likely first
        assert html.index(causes[0].title) < html.index("<td><code>loss_divergence</code></td>")


def test_loss_chart_comes_first_and_keeps_every_point(two_runs, store_dir, tmp_path):
    good, bad = two_runs
    out = write_report([good.run_id, bad.run_id], store=store_dir, out=tmp_path / "r.html", progress=False)
    specs = _specs(out.read_text())
    assert list(specs)[0] == "loss"
    assert set(specs) == {"loss", "theta_0", "theta_1", "grad_norm", "step_size"}
    loss = specs["loss"]
    assert [t["name"] for t in loss["data"]] == ["lr=0.5 (good)", "lr=1 (too large)"]
    np.testing.assert_array_equal(_array(loss["data"][1]["y"]), bad.losses)
    np.testing.assert_array_equal(_array(loss["data"][1]["x"]), np.arange(61))
    assert loss["layout"]["yaxis"]["type"] == "log"  # the diverging loss spans many decades


def test_user_names_cannot_break_out_of_the_page(store_dir, tmp_path):
    with mg.init("p", name=XSS, store=store_dir) as run:
        run.log({XSS: 1.0, "loss": 2.0})
    html = write_report([run.id], store=store_dir, out=tmp_path / "r.html", progress=False).read_text()
    assert XSS not in html
    assert "<img src=x" not in html
    specs = _specs(html)
    assert specs[XSS]["data"][0]["name"] == XSS  # intact inside the JSON, "<" written as \\u003c


def test_causes_are_listed_most_likely_first():
    causes = [SimpleNamespace(code="lr_too_high", title="The learning rate is too high", confidence=0.9,
                              because=("loss_divergence from step 3",), prescription="Divide lr by 10."),
              SimpleNamespace(code="bad_init", title="Bad init", confidence=0.2, because=(),
                              prescription="Re-initialise.")]
    f = mg.Finding("loss_divergence", "error", "The loss diverged", {"ratio": 123456.789123456}, "Lower lr", step=3)
    html = result_html("run-a", "error", "It diverged.", causes, [f])
    assert html.index("lr_too_high") < html.index("bad_init") < html.index("<td><code>loss_divergence")
    assert "class='top-cause'" in html and "Divide lr by 10." in html
    assert "step=3, ratio=1.235e+05" in html  # readable evidence, no 16-digit floats


def test_plotlyjs_inline_once_or_one_file_beside_several_reports(two_runs, store_dir, tmp_path):
    good, bad = two_runs
    inline = write_report([good.run_id, bad.run_id], store=store_dir, out=tmp_path / "in.html",
                          progress=False).read_text()
    assert inline.count(PLOTLY_BANNER) == 1 and "<script src=" not in inline
    folder = tmp_path / "shared"
    for name, ref in (("a.html", good.run_id), ("b.html", bad.run_id)):
        assert main(["report", ref, "--store", str(store_dir), "-o", str(folder / name),
                     "--plotlyjs", "directory", "--no-progress"]) == 0
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["a.html", "b.html", "plotly.min.js"]
    for name in ("a.html", "b.html"):
        page = (folder / name).read_text()
        assert PLOTLY_BANNER not in page and "<script src='plotly.min.js'></script>" in page
        assert len(page) < len(inline) / 5
    assert PLOTLY_BANNER in (folder / "plotly.min.js").read_text()[:500]


def test_bad_plotlyjs_mode_is_exit_2(two_runs, store_dir, tmp_path, capsys):
    good, _ = two_runs
    code = main(["report", good.run_id, "--store", str(store_dir), "--plotlyjs", "cdn",
                 "-o", str(tmp_path / "r.html")])
    assert code == 2
    assert "--plotlyjs" in capsys.readouterr().err


def test_findings_stored_with_the_run_are_in_its_diagnosis(store_dir, tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"a": [1.0, None, 3.0, None] * 10, "y": [0, 1] * 20})
    with mg.init("p", name="with-data", store=store_dir) as run:
        run.log_data_report(mg.check_data(frame, target="y", checks=["missing_values"], progress=False))
        for i in range(30):
            run.log({"loss": 1.0 / (i + 1)}, step=i)
    html = write_report([run.id], store=store_dir, out=tmp_path / "r.html", progress=False).read_text()
    assert "Findings of the data check stored with the run" in html
    assert "<td><code>missing_values</code></td>" in html


def test_a_failing_diagnosis_does_not_cost_the_report(two_runs, store_dir, tmp_path, monkeypatch):
    good, _ = two_runs

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a rule divided by zero")

    monkeypatch.setattr("modelglass.diagnose.diagnose", broken)
    html = write_report([good.run_id], store=store_dir, out=tmp_path / "r.html", progress=False).read_text()
    assert "Not diagnosed: modelglass failed (ZeroDivisionError: a rule divided by zero)" in html
    assert list(_specs(html))[0] == "loss"

