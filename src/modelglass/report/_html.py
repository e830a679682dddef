"""A self-contained HTML page: plotly.js inlined, works offline, user text escaped."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#c9d1e0;font-size:14px}
main{max-width:1200px;margin:0 auto;padding:16px 32px 48px}
section{background:#fff;border:1px solid #e2e5ea;border-radius:8px;padding:16px 20px;margin:16px 0}
h2{font-size:18px;margin:0 0 8px} p{line-height:1.5}
table{border-collapse:collapse;font-size:14px;width:100%}
th,td{border-bottom:1px solid #e2e5ea;padding:6px 10px;text-align:left;vertical-align:top}
th{background:#f0f2f5} td.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:12px}
.sev-error{color:#b00020;font-weight:600}.sev-warning{color:#a15c00;font-weight:600}.sev-info{color:#285e9e}
code{background:#f0f2f5;padding:1px 4px;border-radius:3px}
"""


@dataclass
class Page:
    """An HTML report under construction: sections of escaped text, tables and figures."""

    title: str
    subtitle: str = ""
    parts: list[str] = field(default_factory=list)
    _n_figs: int = 0

    def section(self, heading: str, *body: str) -> None:
        self.parts.append(f"<section><h2>{esc(heading)}</h2>{''.join(body)}</section>")

    def figure_html(self, fig: "go.Figure", div_id: str | None = None) -> str:
        self._n_figs += 1
        div_id = div_id or f"fig{self._n_figs}"
        return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                           config={"displaylogo": False, "responsive": True})

    def render(self) -> str:
        from plotly.offline import get_plotlyjs

        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{esc(self.title)}</title>"
            f"<style>{_CSS}</style><script>{get_plotlyjs()}</script></head><body>"
            f"<header><h1>{esc(self.title)}</h1><p>{esc(self.subtitle)}</p></header>"
            f"<main>{''.join(self.parts)}</main></body></html>"
        )

    def write(self, path: str | os.PathLike[str]) -> Path:
        out = Path(path)
        if out.parent and not out.parent.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.render(), encoding="utf-8")
        return out.resolve()


def esc(text: Any) -> str:
    """Escape anything a user wrote before it goes into HTML."""
    return html.escape(str(text), quote=True)


def p(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            cls = " class='num'" if i in numeric else ""
            cells.append(f"<td{cls}>{esc(fmt(v))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(fmt(x) for x in v) + ")"
    return "" if v is None else str(v)
