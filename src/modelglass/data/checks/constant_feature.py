"""``constant_feature``: a feature with one value, or one value in almost every row."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import CheckOutput, finding, register


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
        codes, uniques = ctx.codes(col)
        n_unique = len(uniques) + int((codes < 0).any())
        if n_unique <= 1:
            constant.append(col)
            continue
        top = int(np.bincount(codes + 1).max())
        if top / n > dominant_fraction:
            quasi[col] = top / n
    out = CheckOutput()
    if constant or quasi:
        cols = constant + sorted(quasi, key=lambda c: -quasi[c])
        out.findings.append(finding(
            "constant_feature", "warning",
            f"{len(cols)} feature(s) carry (almost) no information: {', '.join(cols[:5])}",
            {"columns": cols, "constant": constant, "top_value_fraction": quasi,
             "dominant_fraction": dominant_fraction},
            "Drop constant features; for quasi-constant ones, check that the rare values are "
            "real before keeping them.",
        ))
    return out
