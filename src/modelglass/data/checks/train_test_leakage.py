"""``train_test_leakage``: test rows that also appear in the training set."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import SkipCheck, CheckOutput, examples, finding, register


def match_rows(train_h: np.ndarray, test_h: np.ndarray) -> np.ndarray:
    """For each test row hash, the first train row with the same hash, or -1."""
    uniq, first = np.unique(train_h, return_index=True)
    if len(uniq) == 0:
        return np.full(len(test_h), -1)
    pos = np.minimum(np.searchsorted(uniq, test_h), len(uniq) - 1)
    return np.where(uniq[pos] == test_h, first[pos], -1)


def same_values(ctx: DataContext, cols: list[str], train_rows: np.ndarray, test_rows: np.ndarray) -> np.ndarray:
    """True where the paired train and test rows hold exactly the same values (NaN equals NaN)."""
    import pandas as pd

    same = np.ones(len(test_rows), dtype=bool)
    for col in cols:
        if ctx.kind(col) == "numeric":
            a, b = ctx.numeric(col)[train_rows], ctx.numeric(col, "test")[test_rows]
            same &= (a == b) | (np.isnan(a) & np.isnan(b))
        else:
            a = pd.Series(ctx.train[col].iloc[train_rows].to_numpy(), dtype=object)
            b = pd.Series(ctx.test[col].iloc[test_rows].to_numpy(), dtype=object)
            same &= (a.eq(b) | (a.isna() & b.isna())).to_numpy(dtype=bool)
    return same


@register("train_test_leakage", "test rows that also appear in the training set", needs_test=True)
def check(ctx: DataContext, decimals: int = 6) -> CheckOutput:
    """Find test rows whose features equal a training row.

    Compares the feature columns the two sets share (the target excluded) after
    normalising: numbers rounded to ``decimals`` (default 6) places, text lower-cased
    with surrounding blanks removed; each match is then marked exact or not. Severity ``error``. Flagged rows are positions in
    *test* (``extra['train_row']`` is the matching training row); score 1 for an exact
    copy, 0.5 for a copy after normalising.
    """
    cols = [c for c in ctx.features if c in ctx.test.columns]
    if not cols:
        raise SkipCheck("train and test share no feature column")
    norm = match_rows(ctx.row_hash(cols, "train", decimals), ctx.row_hash(cols, "test", decimals))
    rows = np.flatnonzero(norm >= 0)
    train_row = norm[rows]
    exact = same_values(ctx, cols, train_row, rows)
    out = CheckOutput(rows=rows, scores=np.where(exact, 1.0, 0.5),
                      extra={"train_row": train_row}, side="test")
    if len(rows):
        n_exact = int(exact.sum())
        n_test = len(ctx.test)
        out.findings.append(finding(
            "train_test_leakage", "error",
            f"{len(rows)} test row(s) ({len(rows) / n_test:.1%}) also appear in the training set",
            {"n_rows": int(len(rows)), "n_exact": n_exact, "n_after_normalising": int(len(rows)) - n_exact,
             "fraction": len(rows) / n_test, "rows": examples(rows),
             "pairs": [[int(a), int(b)] for a, b in zip(rows[:20], train_row[:20])],
             "columns": cols, "side": "test"},
            "Remove these rows from the test set (or deduplicate before splitting); otherwise the "
            "test score measures memory, not generalisation.",
        ))
    return out
