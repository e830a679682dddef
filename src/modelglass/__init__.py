"""modelglass: see inside a machine-learning model and fix it.

``import modelglass as mg`` is cheap: torch, optuna, plotly, fastapi and sklearn
are imported only by the functions that use them.
"""

from __future__ import annotations

from typing import Any

from .core import Finding, ModelglassError, Severity
from .store import Reader, open_store
from .track import Run, current_run, init
from .probes import set_live_rules as _set_live_rules

# The composition root names the live checks that watch(diagnose=True) runs; probes
# may not import an analysis. The paths are imported on the first watched step only.
_set_live_rules("modelglass.diagnose:live_rules", "modelglass.diagnose:LiveState")

__version__ = "0.1.0"

# Analyses load on first use so that importing the package stays light.
_LAZY = {
    "inspect": ("modelglass.inspect", "inspect"),
    "diagnose": ("modelglass.diagnose", "diagnose"),
    "check_data": ("modelglass.data", "check_data"),
    "tune": ("modelglass.tune", "tune"),
    "compare_models": ("modelglass.tune", "compare_models"),
    "lr_find": ("modelglass.tune", "lr_find"),
    "landscape": ("modelglass.landscape", "landscape"),
    "compare_losses": ("modelglass.landscape", "compare_losses"),
    "gradcheck": ("modelglass.landscape", "gradcheck"),
    "report": ("modelglass.report", "write_report"),
    "import_tensorboard": ("modelglass.integrations.tensorboard", "import_tensorboard"),
    "export_tensorboard": ("modelglass.integrations.tensorboard", "export_tensorboard"),
}

__all__ = [
    "Finding",
    "ModelglassError",
    "Reader",
    "Run",
    "Severity",
    "__version__",
    "current_run",
    "init",
    "open_store",
    "probes",
    *sorted(_LAZY),
]


_SUBPACKAGES = ("probes", "viz", "report", "data")


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"modelglass.{name}")
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'modelglass' has no attribute {name!r}")
