"""Hyperparameter search on Optuna, model selection and the learning-rate range test.

``modelglass.tune`` is both this package and the function :func:`tune`:
``mg.tune(objective, n_trials=50)`` works either way.
"""

from __future__ import annotations

from ..core import make_module_callable
from ._lr_find import LRFinderResult, lr_find
from ._result import TrialRecord, TuneResult
from ._search import list_studies, load_study, tune
from ._select import ModelComparison, compare_models

__all__ = [
    "LRFinderResult",
    "ModelComparison",
    "TrialRecord",
    "TuneResult",
    "compare_models",
    "list_studies",
    "load_study",
    "lr_find",
    "tune",
]

make_module_callable(__name__, tune)
