"""Core types shared by every part of modelglass (stdlib and NumPy only)."""

from __future__ import annotations

from ._config import DEFAULT_STORE, ENV_STORE, resolve_store_location
from ._errors import (
    BadInputError,
    BadTypeError,
    MissingDependencyError,
    ModelglassError,
    NotFoundError,
    StoreError,
)
from ._findings import Finding, Severity, jsonable, sort_findings, worst_severity
from ._lazy import is_tensor, require
from ._model_state import model_as_found
from ._modules import make_module_callable
from ._progress import ProgressBar, iter_progress, progress_bar
from ._result import Result, check_kind, figure_html, findings_table_html, format_number, in_notebook
from ._validate import argument_error, argument_type_error, callable_arg, finite, in_range, one_of, positive_int, positive_number

__all__ = [
    "BadInputError",
    "BadTypeError",
    "DEFAULT_STORE",
    "ENV_STORE",
    "Finding",
    "MissingDependencyError",
    "ModelglassError",
    "NotFoundError",
    "Severity",
    "StoreError",
    "is_tensor",
    "jsonable",
    "make_module_callable",
    "model_as_found",
    "require",
    "resolve_store_location",
    "Result",
    "argument_error",
    "argument_type_error",
    "callable_arg",
    "finite",
    "in_range",
    "one_of",
    "positive_int",
    "positive_number",
    "check_kind",
    "figure_html",
    "findings_table_html",
    "format_number",
    "in_notebook",
    "sort_findings",
    "worst_severity",
    "ProgressBar",
    "iter_progress",
    "progress_bar",
]
