"""``class_imbalance``: the rarest class is far below an even share."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import CheckOutput, SkipCheck, examples, finding, named, register


@register("class_imbalance", "rarest class below 0.1/K of the data", needs_target=True)
def check(ctx: DataContext, ratio: float = 0.1) -> CheckOutput:
    """Compare each class's share with an even share 1/K.

    Args:
        ratio: A class is rare when its share is below ``ratio / K`` (default 0.1, the
            threshold cleanlab uses).

    Severity ``warning``; ``error`` when the target has a single class (nothing to learn).
    Flagged rows are the rows of the rare classes, scored by ``1 - share * K``.
    """
    if ctx.task != "classification":
        raise SkipCheck("only for classification targets")
    rows, labels, classes = ctx.labels()
    k = len(classes)
    counts = np.bincount(labels, minlength=k)
    share = counts / counts.sum()
    dist = {str(c): int(v) for c, v in zip(classes, counts)}
    out = CheckOutput(details={"classes": [str(c) for c in classes], "counts": counts.tolist()})
    if k == 1:
        out.findings.append(finding(
            "class_imbalance", "error",
            f"The target {ctx.target!r} has a single class ({classes[0]!s}): there is nothing to learn",
            {"column": ctx.target, "class_counts": dist},
            "Check how the labels were collected or filtered; a classifier needs at least two classes.",
        ))
        return out
    rare = np.flatnonzero(share < ratio / k)
    sel = np.isin(labels, rare)
    out.rows, out.scores = rows[sel], (1 - share[labels[sel]] * k)
    if len(rare):
        names = [str(classes[i]) for i in rare]
        out.findings.append(finding(
            "class_imbalance", "warning",
            f"Class(es) {named(names)} of {ctx.target!r} are rare "
            f"(rarest {share.min():.2%} of rows, even share {1 / k:.2%})",
            {"column": ctx.target, "class_counts": dist, "rare_classes": names,
             "rarest_fraction": float(share.min()), "threshold": ratio / k,
             "rows": examples(out.rows), "n_rows": int(sel.sum())},
            "Collect more examples of the rare classes, use class weights or resampling, and "
            "judge the model with per-class recall or balanced accuracy, not accuracy.",
        ))
    return out
