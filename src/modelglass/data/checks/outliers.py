"""``outliers``: values far outside the bulk of their column (Tukey's far-out fences)."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import CheckOutput, finding, named, register, row_evidence


def fence_mask(x: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
    """Outlying values of ``x`` and their robust z-scores (distance from the median in IQR/1.349 units).

    A value is outlying when it lies outside ``[Q1 - k*IQR, Q3 + k*IQR]``; for a strictly
    positive column it must also lie outside the same fences computed on ``log(x)``, so a
    long right tail (sizes, counts, prices) is not called an outlier. Columns whose IQR is 0
    are skipped (the constant_feature check covers them).
    """
    finite = np.isfinite(x)
    vals = x[finite]
    none = np.zeros(len(x), dtype=bool), np.zeros(len(x))
    if len(vals) < 8:
        return none
    q1, med, q3 = np.quantile(vals, [0.25, 0.5, 0.75])
    iqr = q3 - q1
    if iqr <= 0:
        return none
    with np.errstate(invalid="ignore"):
        out = finite & ((x < q1 - k * iqr) | (x > q3 + k * iqr))
        if out.any() and vals.min() > 0:
            lx = np.log(np.where(finite, x, 1.0))
            lq1, lq3 = np.quantile(np.log(vals), [0.25, 0.75])
            liqr = lq3 - lq1
            if liqr > 0:
                out &= (lx < lq1 - k * liqr) | (lx > lq3 + k * liqr)
    z = np.zeros(len(x))
    z[out] = np.abs(x[out] - med) / (iqr / 1.349)
    return out, z


@register("outliers", "values far outside the bulk, per column and per row")
def check(
    ctx: DataContext, k: float = 3.0, extreme_z: float = 10.0, max_fraction: float = 0.01
) -> CheckOutput:
    """Find outlying values per numeric feature, and the rows that hold them.

    Args:
        k: Fence multiplier of the inter-quartile range (default 3.0, Tukey's "far out").
        extreme_z: A column is a ``warning`` when one of its outlying values lies more than
            this many robust standard deviations (IQR/1.349) from the median (default 10)...
        max_fraction: ...and at most this fraction of its values is outlying (default 0.01:
            a few far values are suspect entries). Other outlying columns (a heavy tail,
            or values only moderately far out) are reported as ``info``.

    Row scores are the largest robust z-score of the row's outlying values.
    """
    n = len(ctx.train)
    row_score = np.zeros(n)
    per_col: dict[str, dict] = {}
    masks: dict[str, np.ndarray] = {}
    for col in ctx.numeric_features():
        x = ctx.numeric(col)
        mask, z = fence_mask(x, k)
        c = int(mask.sum())
        if c:
            masks[col] = mask
            np.maximum(row_score, z, out=row_score)
            per_col[col] = {"count": c, "fraction": c / n, "max_z": float(z.max()),
                            "examples": [float(v) for v in x[mask][:5]]}
    rows = np.flatnonzero(row_score > 0)
    order = rows[np.argsort(-row_score[rows], kind="stable")]
    out = CheckOutput(rows=rows, scores=row_score[rows])
    rare = [c for c, d in per_col.items() if d["fraction"] <= max_fraction and d["max_z"] > extreme_z]
    tails = [c for c in per_col if c not in rare]
    for cols, sev, title, hint in (
        (rare, "warning", "{} column(s) hold a few values far outside the bulk: {}",
         "Check these values: a typo, a unit mistake or a sentinel such as -999? Fix or remove "
         "them, or use a robust scaler/model."),
        (tails, "info", "{} column(s) have values beyond the far-out fences (heavy tails): {}",
         "Usually real values; consider a log or rank transform or a robust model."),
    ):
        if cols:
            cols = sorted(cols, key=lambda c: -per_col[c]["max_z"])
            sel = np.zeros(n, dtype=bool)
            for c in cols:
                sel |= masks[c]
            flagged = order[sel[order]]
            out.findings.append(finding(
                "outliers", sev, title.format(len(cols), named(cols)),
                {"columns": cols, "per_column": {c: per_col[c] for c in cols},
                 **row_evidence(flagged), "k": k},
                hint,
            ))
    return out
