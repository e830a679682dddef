"""``label_issues``: examples whose given label is probably wrong (confident learning)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...core import BadInputError
from .._confident import METHODS, find_issues, self_confidence
from .._context import DataContext
from .._oof import default_model, feature_matrix, out_of_fold_probs
from .._registry import SkipCheck, CheckOutput, examples, finding, register

#: Ranked suspects kept in ``to_dict()`` and the figure.
TOP_SUSPECTS = 100


@register("label_issues", "labels that are probably wrong (confident learning)", needs_target=True)
def check(
    ctx: DataContext,
    model: Any = None,
    cv: int = 5,
    method: str = "both",
    warn_fraction: float = 0.01,
) -> CheckOutput:
    """Rank examples by how likely their label is wrong.

    Uses out-of-fold predicted probabilities (``pred_probs`` of ``check_data``, else
    ``cross_val_predict`` of ``model``: by default logistic regression below 10,000 rows,
    HistGradientBoostingClassifier with early stopping from there on) and confident
    learning to estimate how many labels of each class are wrong and which ones.

    Args:
        model: A scikit-learn classifier with ``predict_proba`` (default: see above).
        cv: Number of stratified folds (default 5; lowered to the smallest class size).
        method: ``both`` (default: flagged by pruning by noise rate and by class),
            ``prune_by_noise_rate``, ``prune_by_class`` or ``confident_joint``.
        warn_fraction: ``warning`` when more than this fraction of rows is suspect
            (default 0.01), ``info`` below.

    Row scores are ``1 - p(given label)``; ``extra`` holds the given and suggested labels.
    """
    if ctx.task != "classification":
        raise SkipCheck("only for classification targets")
    if method not in METHODS:
        raise BadInputError(f"label_issues method must be one of {METHODS}. Got {method!r}.")
    rows, labels, classes = ctx.labels()
    k = len(classes)
    if k < 2:
        raise SkipCheck("the target has a single class")
    probs, source = _probs(ctx, rows, labels, k, model, cv)
    mask = find_issues(labels, probs, method=method)
    conf = self_confidence(labels, probs)
    flagged = np.flatnonzero(mask)
    flagged = flagged[np.argsort(conf[flagged], kind="stable")]
    suggested = probs.argmax(axis=1)
    out = CheckOutput(
        rows=rows[flagged], scores=1.0 - conf[flagged],
        extra={"given": classes[labels[flagged]], "suggested": classes[suggested[flagged]]},
    )
    top = flagged[:TOP_SUSPECTS]
    out.details = {
        "source": source, "method": method, "n_issues": int(len(flagged)),
        "fraction": len(flagged) / len(rows), "classes": [str(c) for c in classes],
        "suspects": [
            {"row": int(rows[i]), "given": str(classes[labels[i]]),
             "suggested": str(classes[suggested[i]]), "score": float(1 - conf[i])}
            for i in top
        ],
    }
    if len(flagged):
        frac = len(flagged) / len(rows)
        out.findings.append(finding(
            "label_issues", "warning" if frac > warn_fraction else "info",
            f"{len(flagged)} label(s) of {ctx.target!r} look wrong ({frac:.2%} of labelled rows)",
            {"column": ctx.target, "n_rows": int(len(flagged)), "fraction": frac,
             "rows": examples(rows[flagged]), "method": method, "probabilities": source},
            "Review the top-ranked rows (DataReport.rows('label_issues') or the 'label_issues' "
            "figure) and relabel or drop the wrong ones.",
        ))
    return out


def _probs(
    ctx: DataContext, rows: np.ndarray, labels: np.ndarray, k: int, model: Any, cv: int
) -> tuple[np.ndarray, str]:
    if ctx.pred_probs is not None:
        probs = np.asarray(ctx.pred_probs, dtype=np.float64)
        n = len(ctx.train)
        if probs.ndim != 2 or probs.shape[0] != n or probs.shape[1] != k:
            raise BadInputError(
                f"pred_probs must have shape (rows of train, classes) = ({n}, {k}), with columns "
                f"in sorted class order. Got {probs.shape}."
            )
        return probs[rows], "pred_probs"
    x, categorical = feature_matrix(ctx, rows)
    if x.shape[1] == 0:
        raise SkipCheck("no usable feature columns")
    smallest = int(np.bincount(labels, minlength=k).min())
    folds = min(int(cv), smallest)
    if folds < 2:
        raise SkipCheck("a class has a single example; cross-validation needs two per class")
    est = model if model is not None else default_model(categorical, len(rows), ctx.seed)
    probs = out_of_fold_probs(x, labels, est, folds, ctx.seed, progress=ctx.progress)
    return probs, f"cross_val_predict({type(est).__name__}, cv={folds})"
