"""Model structure and parameter inspection: ``mg.inspect(model, example_input)``."""

from __future__ import annotations

from ..core import make_module_callable
from ._api import inspect
from ._params import expected_std, param_stats
from ._result import Inspection
from ._rules import RULES

__all__ = ["Inspection", "RULES", "expected_std", "inspect", "param_stats"]

make_module_callable(__name__, inspect)
