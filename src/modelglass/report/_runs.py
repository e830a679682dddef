"""``modelglass report RUN...``: the diagnosis first, then one chart per series, the runs overlaid."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..core import iter_progress
from ..store import Reader, RunInfo, open_store
from ..viz import PALETTE, minmax_index
from ._diagnosis import diagnosis_html
from ._html import Page, esc, p, table

MAX_POINTS = 2000
# Series a person looks at first: the loss, then the validation loss, then metrics.
_FIRST = ("loss", "train/loss", "val/loss", "val_loss", "valid/loss", "accuracy", "acc", "val/acc")


def write_report(
    runs: Sequence[str],
    store: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] = "modelglass-report.html",
    *,
    diagnose: bool = True,
    plotlyjs: str = "inline",
    progress: bool = True,
) -> Path:
    """Write a self-contained HTML report of ``runs`` (ids, names or ``latest``).

    Args:
        runs: Run ids, unique names or ``latest``.
        store: The store (default ``MODELGLASS_STORE`` or ``./mglogs``).
        out: The HTML file.
        diagnose: Put each run's diagnosis (causes, findings) at the top.
        plotlyjs: ``inline`` (one copy in the page) or ``directory`` (``plotly.min.js``
            written once beside the report, shared by every report in that folder).
        progress: Show a progress bar of the series (on a terminal or in a notebook only).
    """
    reader = open_store(store)
    try:
        infos = [reader.run(ref) for ref in runs]
        return build_runs_page(reader, infos, diagnose=diagnose, progress=progress).write(out, plotlyjs)
    finally:
        reader.close()


def build_runs_page(reader: Reader, infos: Sequence[RunInfo], diagnose: bool = True,
                    progress: bool = True) -> Page:
    names = ", ".join(i.name for i in infos)
    page = Page("modelglass report", f"{len(infos)} run(s): {names}")
    page.section(
        "Runs",
        table(
            ["name", "id", "project", "status", "duration (s)", "config", "summary"],
            [
                (i.name, i.id, i.project, i.status, i.duration,
                 _kv(i.config), _kv(i.summary))
                for i in infos
            ],
            numeric=(4,),
        ),
    )
    if diagnose:
        page.section("Diagnosis: what is wrong and what to try",
                     *(diagnosis_html(reader, i) for i in infos))
    tags_of = {i.id: set(reader.tags(i.id)) for i in infos}
    tags = order_tags({t for ts in tags_of.values() for t in ts})
    if not tags:
        page.section("Series", p("These runs have no logged series yet."))
        return page
    charts = []
    for tag in iter_progress(tags, "report: series", progress=progress):
        traces = []
        for k, info in enumerate(infos):
            if tag in tags_of[info.id]:
                s = reader.series(info.id, tag)
                keep = minmax_index(s.values, MAX_POINTS).index
                traces.append(_trace(info.name, s.steps[keep], s.values[keep], PALETTE[k % len(PALETTE)]))
        charts.append(f"<div data-tag='{esc(tag)}'>{page.chart_html(_spec(tag, traces), height=340)}</div>")
    page.section("Series", p(f"{len(tags)} series, the loss first; every run that logged a series is "
                             "overlaid on its chart. Charts are drawn as they scroll into view."),
                 f"<div class='grid'>{''.join(charts)}</div>")
    return page


def order_tags(tags: set[str] | Sequence[str]) -> list[str]:
    """The loss and the usual metrics first (in that order), then the rest alphabetically."""
    first = [t for t in _FIRST if t in tags]
    return first + sorted(t for t in tags if t not in _FIRST)


def _trace(name: str, steps: np.ndarray, values: np.ndarray, color: str) -> dict[str, Any]:
    return {"type": "scatter", "mode": "lines", "name": name, "x": typed_array(steps),
            "y": typed_array(np.asarray(values, dtype=np.float64)),
            "line": {"color": color, "width": 2},
            "hovertemplate": "step %{x}<br>%{y:.6g}<extra>%{fullData.name}</extra>"}


def typed_array(a: np.ndarray) -> dict[str, str]:
    """plotly.js's typed-array form ``{"dtype", "bdata"}`` (base64): compact, exact, NaN kept as a gap."""
    if a.dtype.kind in "iu" and (a.size == 0 or (a.min() >= -(2 ** 31) and a.max() < 2 ** 31)):
        a = a.astype("<i4")
        dtype = "i4"
    else:
        a = a.astype("<f8")
        dtype = "f8"
    return {"dtype": dtype, "bdata": base64.b64encode(a.tobytes()).decode("ascii")}


def _spec(tag: str, traces: list[dict[str, Any]]) -> dict[str, Any]:
    """A plotly spec with the look of ``viz.draw_curves``: log y when the values span > 2 decades."""
    ys = [_decode(t["y"]) for t in traces]
    allv = np.concatenate(ys) if ys else np.empty(0)
    allv = allv[np.isfinite(allv)]
    log_y = bool(allv.size and (allv > 0).all() and allv.max() / allv.min() > 100)
    grid = {"gridcolor": "#ebf0f8", "zerolinecolor": "#ebf0f8"}
    return {
        "data": traces,
        "layout": {
            "title": {"text": tag, "x": 0.01}, "height": 340,
            "margin": {"l": 60, "r": 20, "t": 40, "b": 80},
            "xaxis": {"title": {"text": "step", "standoff": 4}, **grid},
            "yaxis": {"type": "log" if log_y else "linear", "exponentformat": "power", **grid},
            "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"}, "showlegend": len(traces) > 1,
            "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "closest",
        },
    }


def _decode(arr: dict[str, str]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(arr["bdata"]), dtype="<" + arr["dtype"])


def _kv(d: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in d.items())
