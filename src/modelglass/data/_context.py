"""What every check reads: the frames, the target, the task and cached per-column arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core import BadInputError

#: Columns with at most this many distinct values in an integer target make it a classification.
MAX_CLASSES_INFERRED = 20
_MISSING_HASH = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0x100000001B3)
#: From this many columns on, numeric columns are converted together (see _wide_numeric).
WIDE_COLUMNS = 1000
_NUMERIC_OBJECT = {"integer", "floating", "mixed-integer-float", "decimal"}


def column_kind(series: Any) -> str:
    """``numeric``, ``categorical`` or ``datetime`` for one column (bool counts as categorical)."""
    import pandas as pd

    dt = series.dtype
    if isinstance(dt, np.dtype) and dt.kind in "fiu":
        return "numeric"  # the common case, without pandas' dtype dispatch
    if pd.api.types.is_bool_dtype(dt):
        return "categorical"
    if pd.api.types.is_numeric_dtype(dt):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dt) or pd.api.types.is_timedelta64_dtype(dt):
        return "datetime"
    if dt == np.dtype(object) and pd.api.types.infer_dtype(series, skipna=True) in _NUMERIC_OBJECT:
        return "numeric"
    return "categorical"


def infer_task(y: Any) -> str:
    """``classification`` for labels (strings, bools, few integers), else ``regression``."""
    import pandas as pd

    if column_kind(y) != "numeric":
        return "classification"
    values = pd.to_numeric(y, errors="coerce").dropna().to_numpy(dtype=float)
    if (len(values) and np.all(values == np.round(values))
            and len(np.unique(values)) <= MAX_CLASSES_INFERRED):
        return "classification"
    return "regression"


@dataclass
class DataContext:
    """The inputs of every check, with per-column results computed once and shared.

    Row positions are 0-based positions in ``train`` (or ``test``), never index labels.
    """

    train: Any
    test: Any = None
    target: str | None = None
    task: str | None = None
    pred_probs: Any = None
    seed: int = 0
    progress: bool = False  # checks with long loops (label_issues' folds) may show them
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.target is not None and self.target not in self.train.columns:
            cols = ", ".join(repr(c) for c in list(self.train.columns)[:10])
            raise BadInputError(
                f"Target column {self.target!r} is not in train. Its columns are: {cols}"
                + (" ..." if self.train.shape[1] > 10 else "")
            )
        if self.task is not None and self.task not in ("classification", "regression"):
            raise BadInputError(
                f"task must be 'classification' or 'regression'. Got {self.task!r}."
            )
        if self.target is None:
            if self.task is not None:
                raise BadInputError("task was given without a target. Pass target=<column>.")
            return
        y = self.train[self.target]
        if int(y.notna().sum()) == 0:
            raise BadInputError(f"Target column {self.target!r} has no values (all missing).")
        if self.task is None:
            self.task = infer_task(y)
        elif self.task == "regression" and column_kind(y) != "numeric":
            raise BadInputError(
                f"task='regression' needs a numeric target; column {self.target!r} holds text. "
                "Use task='classification'."
            )

    # ----- columns -------------------------------------------------------------------
    @property
    def features(self) -> list[str]:
        """Train columns other than the target."""
        return [c for c in self.train.columns if c != self.target]

    def frame(self, side: str = "train") -> Any:
        return self.train if side == "train" else self.test

    def dtype(self, col: str, side: str = "train") -> Any:
        """The column's dtype, without building the column (cheap on very wide frames)."""
        key = ("dtypes", side)
        if key not in self._cache:
            frame = self.frame(side)
            self._cache[key] = dict(zip(frame.columns, frame.dtypes))
        return self._cache[key][col]

    def column(self, col: str, side: str = "train") -> Any:
        """The column as a pandas Series, built once."""
        key = ("col", col, side)
        if key not in self._cache:
            self._cache[key] = self.frame(side)[col]
        return self._cache[key]

    def kind(self, col: str) -> str:
        key = ("kind", col)
        if key not in self._cache:
            dt = self.dtype(col)
            numeric = isinstance(dt, np.dtype) and dt.kind in "fiu"
            self._cache[key] = "numeric" if numeric else column_kind(self.column(col))
        return self._cache[key]

    def numeric_features(self) -> list[str]:
        return [c for c in self.features if self.kind(c) == "numeric"]

    def categorical_features(self) -> list[str]:
        return [c for c in self.features if self.kind(c) == "categorical"]

    def numeric(self, col: str, side: str = "train") -> np.ndarray:
        """The column as float64, missing values as NaN."""
        key = ("num", col, side)
        if key not in self._cache:
            import pandas as pd

            dt = self.dtype(col, side)
            if isinstance(dt, np.dtype) and dt.kind in "fiu":
                wide = self._wide_numeric(side)
                if wide is not None:
                    self._cache[key] = wide[col]
                    return self._cache[key]
                arr = self.column(col, side).to_numpy(dtype=np.float64, copy=False)
            else:
                s = self.column(col, side)
                arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            self._cache[key] = arr
        return self._cache[key]

    def _wide_numeric(self, side: str) -> dict[str, np.ndarray] | None:
        """For a frame of many columns: every numeric column as float64, in one conversion.

        Building a pandas Series costs tens of microseconds, which a frame of 200,000
        columns pays per check and per column; one 2-D array (a column per row of it)
        costs one pass over the data.
        """
        key = ("wide", side)
        if key not in self._cache:
            frame = self.frame(side)
            out = None
            if frame.shape[1] >= WIDE_COLUMNS:
                pos = [i for i, dt in enumerate(frame.dtypes)
                       if isinstance(dt, np.dtype) and dt.kind in "fiu"]
                block = np.ascontiguousarray(frame.iloc[:, pos].to_numpy(dtype=np.float64).T)
                out = dict(zip(frame.columns[pos], block))
            self._cache[key] = out
        return self._cache[key]

    def codes(self, col: str, side: str = "train") -> tuple[np.ndarray, Any]:
        """``pandas.factorize`` of the column: (codes with -1 for missing, unique values)."""
        key = ("codes", col, side)
        if key not in self._cache:
            import pandas as pd

            self._cache[key] = pd.factorize(self.column(col, side), use_na_sentinel=True)
        return self._cache[key]

    def test_codes(self, col: str) -> tuple[np.ndarray, Any, np.ndarray]:
        """Test values as train codes: (codes, -1 for missing or unseen; unseen codes; unseen values).

        Unseen values get their own codes ``0..U-1`` (-1 elsewhere), so counts over train
        categories and over new categories are both cheap.
        """
        key = ("test_codes", col)
        if key not in self._cache:
            import pandas as pd

            _, uniques = self.codes(col)
            values = self.test[col]
            idx = pd.Index(uniques).get_indexer(values) if len(uniques) else np.full(len(values), -1)
            new = (idx < 0) & values.notna().to_numpy()
            new_codes = np.full(len(values), -1, dtype=np.int64)
            new_values: Any = np.zeros(0, dtype=object)
            if new.any():
                c, new_values = pd.factorize(values[new])
                new_codes[new] = c
            self._cache[key] = (np.asarray(idx, dtype=np.int64), new_codes, np.asarray(new_values, dtype=object))
        return self._cache[key]

    def missing(self, col: str, side: str = "train") -> np.ndarray:
        """True where a value is NaN/None/NA, or an empty or blank string."""
        key = ("missing", col, side)
        if key not in self._cache:
            if self.kind(col) == "numeric" and self.dtype(col, side) != np.dtype(object):
                mask = np.isnan(self.numeric(col, side))
            elif self.kind(col) == "datetime":
                mask = self.column(col, side).isna().to_numpy()
            else:
                codes, uniques = self.codes(col, side)
                blank = _blank(uniques)
                mask = codes < 0
                if blank.any():
                    mask = mask | np.append(blank, False)[codes]
            self._cache[key] = mask
        return self._cache[key]

    # ----- target --------------------------------------------------------------------
    def labels(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Classification labels: (row positions with a label, codes 0..K-1, class values)."""
        key = ("labels",)
        if key not in self._cache:
            import pandas as pd

            codes, classes = pd.factorize(self.train[self.target], sort=True, use_na_sentinel=True)
            rows = np.flatnonzero(codes >= 0)
            self._cache[key] = (rows, codes[rows].astype(np.int64), np.asarray(classes))
        return self._cache[key]

    def y_numeric(self) -> tuple[np.ndarray, np.ndarray]:
        """Regression target: (row positions with a finite value, values)."""
        y = self.numeric(self.target)
        rows = np.flatnonzero(np.isfinite(y))
        return rows, y[rows]

    # ----- row hashes ----------------------------------------------------------------
    def column_hash(
        self, col: str, side: str = "train", decimals: int | None = None, portable: bool = False
    ) -> np.ndarray:
        """A uint64 per row for one column; ``decimals`` rounds numbers, lower-cases and strips text.

        Within one frame, text columns hash their factorize codes (cheap); ``portable``
        hashes the text itself so that train and test rows can be compared.
        """
        portable = portable or decimals is not None
        key = ("hash", col, side, decimals, portable)
        if key not in self._cache:
            import pandas as pd

            if self.kind(col) == "numeric":
                x = self.numeric(col, side).copy()
                if decimals is not None:
                    x = np.round(x, decimals)
                x[x == 0] = 0.0  # -0.0 and 0.0 are the same value
                nan = np.isnan(x)
                h = mix64(x.view(np.uint64))
                h[nan] = _MISSING_HASH
            elif not portable:
                codes, _ = self.codes(col, side)
                h = mix64(codes.astype(np.int64).view(np.uint64) + np.uint64(1))
            else:
                codes, uniques = self.codes(col, side)
                text = pd.Series(uniques).astype("str")
                if decimals is not None:
                    text = text.str.strip().str.lower()
                vals = text.to_numpy(dtype=object)
                hu = pd.util.hash_array(vals, categorize=False) if len(vals) else np.zeros(0, np.uint64)
                h = np.append(hu, _MISSING_HASH)[codes]
            self._cache[key] = h
        return self._cache[key]

    def row_hash(
        self, columns: list[str], side: str = "train", decimals: int | None = None, portable: bool = False
    ) -> np.ndarray:
        """A uint64 per row combining ``columns``; equal rows get equal hashes (see column_hash)."""
        key = ("rowhash", tuple(columns), side, decimals, portable)
        if key not in self._cache:
            n = len(self.frame(side))
            h = np.zeros(n, dtype=np.uint64)
            with np.errstate(over="ignore"):
                for col in columns:
                    h = (h * _MIX) ^ self.column_hash(col, side, decimals, portable)
                    h = h ^ (h >> np.uint64(29))
            self._cache[key] = h
        return self._cache[key]


def _blank(uniques: Any) -> np.ndarray:
    """True for the distinct values that are empty or whitespace-only strings."""
    import pandas as pd

    s = pd.Series(uniques)
    if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
        return np.zeros(len(s), dtype=bool)
    try:
        return s.str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    except AttributeError:  # no strings among the values (bools, dates...)
        return np.zeros(len(s), dtype=bool)


def mix64(v: np.ndarray) -> np.ndarray:
    """A well-mixed uint64 per value (the splitmix64 finaliser), vectorised."""
    with np.errstate(over="ignore"):
        h = v ^ (v >> np.uint64(30))
        h = h * np.uint64(0xBF58476D1CE4E5B9)
        h = h ^ (h >> np.uint64(27))
        h = h * np.uint64(0x94D049BB133111EB)
        return h ^ (h >> np.uint64(31))
