"""The dashboard's pictures at 1440x900 in Chromium: compare with 15 trials, the studies view,
a log axis, histograms of several runs, and the diagnosis led by its cause.

The server runs in this process (uvicorn in a thread) so a test can stand in for a part of
modelglass another branch builds: the diagnosis' causes, when the installed one has none.
Screenshots of every view go to $MODELGLASS_TEST_ARTIFACTS (default: a temporary directory).
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

from .conftest import CHROMIUM

import modelglass as mg

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 1440, 900
TRIALS = 15
CAUSE = {"code": "lr_too_high", "severity": "error", "confidence": 0.9,
         "title": "The learning rate is far too high: the loss blows up to NaN",
         "because": ["loss x20 at step 30", "NaN from step 40"],
         "prescription": "Lower the learning rate about 30x, to ~0.01.", "change": {"lr": 0.01},
         "findings": ["nan_inf"]}

sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("optuna")
if not Path(CHROMIUM).exists():  # pragma: no cover - .ci/run installs the Debian package
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium", allow_module_level=True)


def _fill(store: Path) -> dict[str, Any]:
    def objective(trial: Any) -> float:
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        width = trial.suggest_int("width", 16, 256, log=True)
        loss = (math.log10(lr) + 2.5) ** 2 + 10 / width
        mg.current_run().log({"loss": loss, "lr": lr}, step=0)
        return loss

    tuned = mg.tune(objective, n_trials=TRIALS, study="search", store=store, sampler="random", seed=0)
    rng = np.random.default_rng(0)
    hist = []
    for name in ("wide", "narrow"):
        with mg.init(project="h", name=name, store=store) as run:
            for s in range(0, 200, 10):
                run.log({"loss": 1 / (1 + s)}, step=s)
                run.log_histogram("weights/w", rng.standard_normal(500) * (2 if name == "wide" else 0.5), step=s)
            hist.append(run.id)
    with mg.init(project="d", name="diverges", config={"lr": 0.3}, store=store) as run:
        for s in range(60):
            run.log({"loss": float("nan") if s >= 40 else 1.0 + s * (s > 30), "acc": s / 60}, step=s)
        run.log_data_report(mg.check_data(_table(rng, 400), _table(rng, 100, shift=1.0), target="y"))
        run.log_model({"encoder.0.weight": np.zeros((64, 32)), "encoder.0.bias": np.zeros(64),
                       "encoder.2.weight": np.zeros((32, 64)), "head.weight": np.zeros((10, 32))})
        nan = run.id
    return {"trials": [t.run_id for t in tuned.trials], "hist": hist, "nan": nan}


def _table(rng: np.random.Generator, n: int, shift: float = 0.0) -> Any:
    import pandas as pd

    return pd.DataFrame({"age": rng.normal(40 + 10 * shift, 10, n), "income": rng.lognormal(10, 1, n),
                         "city": rng.choice(["Oslo", "Lima", "<b>Pune</b>"], n),
                         "y": rng.integers(0, 2, n)})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    import modelglass.diagnose as dg
    from modelglass.ui import create_app

    store = tmp_path_factory.mktemp("views") / "store"
    ids = _fill(store)
    real = dg.diagnose

    class WithCause:  # a known cause first, so the view's rendering can be checked exactly
        def __init__(self, d: Any) -> None:
            self.d = d

        def to_dict(self) -> dict[str, Any]:
            out = self.d.to_dict()
            if any(f["code"] == "nan_inf" for f in out["findings"]):
                out["causes"] = [CAUSE] + [c for c in out.get("causes") or [] if c["code"] != CAUSE["code"]]
            return out

    port = _free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dg, "diagnose", lambda *a, **k: WithCause(real(*a, **k)))
        server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.05)
        causes = dg.diagnose(ids["nan"], store=store).to_dict()["causes"]
        yield {"base": f"http://127.0.0.1:{port}/", "ids": ids, "causes": causes}
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    page.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("MODELGLASS_TEST_ARTIFACTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#view[data-painted]", timeout=60_000)


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH


def test_compare_with_15_trials_fits_the_page_with_lr_on_a_log_axis(site: dict[str, Any], page: Any,
                                                                    shots: Path) -> None:
    _open(page, f"{site['base']}#/compare?runs={','.join(site['ids']['trials'])}")
    page.screenshot(path=str(shots / "compare.png"))
    page.screenshot(path=str(shots / "compare-full.png"), full_page=True)
    _no_sideways_scroll(page)
    assert page.locator("#compare-table tbody tr").count() == TRIALS
    fig = page.evaluate("() => document.querySelector('#parcoords').mgParcoords")
    dims = {d["label"]: d for d in fig["dims"]}
    assert dims["lr"]["log"] and not dims["width"]["log"]  # 16..256 spans less than two decades
    # Decade ticks on the lr axis: the trials' learning rates run from about 1e-5 to 1e-1.
    assert {"1e-4", "0.001", "0.01"} <= set(dims["lr"]["ticks"])
    assert page.locator("#parcoords svg .pc-label").first.text_content() == "lr (log)"
    assert fig["color"] == "loss" and page.locator("#parcoords .pc-color-label").text_content() == "colour: loss"
    assert page.locator("#parcoords polyline").count() == TRIALS
    # "best" is bold only for the loss (lower is better), never for a logged learning rate.
    bold = page.locator("#compare-table td.best")
    assert bold.count() == 1
    losses = page.evaluate("""() => Array.from(document.querySelectorAll('#compare-table tbody tr'),
        (tr) => tr.cells[tr.cells.length - 1].textContent)""")
    assert bold.text_content() == min(losses, key=float)
    assert not page.errors


def test_the_studies_view_shows_every_trial_and_the_importance_and_contour(site: dict[str, Any], page: Any,
                                                                           shots: Path) -> None:
    _open(page, f"{site['base']}#/studies")
    card = page.locator('.card[data-study="search"]')
    page.wait_for_function("""() => document.querySelectorAll('div[data-chart="importance"] .imp-row').length
        && document.querySelector('div[data-chart="contour"]').data""", timeout=60_000)
    page.screenshot(path=str(shots / "studies.png"))
    _no_sideways_scroll(page)
    rows = card.locator("tbody tr")
    assert rows.count() == TRIALS
    last = rows.nth(TRIALS - 1)
    last.scroll_into_view_if_needed()
    # Visible means: no box around it clips it, so the point at its middle is the row itself.
    assert page.evaluate("""(tr) => { const r = tr.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return tr.contains(hit) && r.bottom <= window.innerHeight; }""", last.element_handle())
    imp = card.locator("div[data-chart=importance] .imp-row").evaluate_all("(rs) => rs.map((r) => r.dataset.param)")
    assert imp == ["lr", "width"]  # lr decides the loss here, so it comes first
    axes = page.evaluate("""() => { const l = document.querySelector('div[data-chart=contour]')._fullLayout;
        return [l.xaxis.type, l.yaxis.type]; }""")
    assert axes == ["log", "log"]  # both parameters were sampled on a log scale
    assert not page.errors


def test_the_scalars_log_axis_and_the_loss_first(site: dict[str, Any], page: Any, shots: Path) -> None:
    nan = site["ids"]["nan"]
    page.goto(f"{site['base']}#/scalars?runs={nan}&logy=1")
    page.wait_for_selector('div.chart[data-tag="loss"][data-painted]', timeout=60_000)
    page.screenshot(path=str(shots / "scalars-log.png"))
    order = page.locator(".card[data-card-tag]").evaluate_all("(cs) => cs.map((c) => c.dataset.cardTag)")
    assert order[0] == "loss"
    y = page.evaluate("""() => { const c = document.querySelector('div.chart[data-tag="loss"]').mgChart;
        const s = c.uplot.scales.y; return { distr: s.distr, min: s.min, max: s.max, log: c.logy }; }""")
    assert y["distr"] == 3 and y["log"] and 0 < y["min"] <= 1.0 and y["max"] >= 10.0
    box = page.locator("input[aria-label='log scale']")
    assert box.is_checked()
    box.uncheck()
    page.wait_for_function("""() => document.querySelector('div.chart[data-tag="loss"]').mgChart.uplot.scales.y.distr === 1""")
    assert not page.errors


def test_a_series_of_one_point_is_drawn_as_a_dot(site: dict[str, Any], page: Any, shots: Path) -> None:
    trial = site["ids"]["trials"][0]  # each trial logged its loss at step 0 only
    page.goto(f"{site['base']}#/scalars?runs={trial}")
    page.wait_for_selector('div.chart[data-tag="loss"][data-painted]', timeout=60_000)
    page.screenshot(path=str(shots / "scalars-one-point.png"))
    got = page.evaluate("""() => { const c = document.querySelector('div.chart[data-tag="loss"]').mgChart;
        const u = c.uplot, l = c.lines[0];
        const x = Math.round(u.valToPos(l.x[0], "x", true)), y = Math.round(u.valToPos(l.y[0], "y", true));
        const px = u.ctx.getImageData(x, y, 1, 1).data;
        return { xmin: u.scales.x.min, xmax: u.scales.x.max, ymin: u.scales.y.min, ymax: u.scales.y.max,
                 pixel: Array.from(px), color: l.color, xticks: u.axes[0]._splits }; }""")
    assert got["xmin"] == -1 and got["xmax"] == 1 and got["ymin"] < got["ymax"]
    assert got["xticks"] == [-1, 0, 1]  # steps are whole numbers
    r, g, b, a = got["pixel"]
    assert a == 255 and (r, g, b) != (255, 255, 255), f"no dot at the point: {got}"  # the dot: a line needs two points
    assert not page.errors


def test_a_mouse_drag_zooms_and_a_double_click_zooms_out(site: dict[str, Any], page: Any) -> None:
    nan = site["ids"]["nan"]
    page.goto(f"{site['base']}#/scalars?runs={nan}&filter=acc")
    page.wait_for_selector('div.chart[data-tag="acc"][data-painted]', timeout=60_000)
    over = page.locator('div.chart[data-tag="acc"] .u-over').bounding_box()
    y = over["y"] + over["height"] / 2
    page.mouse.move(over["x"] + over["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(over["x"] + over["width"] * 0.6, y, steps=8)
    page.mouse.up()
    # The server is asked again for the dragged range: every step in it, nothing outside.
    page.wait_for_function("""() => { const x = document.querySelector('div.chart[data-tag="acc"]').mgChart.lines[0].x;
        return x.length > 0 && x.length < 60; }""", timeout=30_000)
    xs = page.evaluate("""() => Array.from(document.querySelector('div.chart[data-tag="acc"]').mgChart.lines[0].x)""")
    assert 10 <= xs[0] <= 20 and 30 <= xs[-1] <= 40 and xs == list(range(int(xs[0]), int(xs[-1]) + 1))
    page.mouse.dblclick(over["x"] + over["width"] / 2, y)
    page.wait_for_function("""() => document.querySelector('div.chart[data-tag="acc"]').mgChart.lines[0].x.length === 60""",
                           timeout=30_000)
    # Hovering the line at step 30 names the run, the step and the value there (30/60).
    px, py = page.evaluate("""() => { const u = document.querySelector('div.chart[data-tag="acc"]').mgChart.uplot;
        return [u.valToPos(30, 'x'), u.valToPos(0.5, 'y')]; }""")
    page.mouse.move(over["x"] + px, over["y"] + py)
    tip = page.locator('div.chart[data-tag="acc"] .lines-tip')
    tip.wait_for(state="visible", timeout=10_000)
    assert tip.text_content().split("\n") == ["diverges", "step 30", "value 0.5"]
    assert not page.errors


def test_histograms_of_two_runs_side_by_side(site: dict[str, Any], page: Any, shots: Path) -> None:
    wide, narrow = site["ids"]["hist"]
    _open(page, f"{site['base']}#/histograms?runs={wide},{narrow}")
    page.screenshot(path=str(shots / "histograms.png"))
    spread = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('div.chart[data-hist]'),
        (d) => { const m = d.mgChart.map; let lo = Infinity, hi = -Infinity;
                 m.share.forEach((row) => row.forEach((v, j) => { if (v > 0) { lo = Math.min(lo, m.centers[j]); hi = Math.max(hi, m.centers[j]); } }));
                 return [d.dataset.run, hi - lo]; }))""")
    assert set(spread) == {wide, narrow}
    assert spread[wide] > 2.5 * spread[narrow]  # standard deviations 2 and 0.5
    _no_sideways_scroll(page)
    # Another window width, another grid: each chart follows its box.
    before = page.evaluate("() => document.querySelector('div.chart[data-hist]').mgChart.uplot.width")
    page.set_viewport_size({"width": 800, "height": HEIGHT})
    page.wait_for_function("""(w) => { const d = document.querySelector('div.chart[data-hist]');
        return d.mgChart.uplot.width !== w && Math.abs(d.mgChart.uplot.width - d.clientWidth) <= 1; }""",
                           arg=before, timeout=10_000)
    assert not page.errors


def test_the_diagnosis_leads_with_its_cause_and_plots_the_finding(site: dict[str, Any], page: Any,
                                                                  shots: Path) -> None:
    _open(page, f"{site['base']}#/diagnosis?runs={site['ids']['nan']}")
    page.screenshot(path=str(shots / "diagnosis.png"))
    first = page.locator("#findings > *").first
    assert first.get_attribute("data-cause") == "lr_too_high"
    assert CAUSE["title"] in first.text_content() and "90% confidence" in first.text_content()
    assert first.locator("ol.because li").all_text_contents() == CAUSE["because"]
    assert "lr = 0.01" in first.locator(".change").text_content()
    # The diagnosis' own causes, when it names more than the planted one, fold under it.
    others = page.locator("details.causes-more .cause")
    assert others.count() == len(site["causes"]) - 1
    chart = page.locator("#view div.chart-wide[data-painted]")
    assert chart.get_attribute("data-finding") == "nan_inf" and chart.get_attribute("data-tag") == "loss"
    # Clicking another finding draws that finding's own series, its step marked.
    page.locator('.finding[data-code="loss_divergence"]').click()
    page.wait_for_selector('#view div.chart-wide[data-finding="loss_divergence"][data-painted]', timeout=30_000)
    assert page.locator('.finding[data-code="loss_divergence"]').get_attribute("class").endswith("active")
    assert not page.errors


def test_the_model_treemap_splits_the_parameters_by_module(site: dict[str, Any], page: Any,
                                                           shots: Path) -> None:
    _open(page, f"{site['base']}#/model?runs={site['ids']['nan']}")
    page.screenshot(path=str(shots / "model.png"))
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.treemap .tm-box'),
        (b) => [b.title, b.getBoundingClientRect().width * b.getBoundingClientRect().height])""")
    area = dict(boxes)
    assert area["encoder: 4,160 parameters"] > 10 * area["head: 320 parameters"] > 0  # 4,160 vs 320
    assert "encoder.2.weight: 2,048 parameters" in area
    assert not page.errors


def test_the_data_view_draws_every_column_train_and_test(site: dict[str, Any], page: Any,
                                                         shots: Path) -> None:
    _open(page, f"{site['base']}#/data?runs={site['ids']['nan']}")
    page.screenshot(path=str(shots / "data.png"))
    charts = page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('.card[data-column]'),
        (c) => { const d = c.querySelector('div.chart'); return [c.dataset.column,
                 d && d.mgChart ? d.mgChart.traces.map((t) => [t.name, t.x.length, t.y.reduce((a, b) => a + b, 0)]) : null]; }))""")
    assert set(charts) == {"age", "income", "city", "y"} and all(charts.values())
    names = [t[0] for t in charts["age"]]
    assert names == ["train", "test"]
    assert all(abs(t[2] - 1) < 1e-6 for t in charts["age"])  # shares, each split sums to 1
    assert page.locator("img, b").count() == 0  # a category named <b>Pune</b> stays text
    _no_sideways_scroll(page)
    assert not page.errors


def test_the_runs_badges_count_the_diagnosis(site: dict[str, Any], page: Any) -> None:
    nan = site["ids"]["nan"]
    _open(page, f"{site['base']}#/runs")
    # Nothing is stored with this run; its badge can only come from the diagnosis (NaN, divergence).
    badge = page.locator(f'tr[data-run-id="{nan}"] td.findings .sev-error')
    badge.wait_for(timeout=60_000)
    assert int(badge.text_content().split()[0]) >= 2
    assert not page.errors


def test_every_view_fits_1440_pixels(site: dict[str, Any], page: Any, shots: Path) -> None:
    ids = site["ids"]
    for view, runs in (("runs", []), ("scalars", ids["trials"][:5]), ("model", [ids["nan"]]),
                       ("data", [ids["nan"]])):
        _open(page, f"{site['base']}#/{view}?runs={','.join(runs)}")
        page.screenshot(path=str(shots / f"{view}.png"))
        _no_sideways_scroll(page)
    assert not page.errors
