"""A small store with runs that exercise every dashboard view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import modelglass as mg

MODEL = {
    "total_params": 97, "trainable_params": 97, "total_flops": 1200,
    "layers": [
        {"name": "net.0", "type": "Linear", "input_shape": [8, 4], "output_shape": [8, 16],
         "params": 80, "trainable_params": 80, "flops": 1000},
        {"name": "net.1", "type": "ReLU", "input_shape": [8, 16], "output_shape": [8, 16],
         "params": 0, "trainable_params": 0, "flops": 0},
        {"name": "net.2", "type": "Linear", "input_shape": [8, 16], "output_shape": [8, 1],
         "params": 17, "trainable_params": 17, "flops": 200},
    ],
    "graph": {"nodes": [{"name": "x", "op": "placeholder"}, {"name": "net.0", "op": "call_module"},
                        {"name": "net.1", "op": "call_module"}, {"name": "net.2", "op": "call_module"},
                        {"name": "skip", "op": "call_function"}, {"name": "output", "op": "output"}],
              "edges": [["x", "net.0"], ["net.0", "net.1"], ["net.1", "net.2"], ["x", "skip"],
                        ["net.2", "output"], ["skip", "output"]]},
    "parameters": [{"name": "net.0.weight", "shape": [16, 4]}, {"name": "net.0.bias", "shape": [16]},
                   {"name": "net.2.weight", "shape": [1, 16]}, {"name": "net.2.bias", "shape": [1]}],
    "findings": [{"code": "high_dropout", "severity": "warning", "title": "Dropout p=0.7",
                  "evidence": {"module": "net.1", "p": 0.7}, "suggestion": "Use p <= 0.5."}],
}


@pytest.fixture
def filled(store_dir: Path) -> dict[str, Any]:
    """Three finished runs of project 'a' (one with a NaN), one of project 'b' in a study."""
    ids: dict[str, str] = {}
    for lr in (0.1, 0.01):
        with mg.init(project="a", name=f"lr-{lr}", config={"lr": lr, "opt": "sgd", "depth": 2},
                     store=store_dir) as run:
            for s in range(100):
                run.log({"loss": 1.0 / (1 + s * lr), "val/loss": 1.2 / (1 + s * lr),
                         "grad_norm/net.0.weight": 0.1}, step=s)
            run.log_histogram("weights/net.0.weight", np.linspace(-1, 1, 64), step=0)
            run.log_histogram("weights/net.0.weight", np.linspace(-2, 2, 64), step=50)
            run.log_artifact("model", MODEL)
            ids[f"lr-{lr}"] = run.id
    with mg.init(project="a", name="nan-run", config={"lr": 5.0, "opt": "adam", "depth": 2},
                 store=store_dir) as run:
        for s in range(60):
            run.log({"loss": float("nan") if s >= 40 else 1.0 - s / 100}, step=s)
        run.log_event("loss became NaN", level="error", step=40,
                      finding={"code": "nan_inf", "severity": "error", "title": "NaN loss",
                               "evidence": {"step": 40}, "suggestion": "Lower the rate."})
        ids["nan-run"] = run.id
    for i, x in enumerate((1.0, 3.0)):
        with mg.init(project="b", name=f"trial-{i}", config={"x": x}, store=store_dir,
                     study="quad") as run:
            run.log({"loss": (x - 2) ** 2}, step=0)
            run.summary["value"] = (x - 2) ** 2 + i
            ids[f"trial-{i}"] = run.id
    return {"store": store_dir, "ids": ids, "reader": mg.open_store(store_dir)}
