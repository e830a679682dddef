"""Results and runs in a real Jupyter kernel: a notebook executed with nbclient + ipykernel.

The notebook builds an inspection of a tiny torch model, a data check of a small frame,
a diagnosis of a diverging run and a run shown live with ``run.show()``; the tests assert
on the HTML outputs the notebook keeps (what a user sees). Results that the contract
branch has not converted to the ``Result`` mixin yet have no card: those tests are
``xfail(strict=False)`` until it lands.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

SRC = Path(__file__).resolve().parents[2] / "src"

CELLS = {
    "setup": """
import sys, time
sys.path.insert(0, {src!r})
import numpy as np, pandas as pd, torch
import modelglass as mg
STORE = {store!r}
""",
    "card": """
from dataclasses import dataclass
from modelglass.core import Result, Finding

@dataclass(frozen=True)
class Toy(Result):
    TITLE = "Toy analysis"
    FIGURE_KINDS = ("line",)
    findings: tuple = (Finding("too_hot", "error", "It is <too> hot", {{"t": 41.123456789}}, "Cool it"),)

    def _figure(self, kind):
        import plotly.graph_objects as go
        return go.Figure(go.Scatter(y=[1, 3, 2]))

Toy()
""",
    "show": "Toy().show()",
    "inspect": """
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
mg.inspect(model, torch.randn(3, 4))
""",
    "data": """
frame = pd.DataFrame({{"a": np.arange(60.0), "b": np.r_[np.full(30, np.nan), np.arange(30.0)], "y": np.arange(60) % 2}})
mg.check_data(frame, target="y", progress=False)
""",
    "diagnose": """
with mg.init("nb", name="diverging", store=STORE, config={{"lr": 1.0}}) as bad:
    for i in range(60):
        bad.log({{"loss": float(1.5 ** i)}}, step=i)
mg.diagnose(bad.id, store=STORE)
""",
    "live": """
with mg.init("nb", name="live-run", store=STORE) as run:
    view = run.show(every=0.1, dashboard=False)
    for i in range(50):
        run.log({{"loss": 1.0 / (i + 1), "acc": i / 50}}, step=i)
    run.flush()
    deadline = time.time() + 20
    while view.updates < 1 and time.time() < deadline:  # wait for the refresh thread, not for a time
        time.sleep(0.05)
    print("updates while running:", view.updates)
view.update(); view.stop()
""",
    "embed": """
with mg.init("nb", name="embedded", store=STORE) as r2:
    r2.log({{"loss": 1.0}})
    r2.show(dashboard="http://127.0.0.1:6007").stop()
print("run id:", r2.id)
""",
    "progress": """
from modelglass.landscape import landscape
landscape(np.array([1.0, 2.0]), lambda th: float(th @ th), steps=30)
landscape(np.array([1.0, 2.0]), lambda th: float(th @ th), steps=30, progress=False)
print("quiet")
""",
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, list[dict]]:
    tmp = tmp_path_factory.mktemp("nb")
    nb = nbformat.v4.new_notebook()
    for name, source in CELLS.items():
        cell = nbformat.v4.new_code_cell(source.format(src=str(SRC), store=str(tmp / "store")).strip())
        cell.metadata["name"] = name
        nb.cells.append(cell)
    client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(tmp)}})
    client.execute()
    nbformat.write(nb, tmp / "executed.ipynb")
    return {c.metadata["name"]: c.outputs for c in nb.cells}


def _html(outs: list[dict]) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in outs
                   if o["output_type"] in ("display_data", "execute_result"))


def _errors(outs: list[dict]) -> list[str]:
    return [f"{o['ename']}: {o['evalue']}" for o in outs if o["output_type"] == "error"]


def _assert_card(html: str, title: str) -> None:
    assert re.search(rf"<h3>{re.escape(title)}[^<]*<span class='mg-verdict mg-v-(ok|warning|error)'>", html)
    assert "<table class='mg-findings'>" in html or "No findings." in html
    assert 'class="plotly-graph-div"' in html


def test_the_kernel_ran_every_cell_without_error(outputs):
    for name in ("setup", "card", "show", "live", "embed", "progress"):
        assert _errors(outputs[name]) == [], name


def test_a_result_renders_its_card(outputs):
    html = _html(outputs["card"])
    _assert_card(html, "Toy analysis")
    assert "mg-v-error" in html
    assert "<code>too_hot</code>" in html and "It is &lt;too&gt; hot" in html  # escaped
    assert "Plotly" in html  # plotly.js inline once: works offline


def test_show_displays_the_card_in_a_notebook(outputs):
    html = _html(outputs["show"])
    _assert_card(html, "Toy analysis")
    assert not any(o["output_type"] == "stream" for o in outputs["show"])  # no plain-text print


def test_run_show_draws_live_charts_that_update(outputs):
    outs = outputs["live"]
    text = "".join(o.get("text", "") for o in outs if o["output_type"] == "stream")
    updates = int(re.search(r"updates while running: (\d+)", text).group(1))
    assert updates >= 1  # redrawn by the refresh thread while the run was still running
    html = _html(outs)
    assert "class='mg-live'" in html
    assert re.findall(r"data-tag='([^']+)'", html) == ["loss", "acc"]  # the loss first
    assert "finished, step 50" in html  # the output was replaced in place with the final state
    assert "Plotly.newPlot" in html


def _converted(module: str, name: str) -> bool:
    import importlib

    cls = getattr(importlib.import_module(module), name)
    return hasattr(cls, "_repr_html_")


def _card_case(cell: str, module: str, cls: str, title_word: str):
    reason = f"{cls} is not on the Result mixin yet (the contract branch, or the doctor for Diagnosis, converts it)"
    return pytest.param(cell, title_word, marks=pytest.mark.xfail(not _converted(module, cls), reason=reason,
                                                                  strict=False), id=cell)


@pytest.mark.parametrize(
    "cell, title_word",
    [
        _card_case("inspect", "modelglass.inspect", "Inspection", "Inspection"),
        _card_case("data", "modelglass.data", "DataReport", "Data"),
        _card_case("diagnose", "modelglass.diagnose", "Diagnosis", "Diagnosis"),
    ],
)
def test_analysis_results_render_cards(outputs, cell, title_word):
    assert _errors(outputs[cell]) == []
    html = _html(outputs[cell])
    assert title_word.lower() in html.lower()
    assert re.search(r"<span class='mg-verdict mg-v-(ok|warning|error)'>", html)
    assert 'class="plotly-graph-div"' in html
    if cell == "diagnose":
        assert "mg-v-error" in html and "<code>loss_divergence</code>" in html
    if cell == "data":
        assert "<code>missing_values</code>" in html


def test_progress_bar_is_drawn_in_a_notebook_once_per_call(outputs):
    outs = outputs["progress"]
    bars = [o for o in outs if "mg-progress" in o.get("data", {}).get("text/html", "")]
    assert len(bars) == 1  # the progress=False call drew nothing
    html = bars[0]["data"]["text/html"]
    assert "landscape: grid rows" in html and "30/30" in html  # updated in place to the end
    assert not any(o["output_type"] == "stream" and o["name"] == "stderr" for o in outs)


def test_run_show_embeds_the_running_dashboard(outputs):
    outs = outputs["embed"]
    text = "".join(o.get("text", "") for o in outs if o["output_type"] == "stream")
    run_id = re.search(r"run id: (\w+)", text).group(1)
    html = _html(outs)
    assert f"<iframe src='http://127.0.0.1:6007/#/scalars?runs={run_id}'" in html
    assert "class='mg-live'" in html  # the charts too, above the page

