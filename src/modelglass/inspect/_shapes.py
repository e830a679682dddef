"""Describe the shapes of the tensors a module takes or returns (found by ``probes.tensors_in``)."""

from __future__ import annotations

from typing import Any

from ..probes import tensors_in


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
