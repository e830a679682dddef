"""Find the tensors inside whatever a module takes or returns.

Lives in probes (not in ``inspect``) because the torch hooks need it; ``inspect``
sits above probes and imports it from here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..core import is_tensor

_MAX_DEPTH = 6


def tensors_in(obj: Any, _depth: int = 0) -> list[Any]:
    """Every tensor in ``obj``: a tensor, or tuples, lists, dicts and dataclasses of them."""
    if is_tensor(obj):
        return [obj]
    if _depth > _MAX_DEPTH or obj is None or isinstance(obj, (str, bytes, int, float, bool)):
        return []
    if isinstance(obj, dict):
        items: Any = obj.values()
    elif isinstance(obj, (list, tuple)):
        items = obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        items = [getattr(obj, f.name) for f in dataclasses.fields(obj)]
    else:
        # PackedSequence and similar named tuples expose their tensor as ``data``.
        data = getattr(obj, "data", None)
        return [data] if is_tensor(data) else []
    out: list[Any] = []
    for item in items:
        out.extend(tensors_in(item, _depth + 1))
    return out
