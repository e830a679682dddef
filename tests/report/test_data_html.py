"""The data-check HTML page draws every column, says "train vs test" only with a test set,
draws no empty label-issues chart and keeps drift labels readable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modelglass.data import check_data


def _frame(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {f"feature_{i:02d}": rng.normal(shift * (i % 2), 1.0, n) for i in range(12)}
    y = (cols["feature_00"] + rng.normal(0, 0.5, n) > 0).astype(int)
    cols["leak"] = y + rng.normal(0, 0.01, n)  # the 13th column: the target in disguise
    cols["y"] = y
    return pd.DataFrame(cols)


def _figures(page: str) -> list[tuple[str, dict]]:
    found = re.findall(r"<h3>([^<]*)</h3><div id='fig\d+'[^>]*></div><script>\(function\(\)\{var f=(.*?);"
                       r"Plotly.newPlot", page, re.S)
    return [(h, json.loads(f)) for h, f in found]


def _titles(fig: dict) -> list[str]:
    return [a["text"] for a in fig["layout"].get("annotations", [])]


@pytest.fixture
def no_test_page(tmp_path: Path) -> str:
    rep = check_data(_frame(400, 0), target="y", checks={"label_issues": False}, progress=False)
    assert "target_leakage" in rep.codes()
    return Path(rep.to_html(tmp_path / "r.html")).read_text(encoding="utf-8")


def test_every_column_is_drawn(no_test_page):
    figs = _figures(no_test_page)
    drawn = [t for h, f in figs if h.startswith("distributions") for t in _titles(f)]
    assert sorted(drawn) == sorted([f"feature_{i:02d}" for i in range(12)] + ["leak", "y"])
    assert [h for h, _ in figs if h.startswith("distributions")] == [
        "distributions: columns 1-12 of 14", "distributions: columns 13-14 of 14"]


def test_no_train_vs_test_without_a_test_set(no_test_page):
    for heading, fig in _figures(no_test_page):
        title = fig["layout"].get("title", {}).get("text", "")
        assert "test" not in title.lower(), (heading, title)
        assert not any(t.get("name") == "test" for t in fig["data"])
    assert "drift" not in [h for h, _ in _figures(no_test_page)]


def test_no_empty_label_issues_chart(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    frame = pd.DataFrame({"a": x[:, 0] * 5, "b": x[:, 1], "y": (x[:, 0] > 0).astype(int)})  # clean labels
    rep = check_data(frame, target="y", checks=["label_issues"], progress=False)
    assert rep.rows("label_issues").empty
    page = Path(rep.to_html(tmp_path / "r.html")).read_text(encoding="utf-8")
    assert "label_issues" not in [h for h, _ in _figures(page)]


def test_drift_chart_names_every_column_horizontally(tmp_path):
    rep = check_data(_frame(400, 0), _frame(200, 1, shift=2.0), target="y", checks=["train_test_drift"],
                     progress=False)
    page = Path(rep.to_html(tmp_path / "r.html")).read_text(encoding="utf-8")
    (drift,) = [f for h, f in _figures(page) if h == "drift"]
    (bar,) = drift["data"]
    assert bar["orientation"] == "h" and set(bar["y"]) >= {f"feature_{i:02d}" for i in range(12)} | {"leak"}
    assert drift["layout"]["yaxis"]["automargin"] is True
    scores = bar["x"]
    assert scores == sorted(scores, reverse=True)  # most drifted on top
    dist = [f for h, f in _figures(page) if h.startswith("distributions")][0]
    assert "train vs test" in dist["layout"]["title"]["text"]
