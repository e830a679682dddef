"""``column_mismatch``: the test set lacks training features, or holds them as another type."""

from __future__ import annotations

from .._context import DataContext, column_kind
from .._registry import CheckOutput, finding, named, register


@register("column_mismatch", "test columns missing, extra, or of another type than in train", needs_test=True)
def check(ctx: DataContext) -> CheckOutput:
    """Compare the columns of train and test.

    Severity ``error`` when a training feature is missing from test or changes kind
    (numeric vs categorical); ``info`` for columns only test has. Column-level.
    """
    missing = [c for c in ctx.features if c not in ctx.test.columns]
    extra = [c for c in ctx.test.columns if c not in ctx.train.columns]
    changed = {
        c: {"train": ctx.kind(c), "test": column_kind(ctx.test[c])}
        for c in ctx.features
        if c in ctx.test.columns and ctx.kind(c) != column_kind(ctx.test[c])
    }
    out = CheckOutput()
    if missing or changed:
        cols = missing + list(changed)
        out.findings.append(finding(
            "column_mismatch", "error",
            f"{len(cols)} training feature(s) are missing from test or change type: {named(cols)}",
            {"columns": cols, "missing_in_test": missing, "type_changed": changed},
            "Build train and test with the same code; a model cannot use a feature that test "
            "lacks, and a number read as text (or the reverse) changes its meaning.",
        ))
    if extra:
        out.findings.append(finding(
            "column_mismatch", "info",
            f"{len(extra)} column(s) exist only in test: {', '.join(extra[:5])}",
            {"columns": extra},
            "Drop them, or add them to training if they are real features.",
        ))
    return out
