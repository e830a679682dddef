"""Diagnose a training run: what is wrong, where it started, the evidence, and what to try.

``mg.diagnose(run)`` reads a run's history (loss curves and what ``run.watch`` and the
NumPy/sklearn probes record) and runs every registered rule over it; ``live_rules`` are
the cheap checks ``run.watch(..., diagnose=True)`` calls on every step.
"""

from __future__ import annotations

from ..core import make_module_callable
from ._cause import CAUSE_CODES, Cause
from ._compare import DiagnosisComparison
from ._diagnosis import DIAGNOSIS_SCHEMA_VERSION, VERDICTS, Diagnosis, diagnose
from ._history import TRAIN_LOSS_TAGS, VAL_LOSS_TAGS
from ._live import LiveState, live_rules
from ._summary import diagnosis_text
from ._registry import RULES, NotEnoughData, Param, Rule, describe_rules, known_thresholds, rule

__all__ = [
    "CAUSE_CODES",
    "Cause",
    "DIAGNOSIS_SCHEMA_VERSION",
    "Diagnosis",
    "DiagnosisComparison",
    "LiveState",
    "NotEnoughData",
    "Param",
    "RULES",
    "Rule",
    "TRAIN_LOSS_TAGS",
    "VAL_LOSS_TAGS",
    "VERDICTS",
    "describe_rules",
    "diagnosis_text",
    "diagnose",
    "known_thresholds",
    "live_rules",
    "rule",
]

make_module_callable(__name__, diagnose)
