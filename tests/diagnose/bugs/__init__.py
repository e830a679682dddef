"""A realistic bug suite: small training runs with the bugs people write, and healthy look-alikes.

Each entry is a function ``(seed, store_path) -> run id`` that trains a real small
model (NumPy, scikit-learn or PyTorch on CPU) and logs it with modelglass the way a
user would: ``mg.init(..., config=...)``, ``run.watch(model, opt)``, the NumPy and
scikit-learn probes. Its metadata says which cause ``mg.diagnose(run).causes`` should
name first (``expect``; ``None`` for a healthy run) and which other causes are fair
among the first three (``alternates``). The bugs follow the fault taxonomies of
deep-learning programs: Humbatova et al., "Taxonomy of Real Faults in Deep Learning
Systems" (ICSE 2020); Zhang et al., "AutoTrainer" (ICSE 2021); Cao et al., "DeepFD"
(ICSE 2022).

``load()`` imports every module of runs and returns the registry;
``train(name, seed, store)`` trains one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

# The cause codes of issue 11: the contract the doctor's causes are scored against.
CODES = (
    "lr_too_high", "lr_too_low", "missing_zero_grad", "unscaled_inputs", "target_shape_mismatch",
    "loss_output_mismatch", "label_noise", "bad_initialization", "saturating_deep_network",
    "not_enough_capacity", "overfitting", "parameters_not_training", "eval_mode_missing",
    "unshuffled_data", "numerical_instability",
)
FAMILIES = ("linear", "MLP", "CNN", "LSTM/GRU", "transformer")
FRAMEWORKS = ("numpy", "sklearn", "torch")
_MODULES = ("runs_optim", "runs_data", "runs_loss", "runs_model", "runs_numpy", "runs_healthy")


@dataclass(frozen=True)
class BugRun:
    """One training run of the suite.

    Attributes:
        name: Unique, also the run's name in the store.
        expect: The cause code a correct diagnosis names first; None for a healthy run.
        family: The model family (``FAMILIES``).
        framework: ``numpy``, ``sklearn`` or ``torch``.
        train: ``(seed, store_path) -> run id``.
        alternates: Other causes that are fair among the first three (a look-alike
            the same run also shows).
        tolerated: For a healthy run, causes that may appear without counting as a
            false alarm (a few percent of flipped labels may be named ``label_noise``).
        note: The bug as a person would describe it.
    """

    name: str
    expect: str | None
    family: str
    framework: str
    train: Callable[[int, str], str]
    alternates: tuple[str, ...] = ()
    tolerated: tuple[str, ...] = ()
    note: str = ""


RUNS: dict[str, BugRun] = {}


def bug(name: str, expect: str | None, family: str, framework: str = "torch", note: str = "",
        alternates: tuple[str, ...] = (), tolerated: tuple[str, ...] = ()
        ) -> Callable[[Callable[[int, str], str]], Callable[[int, str], str]]:
    """Register a run of the suite (a decorator)."""
    if expect is not None and expect not in CODES:
        raise ValueError(f"{name}: unknown cause code {expect!r}; use one of {CODES}.")
    if family not in FAMILIES or framework not in FRAMEWORKS:
        raise ValueError(f"{name}: family {family!r} / framework {framework!r} not in {FAMILIES} / {FRAMEWORKS}.")

    def deco(fn: Callable[[int, str], str]) -> Callable[[int, str], str]:
        if name in RUNS:
            raise ValueError(f"Two runs of the bug suite are named {name!r}.")
        RUNS[name] = BugRun(name, expect, family, framework, fn, alternates, tolerated, note)
        return fn

    return deco


def load() -> dict[str, BugRun]:
    """Import every module of runs (PyTorch, scikit-learn and NumPy must be installed); the registry."""
    for module in _MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return RUNS


def train(name: str, seed: int, store: str) -> str:
    """Train run ``name`` with ``seed`` into ``store`` on one thread; its run id."""
    from threadpoolctl import threadpool_limits

    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    with threadpool_limits(1):
        return load()[name].train(seed, store)
