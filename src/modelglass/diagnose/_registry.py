"""The registry of diagnostic rules: each a small function with a stable code.

A rule is registered with :func:`rule`, declares its thresholds with their
defaults and meaning, and returns findings. When the run lacks what it needs it
raises :class:`NotEnoughData`; diagnose turns that into one ``info`` finding
instead of guessing. Adding a rule touches one file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..core import BadInputError, Finding, Severity

SOURCE = "diagnose"


class NotEnoughData(Exception):
    """Raised by a rule that cannot judge the run; the message says what is missing."""


@dataclass(frozen=True)
class Param:
    """A documented threshold of a rule."""

    default: float
    doc: str


@dataclass(frozen=True)
class Rule:
    """A registered rule.

    Attributes:
        code: The finding code it emits (stable).
        severity: The severity of its findings.
        cause: ``optimisation``, ``data`` or ``model``: which of the three reasons a
            run stops improving it points to (used by the summary).
        params: Its thresholds by name.
        check: ``check(history, params) -> list[Finding]``.
        doc: One line: what it means.
    """

    code: str
    severity: Severity
    cause: str
    params: Mapping[str, Param]
    check: Callable[[Any, Mapping[str, float]], list[Finding]]
    doc: str


RULES: dict[str, Rule] = {}


def rule(
    code: str, severity: str, cause: str, params: Mapping[str, tuple[float, str]] | None = None
) -> Callable[[Callable[..., list[Finding]]], Callable[..., list[Finding]]]:
    """Register ``fn`` as the rule ``code`` (decorator). Its docstring's first line is its meaning."""

    def deco(fn: Callable[..., list[Finding]]) -> Callable[..., list[Finding]]:
        if code in RULES:
            raise RuntimeError(f"diagnose rule {code!r} is registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        RULES[code] = Rule(
            code, Severity.parse(severity), cause,
            {k: Param(float(v), d) for k, (v, d) in (params or {}).items()}, fn, doc,
        )
        return fn

    return deco


def resolve_thresholds(overrides: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """Defaults of every rule, with ``overrides`` applied.

    ``overrides`` uses ``{"code.param": value}`` keys, or ``{"code": {"param": value}}``.
    An unknown code or parameter is an error that lists the known ones.
    """
    out = {code: {k: p.default for k, p in r.params.items()} for code, r in RULES.items()}
    if overrides is None:
        return out
    if not isinstance(overrides, Mapping):
        raise BadInputError(
            "diagnose(thresholds=...) must be a dict like {'loss_plateau.min_drop': 0.05}. "
            f"Got {type(overrides).__name__}."
        )
    for key, value in _flatten(overrides):
        code, _, param = key.partition(".")
        if code not in out or param not in out[code]:
            raise BadInputError(
                f"Unknown diagnose threshold {key!r}. Known thresholds: {', '.join(known_thresholds())}."
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise BadInputError(f"The threshold {key!r} must be a finite number. Got {value!r}.")
        out[code][param] = float(value)
    return out


def _flatten(overrides: Mapping[str, Any]) -> list[tuple[str, Any]]:
    items = []
    for k, v in overrides.items():
        if isinstance(v, Mapping):
            items.extend((f"{k}.{pk}", pv) for pk, pv in v.items())
        else:
            items.append((str(k), v))
    return items


def describe_rules() -> list[dict[str, Any]]:
    """Every rule: code, severity, cause, meaning and thresholds (default and meaning), JSON-able."""
    return [
        {"code": r.code, "severity": str(r.severity), "cause": r.cause, "meaning": r.doc,
         "thresholds": {k: {"default": p.default, "meaning": p.doc} for k, p in r.params.items()}}
        for r in RULES.values()
    ]


def known_thresholds() -> list[str]:
    """Every ``code.param`` that ``thresholds=`` accepts."""
    return [f"{c}.{p}" for c, r in RULES.items() for p in r.params]


def make(
    code: str,
    title: str,
    evidence: Mapping[str, Any],
    suggestion: str,
    step: int | None = None,
    severity: str | Severity | None = None,
) -> Finding:
    """A finding of the rule ``code`` with its registered severity (unless given)."""
    sev = RULES[code].severity if severity is None else Severity.parse(severity)
    return Finding(
        code=code, severity=sev, title=title, evidence=dict(evidence),
        suggestion=suggestion, step=None if step is None else int(step), source=SOURCE,
    )


def num(x: float, digits: int = 4) -> float:
    """A float rounded to ``digits`` significant digits for evidence (finite only)."""
    if not math.isfinite(x) or x == 0:
        return float(x)
    return float(f"{x:.{digits}g}")
