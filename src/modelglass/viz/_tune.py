"""Figures for hyperparameter search, the learning-rate finder and model comparison.

Compute, then draw: each ``*_data`` function returns a frozen dataclass of what
to show (tests assert on it); each ``draw_*`` turns it into a plotly Figure.
Scatter traces use WebGL so studies of many thousands of trials stay fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..core import BadInputError, argument_error

TUNE_KINDS = ("history", "importance", "parallel", "contour", "slice")


@dataclass(frozen=True)
class HistoryData:
    numbers: np.ndarray
    values: np.ndarray
    best_so_far: np.ndarray
    direction: str


@dataclass(frozen=True)
class ParamColumn:
    name: str
    values: np.ndarray  # numbers; categorical choices are coded 0..k-1
    labels: tuple[str, ...] | None  # the choices, for categorical parameters
    log: bool


@dataclass(frozen=True)
class ParamsData:
    """Parameter values of the completed trials, one column each, with their objective values."""

    columns: tuple[ParamColumn, ...]
    values: np.ndarray


@dataclass(frozen=True)
class ContourData:
    x: ParamColumn
    y: ParamColumn
    grid_x: np.ndarray
    grid_y: np.ndarray
    grid_z: np.ndarray  # mean value per cell, NaN where no trial fell
    points_x: np.ndarray
    points_y: np.ndarray
    values: np.ndarray


def history_data(result: Any) -> HistoryData:
    done = [t for t in result.trials if t.state == "complete" and t.value is not None]
    nums = np.array([t.number for t in done], dtype=np.int64)
    vals = np.array([t.value for t in done], dtype=np.float64)
    acc = np.minimum.accumulate if result.direction == "minimize" else np.maximum.accumulate
    return HistoryData(nums, vals, acc(vals) if vals.size else vals, result.direction)


def params_data(result: Any, names: Sequence[str] | None = None) -> ParamsData:
    done = [t for t in result.trials if t.state == "complete" and t.value is not None]
    names = list(names or result.distributions)
    cols = []
    for name in names:
        d = result.distributions.get(name, {})
        raw = [t.params.get(name) for t in done]
        if d.get("type") == "categorical":
            labels = tuple(str(c) for c in d["choices"])
            codes = [labels.index(str(v)) if v is not None else np.nan for v in raw]
            cols.append(ParamColumn(name, np.array(codes, dtype=np.float64), labels, False))
        else:
            vals = np.array([np.nan if v is None else float(v) for v in raw])
            cols.append(ParamColumn(name, vals, None, bool(d.get("log"))))
    return ParamsData(tuple(cols), np.array([t.value for t in done], dtype=np.float64))


def contour_data(result: Any, x: str | None = None, y: str | None = None, bins: int = 25) -> ContourData:
    names = [x, y] if x and y else _top_two(result)
    pdata = params_data(result, names)
    cx, cy = pdata.columns
    gx, gy = _edges(cx, bins), _edges(cy, bins)
    ix = np.clip(np.searchsorted(gx, _scale(cx), side="right") - 1, 0, bins - 1)
    iy = np.clip(np.searchsorted(gy, _scale(cy), side="right") - 1, 0, bins - 1)
    ok = np.isfinite(cx.values) & np.isfinite(cy.values) & np.isfinite(pdata.values)
    total = np.zeros((bins, bins)); count = np.zeros((bins, bins))
    np.add.at(total, (iy[ok], ix[ok]), pdata.values[ok])
    np.add.at(count, (iy[ok], ix[ok]), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(count > 0, total / count, np.nan)
    centres = lambda e, c: _unscale(c, (e[:-1] + e[1:]) / 2)  # noqa: E731
    return ContourData(cx, cy, centres(gx, cx), centres(gy, cy), z, cx.values, cy.values, pdata.values)


def _top_two(result: Any) -> list[str]:
    names = list(result.distributions)
    if len(names) < 2:
        raise BadInputError(f"A contour plot needs two parameters; the study has {names}.")
    imp = result.importances()
    ranked = sorted(names, key=lambda n: -imp.get(n, 0.0)) if imp else names
    return ranked[:2]


def _scale(c: ParamColumn) -> np.ndarray:
    return np.log10(c.values) if c.log else c.values


def _unscale(c: ParamColumn, v: np.ndarray) -> np.ndarray:
    return 10 ** v if c.log else v


def _edges(c: ParamColumn, bins: int) -> np.ndarray:
    v = _scale(c)
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1)


def tune_figure(result: Any, kind: str = "history", **kwargs: Any) -> Any:
    """Draw one of the study figures named in ``TUNE_KINDS``."""
    if kind == "history":
        return draw_history(history_data(result))
    if kind == "importance":
        return draw_importance(result.importances())
    if kind == "parallel":
        return draw_parallel(params_data(result))
    if kind == "contour":
        return draw_contour(contour_data(result, **kwargs))
    if kind == "slice":
        return draw_slice(params_data(result))
    raise argument_error("kind", "tune_figure", "one of " + ", ".join(map(repr, TUNE_KINDS)), kind)


def draw_history(d: HistoryData) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=d.numbers, y=d.values, mode="markers", name="trial value"))
    fig.add_trace(go.Scattergl(x=d.numbers, y=d.best_so_far, mode="lines", name="best so far"))
    fig.update_layout(title="Optimization history", xaxis_title="trial", yaxis_title="objective")
    return fig


def draw_importance(importances: dict[str, float]) -> Any:
    import plotly.graph_objects as go

    names = list(importances)[::-1]
    fig = go.Figure(go.Bar(x=[importances[n] for n in names], y=names, orientation="h"))
    fig.update_layout(title="Parameter importances", xaxis_title="importance")
    return fig


def draw_parallel(d: ParamsData) -> Any:
    import plotly.graph_objects as go

    dims = [dict(label="objective", values=d.values)]
    for c in d.columns:
        dim: dict[str, Any] = dict(label=c.name, values=_scale(c) if c.log else c.values)
        if c.labels:
            dim.update(tickvals=list(range(len(c.labels))), ticktext=list(c.labels))
        elif c.log:
            dim["label"] = f"log10({c.name})"
        dims.append(dim)
    fig = go.Figure(go.Parcoords(line=dict(color=d.values, colorscale="Viridis", showscale=True), dimensions=dims))
    fig.update_layout(title="Parallel coordinates")
    return fig


def draw_contour(d: ContourData) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Contour(x=d.grid_x, y=d.grid_y, z=d.grid_z, connectgaps=True, colorscale="Viridis",
                             colorbar=dict(title="objective")))
    fig.add_trace(go.Scattergl(x=d.points_x, y=d.points_y, mode="markers", name="trials",
                               marker=dict(color="black", size=4)))
    fig.update_xaxes(title=d.x.name, type="log" if d.x.log else None)
    fig.update_yaxes(title=d.y.name, type="log" if d.y.log else None)
    fig.update_layout(title=f"Contour: {d.x.name} vs {d.y.name}")
    return fig


def draw_slice(d: ParamsData) -> Any:
    from plotly.subplots import make_subplots
    import plotly.graph_objects as go

    n = max(len(d.columns), 1)
    fig = make_subplots(rows=1, cols=n, subplot_titles=[c.name for c in d.columns] or [""], shared_yaxes=True)
    for i, c in enumerate(d.columns, start=1):
        x = [c.labels[int(v)] for v in c.values] if c.labels else c.values
        fig.add_trace(go.Scattergl(x=x, y=d.values, mode="markers", name=c.name, showlegend=False), 1, i)
        if c.log:
            fig.update_xaxes(type="log", row=1, col=i)
    fig.update_layout(title="Slice plot", yaxis_title="objective")
    return fig


def lr_find_figure(result: Any) -> Any:
    """Loss and smoothed loss against the learning rate, with the suggested rates marked."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=result.lrs, y=result.losses, mode="lines", name="loss", opacity=0.4))
    fig.add_trace(go.Scatter(x=result.lrs, y=result.smoothed, mode="lines", name="smoothed"))
    finite = np.isfinite(result.smoothed)
    for rule, lr in result.alternatives.items():
        if lr is None or not finite.any():
            continue
        y = float(np.interp(math.log(lr), np.log(result.lrs[finite]), result.smoothed[finite]))
        fig.add_trace(go.Scatter(x=[lr], y=[y], mode="markers", name=f"{rule}: {lr:.3g}", marker=dict(size=10)))
    fig.update_xaxes(type="log", title="learning rate")
    fig.update_layout(title="Learning-rate range test", yaxis_title="loss")
    return fig


def comparison_figure(result: Any, kind: str = "scores") -> Any:
    """``scores``: mean ± std per candidate; ``learning``/``validation``: train vs validation curves."""
    import plotly.graph_objects as go

    if kind == "scores":
        names = [c.name for c in result.candidates]
        fig = go.Figure(go.Bar(
            x=names, y=[c.mean for c in result.candidates],
            error_y=dict(type="data", array=[c.std for c in result.candidates]),
            marker_color=["#2a9d8f" if n == result.best or c.tie_with_best else "#999999"
                          for n, c in zip(names, result.candidates)],
        ))
        fig.update_layout(title=f"Cross-validated {result.scoring} (best and ties in colour)",
                          yaxis_title=result.scoring)
        return fig
    curve = {"learning": result.learning_curve, "validation": result.validation_curve}.get(kind, ...)
    if curve is ...:
        raise argument_error("kind", "comparison_figure", "one of 'scores', 'learning', 'validation'", kind)
    if curve is None:
        raise BadInputError(f"This comparison has no {kind} curve; ask compare_models for one.")
    fig = go.Figure()
    x = [str(v) for v in curve.x] if kind == "validation" else list(curve.x)
    for label, m, s in (("train", curve.train_mean, curve.train_std), ("validation", curve.val_mean, curve.val_std)):
        fig.add_trace(go.Scatter(x=x, y=m, error_y=dict(type="data", array=s), mode="lines+markers", name=label))
    fig.update_layout(title=f"{kind.capitalize()} curve of {curve.candidate}", xaxis_title=curve.x_name,
                      yaxis_title=result.scoring)
    return fig
