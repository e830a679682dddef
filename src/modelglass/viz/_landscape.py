"""Figures for the loss landscape and the loss-function comparison.

The landscape result is already the computed data (a frozen dataclass); these
functions only draw it. ``landscape_view`` picks what a contour shows, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import BadInputError, argument_error


@dataclass(frozen=True)
class LandscapeView:
    """What the contour figure draws: log-scaled levels when the losses span decades."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    log_scale: bool
    path_x: np.ndarray | None
    path_y: np.ndarray | None
    center: tuple[float, float]


def landscape_view(result: Any) -> LandscapeView:
    if result.y is None:
        raise BadInputError("A 1-D landscape has no contour; use figure('line').")
    z = np.asarray(result.losses, dtype=np.float64)
    finite = z[np.isfinite(z)]
    log_scale = bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 100)
    shown = np.log10(np.where(np.isfinite(z) & (z > 0), z, np.nan)) if log_scale else z
    path = result.trajectory
    return LandscapeView(result.x, result.y, shown, log_scale,
                         None if path is None else path[:, 0], None if path is None else path[:, 1],
                         (float(result.center[0]), float(result.center[1])))


def landscape_line(result: Any) -> tuple[np.ndarray, np.ndarray]:
    """The losses along the first axis; on a plane, the row through the model's own point."""
    losses = np.asarray(result.losses, dtype=np.float64)
    if result.y is None:
        return np.asarray(result.x), losses
    row = int(np.argmin(np.abs(np.asarray(result.y, dtype=np.float64) - float(result.center[1]))))
    return np.asarray(result.x), losses[row]


def landscape_figure(result: Any, kind: str = "contour") -> Any:
    import plotly.graph_objects as go

    if kind == "line" or result.y is None:
        x, losses = landscape_line(result)
        fig = go.Figure(go.Scatter(x=x, y=losses, mode="lines", name="loss"))
        fig.add_trace(go.Scatter(x=[result.center[0]], y=[result.center_loss], mode="markers", name="model"))
        where = "" if result.y is None else f" (at {result.y_label} = {float(result.center[1]):.4g})"
        fig.update_layout(title=f"Loss along {result.x_label}{where}", xaxis_title=result.x_label,
                          yaxis_title="loss")
        return fig
    v = landscape_view(result)
    title = "log10(loss)" if v.log_scale else "loss"
    if kind == "surface":
        fig = go.Figure(go.Surface(x=v.x, y=v.y, z=v.z, colorscale="Viridis", colorbar=dict(title=title)))
        fig.update_layout(title="Loss surface", scene=dict(xaxis_title=result.x_label,
                                                           yaxis_title=result.y_label, zaxis_title=title))
        return fig
    if kind != "contour":
        raise argument_error("kind", "landscape_figure", "one of 'contour', 'surface', 'line'", kind)
    fig = go.Figure(go.Contour(x=v.x, y=v.y, z=v.z, colorscale="Viridis", ncontours=30,
                               colorbar=dict(title=title)))
    if v.path_x is not None:
        fig.add_trace(go.Scatter(x=v.path_x, y=v.path_y, mode="lines+markers", name="trajectory",
                                 line=dict(color="white"), marker=dict(size=4)))
    fig.add_trace(go.Scatter(x=[v.center[0]], y=[v.center[1]], mode="markers", name="model",
                             marker=dict(color="red", size=10, symbol="x")))
    fig.update_layout(title="Loss landscape", xaxis_title=result.x_label, yaxis_title=result.y_label,
                      legend=dict(orientation="h", yanchor="top", y=-0.15))  # clear of the colour bar
    return fig


def losses_figure(result: Any, kind: str = "metric") -> Any:
    import plotly.graph_objects as go

    if kind == "metric":
        names = [r.name for r in result.runs]
        fig = go.Figure(go.Bar(x=names, y=[r.val_metric for r in result.runs],
                               marker_color=["#2a9d8f" if n == result.best else "#999999" for n in names]))
        better = "higher" if result.greater_is_better else "lower"
        fig.update_layout(title=f"Validation {result.metric} per loss ({better} is better)",
                          yaxis_title=result.metric)
        return fig
    if kind == "training":
        fig = go.Figure([go.Scatter(y=r.train_losses, mode="lines", name=r.name) for r in result.runs])
        fig.update_layout(title="Training loss per loss function", xaxis_title="epoch", yaxis_title="loss")
        return fig
    if kind == "fit":
        if result.fit_x is None:
            raise BadInputError("Fitted lines exist only for regression on one feature.")
        fig = go.Figure(go.Scatter(x=result.train_x, y=result.train_y, mode="markers", name="training data",
                                   marker=dict(color="#bbbbbb", size=5)))
        for name, fy in result.fit_y.items():
            fig.add_trace(go.Scatter(x=result.fit_x, y=fy, mode="lines", name=name))
        fig.update_layout(title="Fitted lines", xaxis_title="x", yaxis_title="y")
        return fig
    raise argument_error("kind", "losses_figure", "one of 'metric', 'training', 'fit'", kind)
