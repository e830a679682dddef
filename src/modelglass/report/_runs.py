"""``modelglass report RUN...``: one chart per series, the runs overlaid."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence


from ..store import Reader, RunInfo, open_store
from ..viz import Curve, curves_data, draw_curves, minmax_index
from ._html import Page, esc, p, table

MAX_POINTS = 2000


def write_report(
    runs: Sequence[str],
    store: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] = "modelglass-report.html",
) -> Path:
    """Write a self-contained HTML report of ``runs`` (ids, names or ``latest``)."""
    reader = open_store(store)
    try:
        infos = [reader.run(ref) for ref in runs]
        return _build(reader, infos).write(out)
    finally:
        reader.close()


def _build(reader: Reader, infos: Sequence[RunInfo]) -> Page:
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
    tags = sorted({t for i in infos for t in reader.tags(i.id)})
    if not tags:
        page.section("Series", p("These runs have no logged series yet."))
        return page
    charts = []
    for tag in tags:
        curves = []
        for info in infos:
            if tag in reader.tags(info.id):
                s = reader.series(info.id, tag)
                keep = minmax_index(s.values, MAX_POINTS).index
                curves.append(Curve(info.name, s.steps[keep], s.values[keep]))
        fig = draw_curves(curves_data(tag, curves))
        charts.append(f"<div data-tag='{esc(tag)}'>{page.figure_html(fig)}</div>")
    page.section("Series", p("One chart per series; every run that logged it is overlaid."),
                 f"<div class='grid'>{''.join(charts)}</div>")
    return page


def _kv(d: dict) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in d.items())
