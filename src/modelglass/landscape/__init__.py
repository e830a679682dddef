"""Loss surface, optimizer trajectory, loss-function comparison and gradient check.

``modelglass.landscape`` is both this package and the function :func:`landscape`:
``mg.landscape(model, loss_fn, (X, y))`` works either way.
"""

from __future__ import annotations

from ..core import make_module_callable
from ._gradcheck import GradCheck, ParamCheck, gradcheck
from ._losses import LossComparison, LossRun, compare_losses
from ._result import Landscape
from ._surface import landscape
from ._trajectory import CHECKPOINT_PREFIX, run_trajectory

__all__ = [
    "CHECKPOINT_PREFIX",
    "GradCheck",
    "Landscape",
    "LossComparison",
    "LossRun",
    "ParamCheck",
    "compare_losses",
    "gradcheck",
    "landscape",
    "run_trajectory",
]

make_module_callable(__name__, landscape)
