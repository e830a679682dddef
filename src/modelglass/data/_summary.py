"""Per-column summaries and the compact tables behind the figures (all JSON-able)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._context import DataContext

HIST_BINS = 30
TOP_CATEGORIES = 20
MISSING_ROW_BUCKETS = 100
MAX_CORR_COLUMNS = 40
CORR_SAMPLE = 100_000
#: Categorical columns with more distinct values than this share of rows get no test counts.
ID_LIKE_FRACTION = 0.5


def column_summaries(ctx: DataContext) -> dict[str, dict[str, Any]]:
    """Type, missing/unique counts, numbers or top categories, and a histogram per train column.

    Histograms share their edges between train and test (``train``/``test`` counts); the
    edges span the 0.1%-99.9% ranges of train and test, and values beyond fall in the end bins.
    """
    return {col: _summary(ctx, col) for col in ctx.train.columns}


def _summary(ctx: DataContext, col: str) -> dict[str, Any]:
    kind = ctx.kind(col)
    if col == ctx.target and ctx.task == "classification":
        kind = "categorical"  # labels: counts per class, not a histogram
    codes, uniques = ctx.codes(col) if kind != "numeric" else (None, None)
    s: dict[str, Any] = {
        "kind": kind,
        "dtype": str(ctx.dtype(col)),
        "role": "target" if col == ctx.target else "feature",
        "n_missing": int(ctx.missing(col).sum()),
    }
    has_test = ctx.test is not None and col in ctx.test.columns
    if kind == "numeric":
        x = ctx.numeric(col)
        fin = np.sort(x[np.isfinite(x)])  # one sort gives distinct count and quantiles
        s["n_unique"] = int(np.count_nonzero(fin[1:] != fin[:-1])) + 1 if len(fin) else 0
        s["n_inf"] = int(np.isinf(x).sum())
        if len(fin):
            # Values near the float64 limit (1e308) overflow in sums and ranges:
            # compute on them divided by a power of two, then scale back.
            big = max(abs(float(fin[0])), abs(float(fin[-1])))
            scale = math.ldexp(1.0, math.frexp(big)[1] - 1) if big > 1e150 else 1.0
            f = fin / scale
            s.update(min=float(fin.min()), max=float(fin.max()), mean=float(f.mean()) * scale,
                     std=float(f.std()) * scale)
            lo, hi = _sorted_quantile(f, 0.001) * scale, _sorted_quantile(f, 0.999) * scale
            if has_test:
                t = ctx.numeric(col, "test")
                t = t[np.isfinite(t)]
                if len(t):
                    tlo, thi = np.quantile(t, [0.001, 0.999])
                    lo, hi = min(lo, tlo), max(hi, thi)
            if hi <= lo:
                lo, hi = float(fin.min()) - 0.5, float(fin.max()) + 0.5
            edges = np.linspace(lo / scale, hi / scale, HIST_BINS + 1) * scale
            hist = {"edges": edges.tolist(), "train": _counts(fin, edges).tolist(), "test": None}
            if has_test:
                hist["test"] = _counts(t, edges).tolist()
            s["histogram"] = hist
        else:
            s.update(min=None, max=None, mean=None, std=None, histogram=None)
    else:
        s["n_unique"] = int(len(uniques))
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        top = np.argsort(-counts, kind="stable")[:TOP_CATEGORIES]
        values = [str(uniques[i]) for i in top]
        cat = {"values": values, "train": counts[top].tolist(),
               "other_train": int(counts.sum() - counts[top].sum()), "test": None}
        if has_test and len(uniques) <= ID_LIKE_FRACTION * len(codes):
            idx = ctx.test_codes(col)[0]
            tc = np.bincount(idx[idx >= 0], minlength=len(uniques))
            cat["test"] = tc[top].tolist()
            cat["other_test"] = int(ctx.test[col].notna().sum() - tc[top].sum())
        s["top"] = cat
    return s


def _sorted_quantile(v: np.ndarray, q: float) -> float:
    """Linear-interpolation quantile of an already sorted array."""
    pos = q * (len(v) - 1)
    i = int(pos)
    j = min(i + 1, len(v) - 1)
    return float(v[i] + (v[j] - v[i]) * (pos - i))


def _counts(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    idx = np.clip(np.searchsorted(edges, x, "right") - 1, 0, len(edges) - 2)
    return np.bincount(idx, minlength=len(edges) - 1)


def missing_matrix(ctx: DataContext) -> dict[str, Any]:
    """Missing share per (block of consecutive rows, column): at most 100 row blocks."""
    n = len(ctx.train)
    cols = list(ctx.train.columns)
    buckets = min(MISSING_ROW_BUCKETS, n)
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    which = np.searchsorted(edges, np.arange(n), "right") - 1
    sizes = np.bincount(which, minlength=buckets)
    frac = [(np.bincount(which, weights=ctx.missing(c), minlength=buckets) / np.maximum(sizes, 1)).tolist()
            for c in cols]
    return {"columns": cols, "row_edges": edges.tolist(), "fraction": frac}


def correlations(ctx: DataContext) -> dict[str, Any]:
    """Pearson correlations between numeric columns (target included when numeric or binary)."""
    import pandas as pd

    cols = [c for c in ctx.train.columns if ctx.kind(c) == "numeric"][:MAX_CORR_COLUMNS]
    n = len(ctx.train)
    pick = np.arange(n) if n <= CORR_SAMPLE else np.sort(
        np.random.default_rng(ctx.seed).choice(n, CORR_SAMPLE, replace=False))
    data = {c: ctx.numeric(c)[pick] for c in cols}
    if ctx.target is not None and ctx.target not in data and ctx.task == "classification":
        rows, labels, classes = ctx.labels()
        if len(classes) == 2:
            y = np.full(n, np.nan)
            y[rows] = labels
            data[ctx.target] = y[pick]
    if not data:
        return {"columns": [], "matrix": []}
    frame = pd.DataFrame(data).replace([np.inf, -np.inf], np.nan)
    m = frame.corr().to_numpy()
    return {"columns": list(data), "matrix": np.where(np.isfinite(m), m, 0.0).round(4).tolist()}
