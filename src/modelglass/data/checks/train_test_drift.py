"""``train_test_drift``: columns whose test distribution differs from training."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._drift_stats import chi2_homogeneity, js_distance, ks_and_wasserstein, numeric_psi, psi
from .._registry import CheckOutput, SkipCheck, finding, named, register


@register("train_test_drift", "columns whose test distribution differs from training", needs_test=True)
def check(
    ctx: DataContext,
    max_p_value: float = 0.01,
    ks: float = 0.1,
    wasserstein_norm: float = 0.2,
    psi_threshold: float = 0.2,
    js: float = 0.1,
    max_rows: int = 200_000,
    max_unique_fraction: float = 0.5,
) -> CheckOutput:
    """Compare each column of train and test by an effect size, guarded by a p-value.

    A numeric column drifts when the KS p-value is below ``max_p_value`` (0.01) and the KS
    statistic is above ``ks`` (0.1), or the Wasserstein distance divided by the training
    standard deviation is above ``wasserstein_norm`` (0.2), or the PSI over 10 training
    quantile bins is above ``psi_threshold`` (0.2). A categorical column drifts when the
    chi-square p-value is below ``max_p_value`` and the Jensen-Shannon distance is above
    ``js`` (0.1) or the PSI is above ``psi_threshold``. Effect sizes, not p-values alone,
    decide, so large samples do not flag every column. Each side is sampled down to
    ``max_rows`` (200,000) rows. Categorical columns with more distinct values than
    ``max_unique_fraction`` (0.5) of the training rows are ID-like and left out. The drift
    score is KS D (numbers) or JS distance (categories).
    Severity ``warning``; column-level.
    """
    common = [c for c in ctx.train.columns if c in ctx.test.columns]
    if not common:
        raise SkipCheck("train and test share no column")
    rng = np.random.default_rng(ctx.seed)
    pick = {s: _sample(len(ctx.frame(s)), max_rows, rng) for s in ("train", "test")}
    table, id_like = [], []
    for col in common:
        kind = ctx.kind(col)
        if kind == "numeric":
            row = _numeric(ctx.numeric(col)[pick["train"]], ctx.numeric(col, "test")[pick["test"]])
            row["drifted"] = row["p_value"] < max_p_value and (
                row["ks"] > ks or row["wasserstein_norm"] > wasserstein_norm or row["psi"] > psi_threshold
            )
        elif kind == "categorical":
            n_unique = len(ctx.codes(col)[1])
            if n_unique > max_unique_fraction * len(ctx.train):
                id_like.append(col)  # every test value is new: drift says nothing here
                continue
            row = _categorical(ctx, col, pick)
            row["drifted"] = row["p_value"] < max_p_value and (row["js"] > js or row["psi"] > psi_threshold)
        else:
            continue
        row.update(column=col, kind=kind, role="target" if col == ctx.target else "feature")
        table.append(row)
    out = CheckOutput(details={
        "columns": table,
        "id_like_columns": id_like,
        "thresholds": {"max_p_value": max_p_value, "ks": ks, "wasserstein_norm": wasserstein_norm,
                       "psi": psi_threshold, "js": js},
    })
    drifted = sorted((r for r in table if r["drifted"]), key=lambda r: -r["score"])
    if drifted:
        cols = [r["column"] for r in drifted]
        out.findings.append(finding(
            "train_test_drift", "warning",
            f"{len(cols)} column(s) are distributed differently in test: {named(cols)}",
            {"columns": cols, "per_column": {r["column"]: {k: v for k, v in r.items() if k != "column"}
                                             for r in drifted}},
            "Check how the split was made (by time? by source?). If test reflects the real use, "
            "retrain on data like it, or reweight the training rows.",
        ))
    return out


def _sample(n: int, cap: int, rng: np.random.Generator) -> np.ndarray:
    return np.arange(n) if n <= cap else np.sort(rng.choice(n, cap, replace=False))


def _numeric(a: np.ndarray, b: np.ndarray) -> dict:
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    d, p, w = ks_and_wasserstein(a, b)
    scale = float(np.std(a)) if len(a) else 0.0
    return {"score": d, "ks": d, "p_value": p, "wasserstein": w,
            "wasserstein_norm": w / scale if scale > 0 else (0.0 if w == 0 else float("inf")),
            "psi": numeric_psi(a, b)}


def _categorical(ctx: DataContext, col: str, pick: dict) -> dict:
    codes, uniques = ctx.codes(col)
    idx, new_codes, new_values = ctx.test_codes(col)
    g = len(uniques)
    ca = np.bincount(codes[pick["train"]] + 1, minlength=g + 1)
    cb = np.bincount(idx[pick["test"]] + 1, minlength=g + 1)
    nb = np.bincount(new_codes[pick["test"]] + 1, minlength=len(new_values) + 1)[1:]
    cb[0] -= int(nb.sum())  # code -1 held both missing and unseen values
    ca = np.concatenate([ca, np.zeros(len(nb), dtype=ca.dtype)])
    cb = np.concatenate([cb, nb])
    pa, pb = ca / max(ca.sum(), 1), cb / max(cb.sum(), 1)
    _, p = chi2_homogeneity(ca, cb)
    order = np.argsort(-nb, kind="stable")[:10]
    dist = js_distance(pa, pb)
    return {"score": dist, "js": dist, "p_value": p, "psi": psi(pa, pb),
            "unseen_in_train": [str(new_values[i]) for i in order if nb[i] > 0]}
