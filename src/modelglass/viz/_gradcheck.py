"""Figures for ``mg.gradcheck``: relative errors against the verdict bands, and the gradients.

Compute, then draw: :func:`gradcheck_data` reads a ``GradCheck`` into a frozen
:class:`GradCheckData`; :func:`draw_gradcheck` renders one of its two kinds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import argument_error

# A relative error of exactly 0 has no place on a log axis: it is drawn at this floor.
ERROR_FLOOR = 1e-16
_VERDICT_COLOURS = {"good": "#2a7d3b", "suspicious": "#b36b00", "scaled": "#6a4c93",
                    "likely_wrong": "#d1495b", "wrong": "#b3261e"}


@dataclass(frozen=True)
class GradCheckData:
    """Per parameter: name, relative error (floored), verdict, and the checked entries."""

    names: tuple[str, ...]
    rel_errors: tuple[float, ...]
    verdicts: tuple[str, ...]
    bands: tuple[tuple[str, float], ...]
    analytic: tuple[np.ndarray, ...]
    numerical: tuple[np.ndarray, ...]


def gradcheck_data(result: Any) -> GradCheckData:
    """What the gradcheck figures show, from a ``GradCheck``."""
    params = list(result.params)
    empty = np.zeros(0)
    return GradCheckData(
        names=tuple(p.name for p in params),
        rel_errors=tuple(max(float(p.rel_error), ERROR_FLOOR) for p in params),
        verdicts=tuple(p.verdict for p in params),
        bands=tuple(getattr(result, "BANDS", ())),
        analytic=tuple(empty if p.analytic is None else np.asarray(p.analytic) for p in params),
        numerical=tuple(empty if p.numerical is None else np.asarray(p.numerical) for p in params),
    )


def draw_gradcheck(d: GradCheckData, kind: str = "errors") -> Any:
    """``errors``: a bar per parameter on a log axis with the bands; ``gradients``: a scatter."""
    import plotly.graph_objects as go

    if kind == "errors":
        return _draw_errors(d)
    if kind == "gradients":
        fig = go.Figure()
        lo, hi = np.inf, -np.inf
        for name, a, n in zip(d.names, d.analytic, d.numerical):
            fig.add_trace(go.Scattergl(x=n, y=a, mode="markers", name=name, marker={"size": 6}))
            if n.size:
                lo, hi = min(lo, float(n.min()), float(a.min())), max(hi, float(n.max()), float(a.max()))
        if np.isfinite(lo):
            fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="analytic = numerical",
                                     line={"color": "#777777", "dash": "dot"}))
        fig.update_layout(title="Analytic against numerical gradient (entries checked)",
                          xaxis_title="numerical (centred differences)", yaxis_title="analytic")
        return fig
    raise argument_error("kind", "gradcheck_figure", "one of 'errors', 'gradients'", kind)


def _draw_errors(d: GradCheckData) -> Any:
    """Relative error per parameter on a log axis, over shaded verdict bands."""
    import plotly.graph_objects as go

    low = min(-10.0, math.floor(math.log10(min(d.rel_errors, default=1.0))) - 1.0)
    fig = go.Figure(go.Bar(
        x=list(d.rel_errors), y=list(d.names), orientation="h", width=0.6,
        marker_color=[_VERDICT_COLOURS.get(v, "#999999") for v in d.verdicts],
        customdata=list(d.verdicts), hovertemplate="%{y}: %{x:.3g} (%{customdata})<extra></extra>",
    ))
    edges = [10**low, *(bound for _, bound in d.bands), 10**0.3]
    names = [name for name, _ in d.bands] + ["wrong"]
    for (start, end), name in zip(zip(edges, edges[1:]), names):
        fig.add_vrect(x0=start, x1=end, fillcolor=_VERDICT_COLOURS.get(name, "#999999"), opacity=0.08,
                      line_width=0, layer="below")
        # Annotations on a log axis take log10 coordinates (shapes take data coordinates).
        fig.add_annotation(x=(math.log10(start) + math.log10(end)) / 2, y=1.0, yref="paper", yanchor="bottom",
                           text=name.replace("_", " "), showarrow=False, font={"size": 11, "color": "#555555"})
    fig.update_xaxes(type="log", range=[low, 0.3], title="relative error |a - n| / (|a| + |n|)")
    fig.update_layout(title="Gradient check: relative error per parameter", yaxis_autorange="reversed",
                      template="plotly_white",
                      height=max(300, 180 + 40 * len(d.names)), margin={"t": 80})
    return fig


def gradcheck_figure(result: Any, kind: str = "errors") -> Any:
    """Draw one of the ``GradCheck`` figures."""
    return draw_gradcheck(gradcheck_data(result), kind)
