"""``mg.inspect``: one entry point for PyTorch, scikit-learn and NumPy models."""

from __future__ import annotations

from typing import Any, Mapping

from ..core import BadTypeError, one_of
from ._result import Inspection


def inspect(
    model: Any,
    example_input: Any = None,
    optimizer: Any = None,
    loss_fn: Any = None,
    graph: bool | str = True,
) -> Inspection:
    """See a model's structure and parameters, and what is statically wrong with them.

    Args:
        model: A torch ``nn.Module``, a scikit-learn estimator or pipeline, or a dict
            of named NumPy arrays.
        example_input: For torch: a tensor, a tuple of positional arguments or a dict
            of keyword arguments. Without it there are no shapes, FLOPs or
            forward-pass findings.
        optimizer: The torch optimizer, to check that it updates every trainable parameter.
        loss_fn: The loss (module or function), to check the model's last layer against it.
        graph: True tries torch.fx, then torch.export, then the module call order;
            ``"fx"``, ``"export"`` or ``"calls"`` picks one; False skips the graph.

    Returns:
        An :class:`Inspection` with ``.findings``, ``.to_dict()``, ``.table()`` and ``.figure()``.

    Raises:
        BadInputError: The model fails on ``example_input`` (the message names the module
            and the shapes that reached it).
        BadTypeError: ``model`` is none of the supported kinds.
    """
    one_of(graph, "graph", "mg.inspect", (True, False, "fx", "export", "calls"))
    if _is_torch_module(model):
        from ._torch import inspect_torch

        return inspect_torch(model, example_input, optimizer, loss_fn, graph)
    from ._sklearn import is_sklearn_estimator

    if is_sklearn_estimator(model):
        from ._sklearn import inspect_sklearn

        return inspect_sklearn(model)
    if isinstance(model, Mapping):
        from ._numpy import inspect_arrays

        return inspect_arrays(model)
    raise BadTypeError(
        "mg.inspect expects a torch nn.Module, a scikit-learn estimator or a dict of named "
        f"arrays. Got {type(model).__name__}."
    )


def _is_torch_module(obj: Any) -> bool:
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)
