"""The loss surface of a two-parameter model as a contour, with optimisation paths on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from ._curves import PALETTE

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go


@dataclass(frozen=True)
class Path2D:
    label: str
    points: np.ndarray  # (k, 2)


@dataclass(frozen=True)
class SurfaceData:
    """A grid of loss values and the paths drawn over it."""

    x: np.ndarray  # (nx,) values of the first parameter
    y: np.ndarray  # (ny,) values of the second parameter
    z: np.ndarray  # (ny, nx) loss
    paths: tuple[Path2D, ...]
    x_title: str
    y_title: str
    optimum: tuple[float, float] | None = None


def surface_data(
    loss_grid: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Sequence[Path2D],
    center: tuple[float, float],
    x_title: str = "theta_0",
    y_title: str = "theta_1",
    resolution: int = 121,
    optimum: tuple[float, float] | None = None,
) -> SurfaceData:
    """Evaluate ``loss_grid(T0, T1)`` on a grid that covers the centre and the paths' start.

    Paths that leave the window (a diverging run) are clipped to it when drawn so
    that the window stays readable; their first points still show the overshoot.
    """
    pts = [p.points[np.isfinite(p.points).all(axis=1)] for p in paths]
    c = np.asarray(center, dtype=float)
    starts = [q[0] for q in pts if len(q)]
    # The window shows the valley around the centre out to a little past the
    # farthest start; a diverging path is drawn until it leaves the window.
    radius = max([float(np.linalg.norm(s - c)) for s in starts] + [1.0]) * 1.6
    bounded = [q[np.linalg.norm(q - c, axis=1) <= radius] for q in pts]
    allpts = np.vstack([c[None, :], *[q for q in bounded if len(q)]])
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    span = np.maximum(hi - lo, 1.0)
    lo, hi = lo - 0.25 * span, hi + 0.25 * span
    x = np.linspace(lo[0], hi[0], resolution)
    y = np.linspace(lo[1], hi[1], resolution)
    T0, T1 = np.meshgrid(x, y)
    z = loss_grid(T0, T1)
    return SurfaceData(x, y, z, tuple(paths), x_title, y_title, optimum)


def draw_surface(data: SurfaceData, height: int = 520) -> "go.Figure":
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=data.x, y=data.y, z=np.log10(np.maximum(data.z, 1e-12)),
            colorscale="Blues", reversescale=True, ncontours=30, opacity=0.85, name="log10 J",
            colorbar={"title": {"text": "log10 J"}},
            hovertemplate="theta_0 %{x:.3f}<br>theta_1 %{y:.3f}<br>log10 J %{z:.3f}<extra></extra>",
        )
    )
    x0, x1 = data.x[0], data.x[-1]
    y0, y1 = data.y[0], data.y[-1]
    for i, p in enumerate(data.paths):
        pts = p.points[np.isfinite(p.points).all(axis=1)]
        inside = (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
        # Keep the path up to where it first leaves the window, plus that one point.
        cut = int(np.argmin(inside)) + 1 if not inside.all() else len(pts)
        shown = pts[:cut]
        fig.add_trace(
            go.Scatter(
                x=shown[:, 0], y=shown[:, 1], mode="lines+markers", name=f"path: {p.label}",
                line={"color": PALETTE[i % len(PALETTE)], "width": 3,
                      "dash": ("solid", "dash", "dot")[i % 3]},
                marker={"size": 7, "line": {"color": "white", "width": 1}},
            )
        )
    if data.optimum is not None:
        fig.add_trace(
            go.Scatter(
                x=[data.optimum[0]], y=[data.optimum[1]], mode="markers", name="optimum",
                marker={"symbol": "star", "size": 16, "color": "white", "line": {"color": "black", "width": 1}},
            )
        )
    fig.update_layout(
        title={"text": "Loss surface J(theta_0, theta_1) and the gradient-descent paths", "x": 0.01},
        height=height,
        xaxis={"title": data.x_title, "range": [x0, x1]},
        yaxis={"title": data.y_title, "range": [y0, y1]},
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.15},
        template="plotly_white",
    )
    return fig
