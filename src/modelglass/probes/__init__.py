"""Framework adapters: PyTorch hooks (``watch``), scikit-learn and NumPy loggers.

``modelglass.probes.torch``, ``.sklearn`` and ``.numpy`` load on first use, so that
importing this package does not import torch or scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import TrainingError

__all__ = ["TrainingError", "numpy", "sklearn", "torch"]

_SUBMODULES = ("torch", "sklearn", "numpy")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
