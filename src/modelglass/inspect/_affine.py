"""Follow affine outputs through shape-only ops to find two affine layers in a row.

``Linear -> Linear`` (or ``Conv -> Conv``) with nothing but views, flattening or
dropout between them computes one affine map with more parameters. The tracker
tags each affine output, carries the tag through ops that cannot add a
non-linearity, and notes a pair when the next affine layer receives a tagged tensor.
"""

from __future__ import annotations

from typing import Any

# Ops that change a tensor's shape or drop entries but add no non-linearity.
_TRANSPARENT_FUNCS = frozenset(
    {
        "view", "reshape", "flatten", "unflatten", "contiguous", "squeeze", "unsqueeze",
        "dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d",
        "dropout3d", "clone", "to", "detach", "view_as", "reshape_as",
    }
)
_TRANSPARENT_MODULES = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                        "FeatureAlphaDropout", "Identity", "Flatten", "Unflatten")


def affine_family(module: Any) -> str | None:
    """``linear`` for nn.Linear, ``conv`` for any convolution, else None."""
    import torch.nn as nn

    if isinstance(module, nn.Linear):
        return "linear"
    if isinstance(module, nn.modules.conv._ConvNd):
        return "conv"
    return None


def is_transparent_module(module: Any) -> bool:
    import torch.nn as nn

    return any(isinstance(module, getattr(nn, n)) for n in _TRANSPARENT_MODULES if hasattr(nn, n))


def make_tracker() -> Any:
    """A TorchFunctionMode that carries affine tags through transparent ops."""
    from torch.overrides import TorchFunctionMode

    class AffineTracker(TorchFunctionMode):
        def __init__(self) -> None:
            super().__init__()
            # id(tensor) -> (module name, family, tensor kept alive so ids stay unique)
            self.tags: dict[int, tuple[str, str, Any]] = {}
            self.pairs: list[tuple[str, str]] = []

        def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            out = func(*args, **(kwargs or {}))
            if getattr(func, "__name__", "") in _TRANSPARENT_FUNCS and args:
                tag = self.tags.get(id(args[0]))
                if tag is not None:
                    self.tag(out, tag[0], tag[1])
            return out

        def tag(self, tensor: Any, name: str, family: str) -> None:
            import torch

            if isinstance(tensor, torch.Tensor):
                self.tags[id(tensor)] = (name, family, tensor)

        def lookup(self, tensor: Any) -> tuple[str, str] | None:
            tag = self.tags.get(id(tensor))
            return None if tag is None else (tag[0], tag[1])

    return AffineTracker()
