"""``duplicate_rows``: exact duplicate rows (all columns, target included)."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import MAX_EXAMPLES, CheckOutput, finding, register


def duplicate_groups(h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For row hashes ``h``: (repeated rows, the first row each repeats, group sizes per row)."""
    import pandas as pd

    codes, uniq = pd.factorize(h)
    sizes = np.bincount(codes)[codes]
    first = np.full(len(uniq), -1, dtype=np.int64)
    order = np.arange(len(h))[::-1]
    first[codes[order]] = order  # last write wins: the first occurrence
    firsts = first[codes]
    repeats = np.flatnonzero(firsts != np.arange(len(h)))
    return repeats, firsts[repeats], sizes


@register("duplicate_rows", "exact duplicate rows")
def check(ctx: DataContext, min_count: int = 1) -> CheckOutput:
    """Find rows identical in every column to an earlier row.

    Args:
        min_count: Report when at least this many rows repeat an earlier one (default 1).

    Severity ``warning``. Flagged rows are the repeats (not their first occurrence); the
    score is the size of the row's group of identical rows.
    """
    h = ctx.row_hash(list(ctx.train.columns))
    repeats, firsts, sizes = duplicate_groups(h)
    out = CheckOutput(rows=repeats, scores=sizes[repeats].astype(float), extra={"same_as": firsts})
    if len(repeats) >= max(min_count, 1):
        n = len(h)
        pairs = [[int(a), int(b)] for a, b in zip(repeats[:MAX_EXAMPLES], firsts[:MAX_EXAMPLES])]
        out.findings.append(finding(
            "duplicate_rows", "warning",
            f"{len(repeats)} row(s) ({len(repeats) / n:.1%}) are exact copies of earlier rows",
            {"n_rows": int(len(repeats)), "fraction": len(repeats) / n,
             "rows": [p[0] for p in pairs], "pairs": pairs,
             "largest_group": int(sizes.max())},
            "Remove the copies before splitting (copies across train and test inflate the test "
            "score), unless repeated rows are real, independent observations.",
        ))
    return out
