"""The reports in headless Chromium at 1440x900: no script error, no sideways overflow,
the loss chart drawn first, further charts drawn as they scroll into view, every data column drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import modelglass as mg
from modelglass.data import check_data
from modelglass.report import write_report

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():  # pragma: no cover
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def page():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1440, "height": 900})
        yield pg
        browser.close()


def _open(page, path: Path) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return errors


def test_many_series_report_draws_lazily_without_overflow(page, store_dir, tmp_path):
    with mg.init("wide", name="<b>wide</b>", store=store_dir) as run:
        for step in range(30):
            run.log({"loss": 1.0 / (step + 1), **{f"layer{i:03d}": float(np.sin(step + i)) for i in range(299)}},
                    step=step)
    out = write_report([run.id], store=store_dir, out=tmp_path / "r.html", progress=False)
    errors = _open(page, out)
    page.wait_for_selector(".mg-lazy[data-drawn] .main-svg", timeout=30_000)
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    drawn = page.evaluate("[...document.querySelectorAll('.mg-lazy[data-drawn]')].map(e => e.parentNode.dataset.tag)")
    assert drawn[0] == "loss" and len(drawn) < 100  # only what is near the viewport
    page.evaluate("document.querySelector(\"[data-tag='layer250']\").scrollIntoView()")
    page.wait_for_function("document.querySelector(\"[data-tag='layer250'] .mg-lazy\").dataset.drawn === '1'",
                           timeout=30_000)
    page.screenshot(path=str(tmp_path / "report.png"))


def test_data_report_draws_every_column(page, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"feature_{i:02d}": rng.normal(size=300) for i in range(13)})
    frame["y"] = (frame["feature_00"] > 0).astype(int)
    rep = check_data(frame, target="y", checks={"label_issues": False}, progress=False)
    out = Path(rep.to_html(tmp_path / "d.html"))
    errors = _open(page, out)
    page.wait_for_selector("#fig1 .main-svg", timeout=30_000)
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    titles = page.evaluate("[...document.querySelectorAll('#fig0 .annotation-text, #fig1 .annotation-text')]"
                           ".map(e => e.textContent)")
    assert sorted(titles) == sorted(list(frame.columns))
    page.screenshot(path=str(tmp_path / "data.png"), full_page=True)
