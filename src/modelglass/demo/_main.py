"""``modelglass demo``: the seed's four steps on its regression (and load_digits), one report."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._linreg import DEFAULT_RATES, DemoRun, LinearData, loss, make_data, train


@dataclass(frozen=True)
class DemoResult:
    data: LinearData
    runs: tuple[DemoRun, ...]
    report: Path
    store: str
    walk: Any = None  # the four steps (a demo._walk.Walk) unless one rate was chosen

    def table(self) -> list[dict[str, object]]:
        """One row per run: final loss, the least-squares optimum and the distance to it."""
        opt = self.data.optimum
        opt_loss = loss(self.data.X, self.data.y, opt)
        rows = []
        for r in self.runs:
            theta = r.thetas[-1]
            rows.append(
                {
                    "run": r.label,
                    "lr": r.lr,
                    "run_id": r.run_id,
                    "final_loss": r.final_loss,
                    "optimum_loss": opt_loss,
                    "theta": theta.tolist(),
                    "optimum_theta": opt.tolist(),
                    "distance": float(np.linalg.norm(theta - opt)),
                }
            )
        return rows


def run_demo(
    store: str | os.PathLike[str] | None = None,
    epochs: int = 200,
    lr: float | None = None,
    out: str | os.PathLike[str] | None = None,
    seed: int = 0,
    walk: bool = True,
) -> DemoResult:
    """Train the seed's linear regression and write the HTML report.

    Args:
        store: Where the runs are logged (default: ``MODELGLASS_STORE`` or ``./mglogs``).
        epochs: Gradient-descent epochs per run.
        lr: One run with this rate instead of the three default rates.
        out: Report path (default ``modelglass-report.html``).
        seed: Seed of the data (and of the flipped digit labels).
        walk: Also walk the seed's four steps (inspect, check_data, diagnose and lr_find,
            gradcheck and a loss comparison) on the regression and on ``load_digits``.
    """
    from ..core import BadInputError

    if epochs < 1:
        raise BadInputError(f"--epochs must be a positive integer. Got {epochs}.")
    if lr is not None and not (lr > 0 and np.isfinite(lr)):
        raise BadInputError(f"--lr must be a positive number. Got {lr}.")
    data = make_data(seed=seed)
    rates = {"chosen": lr} if lr is not None else DEFAULT_RATES
    runs = tuple(train(data, rate, epochs, label, store=store) for label, rate in rates.items())
    from ..report import write_demo_report
    from ._walk import walk as walk_steps

    steps = walk_steps(data, runs, store, seed=seed) if lr is None and walk else None
    report = write_demo_report(data, runs, out or "modelglass-report.html", walk=steps)
    from ..core import resolve_store_location

    return DemoResult(data, runs, report, resolve_store_location(store), steps)
