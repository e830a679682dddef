"""Framework adapters: PyTorch hooks (``watch``), scikit-learn and NumPy loggers.

``modelglass.probes.torch``, ``.sklearn`` and ``.numpy`` load on first use, so that
importing this package does not import torch or scikit-learn. ``set_live_rules``
registers the checks ``watch(..., diagnose=True)`` runs (probes may not import
``modelglass.diagnose``; the layer above registers it).
"""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import TrainingError
from ._live import set_live_rules
from ._structures import tensors_in

__all__ = ["TrainingError", "numpy", "set_live_rules", "sklearn", "tensors_in", "torch"]

_SUBMODULES = ("torch", "sklearn", "numpy")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
