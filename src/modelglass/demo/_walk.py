"""The seed's four steps with modelglass, on its linear regression and on ``load_digits``.

1. the model's structure and parameters (``inspect``); 2. the training data
(``check_data``: a few digit labels are flipped on purpose and it finds them); 3.
adjusting parameters (three learning rates, what ``diagnose`` says about each,
``lr_find``'s suggestion); 4. the loss (the surface with the paths in the report,
``gradcheck`` finding the seed's factor 0.5, a loss comparison on data with outliers).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..core import MissingDependencyError
from ._digits import DIGITS_RATES, DigitsData, DigitsRun, load_digits_data, train_digits
from ._linreg import DemoRun, LinearData, gradient, loss
from ._outliers import OutlierComparison, compare_outlier_losses

DIGITS_EPOCHS = 100


@dataclass(frozen=True)
class DigitsWalk:
    data: DigitsData
    runs: tuple[DigitsRun, ...]
    inspection: Any
    data_report: Any
    diagnoses: dict[str, Any]  # run label -> Diagnosis

    def label_check(self) -> dict[str, Any]:
        """How many of the flipped labels ``check_data`` flagged (recall) and how many flags were right."""
        flagged = self.data_report.rows("label_issues")["row"].to_numpy()
        hits = np.intersect1d(flagged, self.data.flipped)
        return {"flipped": len(self.data.flipped), "flagged": len(flagged), "found": len(hits),
                "recall": len(hits) / max(1, len(self.data.flipped)),
                "precision": len(hits) / max(1, len(flagged))}


@dataclass(frozen=True)
class Walk:
    inspection: Any
    data_report: Any
    diagnoses: dict[str, Any]  # run label -> Diagnosis
    lr_find: Any
    gradcheck: Any
    outliers: OutlierComparison
    digits: DigitsWalk | None
    digits_note: str = ""


def walk(data: LinearData, runs: Sequence[DemoRun], store: str | os.PathLike[str] | None,
         seed: int = 0) -> Walk:
    """Run the four steps over the demo's runs (already trained and logged in ``store``)."""
    import pandas as pd

    from ..data import check_data
    from ..diagnose import diagnose
    from ..inspect import inspect
    from ..landscape import gradcheck
    from ..tune import lr_find

    good = min(runs, key=lambda r: r.final_loss if np.isfinite(r.final_loss) else np.inf)
    theta = good.thetas[-1]
    inspection = inspect({"bias": theta[:1].copy(), "weight": theta[1:].copy()})
    frame = pd.DataFrame({"x": data.X[:, 1], "y": data.y})
    data_report = check_data(frame, target="y", task="regression", progress=False)
    diagnoses = {r.label: diagnose(r.run_id, store=store, baseline=float(np.var(data.y))) for r in runs}
    suggestion = lr_find(_short_training(data), start=1e-4, end=10.0, steps=60, progress=False)
    check = gradcheck(lambda th: loss(data.X, data.y, th), lambda th: gradient(data.X, data.y, th),
                      np.array([0.3, -0.7]))
    try:
        digits, note = _digits(store, seed), ""
    except MissingDependencyError as exc:
        digits, note = None, f"The digits half needs scikit-learn: {exc}"
    return Walk(inspection, data_report, diagnoses, suggestion, check, compare_outlier_losses(seed=seed),
                digits, note)


def _short_training(data: LinearData, steps: int = 10) -> Any:
    """``f(lr)``: the loss after a few of the seed's steps from zero (what lr_find sweeps)."""

    def f(lr: float) -> float:
        theta = np.zeros(2)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(steps):
                theta = theta - lr * gradient(data.X, data.y, theta)
        return loss(data.X, data.y, theta)

    return f


def _digits(store: str | os.PathLike[str] | None, seed: int) -> DigitsWalk:
    import pandas as pd

    from ..data import check_data
    from ..diagnose import diagnose
    from ..inspect import inspect

    data = load_digits_data(seed=seed)
    runs = tuple(train_digits(data, lr, DIGITS_EPOCHS, label, store=store) for label, lr in DIGITS_RATES.items())
    good = runs[1]
    inspection = inspect({"W": good.W, "b": good.b})
    frame = pd.DataFrame(data.X, columns=[f"px{i}" for i in range(data.X.shape[1])])
    frame["label"] = data.y
    report = check_data(frame, target="label", seed=seed, progress=False,
                        checks=["label_issues", "class_imbalance", "duplicate_rows", "missing_values"])
    diagnoses = {r.label: diagnose(r.run_id, store=store) for r in runs}
    return DigitsWalk(data, runs, inspection, report, diagnoses)
