"""Issue 15, D6/D8/D10: inputs at fault get exit 2 and one line, never exit 3 or a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import modelglass as mg
from modelglass.cli._main import main


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_d10_duplicate_csv_header_is_an_error_and_json_says_so(tmp_path: Path, capsys) -> None:
    csv = tmp_path / "dup.csv"
    csv.write_text("a,a,b\n1,2,3\n4,5,6\n")
    code, out, err = _run(capsys, ["data", "check", str(csv), "--json"])
    assert code == 2
    assert err.count("\n") == 1 and "duplicate column names in its header: ['a']" in err
    got = json.loads(out)  # used to print nothing on stdout
    assert got["ok"] is False and got["error"]["exit_code"] == 2
    assert got["error"]["type"] == "BadInputError" and "duplicate column" in got["error"]["message"]


def test_d10_a_real_column_named_like_a_renamed_duplicate_is_fine(tmp_path: Path, capsys) -> None:
    csv = tmp_path / "ok.csv"
    csv.write_text("a,a.1\n1,2\n3,4\n")
    code, _out, _err = _run(capsys, ["data", "check", str(csv), "--json"])
    assert code == 0


def test_d10_json_error_object_for_a_missing_store(tmp_path: Path, capsys) -> None:
    code, out, _err = _run(capsys, ["runs", "--store", str(tmp_path / "nowhere"), "--json"])
    assert code == 2 and json.loads(out)["error"]["type"] == "StoreError"


def test_d8_extreme_column_with_html_report(tmp_path: Path, capsys) -> None:
    csv = tmp_path / "big.csv"
    csv.write_text("a,b\n1e308,1\n-1e308,2\n1e308,3\n-1e308,4\n")
    code, _out, err = _run(capsys, ["data", "check", str(csv), "--html", str(tmp_path / "r.html")])
    assert code == 0, err
    report = mg.check_data(str(csv)).to_dict()["columns"]["a"]
    assert report["mean"] == 0.0 and report["std"] == 1e308
    edges = report["histogram"]["edges"]
    assert edges[0] == -1e308 and edges[-1] == 1e308 and sum(report["histogram"]["train"]) == 4


def test_d8_a_model_file_that_calls_sys_exit(tmp_path: Path, capsys) -> None:
    model = tmp_path / "quitter.py"
    model.write_text("import sys\nsys.exit(5)\n")
    code, _out, err = _run(capsys, ["inspect", f"{model}:make"])
    assert code == 2  # used to exit 5, as if modelglass itself had chosen that code
    assert err.count("\n") == 1 and "called sys.exit(5)" in err


def test_d8_an_input_shape_too_large_for_memory(tmp_path: Path, capsys) -> None:
    pytest.importorskip("torch")
    model = tmp_path / "lin.py"
    model.write_text("import torch\ndef make():\n    return torch.nn.Linear(100000, 2)\n")
    code, _out, err = _run(
        capsys, ["inspect", f"{model}:make", "--input-shape", "100000,100000,100000"]
    )
    assert code == 2 and err.count("\n") == 1 and "out of memory" in err


def test_d6_list_and_dict_columns_are_checked_as_text(tmp_path: Path) -> None:
    df = pd.DataFrame({
        "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "tags": [[1, 2], [3], [1, 2], [], [3], [1, 2]],
        "meta": [{"a": 1}, {"b": 2}, {"a": 1}, {}, {"b": 2}, {"a": 1}],
        "y": [0, 1, 0, 1, 1, 0],
    })
    for source in (df, _parquet(df, tmp_path)):
        report = mg.check_data(source, target="y").to_dict()
        tags = report["columns"]["tags"]
        assert tags["kind"] == "categorical" and tags["n_unique"] == 3
        assert set(tags["top"]["values"]) == {"[1, 2]", "[3]", "[]"}
        assert report["columns"]["meta"]["top"]["train"][0] == 3  # {"a": 1} three times


def _parquet(df: pd.DataFrame, tmp_path: Path) -> str:
    pytest.importorskip("pyarrow")
    path = tmp_path / "nested.parquet"
    df.to_parquet(path)
    return str(path)


def test_d12_wide_frames_take_the_one_conversion_path_with_the_same_report(monkeypatch) -> None:
    from modelglass.data import _context

    rng = np.random.default_rng(0)
    data = rng.normal(size=(40, 1500))
    data[:, 7] = 3.0  # constant
    data[5:9, 11] = np.nan  # missing
    df = pd.DataFrame(data, columns=[f"c{i}" for i in range(1500)])
    df["text"] = ["a", "b"] * 20
    df["ints"] = np.arange(40)
    wide = mg.check_data(df).to_dict()
    monkeypatch.setattr(_context, "WIDE_COLUMNS", 10**9)  # the column-by-column path
    narrow = mg.check_data(df).to_dict()
    assert wide == narrow
    codes = {f["code"]: f for f in wide["findings"]}
    assert "c7" in codes["constant_feature"]["evidence"]["constant"]
    assert codes["missing_values"]["evidence"]["missing_count"] == {"c11": 4}
