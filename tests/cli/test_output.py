"""cli/_output: one JSON writer and one table printer for every reporting command."""

from __future__ import annotations

import json
import math

import numpy as np

from modelglass.cli._output import emit_json, print_findings, print_table
from modelglass.core import Finding


def test_emit_json_keeps_the_result_order_and_makes_values_plain(capsys) -> None:
    emit_json({"schema_version": 1, "result": "X", "value": np.float32(0.5), "bad": math.nan, "arr": np.arange(2)})
    text = capsys.readouterr().out
    assert list(json.loads(text)) == ["schema_version", "result", "value", "bad", "arr"]
    assert json.loads(text)["bad"] == "nan" and json.loads(text)["arr"] == [0, 1]
    assert text.startswith('{\n  "schema_version": 1,')


def test_print_table_is_plain_aligned_and_parses_with_split(capsys) -> None:
    print_table(("trial", "state", "value"), [(12, "complete", 0.123456789), (3, "fail", None)], right=("trial",))
    assert capsys.readouterr().out == (
        "trial  state     value\n"
        "   12  complete  0.123457\n"
        "    3  fail      -\n"
    )


def test_print_findings_puts_the_suggestion_under_the_title(capsys) -> None:
    print_findings([Finding("tune_trials_failed", "warning", "2 of 5 trials failed", suggestion="Read the error.")])
    assert capsys.readouterr().out == "[warning] tune_trials_failed: 2 of 5 trials failed\n    try: Read the error.\n"
