"""``mixed_types``: a text column that holds mostly numbers and some words (e.g. "12", 12, "n/a")."""

from __future__ import annotations

import numpy as np

from .._context import DataContext
from .._registry import CheckOutput, finding, named, register, row_evidence


@register("mixed_types", "a column mixing numbers and strings")
def check(ctx: DataContext, min_numeric_fraction: float = 0.5) -> CheckOutput:
    """Find columns mixing numbers and text.

    A text/object column is flagged when it holds Python numbers and strings together, or
    when at least ``min_numeric_fraction`` (default 0.5) of its non-missing values parse as
    numbers and the rest do not. Parsing runs on the distinct values only. Flagged rows are
    those holding the minority kind (score 1). Severity ``warning``.
    """
    import pandas as pd

    hits: dict[str, dict] = {}
    flagged = np.zeros(len(ctx.train), dtype=bool)
    for col in ctx.train.columns:
        dt = ctx.dtype(col)
        if isinstance(dt, np.dtype) and dt.kind in "fiub":
            continue  # the common case, without pandas' dtype dispatch
        if pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt):
            continue
        if pd.api.types.is_datetime64_any_dtype(dt):
            continue
        s = ctx.column(col)
        if s.dtype != object and not _may_hold_numbers(s, min_numeric_fraction, ctx.seed):
            continue
        codes, uniques = ctx.codes(col)
        uniq = pd.Series(np.asarray(uniques, dtype=object))
        if len(uniq) == 0:
            continue
        if s.dtype == object:
            is_num_type = np.array(
                [isinstance(u, (int, float, np.number)) and not isinstance(u, bool) for u in uniq]
            )
        else:  # str / category columns hold one Python type
            is_num_type = np.zeros(len(uniq), dtype=bool)
        parsed = pd.to_numeric(uniq.astype(str).str.strip(), errors="coerce").notna().to_numpy()
        blank = ctx.missing(col)
        valid = (codes >= 0) & ~blank
        numeric_row = np.append(parsed, False)[codes] & valid
        n_valid = int(valid.sum())
        n_num = int(numeric_row.sum())
        type_mix = bool(is_num_type.any() and (~is_num_type).any())
        if n_valid == 0:
            continue
        if not type_mix and not (n_num < n_valid and n_num / n_valid >= min_numeric_fraction):
            continue
        minority = valid & ~numeric_row if n_num >= n_valid - n_num else numeric_row
        odd = uniq[~parsed].head(5).tolist() if n_num >= n_valid - n_num else uniq[parsed].head(5).tolist()
        flagged |= minority
        hits[col] = {
            "numeric_fraction": n_num / n_valid,
            "n_odd": int(minority.sum()),
            "odd_values": [str(v) for v in odd],
            "python_types_mixed": type_mix,
        }
    rows = np.flatnonzero(flagged)
    out = CheckOutput(rows=rows, scores=np.ones(len(rows)))
    if hits:
        cols = list(hits)
        out.findings.append(finding(
            "mixed_types", "warning",
            f"{len(cols)} column(s) mix numbers and text: {named(cols)}",
            {"columns": cols, "per_column": hits, **row_evidence(rows)},
            "Decide what the column is: convert the text placeholders (e.g. 'n/a', '-') to missing "
            "values and cast to numbers, or treat every value as a category.",
        ))
    return out


def _may_hold_numbers(s: "object", min_fraction: float, seed: int, sample: int = 2000) -> bool:
    """A cheap look at a sample of a text column: could numbers fill ``min_fraction`` of it?"""
    import pandas as pd

    n = len(s)  # type: ignore[arg-type]
    if n <= sample:
        return True
    pick = np.random.default_rng(seed).choice(n, sample, replace=False)
    part = s.iloc[pick].dropna()  # type: ignore[attr-defined]
    if len(part) == 0:
        return True
    frac = float(pd.to_numeric(part.astype(str).str.strip(), errors="coerce").notna().mean())
    return frac >= min_fraction / 2
