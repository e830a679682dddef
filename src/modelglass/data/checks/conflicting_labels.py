"""``conflicting_labels``: rows with identical features and different targets."""

from __future__ import annotations


from .._context import DataContext
from .._registry import CheckOutput, SkipCheck, finding, register, row_evidence


@register("conflicting_labels", "identical features with different targets", needs_target=True)
def check(ctx: DataContext) -> CheckOutput:
    """Find groups of rows with the same features but different labels (classification).

    Severity ``warning``. Flagged rows are every row of such a group; the score is the
    number of different labels in its group.
    """
    import pandas as pd

    if ctx.task != "classification":
        raise SkipCheck("only for classification targets")
    if not ctx.features:
        raise SkipCheck("no feature columns")
    rows, labels, _ = ctx.labels()
    h = ctx.row_hash(ctx.features)[rows]
    frame = pd.DataFrame({"h": h, "y": labels})
    n_labels = frame.groupby("h", sort=False)["y"].transform("nunique").to_numpy()
    bad = n_labels > 1
    flagged = rows[bad]
    out = CheckOutput(rows=flagged, scores=n_labels[bad].astype(float))
    if len(flagged):
        n_groups = int(pd.unique(h[bad]).size)
        out.findings.append(finding(
            "conflicting_labels", "warning",
            f"{n_groups} group(s) of identical rows have different labels ({len(flagged)} rows)",
            {"n_groups": n_groups, **row_evidence(flagged),
             "column": ctx.target},
            "Check these labels: either some are wrong, or the features miss something that "
            "tells the classes apart.",
        ))
    return out
