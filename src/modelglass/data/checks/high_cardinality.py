"""``high_cardinality``: a categorical column with almost one value per row (an ID)."""

from __future__ import annotations

from .._context import DataContext
from .._registry import CheckOutput, finding, named, register


@register("high_cardinality", "categorical columns with almost one value per row (IDs)")
def check(ctx: DataContext, max_unique_fraction: float = 0.9, min_rows: int = 20) -> CheckOutput:
    """Find ID-like categorical features.

    Args:
        max_unique_fraction: Flag when distinct values / non-missing values is above this
            (default 0.9).
        min_rows: Only judge columns with at least this many non-missing values (default 20).

    Severity ``warning``. Column-level only.
    """
    hits = {}
    for col in ctx.categorical_features():
        codes, uniques = ctx.codes(col)
        present = int((codes >= 0).sum())
        if present >= min_rows and len(uniques) / present > max_unique_fraction:
            hits[col] = {"n_unique": len(uniques), "unique_fraction": len(uniques) / present}
    out = CheckOutput()
    if hits:
        cols = list(hits)
        out.findings.append(finding(
            "high_cardinality", "warning",
            f"{len(cols)} categorical column(s) look like identifiers: {named(cols)}",
            {"columns": cols, "per_column": hits, "max_unique_fraction": max_unique_fraction},
            "Drop ID columns from the features (they let a model memorise rows), or encode the "
            "useful part (a prefix, a date) instead.",
        ))
    return out
