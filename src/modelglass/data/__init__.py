"""Training-data quality checks: ``check_data`` and its report.

``modelglass.data`` is callable: ``modelglass.data(train, ...)`` is ``check_data(train, ...)``.
"""

from __future__ import annotations

from ..core import make_module_callable
from ._api import check_data
from ._registry import CHECKS, Check, CheckOutput, SkipCheck, register
from ._report import FIGURE_KINDS, REPORT_SCHEMA_VERSION, DataReport

__all__ = [
    "CHECKS",
    "Check",
    "CheckOutput",
    "DataReport",
    "FIGURE_KINDS",
    "REPORT_SCHEMA_VERSION",
    "SkipCheck",
    "check_data",
    "register",
]

from . import checks as _checks  # noqa: E402,F401  registers the built-in checks

make_module_callable(__name__, check_data)
