"""Each check fires on data built to trigger it, and stays silent on clean data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelglass.core import Severity
from modelglass.data import check_data

FAST = {"label_issues": False}


def by_code(report, code):
    return [f for f in report.findings if f.code == code]


@pytest.mark.parametrize(
    "code",
    ["missing_values", "infinite_values", "mixed_types", "constant_feature", "high_cardinality",
     "duplicate_rows", "conflicting_labels", "outliers", "class_imbalance", "target_leakage"],
)
def test_silent_on_clean_data(clean: pd.DataFrame, code: str) -> None:
    report = check_data(clean, target="y", checks=[code])
    assert report.checks_run == [code]
    assert by_code(report, code) == []


def test_missing_values_columns_and_mostly_empty_rows(clean: pd.DataFrame) -> None:
    df = clean.copy()
    df.loc[[3, 7], "a"] = np.nan
    df["color"] = df["color"].astype(object)
    df.loc[5, "color"] = "  "  # blank text counts as missing
    df.loc[9, ["a", "b", "color"]] = [np.nan, np.nan, None]
    r = check_data(df, target="y", checks=["missing_values"])
    (f,) = by_code(r, "missing_values")
    assert f.severity == Severity.WARNING
    assert f.evidence["missing_count"] == {"a": 3, "color": 2, "b": 1}
    assert f.evidence["rows"] == [3, 5, 7, 9]
    assert f.evidence["mostly_empty_rows"] == [9]
    rows = r.rows("missing_values")
    assert rows["row"].tolist()[0] == 9 and rows["score"].iloc[0] == pytest.approx(0.75)


def test_infinite_values_is_an_error(clean: pd.DataFrame) -> None:
    df = clean.copy()
    df.loc[[10, 20], "b"] = [np.inf, -np.inf]
    (f,) = by_code(check_data(df, checks=["infinite_values"]), "infinite_values")
    assert f.severity == Severity.ERROR
    assert f.evidence["columns"] == ["b"] and f.evidence["rows"] == [10, 20]


@pytest.mark.parametrize("as_str", [False, True])
def test_mixed_types(clean: pd.DataFrame, as_str: bool) -> None:
    df = clean.copy()
    values = np.array([str(i) for i in range(len(df))], dtype=object)
    values[[4, 8]] = ["n/a", "-"]
    if not as_str:
        values[1] = 12  # a real int among strings
    df["age"] = pd.Series(values, dtype="str" if as_str else object)
    (f,) = by_code(check_data(df, checks=["mixed_types"]), "mixed_types")
    assert f.evidence["columns"] == ["age"]
    assert f.evidence["rows"] == [4, 8]
    assert set(f.evidence["per_column"]["age"]["odd_values"]) == {"n/a", "-"}


def test_constant_and_quasi_constant(clean: pd.DataFrame) -> None:
    df = clean.copy()
    df["k"] = 1.0
    df["q"] = 0
    df.loc[0, "q"] = 1  # 1 of 400 rows differs: 99.75% one value
    (f,) = by_code(check_data(df, target="y", checks=["constant_feature"]), "constant_feature")
    assert f.evidence["columns"] == ["k", "q"] and f.evidence["constant"] == ["k"]


def test_high_cardinality_flags_ids_not_categories(clean: pd.DataFrame) -> None:
    df = clean.copy()
    df["user"] = [f"u{i:05d}" for i in range(len(df))]
    (f,) = by_code(check_data(df, target="y", checks=["high_cardinality"]), "high_cardinality")
    assert f.evidence["columns"] == ["user"]


def test_duplicate_rows_point_at_the_copies(clean: pd.DataFrame) -> None:
    df = pd.concat([clean, clean.iloc[[5, 6]], clean.iloc[[5]]], ignore_index=True)
    r = check_data(df, checks=["duplicate_rows"])
    (f,) = by_code(r, "duplicate_rows")
    assert f.evidence["n_rows"] == 3
    assert f.evidence["pairs"] == [[400, 5], [401, 6], [402, 5]]
    rows = r.rows("duplicate_rows")
    assert rows.loc[rows["row"] == 402, "same_as"].item() == 5


def test_conflicting_labels(clean: pd.DataFrame) -> None:
    extra = clean.iloc[[0, 1]].copy()
    extra["y"] = 1 - extra["y"]
    df = pd.concat([clean, extra], ignore_index=True)
    r = check_data(df, target="y", checks=["conflicting_labels"])
    (f,) = by_code(r, "conflicting_labels")
    assert f.evidence["n_groups"] == 2
    assert sorted(r.rows("conflicting_labels")["row"]) == [0, 1, 400, 401]


def test_outliers_sentinel_and_unit_mistake(clean: pd.DataFrame) -> None:
    df = clean.copy()
    df.loc[17, "a"] = -999.0
    df.loc[33, "b"] = 4000.0
    r = check_data(df, checks=["outliers"])
    (f,) = [x for x in by_code(r, "outliers") if x.severity == Severity.WARNING]
    assert set(f.evidence["columns"]) == {"a", "b"}
    assert r.rows("outliers")["row"].tolist()[:2] == [33, 17]  # ranked by robust z


def test_outliers_heavy_positive_tail_is_not_a_warning() -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"income": rng.lognormal(10, 1, size=5000)})
    r = check_data(df, checks=["outliers"])
    assert all(f.severity == Severity.INFO for f in r.findings)


def test_class_imbalance(clean: pd.DataFrame) -> None:
    df = clean.copy()
    df["y"] = 0
    df.loc[:9, "y"] = 1  # 10 of 400 = 2.5% < 0.1 / 2
    (f,) = by_code(check_data(df, target="y", checks=["class_imbalance"]), "class_imbalance")
    assert f.severity == Severity.WARNING and f.evidence["rare_classes"] == ["1"]


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_target_leakage(clean: pd.DataFrame, task: str) -> None:
    df = clean.copy()
    rng = np.random.default_rng(2)
    if task == "regression":
        df["y"] = df["a"] * 3 + rng.normal(size=len(df))
    df["leak"] = df["y"] * 10 + rng.normal(scale=0.01, size=len(df))
    df["leak_cat"] = np.where(df["y"] > df["y"].median(), "hi", "lo")
    r = check_data(df, target="y", checks=["target_leakage"])
    (f,) = by_code(r, "target_leakage")
    assert f.severity == Severity.ERROR
    assert "leak" in f.evidence["columns"]
    assert "a" not in f.evidence["columns"]
    if task == "classification":
        assert "leak_cat" in f.evidence["columns"]


def test_target_leakage_multiclass_numeric(wine: pd.DataFrame) -> None:
    df = wine.copy()
    df["leak"] = df["target"] * 5.0 + np.random.default_rng(0).normal(scale=0.1, size=len(df))
    (f,) = by_code(check_data(df, target="target", checks=["target_leakage"]), "target_leakage")
    assert f.evidence["columns"] == ["leak"]
    assert f.evidence["per_column"]["leak"]["metric"] == "neighbour_agreement"


def test_train_test_leakage_exact_and_normalised(clean: pd.DataFrame) -> None:
    train, test = clean.iloc[:300].reset_index(drop=True), clean.iloc[300:].reset_index(drop=True)
    test = test.copy()
    test.loc[0] = train.loc[10]
    test.loc[1] = train.loc[11]
    test.loc[1, "a"] += 1e-9
    test.loc[1, "color"] = " " + str(test.loc[1, "color"]).upper()
    r = check_data(train, test, target="y", checks=["train_test_leakage"])
    (f,) = by_code(r, "train_test_leakage")
    assert f.severity == Severity.ERROR
    assert f.evidence["n_exact"] == 1 and f.evidence["n_after_normalising"] == 1
    assert f.evidence["pairs"] == [[0, 10], [1, 11]]
    assert r.rows("train_test_leakage").attrs["side"] == "test"


def test_column_mismatch(clean: pd.DataFrame) -> None:
    test = clean.drop(columns=["b"]).assign(a=lambda d: d["a"].astype(str) + "x", extra=1)
    r = check_data(clean, test, target="y", checks=["column_mismatch"])
    sev = {f.severity: f for f in by_code(r, "column_mismatch")}
    assert sev[Severity.ERROR].evidence["missing_in_test"] == ["b"]
    assert list(sev[Severity.ERROR].evidence["type_changed"]) == ["a"]
    assert sev[Severity.INFO].evidence["columns"] == ["extra"]


def test_every_dtype_runs_without_a_failed_check(clean: pd.DataFrame) -> None:
    df = clean.assign(
        flag=clean["a"] > 0,
        cat=pd.Categorical(clean["color"]),
        nullable=pd.array([1, None] * 200, dtype="Int64"),
        when=pd.date_range("2024-01-01", periods=len(clean), freq="h"),
        text=pd.array(clean["color"], dtype="str"),
    )
    r = check_data(df, df.iloc[::2], target="y")
    assert r.skipped == {}
    assert r.columns["nullable"]["n_missing"] == 200 and r.columns["flag"]["kind"] == "categorical"


@pytest.mark.parametrize("loader", ["load_wine", "load_breast_cancer"])
def test_well_known_clean_datasets_get_no_warning(loader: str) -> None:
    import sklearn.datasets

    df = getattr(sklearn.datasets, loader)(as_frame=True).frame
    half = np.arange(len(df)) % 2 == 0
    r = check_data(df[half], df[~half], target="target")
    assert r.skipped == {}
    assert [f.code for f in r.findings if f.severity >= Severity.WARNING] == []
