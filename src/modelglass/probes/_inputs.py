"""Input statistics and the ``signals`` artifact of the non-torch probes (NumPy arrays only)."""

from __future__ import annotations

from typing import Any

import numpy as np

SIGNALS_SCHEMA_VERSION = 1
_MAX_ROWS = 20000


def input_stats(X: Any, step: int = 0) -> dict[str, Any] | None:
    """Mean, std, max |x| and the range of per-feature stds of a 2-D numeric array (None otherwise)."""
    try:
        a = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if a.ndim < 2 or a.shape[0] < 2 or a.size == 0:
        return None
    a = a.reshape(a.shape[0], -1)[:_MAX_ROWS]
    if not np.all(np.isfinite(a)):
        a = np.where(np.isfinite(a), a, np.nan)
    with np.errstate(all="ignore"):
        col = np.nanstd(a, axis=0)
        pos = col[col > 0]
        return {"step": step, "mean": float(np.nanmean(a)), "std": float(np.nanstd(a)),
                "abs_max": float(np.nanmax(np.abs(a))), "col_std_max": float(np.nanmax(col)),
                "col_std_min": float(pos.min()) if pos.size else 0.0, "shape": list(a.shape)}


def sklearn_signals(estimator: Any, final: Any, X: Any) -> dict[str, Any]:
    """What the sklearn probe knows about the fit: the estimator, whether it is linear, its inputs."""
    seen = X
    steps = getattr(estimator, "steps", None)
    if steps and len(steps) > 1 and X is not None:  # a Pipeline: the last step sees transformed X
        try:
            seen = estimator[:-1].transform(X)
        except Exception:  # noqa: BLE001 - an unfitted or odd pipeline: no input statistics
            seen = None
    module = type(final).__module__
    linear = module.startswith("sklearn.linear_model") or type(final).__name__ in ("LinearSVC", "LinearSVR")
    stats = input_stats(seen) if seen is not None else None
    return {"schema_version": SIGNALS_SCHEMA_VERSION, "framework": "sklearn",
            "estimator": type(final).__name__, "linear": bool(linear),
            "inputs": [stats] if stats else []}
