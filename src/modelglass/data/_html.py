"""A self-contained HTML page for a DataReport: plotly.js inlined, no network needed."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from ..core import BadInputError

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:8px 0 24px;font-size:14px}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.error{color:#b00020;font-weight:600}.warning{color:#a65e00;font-weight:600}
.info{color:#555}.muted{color:#777;font-size:13px}code{background:#f4f4f4;padding:0 3px}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


def _findings_table(report: Any) -> str:
    if not report.findings:
        return "<p>No findings: every check that ran is silent.</p>"
    rows = []
    for f in report.findings:
        ev = f.evidence
        where = ev.get("columns") or ([ev["column"]] if "column" in ev else [])
        rows_ex = ev.get("rows")
        rows.append(
            f"<tr><td class='{_e(f.severity)}'>{_e(f.severity)}</td><td><code>{_e(f.code)}</code></td>"
            f"<td>{_e(f.title)}</td><td>{_e(', '.join(map(str, where[:10])))}</td>"
            f"<td>{_e(rows_ex if rows_ex is not None else '')}"
            f"{(' of ' + _e(ev['n_rows'])) if 'n_rows' in ev else ''}</td><td>{_e(f.suggestion)}</td></tr>"
        )
    head = "<tr><th>severity</th><th>code</th><th>what</th><th>columns</th><th>rows (first 20)</th><th>what to try</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _columns_table(report: Any) -> str:
    head = ("<tr><th>column</th><th>role</th><th>kind</th><th>dtype</th><th>missing</th><th>unique</th>"
            "<th>min</th><th>max</th><th>mean</th><th>std</th><th>top values</th></tr>")
    rows = []
    for name, s in report.columns.items():
        top = ", ".join(f"{v} ({c})" for v, c in zip(s["top"]["values"][:5], s["top"]["train"][:5])) if s.get("top") else ""
        rows.append("<tr>" + "".join(f"<td>{_e(_fmt(x))}</td>" for x in (
            name, s["role"], s["kind"], s["dtype"], s["n_missing"], s.get("n_unique"),
            s.get("min"), s.get("max"), s.get("mean"), s.get("std"), top)) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


# Panels per distributions figure: 12 columns draw as 4 rows of 3 small charts.
_PANELS_PER_FIGURE = 12


def _figure_list(report: Any) -> list[tuple[str, Any]]:
    """(heading, figure) for every picture that has something to show, every column drawn."""
    from .. import viz

    d = report.to_dict()
    out: list[tuple[str, Any]] = []
    columns = list(d["columns"])
    for start in range(0, len(columns), _PANELS_PER_FIGURE):
        chunk = columns[start:start + _PANELS_PER_FIGURE]
        heading = "distributions" if len(columns) <= _PANELS_PER_FIGURE else (
            f"distributions: columns {start + 1}-{start + len(chunk)} of {len(columns)}")
        out.append((heading, viz.data_figure(d, "distributions", columns=chunk)))
    for kind in viz.DATA_FIGURE_KINDS[1:]:
        if kind == "label_issues" and not (d.get("label_issues") or {}).get("suspects"):
            continue  # no suspicious label: the findings table says so, no empty axes
        try:
            out.append((kind, viz.data_figure(d, kind)))
        except BadInputError:
            continue  # e.g. no test set: no drift figure
    return out


def _figures(report: Any) -> str:
    parts = []
    for i, (heading, fig) in enumerate(_figure_list(report)):
        payload = fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e")
        parts.append(
            f"<h3>{_e(heading)}</h3><div id='fig{i}' style='min-height:420px'></div>"
            f"<script>(function(){{var f={payload};Plotly.newPlot('fig{i}',f.data,f.layout,"
            f"{{responsive:true}});}})();</script>"
        )
    return "".join(parts)


def write_html(report: Any, path: str | os.PathLike[str]) -> str:
    """Write ``report`` as one HTML file at ``path`` and return the path."""
    from plotly.offline import get_plotlyjs

    skipped = "".join(f"<li><code>{_e(c)}</code>: {_e(r)}</li>" for c, r in report.skipped.items())
    shape = f"{report.n_rows} rows x {report.n_cols} columns"
    if report.n_test_rows is not None:
        shape += f"; test {report.n_test_rows} rows"
    body = (
        f"<h1>Data report</h1><p>{_e(shape)}; target {_e(report.target)}; task {_e(report.task)}.</p>"
        f"<h2>Findings</h2>{_findings_table(report)}"
        + (f"<p class='muted'>Checks that did not run:</p><ul class='muted'>{skipped}</ul>" if skipped else "")
        + f"<h2>Columns</h2>{_columns_table(report)}<h2>Pictures</h2>{_figures(report)}"
        + f"<script type='application/json' id='data-report'>"
        f"{json.dumps(report.to_dict()).replace('<', chr(92) + 'u003c')}</script>"
    )
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>modelglass data report</title>"
        f"<style>{_STYLE}</style><script>{get_plotlyjs()}</script></head><body>{body}</body></html>"
    )
    out = Path(path)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"Cannot write the HTML report to {str(out)!r}: {exc.strerror}.") from None
    return str(out)
