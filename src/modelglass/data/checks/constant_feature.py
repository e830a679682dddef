"""``constant_feature``: a feature with one value, or one value in almost every row."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import CheckOutput, finding, named, register


@register("constant_feature", "a feature with one value (or one value in > 99% of rows)")
def check(ctx: DataContext, dominant_fraction: float = 0.99) -> CheckOutput:
    """Find constant and quasi-constant features.

    Args:
        dominant_fraction: A feature whose most frequent value (missing counts as a value)
            fills more than this fraction of rows is quasi-constant (default 0.99).

    Severity ``warning``. Column-level only (no rows).
    """
    n = len(ctx.train)
    constant, quasi = [], {}
    for col in ctx.features:
        top, n_values = _top_count(ctx, col, dominant_fraction)
        if n_values <= 1:
            constant.append(col)
        elif top / n > dominant_fraction:
            quasi[col] = top / n
    out = CheckOutput()
    if constant or quasi:
        cols = constant + sorted(quasi, key=lambda c: -quasi[c])
        out.findings.append(finding(
            "constant_feature", "warning",
            f"{len(cols)} feature(s) carry (almost) no information: {named(cols)}",
            {"columns": cols, "constant": constant, "top_value_fraction": quasi,
             "dominant_fraction": dominant_fraction},
            "Drop constant features; for quasi-constant ones, check that the rare values are "
            "real before keeping them.",
        ))
    return out


def _top_count(ctx: DataContext, col: str, dominant_fraction: float) -> tuple[int, int]:
    """(rows holding the most frequent value, number of distinct values capped at 2).

    Missing counts as a value. Numbers avoid hashing: a value filling more than
    ``dominant_fraction`` of the rows must equal both the 1% and the 99% quantiles.
    """
    n = len(ctx.train)
    if ctx.kind(col) == "numeric" and ctx.dtype(col) != np.dtype(object):
        x = ctx.numeric(col)
        nan = np.isnan(x)
        n_nan = int(nan.sum())
        vals = x[~nan] if n_nan else x
        if len(vals) == 0:
            return n, 1
        lo, hi = float(vals.min()), float(vals.max())
        if lo == hi:
            return max(len(vals), n_nan), 1 + int(n_nan > 0)
        q = _quantiles(vals, (1 - dominant_fraction, dominant_fraction))
        top = int((vals == q[0]).sum()) if q[0] == q[1] else 0
        return max(top, n_nan), 2
    codes, uniques = ctx.codes(col)
    n_values = len(uniques) + int((codes < 0).any())
    return (int(np.bincount(codes + 1).max()) if n else 0), min(n_values, 2)


def _quantiles(vals: np.ndarray, qs: tuple[float, float]) -> tuple[float, float]:
    """np.quantile's linear quantiles; a short column is sorted instead (np.quantile's
    overhead dominates there, and a frame of 200,000 columns pays it per column)."""
    if len(vals) > 4096:
        lo, hi = np.quantile(vals, qs)
        return float(lo), float(hi)
    v = np.sort(vals)
    out = []
    for q in qs:
        pos = q * (len(v) - 1)
        i = int(pos)
        j = min(i + 1, len(v) - 1)
        out.append(float(v[i] + (v[j] - v[i]) * (pos - i)))
    return out[0], out[1]
