"""Find the tensors inside whatever a module takes or returns, and describe their shapes."""

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


def shape_of(obj: Any) -> list[int] | list[list[int]] | None:
    """A list of ints for one tensor, a list of such lists for several, None for none."""
    found = tensors_in(obj)
    if not found:
        return None
    if len(found) == 1:
        return [int(d) for d in found[0].shape]
    return [[int(d) for d in t.shape] for t in found]


def split_example_input(example_input: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A tensor -> one positional argument; a tuple or list -> positional; a dict -> keywords."""
    if isinstance(example_input, dict):
        return (), dict(example_input)
    if isinstance(example_input, (tuple, list)):
        return tuple(example_input), {}
    return (example_input,), {}
