"""``infinite_values``: +Inf / -Inf in numeric columns."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import CheckOutput, finding, named, register, row_evidence


@register("infinite_values", "+Inf/-Inf in numeric columns")
def check(ctx: DataContext) -> CheckOutput:
    """Find infinite values. Severity ``error``: most models fail or produce NaN on them.

    Row scores are the number of infinite cells in the row.
    """
    n = len(ctx.train)
    per_row = np.zeros(n, dtype=np.int32)
    counts: dict[str, int] = {}
    for col in ctx.train.columns:
        if ctx.kind(col) != "numeric":
            continue
        m = np.isinf(ctx.numeric(col))
        c = int(m.sum())
        if c:
            per_row += m
            counts[col] = c
    rows = np.flatnonzero(per_row)
    out = CheckOutput(rows=rows, scores=per_row[rows].astype(float))
    if counts:
        cols = sorted(counts, key=lambda c: -counts[c])
        out.findings.append(finding(
            "infinite_values", "error",
            f"{sum(counts.values())} infinite value(s) in {len(cols)} column(s): {named(cols)}",
            {"columns": cols, "inf_count": counts, **row_evidence(rows)},
            "Find where they come from (a division by zero, log(0), an overflow) and fix it, "
            "or replace them with NaN and impute.",
        ))
    return out
