"""DataReport: rows, evidence caps, to_dict keys, figures' data, HTML, and storing it in a run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import modelglass as mg
from modelglass.core import BadInputError
from modelglass.data import DataReport, check_data
from modelglass.viz import _data as viz

KEYS = {"schema_version", "result", "n_rows", "n_cols", "n_test_rows", "task", "target", "ok", "checks_run",
        "skipped", "findings", "row_counts", "columns", "drift", "drift_thresholds", "label_issues",
        "target_leakage", "class_counts", "missing_matrix", "correlations"}


@pytest.fixture
def split(clean: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = clean.copy()
    df.loc[::4, "a"] = np.nan  # 100 rows with a missing value
    return df.iloc[:300], df.iloc[300:]


def test_evidence_is_capped_and_rows_are_not(split) -> None:
    train, test = split
    r = check_data(train, test, target="y", checks={"label_issues": False})
    (f,) = [f for f in r.findings if f.code == "missing_values"]
    assert len(f.evidence["rows"]) == 20 and f.evidence["n_rows"] == 75
    rows = r.rows("missing_values")
    assert sorted(rows["row"]) == list(range(0, 300, 4))


def test_to_dict_is_json_with_stable_keys(split) -> None:
    train, test = split
    d = check_data(train, test, target="y", checks={"label_issues": False}).to_dict()
    assert set(d) == KEYS
    json.dumps(d)  # plain JSON
    assert d["n_rows"] == 300 and d["n_test_rows"] == 100 and d["task"] == "classification"
    col = d["columns"]["a"]
    assert col["n_missing"] == 75 and col["kind"] == "numeric" and col["role"] == "feature"
    assert sum(col["histogram"]["train"]) == 225 and sum(col["histogram"]["test"]) == 75
    assert d["columns"]["color"]["top"]["values"][0] in {"red", "green", "blue"}
    assert d["columns"]["y"]["role"] == "target"
    assert "label_issues" not in d["checks_run"]


def test_figure_data_from_the_dict(split) -> None:
    train, test = split
    d = check_data(train, test, target="y", checks={"label_issues": False}).to_dict()
    dist = viz.compute_distributions(d, columns=["a", "color"])
    assert [p.column for p in dist.panels] == ["a", "color"]
    assert sum(dist.panels[0].train) == pytest.approx(1.0) and dist.panels[0].test is not None
    miss = viz.compute_missing(d)
    col = miss.columns.index("a")
    assert np.mean([row[col] for row in miss.fraction]) == pytest.approx(0.25, abs=0.02)
    corr = viz.compute_correlations(d)
    assert corr.matrix[0][0] == pytest.approx(1.0)
    target = viz.compute_target(d).panel
    assert set(target.x) == {"0", "1"} and target.kind == "categorical"
    assert sum(d["columns"]["y"]["top"]["train"]) == 300
    assert set(viz.compute_drift(d).columns) == {"a", "b", "color", "y"}
    with pytest.raises(BadInputError, match="label_issues did not run"):
        viz.compute_label_issues(d)
    with pytest.raises(BadInputError, match="The 'kind' argument of data_figure must be one of 'distributions'"):
        viz.data_figure(d, "pie")
    with pytest.raises(BadInputError, match="The target 'y' has no values to show"):
        viz.compute_target({**d, "columns": {**d["columns"], "y": {"kind": "numeric"}}})
    train_only = viz.compute_distributions(check_data(train, checks=["duplicate_rows"]).to_dict())
    assert all(p.test is None for p in train_only.panels) and train_only.panels


def test_html_is_self_contained_and_escapes_names(tmp_path: Path, clean: pd.DataFrame) -> None:
    df = clean.rename(columns={"color": "<script>alert(1)</script>"})
    r = check_data(df, target="y", checks={"label_issues": False})
    page = Path(r.to_html(tmp_path / "r.html")).read_text(encoding="utf-8")
    assert _script_sources(page) == []
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js inlined
    assert "<script>alert(1)</script>" not in page


def _script_sources(page: str) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "link", "img", "iframe") and any(k in ("src", "href") for k, _ in attrs):
                found.append(tag)

    P().feed(page)
    return found


def test_rows_of_a_check_that_did_not_run(clean: pd.DataFrame) -> None:
    r = check_data(clean, checks=["duplicate_rows"])
    assert r.rows("duplicate_rows").empty
    with pytest.raises(BadInputError, match="did not run"):
        r.rows("outliers")


def test_check_options_are_validated(clean: pd.DataFrame) -> None:
    with pytest.raises(BadInputError, match="Unknown data check 'nope'"):
        check_data(clean, checks=["nope"])
    with pytest.raises(BadInputError, match="Unknown option 'kk' for data check 'outliers'.*k"):
        check_data(clean, checks={"outliers": {"kk": 3}})
    r = check_data(clean.assign(a=clean["a"].where(clean.index != 5, 50.0)),
                   checks={"outliers": {"k": 100.0}, "label_issues": False})
    assert not [f for f in r.findings if f.code == "outliers"]
    assert "outliers" in r.checks_run and "label_issues" not in r.checks_run


def test_numpy_input_with_y(clean: pd.DataFrame) -> None:
    x = clean[["a", "b"]].to_numpy()
    r = check_data(x, y=clean["y"].to_numpy(), checks=["class_imbalance"])
    assert list(r.columns) == ["x0", "x1", "target"] and r.target == "target"


def test_log_data_report_roundtrip(store_dir: Path, clean: pd.DataFrame) -> None:
    r = check_data(clean, target="y", checks={"label_issues": False})
    with mg.init(project="p", store=store_dir) as run:
        run.log_data_report(r)
        run_id = run.id
    with mg.open_store(store_dir) as reader:
        stored = reader.artifact(run_id, "data_report")
    assert stored == json.loads(json.dumps(r.to_dict()))


def test_module_and_top_level_are_callable(clean: pd.DataFrame) -> None:
    import modelglass.data

    df = pd.concat([clean, clean.iloc[:7]], ignore_index=True)
    expected = check_data(df, checks=["duplicate_rows"]).to_dict()
    assert expected["row_counts"] == {"duplicate_rows": 7}
    assert mg.check_data(df, checks=["duplicate_rows"]).to_dict() == expected
    assert modelglass.data(df, checks=["duplicate_rows"]).to_dict() == expected
    assert modelglass.data.DataReport is DataReport and modelglass.data.check_data is check_data
    assert sorted(modelglass.data.__all__) == modelglass.data.__all__
    assert all(hasattr(modelglass.data, name) for name in modelglass.data.__all__)


def test_report_is_frozen_and_keeps_its_public_names(split) -> None:
    import dataclasses

    train, test = split
    train = train.copy()
    train.loc[[5, 9], "a"] = np.nan
    r = check_data(train, test, target="y", checks={"label_issues": False})
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.n_rows = 1  # type: ignore[misc]
    assert isinstance(r.findings, tuple) and r.codes()[0] == r.findings[0].code
    assert (r.n_rows, r.n_cols, r.n_test_rows, r.target, r.task) == (300, 4, 100, "y", "classification")
    assert "missing_values" in r.codes() and r.ok and r.input_problem() is None
    assert repr(r).startswith("DataReport(300 rows x 4 columns, task='classification'")
    # The old keyword call still draws; the default kind is the first of FIGURE_KINDS.
    assert r.figure().layout.title.text == r.figure("distributions").layout.title.text
    with pytest.raises(BadInputError, match="'distributions', 'missing'.*Got 'histogram' instead"):
        r.figure("histogram")
    assert "300 rows x 4 columns, test 100 rows" in r.text()
