"""Runnable examples: the seed's linear regression first, then its four steps on it and on load_digits."""

from __future__ import annotations

from ._linreg import DEFAULT_RATES, DemoRun, LinearData, gradient, loss, make_data, train
from ._main import DemoResult, run_demo
from ._walk import DigitsWalk, Walk

__all__ = [
    "DEFAULT_RATES",
    "DemoResult",
    "DemoRun",
    "DigitsWalk",
    "LinearData",
    "gradient",
    "loss",
    "make_data",
    "run_demo",
    "train",
    "Walk",
]
