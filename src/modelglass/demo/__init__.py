"""Runnable examples, the seed's linear regression first."""

from __future__ import annotations

from ._linreg import DEFAULT_RATES, DemoRun, LinearData, gradient, loss, make_data, train
from ._main import DemoResult, run_demo

__all__ = [
    "DEFAULT_RATES",
    "DemoResult",
    "DemoRun",
    "LinearData",
    "gradient",
    "loss",
    "make_data",
    "run_demo",
    "train",
]
