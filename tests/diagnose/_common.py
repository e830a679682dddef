"""Shared pieces of the diagnose suite: the scenario registry, datasets, NumPy logging."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Callable

import numpy as np

import modelglass as mg


@dataclass(frozen=True)
class Scenario:
    """A seeded training run with one planted fault (``expect``) or none (``expect=None``)."""

    name: str
    framework: str
    expect: str | None
    build: Callable[..., tuple[str, dict[str, Any]]]  # (store, seed) -> (run id, diagnose kwargs)
    note: str = ""


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, framework: str, expect: str | None, note: str = "") -> Callable[..., Any]:
    def deco(fn: Callable[[str], tuple[str, dict[str, Any]]]) -> Callable[..., Any]:
        SCENARIOS[name] = Scenario(name, framework, expect, fn, note)
        return fn

    return deco


@cache
def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """load_digits standardised: 1200 training rows, 597 validation rows, 10 classes."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    X, y = X[order].astype(np.float32), y[order].astype(np.int64)
    mu, sd = X[:1200].mean(0), X[:1200].std(0) + 1e-3
    X = (X - mu) / sd
    return X[:1200], y[:1200], X[1200:], y[1200:]


@cache
def diabetes() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """load_diabetes standardised (features and target): 340 training rows, 102 validation."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    rng = np.random.default_rng(1)
    order = rng.permutation(len(y))
    X, y = X[order].astype(np.float32), y[order].astype(np.float32)
    X = (X - X[:340].mean(0)) / X[:340].std(0)
    y = (y - y[:340].mean()) / y[:340].std()
    return X[:340], y[:340], X[340:], y[340:]


def new_run(store: str, name: str, **config: Any) -> mg.Run:
    return mg.init(project="diagnose-suite", name=name, config=config or None, store=store)
