"""Inspect a dict of named NumPy arrays (the seed's ``theta``): per-array statistics."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..core import BadTypeError, Finding, Severity, is_tensor, sort_findings
from ._params import param_stats
from ._result import Inspection


def inspect_arrays(arrays: Mapping[str, Any]) -> Inspection:
    """See :func:`modelglass.inspect.inspect`."""
    stats = []
    for name, value in arrays.items():
        a = value if is_tensor(value) else np.asarray(value)
        if not is_tensor(a) and a.dtype.kind not in "fiub":
            raise BadTypeError(
                f"mg.inspect of a dict expects numeric arrays. Got {name!r} of dtype {a.dtype}. "
                "Pass only the parameter arrays."
            )
        stats.append(param_stats(str(name), a, str(name), True))
    findings = [Finding(
        "nan_parameters", Severity.ERROR, f"'{s['name']}' holds {s['nan_count']} NaN and {s['inf_count']} Inf values",
        {"module": s["name"], "param": s["name"], "nan_count": s["nan_count"], "inf_count": s["inf_count"]},
        "Lower the learning rate; the updates overflowed.", None, "inspect",
    ) for s in stats if s["nan_count"] or s["inf_count"]]
    total = sum(s["numel"] for s in stats)
    layers = [{"name": s["name"], "type": "ndarray", "depth": 0, "input_shape": None,
               "output_shape": s["shape"], "params": s["numel"], "trainable_params": s["numel"],
               "flops": None} for s in stats]
    return Inspection(
        framework="numpy", model_type="dict", layers=layers, parameters=stats,
        findings=sort_findings(findings), total_params=total, trainable_params=total,
        param_bytes=sum(int(np.asarray(v).nbytes) if not is_tensor(v) else v.numel() * v.element_size()
                        for v in arrays.values()),
        graph={"method": "none", "nodes": [], "edges": []},
        modules=[{"name": s["name"], "type": "ndarray", "own_params": s["numel"]} for s in stats],
    )
