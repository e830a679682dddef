"""Turn what the user passed (frame, array, CSV/Parquet path) into a pandas DataFrame."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..core import BadInputError, BadTypeError, require

_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")
_PARQUET_SUFFIXES = (".parquet", ".pq")


def read_table(path: str | os.PathLike[str]) -> Any:
    """Read a CSV or Parquet file; every failure names the file (and the line when known)."""
    pd = require("pandas", "reading a data file")
    p = Path(path)
    name = p.name.lower()
    if not p.exists():
        raise BadInputError(f"Data file {str(p)!r} does not exist. Check the path.")
    if p.is_dir():
        raise BadInputError(f"Data path {str(p)!r} is a folder. Expected a CSV or Parquet file.")
    if name.endswith(_PARQUET_SUFFIXES):
        require("pyarrow", "reading Parquet files")
        try:
            return pd.read_parquet(p)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise BadInputError(
                f"Data file {str(p)!r} is not a readable Parquet file: {_one_line(exc)}"
            ) from None
    if name.endswith(_CSV_SUFFIXES):
        sep = "\t" if ".tsv" in name else ","
        try:
            frame = pd.read_csv(p, sep=sep)
            _check_header(pd, p, sep, frame.columns)
            return frame
        except pd.errors.EmptyDataError:
            raise BadInputError(f"Data file {str(p)!r} is empty. Expected a header line and rows.") from None
        except pd.errors.ParserError as exc:
            raise BadInputError(f"Data file {str(p)!r} has a broken row: {_parser_detail(exc)}") from None
        except UnicodeDecodeError as exc:
            raise BadInputError(
                f"Data file {str(p)!r} is not UTF-8 text (byte {exc.start}). Save it as UTF-8 CSV."
            ) from None
    raise BadInputError(
        f"Data file {str(p)!r} is neither CSV nor Parquet. Expected a name ending in "
        ".csv, .tsv or .parquet."
    )


def _check_header(pd: Any, p: Path, sep: str, columns: Any) -> None:
    """pandas renames a repeated header (``a``, ``a.1``): say so instead of checking a made-up column."""
    names = set(map(str, columns))
    suspects = [c for c in names if re.fullmatch(r".+\.\d+", c) and c.rsplit(".", 1)[0] in names]
    if not suspects:
        return
    header = pd.read_csv(p, sep=sep, header=None, nrows=1, dtype=str).iloc[0].tolist()
    seen: set[str] = set()
    dup = [h for h in header if h in seen or seen.add(h)]
    if dup:
        raise BadInputError(
            f"Data file {str(p)!r} has duplicate column names in its header: "
            f"{sorted(set(map(str, dup)))[:5]}. Rename them so that each column has its own name."
        )


def _parser_detail(exc: Exception) -> str:
    text = _one_line(exc)
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        want, line, got = m.groups()
        return f"line {line} has {got} fields where the header has {want}. Fix or remove that line."
    return text


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def to_frame(obj: Any, what: str) -> Any:
    """A DataFrame from a DataFrame, a 2-D array-like or a file path.

    Args:
        obj: The data.
        what: Which argument it is (``train`` or ``test``), used in messages.
    """
    pd = require("pandas", "checking data")
    if isinstance(obj, (str, os.PathLike)):
        frame = read_table(obj)
        label = f"Data file {os.fspath(obj)!r}"
    elif isinstance(obj, pd.DataFrame):
        frame = obj
        label = f"The '{what}' frame"
    elif isinstance(obj, pd.Series):
        frame = obj.to_frame()
        label = f"The '{what}' series"
    elif isinstance(obj, (np.ndarray, list, tuple)):
        arr = np.asarray(obj)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        if arr.ndim != 2:
            raise BadInputError(
                f"The '{what}' array must be 2-D (rows x columns). Got shape {arr.shape}."
            )
        frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
        label = f"The '{what}' array"
    else:
        raise BadTypeError(
            f"The '{what}' argument must be a pandas DataFrame, a NumPy array or a path to a "
            f"CSV/Parquet file. Got {type(obj).__name__}."
        )
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise BadInputError(f"{label} is empty ({frame.shape[0]} rows x {frame.shape[1]} columns).")
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    dup = frame.columns[frame.columns.duplicated()]
    if len(dup):
        raise BadInputError(f"{label} has duplicate column names: {list(dup)[:5]}. Rename them.")
    return _nested_as_text(frame)


_NESTED = (list, dict, tuple, set, np.ndarray)


def _nested_as_text(frame: Any) -> Any:
    """Columns holding lists or dicts (JSON fields, Parquet list/struct columns) become
    their JSON text, so that they are checked as categories (duplicates, cardinality,
    drift) instead of failing on values that cannot be hashed."""
    nested = [
        c for c, dtype in zip(frame.columns, frame.dtypes)
        if dtype.kind == "O" and any(isinstance(v, _NESTED) for v in frame[c].array)
    ]
    if not nested:
        return frame
    frame = frame.copy()
    for c in nested:
        frame[c] = [_as_text(v) for v in frame[c].array]
    return frame


def _as_text(v: Any) -> Any:
    if not isinstance(v, _NESTED):
        return v
    return json.dumps(_plain(v), sort_keys=True, default=str)


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, set):
        return sorted((_plain(x) for x in v), key=repr)
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def attach_target(frame: Any, y: Any, target: str | None) -> tuple[Any, str]:
    """Add ``y`` to ``frame`` as a column; return the frame and the target name."""
    pd = require("pandas")
    if target is not None:
        raise BadInputError(
            "Pass either 'target' (a column of train) or 'y' (the labels), not both."
        )
    name = getattr(y, "name", None)
    name = str(name) if isinstance(name, str) and name not in frame.columns else "target"
    if name in frame.columns:
        raise BadInputError(f"Cannot add 'y' as column {name!r}: train already has that column.")
    values = np.asarray(y)
    if values.ndim != 1 or len(values) != len(frame):
        raise BadInputError(
            f"'y' must be 1-D with one label per row of train ({len(frame)}). Got shape {values.shape}."
        )
    out = frame.copy()
    out[name] = pd.Series(values).to_numpy() if not isinstance(y, pd.Series) else y.to_numpy()
    return out, name
