"""Scalar curves: several runs' series overlaid, one chart per tag."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
)


@dataclass(frozen=True)
class RunLine:
    """One run's line on a chart: its legend label, steps and values."""

    label: str
    steps: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class CurvesData:
    """What one chart shows: a tag and one curve per run."""

    tag: str
    curves: tuple[RunLine, ...]
    log_y: bool
    y_title: str = ""
    markers: tuple[tuple[int, str], ...] = ()  # (step, label) vertical marks

    @property
    def empty(self) -> bool:
        return all(len(c.steps) == 0 for c in self.curves)


def curves_data(
    tag: str,
    curves: Sequence[RunLine],
    log_y: bool | None = None,
    markers: Sequence[tuple[int, str]] = (),
) -> CurvesData:
    """Choose the axis scale: log when every finite value is positive and they span > 2 decades."""
    if log_y is None:
        finite = [c.values[np.isfinite(c.values)] for c in curves]
        allv = np.concatenate(finite) if finite else np.empty(0)
        log_y = bool(allv.size and (allv > 0).all() and allv.max() / allv.min() > 100)
    return CurvesData(tag, tuple(curves), bool(log_y), tag, tuple(markers))


def draw_curves(data: CurvesData, height: int = 320) -> "go.Figure":
    import plotly.graph_objects as go

    fig = go.Figure()
    for i, c in enumerate(data.curves):
        vals = np.where(np.isfinite(c.values), c.values, np.nan)
        if data.log_y:
            vals = np.where(vals > 0, vals, np.nan)
        fig.add_trace(
            go.Scatter(
                x=c.steps, y=vals, mode="lines", name=c.label,
                line={"color": PALETTE[i % len(PALETTE)], "width": 2},
                hovertemplate="step %{x}<br>%{y:.6g}<extra>%{fullData.name}</extra>",
            )
        )
    for step, label in data.markers:
        fig.add_vline(x=step, line={"dash": "dot", "color": "#888"}, annotation_text=label)
    fig.update_layout(
        title={"text": data.tag, "x": 0.01},
        height=height,
        margin={"l": 60, "r": 20, "t": 40, "b": 40},
        xaxis_title="step",
        yaxis={"type": "log" if data.log_y else "linear", "exponentformat": "power"},
        legend={"orientation": "h", "y": -0.2},
        template="plotly_white",
    )
    return fig
