"""Scoring a diagnosis against a run of the suite: what the benchmark and the tests both use.

Reads ``Diagnosis.causes`` where the installed modelglass has it (issue 11) and
scores nothing as found where it does not, so the suite runs on any version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modelglass.core import Severity

from . import BugRun


def causes(diagnosis: Any, min_severity: str = "warning") -> list[tuple[str, str, float | None]]:
    """``(code, severity, confidence)`` of the diagnosis's causes at or above ``min_severity``, in its order."""
    level = Severity.parse(min_severity)
    out = []
    for c in getattr(diagnosis, "causes", None) or ():
        sev = Severity.parse(getattr(c, "severity", "warning"))
        if sev >= level:
            conf = getattr(c, "confidence", None)
            out.append((str(c.code), str(sev), None if conf is None else float(conf)))
    return out


@dataclass(frozen=True)
class Score:
    """How one diagnosis did on one run of the suite.

    Attributes:
        top1: The first cause is the expected one (a buggy run).
        top3: The expected cause is among the first three (a buggy run): the issue's top-3.
        top3_alt: The expected cause or an accepted alternate is among the first three.
        false_alarm: A healthy run got a warning-or-worse cause that it does not tolerate.
        named: The codes of the causes (warning or worse), most likely first.
    """

    top1: bool
    top3: bool
    top3_alt: bool
    false_alarm: bool
    named: tuple[str, ...]


def score(run: BugRun, diagnosis: Any) -> Score:
    named = tuple(code for code, _, _ in causes(diagnosis))
    if run.expect is None:
        alarms = [c for c in named if c not in run.tolerated]
        return Score(False, False, False, bool(alarms), named)
    fair = {run.expect, *run.alternates}
    return Score(named[:1] == (run.expect,), run.expect in named[:3], bool(fair & set(named[:3])), False, named)
