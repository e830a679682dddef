"""``target_leakage``: one feature that predicts the target almost perfectly on its own."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._leakage_stats import binary_auc, crossfit_group_score, neighbour_agreement, r2_scores
from .._registry import CheckOutput, SkipCheck, finding, named, register

#: Numeric features with at most this many distinct values are scored as categories.
MAX_EXACT_VALUES = 50


@register("target_leakage", "a single feature that predicts the target almost perfectly", needs_target=True)
def check(ctx: DataContext, threshold: float = 0.99, max_rows: int = 200_000) -> CheckOutput:
    """Score each feature alone against the target.

    Scores: binary classification, ``max(AUC, 1 - AUC)``; multi-class, neighbour agreement
    (sorting by the feature puts each class in contiguous runs: 1); regression, the larger
    of Pearson r² and Spearman rho²; categorical and few-valued features, the gain of a
    per-value majority/mean fitted on one random half and scored on the other.

    Args:
        threshold: ``error`` when a score is above this (default 0.99).
        max_rows: Score on a seeded sample of at most this many rows (default 200,000).

    Column-level; ``details`` holds every feature's score.
    """
    if not ctx.features:
        raise SkipCheck("no feature columns")
    if ctx.task == "classification":
        rows, y, classes = ctx.labels()
        k: int | None = len(classes)
        if k < 2:
            raise SkipCheck("the target has a single class")
    else:
        rows, y = ctx.y_numeric()
        k = None
    if len(rows) > max_rows:
        pick = np.sort(np.random.default_rng(ctx.seed).choice(len(rows), max_rows, replace=False))
        rows, y = rows[pick], y[pick]
    scores: dict[str, dict] = {}
    for col in ctx.features:
        scores[col] = _score(ctx, col, rows, y, k)
    leaks = {c: s for c, s in scores.items() if s["score"] > threshold}
    out = CheckOutput(details={"threshold": threshold, "scores": scores})
    if leaks:
        cols = sorted(leaks, key=lambda c: -leaks[c]["score"])
        out.findings.append(finding(
            "target_leakage", "error",
            f"Feature(s) {named(cols)} alone predict {ctx.target!r} almost perfectly",
            {"columns": cols, "column": ctx.target, "per_column": leaks, "threshold": threshold},
            "Check how these columns were made: a value computed from the target, recorded after "
            "the outcome, or an ID sorted by label leaks the answer. Remove them from the features.",
        ))
    return out


def _score(ctx: DataContext, col: str, rows: np.ndarray, y: np.ndarray, k: int | None) -> dict:
    kind = ctx.kind(col)
    if kind == "numeric":
        x = ctx.numeric(col)[rows]
        ok = np.isfinite(x)
        few = len(np.unique(x[ok][:100_000])) <= MAX_EXACT_VALUES
        if not few:
            xs, ys = x[ok], y[ok]
            if k is None:
                return {"metric": "r2", "score": r2_scores(xs, ys)}
            if k == 2:
                return {"metric": "auc", "score": binary_auc(xs, ys)}
            return {"metric": "neighbour_agreement", "score": neighbour_agreement(xs, ys, k, ctx.seed)}
        import pandas as pd

        codes = pd.factorize(x, use_na_sentinel=True)[0]
    elif kind == "categorical":
        codes = ctx.codes(col)[0][rows]
    else:
        return {"metric": "none", "score": 0.0}
    return {"metric": "heldout_purity", "score": crossfit_group_score(codes + 1, y, k, ctx.seed)}
