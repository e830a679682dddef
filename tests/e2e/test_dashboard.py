"""The dashboard in a real browser: `modelglass ui` over a filled store, driven by Playwright.

Debian's Chromium (/usr/bin/chromium) is launched through Playwright's Python package; no
browser is downloaded. Screenshots of the main views are kept as test artifacts in
$MODELGLASS_TEST_ARTIFACTS (default: the test's temporary directory).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

from .conftest import CHROMIUM

import modelglass as mg

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"
SPIKE_STEP, SPIKE = 777_777, 1000.0

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():  # pragma: no cover - .ci/run installs the Debian package
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fill(store: Path) -> dict[str, str]:
    ids = {}
    for name, rate in (("fast", 0.05), ("slow", 0.005), (XSS, 0.02)):
        with mg.init(project="e2e", name=name, config={"lr": rate}, store=store) as run:
            for s in range(200):
                run.log({"loss": float(np.exp(-rate * s)), "val/loss": float(np.exp(-rate * s) + 0.1)}, step=s)
            ids[name] = run.id
    with mg.init(project="e2e", name="million", store=store) as run:
        for s in range(1_000_000):  # one step, deep inside, is a spike
            run.log({"signal": SPIKE if s == SPIKE_STEP else 1.0 + (s % 100) * 1e-4}, step=s)
        ids["million"] = run.id
    with mg.init(project="e2e", name="goes-nan", store=store) as run:
        for s in range(100):
            run.log({"loss": float("nan") if s >= 60 else 1.0 / (1 + s)}, step=s)
        ids["goes-nan"] = run.id
    return ids


def _serve(store: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """Start `modelglass ui` on a free port and wait until it answers."""
    port = _free_port()
    code = "import sys; from modelglass.cli._main import main; sys.exit(main(sys.argv[1:]))"
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", code, "ui", "--store", str(store), "--port", str(port),
                             *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"modelglass ui did not start: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    store = tmp_path_factory.mktemp("dash") / "store"
    ids = _fill(store)
    proc, base = _serve(store)
    yield {"base": base, "ids": ids, "store": store}
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 820})
    page.dialogs = []
    page.errors = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    page.close()


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    out = Path(os.environ.get("MODELGLASS_TEST_ARTIFACTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _chart(page: Any, tag: str, lines: int, timeout: float = 60_000) -> dict[str, Any]:
    """The lines a uPlot chart drew (lines.js keeps them on the div) and its y scale."""
    page.wait_for_function(
        """([tag, n]) => { const g = document.querySelector(`div.chart[data-tag="${tag}"]`);
            return g && g.mgChart && g.mgChart.lines.length === n && g.dataset.painted; }""",
        arg=[tag, lines], timeout=timeout)
    return page.evaluate(
        """(tag) => { const c = document.querySelector(`div.chart[data-tag="${tag}"]`).mgChart;
            const y = c.uplot.scales.y;
            return { traces: c.lines.map((l) => ({ name: l.name, run: l.run, kind: l.kind,
                       x: Array.from(l.x), y: Array.from(l.y) })),
                     yrange: [y.min, y.max], ylog: y.distr === 3 }; }""", tag)


def test_runs_table_lists_the_runs(server: dict[str, Any], page: Any, artifacts: Path) -> None:
    page.goto(server["base"])
    page.wait_for_selector("#runs-table tbody tr")
    names = page.locator("#runs-table tbody td.name").all_text_contents()
    assert sorted(names) == sorted(["fast", "slow", XSS, "million", "goes-nan"])
    page.screenshot(path=str(artifacts / "runs.png"))
    assert not page.errors


def test_selected_runs_share_a_chart_with_one_trace_each(server: dict[str, Any], page: Any,
                                                         artifacts: Path) -> None:
    page.goto(server["base"])
    page.wait_for_selector("#runs-table tbody tr")
    for name in ("fast", "slow"):
        rid = server["ids"][name]
        page.locator(f'tr[data-run-id="{rid}"] input[type=checkbox]').check()
    page.get_by_role("button", name="Show charts").click()
    data = _chart(page, "loss", 2)
    assert sorted(t["name"] for t in data["traces"]) == ["fast", "slow"]
    assert {t["run"] for t in data["traces"]} == {server["ids"]["fast"], server["ids"]["slow"]}
    assert len(data["traces"][0]["x"]) == 200
    assert page.locator('div.chart[data-tag="val/loss"]').count() == 1
    page.screenshot(path=str(artifacts / "scalars.png"))


def test_a_one_step_spike_in_a_million_points_is_drawn_at_its_height(server: dict[str, Any],
                                                                     page: Any) -> None:
    page.goto(f"{server['base']}#/scalars?runs={server['ids']['million']}")
    trace = _chart(page, "signal", 1)
    t = trace["traces"][0]
    assert len(t["y"]) <= 2000
    top = int(np.argmax(t["y"]))
    assert t["y"][top] == SPIKE and t["x"][top] == SPIKE_STEP
    assert trace["yrange"][1] >= SPIKE and trace["yrange"][0] <= 1.0
    # Zooming asks the server again: every point of the visible range comes back.
    page.evaluate("""() => document.querySelector('div.chart[data-tag="signal"]').mgChart.zoom(777700, 777800)""")
    page.wait_for_function("""() => { const c = document.querySelector('div.chart[data-tag="signal"]').mgChart;
                                      return c.lines[0].x.length === 101; }""", timeout=30_000)
    zoomed = _chart(page, "signal", 1)["traces"][0]
    assert zoomed["x"] == list(range(777700, 777801)) and SPIKE in zoomed["y"]


def test_a_script_in_a_run_name_is_shown_as_text(server: dict[str, Any], page: Any) -> None:
    page.goto(server["base"])
    page.wait_for_selector("#runs-table tbody tr")
    assert XSS in page.locator("#runs-table td.name").all_text_contents()
    assert page.locator("img[src=x]").count() == 0
    page.goto(f"{server['base']}#/scalars?runs={server['ids'][XSS]},{server['ids']['fast']}")
    _chart(page, "loss", 2)
    assert XSS in page.locator('.card[data-card-tag="loss"] .legend .key').all_text_contents()
    page.goto(f"{server['base']}#/compare?runs={server['ids'][XSS]},{server['ids']['fast']}")
    page.wait_for_selector("#compare-table")
    assert XSS in page.locator("#compare-table td.name").all_text_contents()
    assert page.locator("img[src=x]").count() == 0
    assert page.dialogs == [] and not page.errors


def test_the_live_view_shows_points_logged_after_the_page_opened(server: dict[str, Any],
                                                                page: Any) -> None:
    run = mg.init(project="e2e", name="live", store=server["store"], flush_interval=0.1)
    try:
        for s in range(10):
            run.log({"loss": 1.0 / (1 + s)}, step=s)
        run.flush()
        page.goto(f"{server['base']}#/scalars?runs={run.id}")
        first = _chart(page, "loss", 1)
        assert max(first["traces"][0]["x"]) == 9
        for s in range(10, 25):
            run.log({"loss": 1.0 / (1 + s)}, step=s)
        run.flush()
        page.wait_for_function(
            """() => { const g = document.querySelector('div.chart[data-tag="loss"]');
                return g && g.mgChart && Math.max(...g.mgChart.lines[0].x) === 24; }""", timeout=30_000)
        assert page.locator("#live").is_visible()
    finally:
        run.finish()


def test_the_diagnosis_view_lists_the_planted_finding(server: dict[str, Any], page: Any,
                                                     artifacts: Path) -> None:
    page.goto(f"{server['base']}#/diagnosis?runs={server['ids']['goes-nan']}")
    finding = page.wait_for_selector('.finding[data-code="nan_inf"]', timeout=60_000)
    assert "error" in finding.get_attribute("class")
    assert page.locator("#verdict").text_content() == "verdict: error"
    page.wait_for_selector('#view div.chart-wide[data-tag="loss"][data-painted]')
    page.screenshot(path=str(artifacts / "diagnosis.png"))


def test_a_token_given_in_the_page_address_unlocks_the_api(tmp_path: Path, page: Any) -> None:
    with mg.init(project="tok", name="guarded", store=tmp_path / "store") as run:
        run.log({"loss": 1.0})
    proc, base = _serve(tmp_path / "store", "--token", "t0ken")
    try:
        page.goto(base)
        page.wait_for_selector("#view .note.bad")
        assert "401" in page.locator("#view").text_content()
        page.goto(base + "?token=t0ken#/runs")
        page.wait_for_selector("#runs-table tbody tr")
        assert page.locator("#runs-table td.name").all_text_contents() == ["guarded"]
        assert "t0ken" not in page.url
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_studies_view_shows_a_maximised_study_from_the_given_storage(tmp_path: Path,
                                                                        page: Any) -> None:
    pytest.importorskip("optuna")
    store, journal = tmp_path / "store", tmp_path / "elsewhere.journal"
    result = mg.tune(lambda t: t.suggest_float("x", 0.0, 10.0), n_trials=6, direction="maximize",
                     study="score", store=store, storage=str(journal), sampler="random", seed=0)
    proc, base = _serve(store, "--storage", str(journal))
    try:
        page.goto(base + "#/studies")
        card = page.locator('.card[data-study="score"]')
        card.locator('div.chart[data-chart="history"][data-painted]').wait_for(timeout=60_000)
        summary = card.locator("p.note").first.text_content()
        assert "best (highest) value" in summary and f"in trial {result.best.number}" in summary
        assert card.locator("tr.best td").first.text_content() == f"score/trial-{result.best.number}best"
        best_line = page.evaluate("""() => Array.from(
            document.querySelector('.card[data-study="score"] div.chart[data-chart="history"]').mgChart.best)""")
        values = [t.value for t in result.trials]
        assert best_line == pytest.approx(np.maximum.accumulate(values).tolist())
        assert not page.errors
    finally:
        proc.terminate()
        proc.wait(10)
