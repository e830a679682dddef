"""Held-out seeds for the framework callbacks: a healthy run and a planted too-high learning rate.

The test suite tunes each framework's healthy and broken configuration on seed 0
(tests/integrations); this script trains the same configurations with the model seeded
1-4 and prints, per framework and seed, the verdict and the doctor's top cause of the
healthy run and of the broken one (Keras on the torch backend). Run:
``python benchmarks/bench_integrations_seeds.py`` (about 3 minutes).
"""

from __future__ import annotations

import os
import pathlib
import sys
import tempfile
import warnings

os.environ["KERAS_BACKEND"] = "torch"
warnings.simplefilter("ignore")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

import keras  # noqa: E402
import torch  # noqa: E402
from integrations import test_huggingface as th  # noqa: E402
from integrations import test_lightning as tl  # noqa: E402
from integrations._keras_common import data, model  # noqa: E402

from modelglass.integrations.keras import ModelglassCallback  # noqa: E402

SEEDS = (1, 2, 3, 4)


def outcome(diagnosis):
    top = diagnosis.top_cause
    return f"{diagnosis.verdict}/{top.code if top else '-'}"


def keras_run(where, seed, lr):
    x, y = data(seed=seed)
    m = model(keras, lr=lr, seed=seed)
    cb = ModelglassCallback(project="k", store=where, every=4, verbose=False)
    m.fit(x, y, batch_size=16, epochs=6, validation_data=data(32, seed=seed + 10), callbacks=[cb], verbose=0)
    return cb.diagnosis


def seeded(seed, fn):
    """Run fn with every torch.manual_seed call inside it seeded ``seed`` (the tests seed 0)."""
    orig = torch.manual_seed
    torch.manual_seed = lambda s: orig(seed)
    try:
        return fn()
    finally:
        torch.manual_seed = orig


def main() -> None:
    torch.set_num_threads(1)
    d = pathlib.Path(tempfile.mkdtemp())
    runs = {
        "keras (torch), lr 0.02 / 2.0": lambda s, bad: keras_run(d / f"k{s}{bad}", s, 2.0 if bad else 0.02),
        "lightning, lr 0.05 / 0.6": lambda s, bad: seeded(s, lambda: tl.fit(
            d / f"l{s}{bad}", lr=0.6 if bad else 0.05, epochs=4)[0].diagnosis),
        "transformers, lr 5e-3 / 3.0": lambda s, bad: seeded(s, lambda: th.train(
            d / f"h{s}{bad}", lr=3.0 if bad else 5e-3, epochs=3, max_grad_norm=0.0 if bad else 1.0)[0].diagnosis),
    }
    print("| framework | seed | healthy run | planted high lr |")
    print("|---|---:|---|---|")
    for title, run in runs.items():
        for s in SEEDS:
            print(f"| {title} | {s} | {outcome(run(s, False))} | {outcome(run(s, True))} |", flush=True)


if __name__ == "__main__":
    main()
