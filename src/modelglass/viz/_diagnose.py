"""Figures of a diagnosis: loss curves with findings marked, and one small figure per finding.

Compute, then draw: ``*_data`` functions return frozen dataclasses (tests read them);
``render_*`` functions turn them into plotly figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np

from ._downsample import downsample

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

_COLORS = {"error": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"}


@dataclass(frozen=True)
class Marker:
    """A finding drawn on the loss curve at the step where it started."""

    step: int
    y: float | None
    code: str
    severity: str
    title: str


@dataclass(frozen=True)
class CauseMarker:
    """The top cause drawn on the loss curve at the step its chain of evidence starts at."""

    step: int
    y: float | None
    code: str
    severity: str
    title: str


@dataclass(frozen=True)
class Line:
    """One drawn series."""

    name: str
    steps: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class DiagnosisFigureData:
    """The loss curves and the findings' markers."""

    title: str
    lines: tuple[Line, ...]
    markers: tuple[Marker, ...]
    cause: CauseMarker | None = None


@dataclass(frozen=True)
class FindingFigureData:
    """The series behind one finding, with the threshold it was judged by."""

    title: str
    y_label: str
    log_y: bool
    lines: tuple[Line, ...]
    thresholds: tuple[float, ...] = ()


def _line(name: str, steps: Any, values: Any) -> Line:
    s, v = downsample(np.asarray(steps), np.asarray(values, dtype=np.float64))
    return Line(name, s, v)


def diagnosis_figure_data(
    train: tuple[np.ndarray, np.ndarray] | None,
    val: tuple[np.ndarray, np.ndarray] | None,
    findings: Iterable[Any],
    train_tag: str | None = "loss",
    val_tag: str | None = "val/loss",
    title: str = "Diagnosis",
    cause: Any = None,
    all_findings: Iterable[Any] | None = None,
) -> DiagnosisFigureData:
    """The loss curves, a marker at each finding's step on the training curve, and the top cause.

    ``cause`` (a :class:`~modelglass.diagnose.Cause` or None) is marked at the step its chain
    starts at: the first step its ``because`` sentences name (they are in causal order), else
    the earliest step of the findings it explains (looked up in ``all_findings``, default
    ``findings``); a cause with no step is not drawn.
    """
    findings = list(findings)
    lines = []
    if train is not None:
        lines.append(_line(train_tag or "loss", *train))
    if val is not None:
        lines.append(_line(val_tag or "val/loss", *val))
    markers = []
    for f in findings:
        if f.step is None:
            continue
        markers.append(Marker(int(f.step), _y_at(train, int(f.step)), f.code, str(f.severity), f.title))
    cause_marker = None
    if cause is not None:
        step = cause_start_step(cause, findings if all_findings is None else all_findings)
        if step is not None:
            cause_marker = CauseMarker(step, _y_at(train, step), cause.code, str(cause.severity), cause.title)
    return DiagnosisFigureData(title, tuple(lines), tuple(markers), cause_marker)


_STEP = re.compile(r"\bsteps? (\d+)")


def cause_start_step(cause: Any, findings: Iterable[Any] = ()) -> int | None:
    """The step a cause's chain of evidence starts at, or None when nothing in it names one."""
    for sentence in cause.because:
        m = _STEP.search(sentence)
        if m:
            return int(m.group(1))
    steps = [int(f.step) for f in findings if f.code in cause.findings and f.step is not None]
    return min(steps) if steps else None


def _y_at(curve: tuple[np.ndarray, np.ndarray] | None, step: int) -> float | None:
    if curve is None or len(curve[0]) == 0:
        return None
    steps, values = np.asarray(curve[0]), np.asarray(curve[1], dtype=np.float64)
    i = int(np.clip(np.searchsorted(steps, step), 0, steps.size - 1))
    y = float(values[i])
    return y if np.isfinite(y) else None


def finding_figure_data(
    title: str,
    y_label: str,
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    log_y: bool = False,
    thresholds: Sequence[float] = (),
) -> FindingFigureData:
    """The series that a finding was judged on (per layer or module), with its thresholds."""
    lines = tuple(_line(name, s, v) for name, (s, v) in series.items())
    return FindingFigureData(title, y_label, log_y, lines, tuple(float(t) for t in thresholds))


def render_diagnosis_figure(data: DiagnosisFigureData) -> "go.Figure":
    """Draw the loss curves with the findings' markers."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for line in data.lines:
        fig.add_trace(go.Scatter(x=line.steps, y=_gaps(line.values), mode="lines", name=line.name))
    for sev in ("error", "warning", "info"):
        ms = [m for m in data.markers if m.severity == sev]
        if ms:
            fig.add_trace(go.Scatter(
                x=[m.step for m in ms], y=[m.y for m in ms], mode="markers", name=sev,
                marker={"color": _COLORS[sev], "size": 11, "symbol": "x"},
                text=[f"{m.code}: {m.title}" for m in ms], hoverinfo="text",
            ))
    for m in data.markers:
        fig.add_vline(x=m.step, line={"color": _COLORS.get(m.severity, "#888"), "dash": "dot", "width": 1})
    c = data.cause
    if c is not None:
        color = _COLORS.get(c.severity, "#888")
        fig.add_vline(x=c.step, line={"color": color, "width": 2},
                      annotation={"text": f"cause: {c.code}", "font": {"color": color},
                                  "hovertext": c.title},
                      annotation_position="top right")
    fig.update_layout(title=data.title, xaxis_title="step", yaxis_title="loss", template="plotly_white")
    return fig


def render_finding_figure(data: FindingFigureData) -> "go.Figure":
    """Draw one finding's series."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for line in data.lines:
        fig.add_trace(go.Scatter(x=line.steps, y=_gaps(line.values), mode="lines", name=line.name))
    for t in data.thresholds:
        fig.add_hline(y=t, line={"color": "#d62728", "dash": "dash", "width": 1})
    fig.update_layout(title=data.title, xaxis_title="step", yaxis_title=data.y_label,
                      template="plotly_white")
    if data.log_y:
        fig.update_yaxes(type="log")
    return fig


def _gaps(values: np.ndarray) -> list[float | None]:
    """NaN/Inf drawn as gaps."""
    return [float(v) if np.isfinite(v) else None for v in values]
