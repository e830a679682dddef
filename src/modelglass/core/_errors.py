"""One error hierarchy for modelglass. Messages say what was expected, what came, and the fix."""

from __future__ import annotations


class ModelglassError(Exception):
    """Base class of every error modelglass raises on purpose."""


class BadInputError(ModelglassError, ValueError):
    """An argument or input file is not what was expected."""


class BadTypeError(ModelglassError, TypeError):
    """A value has the wrong type (for example a non-number logged as a metric)."""


class StoreError(ModelglassError):
    """The run store cannot be opened, read or written."""


class NotFoundError(BadInputError, LookupError):
    """A run, series, artifact or study does not exist."""


class MissingDependencyError(ModelglassError, ImportError):
    """An optional dependency is needed and not installed."""
