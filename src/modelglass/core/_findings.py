"""The one result type every analysis returns: a :class:`Finding`."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

FINDING_SCHEMA_VERSION = 1


class Severity(enum.IntEnum):
    """How bad a finding is. Ordered: ``info < warning < error``."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: "Severity | str | int") -> "Severity":
        """Accept a Severity, its lower-case name or its integer value."""
        if isinstance(value, Severity):
            return value
        if isinstance(value, str):
            try:
                return cls[value.upper()]
            except KeyError:
                raise ValueError(
                    f"Unknown severity {value!r}. Expected one of: info, warning, error."
                ) from None
        return cls(int(value))


def _jsonable(value: Any) -> Any:
    """Turn NumPy scalars/arrays and tuples into plain JSON values; NaN/Inf become strings."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, enum.Enum):
        return str(value)
    return value


@dataclass(frozen=True)
class Finding:
    """Something an analysis noticed, said in plain words.

    Attributes:
        code: Stable snake_case identifier (documented in the README).
        severity: ``info``, ``warning`` or ``error``.
        title: One line saying what is wrong.
        evidence: The numbers that triggered it, with the step, module or column.
        suggestion: What to try, in plain words.
        step: The step (or row) where it started, when that applies.
        source: Which analysis produced it (``inspect``, ``diagnose``, ``data``...).
    """

    code: str
    severity: Severity
    title: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    suggestion: str = ""
    step: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity.parse(self.severity))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict with stable keys."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "title": self.title,
            "evidence": _jsonable(dict(self.evidence)),
            "suggestion": self.suggestion,
            "step": self.step,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Finding":
        """Rebuild a finding stored with :meth:`to_dict`."""
        return cls(
            code=data["code"],
            severity=Severity.parse(data["severity"]),
            title=data.get("title", ""),
            evidence=dict(data.get("evidence") or {}),
            suggestion=data.get("suggestion", ""),
            step=data.get("step"),
            source=data.get("source", ""),
        )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by the step where they started (unknown steps last)."""
    return sorted(
        findings,
        key=lambda f: (-int(f.severity), f.step if f.step is not None else math.inf, f.code),
    )


def worst_severity(findings: Iterable[Finding]) -> Severity | None:
    """The highest severity among ``findings``, or None when there are none."""
    levels = [f.severity for f in findings]
    return max(levels) if levels else None


def jsonable(value: Any) -> Any:
    """Public alias of the JSON conversion used by ``Finding.to_dict``."""
    return _jsonable(value)
