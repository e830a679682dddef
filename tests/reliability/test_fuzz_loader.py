"""Issue 15: random and truncated bytes given as a CSV or Parquet file give one clear error."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelglass.core import BadInputError
from modelglass.data import check_data

_GOOD = pd.DataFrame({"x": [1.0, 2.5, None, 4.0] * 5, "k": ["a", "b", "c", "a"] * 5,
                      "y": [0, 1, 0, 1] * 5})


def _parquet_bytes() -> bytes:
    pytest.importorskip("pyarrow")
    buf = io.BytesIO()
    _GOOD.to_parquet(buf)
    return buf.getvalue()


def _outcome(data: bytes, suffix: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"f{suffix}"
        path.write_bytes(data)
        try:
            check_data(str(path))
        except BadInputError as exc:  # anything else fails the test
            msg = str(exc).strip()
            assert "\n" not in msg and path.name in msg, msg
            return "refused"
    return "checked"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".tsv", ".parquet"]))
def test_random_bytes_are_checked_or_refused_in_one_line(data, suffix) -> None:
    assert _outcome(data, suffix) in ("checked", "refused")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.floats(min_value=0.0, max_value=0.999), kind=st.sampled_from(["csv", "parquet"]))
def test_truncated_files_are_checked_or_refused_in_one_line(cut, kind) -> None:
    full = _GOOD.to_csv(index=False).encode() if kind == "csv" else _parquet_bytes()
    assert _outcome(full[: int(len(full) * cut)], f".{kind}") in ("checked", "refused")
