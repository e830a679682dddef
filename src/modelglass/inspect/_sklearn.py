"""Inspect a scikit-learn estimator or pipeline: a tree of estimators, hyperparameters, learned state."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Finding, Severity, sort_findings
from ._params import param_stats
from ._result import Inspection

_ARRAYS = ("coef_", "intercept_", "coefs_", "intercepts_", "feature_importances_")
_SCALARS = ("n_features_in_", "n_iter_", "n_outputs_", "n_estimators_", "best_loss_", "n_layers_")


def is_sklearn_estimator(obj: Any) -> bool:
    return hasattr(obj, "get_params") and hasattr(obj, "fit")


def inspect_sklearn(estimator: Any) -> Inspection:
    """See :func:`modelglass.inspect.inspect`."""
    layers: list[dict[str, Any]] = []
    params: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    edges: list[list[str]] = []
    findings: list[Finding] = []
    _walk(estimator, "", 0, layers, params, nodes, edges, findings)
    total = sum(p["numel"] for p in params)
    return Inspection(
        framework="sklearn", model_type=type(estimator).__name__, layers=layers, parameters=params,
        findings=sort_findings(findings), total_params=total, trainable_params=total,
        param_bytes=total * 8, total_flops=None,
        graph={"method": "estimators", "nodes": nodes, "edges": edges},
        modules=[{"name": r["name"], "type": r["type"], "own_params": r["params"]} for r in layers],
    )


def _children(est: Any) -> list[tuple[str, Any]]:
    if hasattr(est, "steps"):
        return [(n, s) for n, s in est.steps if is_sklearn_estimator(s)]
    if hasattr(est, "transformer_list"):
        return [(n, s) for n, s in est.transformer_list if is_sklearn_estimator(s)]
    if hasattr(est, "transformers"):
        fitted = getattr(est, "transformers_", None) or est.transformers
        return [(n, s) for n, s, _cols in fitted if is_sklearn_estimator(s)]
    out = []
    for key in ("estimator_", "best_estimator_", "estimator", "base_estimator"):
        sub = getattr(est, key, None)
        if is_sklearn_estimator(sub):
            out.append((key, sub))
            break
    return out


def _is_fitted(est: Any) -> bool:
    return any(k.endswith("_") and not k.startswith("_") for k in vars(est))


def _walk(est: Any, name: str, depth: int, layers: list, params: list, nodes: list,
          edges: list, findings: list) -> None:
    fitted = _is_fitted(est)
    learned: dict[str, Any] = {}
    own = 0
    for attr in _ARRAYS:
        value = getattr(est, attr, None) if fitted else None
        if value is None:
            continue
        arrays = value if isinstance(value, list) else [value]
        for i, a in enumerate(arrays):
            label = f"{attr}[{i}]" if isinstance(value, list) else attr
            full = f"{name}.{label}" if name else label
            stats = param_stats(full, np.asarray(a, dtype=np.float64), name, True, check_init=False)
            params.append(stats)
            own += stats["numel"]
            learned[label] = {"shape": stats["shape"], "norm": stats["norm"]}
    for attr in _SCALARS:
        if fitted and hasattr(est, attr):
            learned[attr] = _plain(getattr(est, attr))
    n_in = learned.get("n_features_in_")
    layers.append({
        "name": name, "type": type(est).__name__, "depth": depth,
        "input_shape": [int(n_in)] if isinstance(n_in, int) else None, "output_shape": None,
        "params": own, "trainable_params": own, "flops": None, "fitted": fitted,
        "hyperparameters": {k: _plain(v) for k, v in est.get_params(deep=False).items()
                            if not is_sklearn_estimator(v)},
        "learned": learned,
    })
    nodes.append({"id": name or "<root>", "op": "estimator", "target": type(est).__name__})
    findings.extend(_convergence(est, name, learned))
    prev = None
    for child_name, child in _children(est):
        full = f"{name}.{child_name}" if name else child_name
        edges.append([name or "<root>", full])
        if prev is not None and hasattr(est, "steps"):
            edges.append([prev, full])
        prev = full
        _walk(child, full, depth + 1, layers, params, nodes, edges, findings)


def _convergence(est: Any, name: str, learned: dict[str, Any]) -> list[Finding]:
    n_iter, max_iter = learned.get("n_iter_"), getattr(est, "max_iter", None)
    if n_iter is None or not isinstance(max_iter, (int, np.integer)):
        return []
    top = int(np.max(n_iter))
    if top < int(max_iter):
        return []
    return [Finding(
        "not_converged", Severity.WARNING,
        f"{type(est).__name__} stopped at max_iter={max_iter} before converging",
        {"module": name, "n_iter": top, "max_iter": int(max_iter)},
        "Raise max_iter, scale the features (StandardScaler), or loosen tol.",
        None, "inspect",
    )]


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist() if v.size <= 16 else {"shape": list(v.shape)}
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)) and all(isinstance(x, (str, int, float, bool)) for x in v):
        return list(v)
    return repr(v)[:200]
