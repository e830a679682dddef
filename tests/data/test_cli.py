"""``modelglass data check``: exit codes, JSON keys, HTML, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modelglass.cli import main


@pytest.fixture
def files(tmp_path: Path, clean: pd.DataFrame) -> tuple[Path, Path]:
    clean.iloc[:300].to_csv(tmp_path / "train.csv", index=False)
    clean.iloc[300:].to_csv(tmp_path / "test.csv", index=False)
    return tmp_path / "train.csv", tmp_path / "test.csv"


def test_clean_split_exits_0_and_prints_a_summary(files, capsys) -> None:
    train, test = files
    code = main(["data", "check", str(train), "--test", str(test), "--target", "y", "--skip", "label_issues"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == f"{train}: 300 rows x 4 columns, test 100 rows; target y; task classification"
    assert "no findings" in out


def test_error_finding_exits_1_with_json(tmp_path: Path, clean: pd.DataFrame, capsys) -> None:
    clean.assign(b=clean["b"].where(clean.index != 3, np.inf)).to_csv(tmp_path / "t.csv", index=False)
    code = main(["data", "check", str(tmp_path / "t.csv"), "--only", "infinite_values", "--json"])
    d = json.loads(capsys.readouterr().out)
    assert code == 1
    assert d["ok"] is False and d["checks_run"] == ["infinite_values"]
    assert d["findings"][0]["code"] == "infinite_values" and d["findings"][0]["evidence"]["rows"] == [3]


def test_html_option_writes_the_page(files, tmp_path: Path, capsys) -> None:
    train, _ = files
    out = tmp_path / "report.html"
    assert main(["data", "check", str(train), "--only", "duplicate_rows", "--html", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["data", "check", "missing.csv"], "'missing.csv' does not exist"),
        (["data", "check", "{train}", "--target", "nope"], "Target column 'nope' is not in train"),
        (["data", "check", "{train}", "--only", "bogus"], "Unknown data check 'bogus'"),
        (["data", "check", "{train}", "--only", "a", "--skip", "b"], "either --only or --skip"),
        (["data"], "expected a subcommand"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(files, capsys, argv, message) -> None:
    train, _ = files
    code = main([a.format(train=train) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unusable_input_still_reports_but_exits_2(tmp_path: Path, capsys) -> None:
    import pandas as pd

    from modelglass.cli import main

    path = tmp_path / "one_class.csv"
    pd.DataFrame({"x": range(30), "y": ["a"] * 30}).to_csv(path, index=False)
    code = main(["data", "check", str(path), "--target", "y"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "class_imbalance" in out  # the other checks ran and were printed
    assert "single class" in err and len(err.strip().splitlines()) == 1
