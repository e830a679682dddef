"""The computed loss landscape and what it says."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core import Finding, Result, Severity, format_number, sort_findings


@dataclass(frozen=True)
class Landscape(Result):
    """Loss over a line or a plane through the model's parameters.

    Attributes:
        kind: ``1d``, ``2d`` (random or PCA plane) or ``exact`` (the two parameters themselves).
        x: Coordinates along the first axis.
        y: Coordinates along the second axis (None for ``1d``).
        losses: Loss at each point: shape ``(len(x),)`` or ``(len(y), len(x))``.
        center: Coordinates of the model's own parameters.
        center_loss: The model's loss at its own parameters.
        x_label: Name of the first axis.
        y_label: Name of the second axis.
        directions: How the axes were chosen (``filter``, ``layer``, ``pca``, ``given``, ``parameters``).
        method: How the points were evaluated (``mlp``, ``vmap``, ``loop`` or ``numpy``).
        trajectory: Path coordinates on the plane (N x 2), or None.
        trajectory_losses: The loss at each path point, or None.
        explained_variance: For PCA axes, the share of the path's movement each explains.
        findings: Notes on the surface.
    """

    TITLE = "Loss landscape"
    FIGURE_KINDS = ("contour", "surface", "line")

    kind: str
    x: np.ndarray
    y: np.ndarray | None
    losses: np.ndarray
    center: tuple[float, ...]
    center_loss: float
    x_label: str
    y_label: str | None
    directions: str
    method: str
    trajectory: np.ndarray | None = None
    trajectory_losses: np.ndarray | None = None
    explained_variance: tuple[float, ...] | None = None
    findings: tuple[Finding, ...] = field(default=())

    def _to_dict_body(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "x": self.x, "y": self.y, "losses": self.losses,
            "center": list(self.center), "center_loss": self.center_loss,
            "x_label": self.x_label, "y_label": self.y_label, "directions": self.directions,
            "method": self.method, "trajectory": self.trajectory,
            "trajectory_losses": self.trajectory_losses,
            "explained_variance": None if self.explained_variance is None else list(self.explained_variance),
        }

    def figure(self, kind: str | None = None) -> Any:
        """``contour`` (with the trajectory), ``surface`` (3-D) or ``line``.

        The default is ``contour`` for a plane and ``line`` for a 1-D landscape (which
        draws a line whatever the kind). On a plane, ``line`` is the slice along the
        first axis through the model's own point.
        """
        if kind is None and self.y is None:
            kind = "line"
        return super().figure(kind)

    def _figure(self, kind: str) -> Any:
        from ..viz import landscape_figure

        return landscape_figure(self, kind)

    def _text_body(self) -> str:
        size = f"{len(self.x)}" if self.y is None else f"{len(self.y)} x {len(self.x)}"
        return (f"{self.kind} landscape, {size} points, axes by {self.directions}, evaluated by {self.method}; "
                f"loss at the model {format_number(self.center_loss)}.")


def landscape_findings(result_kind: str, x: np.ndarray, y: np.ndarray | None, losses: np.ndarray,
                       center: tuple[float, ...], center_loss: float) -> tuple[Finding, ...]:
    out: list[Finding] = []
    bad = ~np.isfinite(losses)
    if bad.any():
        out.append(Finding(
            "landscape_nonfinite", Severity.WARNING,
            f"The loss is NaN or infinite at {int(bad.sum())} of {losses.size} points of the landscape.",
            {"n_nonfinite": int(bad.sum()), "n_points": int(losses.size)},
            "Shrink 'span'; an overflow far from the model's parameters is common, one near them is not.",
            source="landscape",
        ))
    finite = np.where(bad, np.inf, losses)
    idx = np.unravel_index(int(np.argmin(finite)), losses.shape)
    low = float(finite[idx])
    if np.isfinite(low) and low < center_loss - 0.05 * max(abs(center_loss), 1e-12):
        at = (float(x[idx[-1]]),) if y is None else (float(x[idx[1]]), float(y[idx[0]]))
        out.append(Finding(
            "landscape_not_at_minimum", Severity.INFO if result_kind != "exact" else Severity.WARNING,
            f"The loss falls from {center_loss:.4g} at the model's parameters to {low:.4g} "
            "nearby on this slice: the model is not at a minimum.",
            {"center_loss": center_loss, "lowest_loss": low, "at": at, "center": center},
            "Train longer or with a smaller learning rate near the end (a schedule) to settle into the valley.",
            source="landscape",
        ))
    return tuple(sort_findings(out))
