"""Bad input: a clear message naming the file, column or row; other checks still run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modelglass.core import BadInputError, BadTypeError, Severity
from modelglass.data import check_data


def test_empty_frame() -> None:
    with pytest.raises(BadInputError, match="'train' frame is empty"):
        check_data(pd.DataFrame())


def test_missing_target_column(clean: pd.DataFrame) -> None:
    with pytest.raises(BadInputError, match="Target column 'label' is not in train.*'a', 'b'"):
        check_data(clean, target="label")


def test_all_nan_column_is_an_error_finding_and_others_run(clean: pd.DataFrame) -> None:
    r = check_data(clean.assign(empty=np.nan), target="y", checks={"label_issues": False})
    errors = [f for f in r.findings if f.severity == Severity.ERROR]
    assert [(f.code, f.evidence["columns"]) for f in errors] == [("missing_values", ["empty"])]
    assert {"constant_feature", "outliers", "target_leakage"} <= set(r.checks_run)
    assert r.input_problem() == "column(s) with no value at all: empty"


def test_single_class_target(clean: pd.DataFrame) -> None:
    r = check_data(clean.assign(y=1), target="y")
    (f,) = [f for f in r.findings if f.code == "class_imbalance"]
    assert f.severity == Severity.ERROR and "single class" in f.title
    assert r.skipped["label_issues"] == "the target has a single class"
    assert "duplicate_rows" in r.checks_run
    assert r.input_problem() == "the target 'y' has a single class"
    assert check_data(clean, target="y", checks={"label_issues": False}).input_problem() is None


def test_broken_csv_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "broken.csv"
    p.write_text("a,b\n1,2\n3,4\n5,6,7\n8,9\n")
    with pytest.raises(BadInputError, match=r"broken\.csv.*line 4 has 3 fields where the header has 2"):
        check_data(p)


def test_not_csv_or_parquet(tmp_path: Path) -> None:
    p = tmp_path / "data.xlsx"
    p.write_bytes(b"PK\x03\x04")
    with pytest.raises(BadInputError, match=r"data\.xlsx.*neither CSV nor Parquet"):
        check_data(p)


def test_damaged_parquet(tmp_path: Path) -> None:
    p = tmp_path / "d.parquet"
    p.write_text("not parquet")
    with pytest.raises(BadInputError, match=r"d\.parquet.*not a readable Parquet"):
        check_data(p)


def test_parquet_and_csv_read(tmp_path: Path, clean: pd.DataFrame) -> None:
    clean.to_parquet(tmp_path / "t.parquet")
    clean.to_csv(tmp_path / "t.csv", index=False)
    a = check_data(tmp_path / "t.parquet", target="y", checks=["duplicate_rows"])
    b = check_data(str(tmp_path / "t.csv"), target="y", checks=["duplicate_rows"])
    assert a.n_rows == b.n_rows == 400 and a.columns["color"]["n_unique"] == 3


def test_wrong_types_and_task(clean: pd.DataFrame) -> None:
    with pytest.raises(BadTypeError, match="DataFrame, a NumPy array or a path"):
        check_data({"a": [1]})
    with pytest.raises(BadInputError, match="task must be"):
        check_data(clean, target="y", task="ranking")
    with pytest.raises(BadInputError, match="task='regression' needs a numeric target"):
        check_data(clean, target="color", task="regression")
    with pytest.raises(BadInputError, match="either 'target'.*or 'y'"):
        check_data(clean, target="y", y=clean["y"])
