"""Figures of a data report: compute a frozen dataclass from ``DataReport.to_dict()``, then draw.

The compute functions read only the report dict, so the dashboard can redraw a stored
``data_report`` artifact without the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..core import BadInputError, one_of

DATA_FIGURE_KINDS = ("distributions", "missing", "correlations", "target", "label_issues", "drift")


@dataclass(frozen=True)
class ColumnDistribution:
    """One panel: shares per bin (numbers) or per category, for train and (maybe) test."""

    column: str
    kind: str
    x: tuple[Any, ...]
    train: tuple[float, ...]
    test: tuple[float, ...] | None


@dataclass(frozen=True)
class DistributionsData:
    panels: tuple[ColumnDistribution, ...]


@dataclass(frozen=True)
class MissingData:
    columns: tuple[str, ...]
    row_starts: tuple[int, ...]
    fraction: tuple[tuple[float, ...], ...]  # [row block][column]


@dataclass(frozen=True)
class CorrelationData:
    columns: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class TargetData:
    target: str
    panel: ColumnDistribution


@dataclass(frozen=True)
class LabelIssuesData:
    rows: tuple[int, ...]
    given: tuple[str, ...]
    suggested: tuple[str, ...]
    scores: tuple[float, ...]


@dataclass(frozen=True)
class DriftData:
    columns: tuple[str, ...]
    scores: tuple[float, ...]
    metrics: tuple[str, ...]
    drifted: tuple[bool, ...]
    psi: tuple[float, ...]


def _shares(counts: Any) -> tuple[float, ...]:
    total = float(sum(counts)) or 1.0
    return tuple(c / total for c in counts)


def _panel(name: str, summary: Mapping[str, Any]) -> ColumnDistribution | None:
    if summary.get("histogram"):
        h = summary["histogram"]
        e = h["edges"]
        centers = tuple((e[i] + e[i + 1]) / 2 for i in range(len(e) - 1))
        return ColumnDistribution(name, "numeric", centers, *_train_test(h))
    if summary.get("top"):
        t = summary["top"]
        return ColumnDistribution(name, "categorical", tuple(t["values"]), *_train_test(t))
    return None


def _train_test(counts: Mapping[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...] | None]:
    """Train shares, and test shares where the summary has test counts."""
    test = counts.get("test")
    return _shares(counts["train"]), (None if test is None else _shares(test))


def compute_distributions(report: Mapping[str, Any], columns: Any = None, max_columns: int = 12) -> DistributionsData:
    """Train (and test) distributions of ``columns`` (default: the first ``max_columns``)."""
    cols = list(columns) if columns is not None else list(report["columns"])[:max_columns]
    panels = []
    for c in cols:
        if c not in report["columns"]:
            raise BadInputError(f"Column {c!r} is not in the data report.")
        p = _panel(c, report["columns"][c])
        if p is not None:
            panels.append(p)
    return DistributionsData(tuple(panels))


def compute_missing(report: Mapping[str, Any]) -> MissingData:
    m = report["missing_matrix"]
    blocks = len(m["row_edges"]) - 1
    frac = tuple(tuple(m["fraction"][j][i] for j in range(len(m["columns"]))) for i in range(blocks))
    return MissingData(tuple(m["columns"]), tuple(m["row_edges"][:-1]), frac)


def compute_correlations(report: Mapping[str, Any]) -> CorrelationData:
    c = report["correlations"]
    if not c["columns"]:
        raise BadInputError("No numeric columns: there is no correlation to show.")
    return CorrelationData(tuple(c["columns"]), tuple(tuple(r) for r in c["matrix"]))


def compute_target(report: Mapping[str, Any]) -> TargetData:
    target = report.get("target")
    if target is None:
        raise BadInputError("The report has no target. Pass target=<column> to check_data.")
    panel = _panel(target, report["columns"][target])
    if panel is None:
        raise BadInputError(f"The target {target!r} has no values to show.")
    return TargetData(target, panel)


def compute_label_issues(report: Mapping[str, Any], top: int = 30) -> LabelIssuesData:
    li = report.get("label_issues")
    if not li:
        raise BadInputError("label_issues did not run (it needs a classification target).")
    s = li["suspects"][:top]
    return LabelIssuesData(
        tuple(x["row"] for x in s), tuple(x["given"] for x in s),
        tuple(x["suggested"] for x in s), tuple(x["score"] for x in s),
    )


def compute_drift(report: Mapping[str, Any]) -> DriftData:
    rows = sorted(report.get("drift") or [], key=lambda r: -_num(r["score"]))
    if not rows:
        raise BadInputError("No drift scores: check_data was run without a test set.")
    return DriftData(
        tuple(r["column"] for r in rows), tuple(_num(r["score"]) for r in rows),
        tuple("KS" if r["kind"] == "numeric" else "JS" for r in rows),
        tuple(bool(r["drifted"]) for r in rows), tuple(_num(r["psi"]) for r in rows),
    )


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return f if math.isfinite(f) else 0.0


# ---------------------------------------------------------------- renderers
_TRAIN, _TEST = "#1f77b4", "#ff7f0e"


def _add_panel(fig: Any, p: ColumnDistribution, row: int, col: int, legend: bool) -> None:
    import plotly.graph_objects as go

    fig.add_trace(go.Bar(x=list(p.x), y=list(p.train), name="train", marker_color=_TRAIN,
                         opacity=0.6, showlegend=legend, legendgroup="train"), row=row, col=col)
    if p.test is not None:
        fig.add_trace(go.Bar(x=list(p.x), y=list(p.test), name="test", marker_color=_TEST,
                             opacity=0.6, showlegend=legend, legendgroup="test"), row=row, col=col)


def draw_distributions(data: DistributionsData) -> Any:
    from plotly.subplots import make_subplots

    n = max(len(data.panels), 1)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=[p.column for p in data.panels])
    for i, p in enumerate(data.panels):
        _add_panel(fig, p, i // ncols + 1, i % ncols + 1, i == 0)
    with_test = any(p.test is not None for p in data.panels)
    fig.update_layout(barmode="overlay", bargap=0, height=260 * nrows + 60,
                      title="Distributions (share of rows), train vs test" if with_test else
                      "Distributions (share of rows)")
    return fig


def draw_missing(data: MissingData) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(z=[list(r) for r in data.fraction], x=list(data.columns),
                               y=list(data.row_starts), zmin=0, zmax=1, colorscale="Reds",
                               colorbar={"title": "missing"}))
    fig.update_layout(title="Missing values by row block (rows from y) and column",
                      yaxis={"autorange": "reversed", "title": "first row of block"})
    return fig


def draw_correlations(data: CorrelationData) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(z=[list(r) for r in data.matrix], x=list(data.columns),
                               y=list(data.columns), zmin=-1, zmax=1, colorscale="RdBu", reversescale=True))
    fig.update_layout(title="Pearson correlation", yaxis={"autorange": "reversed"})
    return fig


def draw_target(data: TargetData) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    _add_panel(fig, data.panel, None, None, True)  # type: ignore[arg-type]
    fig.update_layout(barmode="group", title=f"Target {data.target!s}: share of rows")
    return fig


def draw_label_issues(data: LabelIssuesData) -> Any:
    import plotly.graph_objects as go

    labels = [f"row {r}: {g} → {s}" for r, g, s in zip(data.rows, data.given, data.suggested)]
    fig = go.Figure(go.Bar(x=list(data.scores), y=labels, orientation="h", marker_color="#d62728"))
    fig.update_layout(title="Suspicious labels (given → suggested), most suspicious on top",
                      xaxis={"title": "1 - p(given label)", "range": [0, 1]},
                      yaxis={"autorange": "reversed"}, height=max(300, 22 * len(labels) + 120))
    return fig


def draw_drift(data: DriftData) -> Any:
    import plotly.graph_objects as go

    colors = ["#d62728" if d else "#7f7f7f" for d in data.drifted]
    text = [f"{m} {s:.2f}, PSI {p:.2f}" for m, s, p in zip(data.metrics, data.scores, data.psi)]
    # Horizontal bars: column names stay horizontal and readable however many there are.
    fig = go.Figure(go.Bar(y=list(data.columns), x=list(data.scores), orientation="h", marker_color=colors,
                           text=text, textposition="outside", cliponaxis=False))
    fig.update_layout(title="Train vs test drift per column (red: drifted), most drifted on top",
                      xaxis={"title": "KS statistic (numbers) / JS distance (categories)", "range": [0, 1.15]},
                      yaxis={"autorange": "reversed", "automargin": True},
                      height=max(300, 26 * len(data.columns) + 120), margin={"r": 40})
    return fig


_KINDS = {
    "distributions": (compute_distributions, draw_distributions),
    "missing": (compute_missing, draw_missing),
    "correlations": (compute_correlations, draw_correlations),
    "target": (compute_target, draw_target),
    "label_issues": (compute_label_issues, draw_label_issues),
    "drift": (compute_drift, draw_drift),
}


def data_figure(report: Mapping[str, Any], kind: str = "distributions", **kwargs: Any) -> Any:
    """The plotly Figure ``kind`` of a data report dict (``DataReport.to_dict()``)."""
    one_of(kind, "kind", "data_figure", DATA_FIGURE_KINDS)
    compute, draw = _KINDS[kind]
    return draw(compute(report, **kwargs))
