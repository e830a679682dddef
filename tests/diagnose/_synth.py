"""Runs made from synthetic series, for rule-level tests."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

import modelglass as mg


def make_run(store: str, series: Mapping[str, Any], name: str = "synth",
             artifacts: Mapping[str, Any] | None = None, **config: Any) -> mg.Run:
    """A finished run whose series are ``values`` (steps 0..n-1) or ``(steps, values)``."""
    run = mg.init(project="synth", name=name, config=config or None, store=store)
    for tag, data in series.items():
        steps, values = data if isinstance(data, tuple) else (np.arange(len(data)), data)
        for s, v in zip(steps, values):
            run.log({tag: float(v)}, step=int(s))
    for key, value in (artifacts or {}).items():
        run.log_artifact(key, value)
    run.finish()
    return run


def falling(n: int = 300, start: float = 2.3, end: float = 0.1, noise: float = 0.02, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return end + (start - end) * np.exp(-t / (n / 6)) + noise * rng.standard_normal(n)
