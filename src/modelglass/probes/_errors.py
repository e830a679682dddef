"""The error a probe raises when training has gone wrong and ``on_error="raise"``."""

from __future__ import annotations

from ..core import Finding, ModelglassError


class TrainingError(ModelglassError, RuntimeError):
    """Training produced something it cannot recover from (NaN/Inf, a diagnose error).

    Attributes:
        finding: The :class:`~modelglass.core.Finding` that says what happened and what to try.
    """

    def __init__(self, finding: Finding) -> None:
        super().__init__(f"{finding.title}. {finding.suggestion}".strip())
        self.finding = finding
