"""Histograms over time: compute a step x value density grid, then draw it.

Every stored histogram has its own bucket edges (its own min and max). To put
them in one picture they are re-binned onto one shared value grid by
interpolating their cumulative counts, which keeps each histogram's mass where
it was. The heatmap shows step against value with colour for the share of
values in each bucket (like TensorBoard's distributions); the ridgeline shows a
few chosen steps as curves stacked one above the other (like its histograms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

DEFAULT_BINS = 64
DEFAULT_MAX_STEPS = 200
DEFAULT_RIDGES = 8


@dataclass(frozen=True)
class HistMapData:
    """A tag's histograms on one value grid.

    Attributes:
        tag: The histogram tag (``weights/<param>``, ``grads/<param>``, ``act/<module>``).
        steps: The steps shown (evenly thinned to at most ``max_steps``).
        centers: Centres of the shared value buckets.
        share: ``share[i][j]``: fraction of step ``steps[i]``'s finite values in bucket ``j``.
        ridge_steps: The steps drawn in the ridgeline.
        nonfinite: NaN + Inf count per shown step.
        total_steps: How many histograms the tag has in all.
    """

    tag: str
    steps: tuple[int, ...]
    centers: tuple[float, ...]
    share: tuple[tuple[float, ...], ...]
    ridge_steps: tuple[int, ...]
    nonfinite: tuple[int, ...]
    total_steps: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "steps": list(self.steps),
            "centers": list(self.centers),
            "share": [list(r) for r in self.share],
            "ridge_steps": list(self.ridge_steps),
            "nonfinite": list(self.nonfinite),
            "total_steps": self.total_steps,
        }


def histmap_data(
    tag: str,
    histograms: Sequence[Any],
    bins: int = DEFAULT_BINS,
    max_steps: int = DEFAULT_MAX_STEPS,
    ridges: int = DEFAULT_RIDGES,
) -> HistMapData:
    """Re-bin ``histograms`` (store ``Histogram`` records, ordered by step) onto one grid."""
    total = len(histograms)
    if total > max_steps:
        pick = np.unique(np.linspace(0, total - 1, max_steps).round().astype(int))
        histograms = [histograms[i] for i in pick]
    usable = [h for h in histograms if h.count > 0 and math.isfinite(h.min) and math.isfinite(h.max)]
    if not usable:
        return HistMapData(tag, (), (), (), (), (), total)
    lo = min(h.min for h in usable)
    hi = max(h.max for h in usable)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    grid = np.linspace(lo, hi, bins + 1)
    rows = [_rebin(h, grid) for h in histograms]
    steps = tuple(int(h.step) for h in histograms)
    ridge_idx = np.unique(np.linspace(0, len(steps) - 1, min(ridges, len(steps))).round().astype(int))
    return HistMapData(
        tag=tag,
        steps=steps,
        centers=tuple(float(c) for c in (grid[:-1] + grid[1:]) / 2),
        share=tuple(tuple(float(v) for v in r) for r in rows),
        ridge_steps=tuple(steps[i] for i in ridge_idx),
        nonfinite=tuple(int(h.nan_count + h.inf_count) for h in histograms),
        total_steps=total,
    )


def _rebin(h: Any, grid: np.ndarray) -> np.ndarray:
    out = np.zeros(grid.size - 1)
    if h.count <= 0 or not math.isfinite(h.min):
        return out
    if h.max <= h.min or len(h.edges) < 2:
        j = int(np.clip(np.searchsorted(grid, h.min, side="right") - 1, 0, out.size - 1))
        out[j] = 1.0
        return out
    edges = np.clip(np.asarray(h.edges, dtype=np.float64), h.min, h.max)
    cum = np.concatenate([[0.0], np.cumsum(np.asarray(h.counts, dtype=np.float64))])
    mass = np.diff(np.interp(grid, edges, cum, left=0.0, right=cum[-1]))
    s = mass.sum()
    return mass / s if s > 0 else out


def draw_histmap(hm: HistMapData) -> "go.Figure":
    """A heatmap (step vs value) above a ridgeline of the chosen steps."""
    from ..core import require

    require("plotly", "drawing histograms over time")
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.08,
                        subplot_titles=("values over steps", "selected steps"))
    if not hm.steps:
        fig.update_layout(title=f"{hm.tag}: no finite values recorded")
        return fig
    z = np.array(hm.share).T  # value x step
    fig.add_trace(go.Heatmap(x=list(hm.steps), y=list(hm.centers), z=z, colorscale="Viridis",
                             colorbar=dict(title="share", x=0.55), name=hm.tag), 1, 1)
    index = {s: i for i, s in enumerate(hm.steps)}
    peak = max(float(z.max()), 1e-12)
    for k, step in enumerate(hm.ridge_steps):
        row = np.array(hm.share[index[step]]) / peak * 0.9 + k
        xs = [hm.centers[0], *hm.centers, hm.centers[-1]]
        fig.add_trace(go.Scatter(x=xs, y=[k, *row.tolist(), k], mode="lines", fill="toself",
                                 name=f"step {step}", line=dict(width=1)), 1, 2)
    fig.update_xaxes(title_text="step", row=1, col=1)
    fig.update_yaxes(title_text="value", row=1, col=1)
    fig.update_xaxes(title_text="value", row=1, col=2)
    fig.update_yaxes(title_text="step (stacked)", showticklabels=False, row=1, col=2)
    fig.update_layout(title=hm.tag, showlegend=False)
    return fig
