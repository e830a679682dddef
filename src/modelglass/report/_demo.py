"""The demo's report: loss curves and the loss surface with each run's path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..viz import Curve, Path2D, curves_data, draw_curves, draw_surface, surface_data
from ._html import Page, p, table

if TYPE_CHECKING:  # pragma: no cover
    from ..demo import DemoRun, LinearData


def write_demo_report(
    data: "LinearData", runs: Sequence["DemoRun"], out: str | os.PathLike[str]
) -> Path:
    """Write the demo's self-contained report and return its absolute path."""
    X, y = data.X, data.y
    opt = data.optimum
    page = Page(
        "modelglass demo: linear regression by gradient descent",
        f"{len(y)} synthetic points, y = 3x + 2 + noise; {len(runs)} runs that differ only in the learning rate",
    )
    page.section(
        "What you are looking at",
        p(
            "Each run fits theta = (bias, weight) by batch gradient descent on "
            "J(theta) = mean((X @ theta - y)^2) with the update theta = theta - alpha * grad, "
            "grad = X.T @ (X @ theta - y) / n."
        ),
        p(
            "Note: that grad is the gradient of J/2, not of J (the true gradient of the mean "
            "squared error has a factor 2), so each step is half of alpha times the true gradient."
        ),
        p(
            "A rate that is too small barely moves in the time given; a good rate reaches the "
            "least-squares optimum; a rate that is too large overshoots the valley further on "
            "every step, so the loss grows: see its path zig-zag out of the contour plot."
        ),
    )
    opt_loss = float(np.mean((X @ opt - y) ** 2))
    rows = [
        (r.label, r.lr, r.final_loss, opt_loss, tuple(r.thetas[-1]), float(np.linalg.norm(r.thetas[-1] - opt)))
        for r in runs
    ]
    page.section(
        "Summary",
        table(
            ["run", "learning rate", "final loss", "optimum loss", "final theta", "distance to optimum"],
            rows,
            numeric=(1, 2, 3, 5),
        ),
    )
    curves = [Curve(f"lr={r.lr:g} ({r.label})", np.arange(len(r.losses)), r.losses) for r in runs]
    fig = draw_curves(curves_data("loss J(theta) per epoch (log scale)", curves, log_y=True), height=420)
    page.section("Loss curves", page.figure_html(fig, "loss-curves"))

    def grid(T0: np.ndarray, T1: np.ndarray) -> np.ndarray:
        r = T0[..., None] * X[:, 0] + T1[..., None] * X[:, 1] - y
        return np.mean(r * r, axis=-1)

    surf = surface_data(
        grid,
        [Path2D(f"lr={r.lr:g} ({r.label})", r.thetas) for r in runs],
        center=(float(opt[0]), float(opt[1])),
        optimum=(float(opt[0]), float(opt[1])),
    )
    page.section(
        "The loss surface and each run's path",
        p("Contours of log10 J; the star is the closed-form least-squares optimum."),
        page.figure_html(draw_surface(surf), "loss-surface"),
    )
    return page.write(out)
