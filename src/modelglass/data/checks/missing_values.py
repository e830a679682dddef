"""``missing_values``: NaN/None/NA and empty strings per column, and rows that are mostly empty."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import CheckOutput, examples, finding, register, row_evidence


@register("missing_values", "NaN/None/empty values per column, and mostly-empty rows")
def check(ctx: DataContext, min_fraction: float = 0.0, row_fraction: float = 0.5) -> CheckOutput:
    """Count missing values per column (blank strings count as missing).

    Args:
        min_fraction: A column is reported when its missing fraction is above this (default 0: any).
        row_fraction: A row is "mostly empty" when more than this fraction of its cells is missing
            (default 0.5).

    Severity: ``warning``; ``error`` for a column with no value at all. Row scores are the
    fraction of missing cells in the row.
    """
    cols = list(ctx.train.columns)
    n = len(ctx.train)
    per_row = np.zeros(n, dtype=np.int32)
    counts: dict[str, int] = {}
    for col in cols:
        m = ctx.missing(col)
        c = int(m.sum())
        if c:
            per_row += m
            counts[col] = c
    out = CheckOutput()
    frac = per_row / max(len(cols), 1)
    rows = np.flatnonzero(per_row)
    out.rows, out.scores = rows, frac[rows]
    flagged = {c: k for c, k in counts.items() if k / n > min_fraction}
    empty = [c for c, k in counts.items() if k == n]
    if empty:
        out.findings.append(finding(
            "missing_values", "error",
            f"{len(empty)} column(s) have no values at all: {', '.join(empty[:5])}",
            {"columns": empty, "n_rows": n},
            "Drop these columns, or fix how the file is read (wrong separator or header?).",
        ))
    partial = {c: k for c, k in flagged.items() if c not in empty}
    if partial:
        mostly = np.flatnonzero(frac > row_fraction)
        order = sorted(partial, key=lambda c: -partial[c])
        out.findings.append(finding(
            "missing_values", "warning",
            f"{len(partial)} column(s) have missing values, worst {order[0]!r} "
            f"({partial[order[0]] / n:.1%})",
            {
                "columns": order,
                "missing_count": {c: partial[c] for c in order},
                "missing_fraction": {c: partial[c] / n for c in order},
                **row_evidence(rows),
                "mostly_empty_rows": examples(mostly),
                "n_mostly_empty_rows": int(len(mostly)),
                "row_fraction": row_fraction,
            },
            "Impute the values (median, most frequent, or a model), add a 'was missing' "
            "indicator, or drop the mostly-empty rows.",
        ))
    return out
