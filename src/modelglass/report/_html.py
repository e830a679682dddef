"""A self-contained HTML page: plotly.js once per page (or once per folder), offline, user text escaped."""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..core import BadInputError

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
.badge{display:inline-block;padding:1px 10px;border-radius:10px;color:#fff;font-size:13px;vertical-align:middle}
.badge-ok{background:#2a7d3b}.badge-warning{background:#a15c00}.badge-error{background:#b00020}
.diag h3{margin:14px 0 6px;font-size:16px} ol.causes li{margin:6px 0} li.top-cause{font-size:15px}
details summary{cursor:pointer;color:#285e9e;margin:6px 0} ul.because{margin:4px 0;color:#444;font-size:14px} p.fix{margin:4px 0;color:#1b5e20}
.grid>div{min-width:0}
"""


PLOTLYJS_MODES = ("inline", "directory")
PLOTLYJS_FILE = "plotly.min.js"

# Charts given as JSON specs are drawn when they scroll into view, so a page with
# thousands of them opens at once; a browser without IntersectionObserver draws all.
_LAZY_JS = """
(function(){
  var cfg={displaylogo:false,responsive:true};
  function draw(el){
    if(el.dataset.drawn)return; el.dataset.drawn='1';
    var spec=JSON.parse(document.getElementById(el.id+'-spec').textContent);
    Plotly.newPlot(el.id,spec.data,spec.layout,cfg);
  }
  var els=[].slice.call(document.querySelectorAll('.mg-lazy'));
  if(!('IntersectionObserver' in window)){els.forEach(draw);return;}
  var io=new IntersectionObserver(function(es){es.forEach(function(e){
    if(e.isIntersecting){io.unobserve(e.target);draw(e.target);}});},{rootMargin:'600px 0px'});
  els.forEach(function(el){io.observe(el);});
})();
"""


@dataclass
class Page:
    """An HTML report under construction: sections of escaped text, tables and figures.

    plotly.js goes into the page once, however many figures it has (inline), or is
    written once beside the report (``plotlyjs="directory"``) so that several reports
    in one folder share one copy.
    """

    title: str
    subtitle: str = ""
    parts: list[str] = field(default_factory=list)
    _n_figs: int = 0
    _lazy: bool = False

    def section(self, heading: str, *body: str) -> None:
        self.parts.append(f"<section><h2>{esc(heading)}</h2>{''.join(body)}</section>")

    def _next_id(self, div_id: str | None) -> str:
        self._n_figs += 1
        return div_id or f"fig{self._n_figs}"

    def figure_html(self, fig: "go.Figure", div_id: str | None = None) -> str:
        """A plotly figure, drawn when the page opens (for the few large figures of a page)."""
        return fig.to_html(full_html=False, include_plotlyjs=False, div_id=self._next_id(div_id),
                           config={"displaylogo": False, "responsive": True})

    def chart_html(self, spec: dict[str, Any], div_id: str | None = None, height: int = 320) -> str:
        """A chart given as a plotly JSON spec ``{"data": [...], "layout": {...}}``, drawn lazily.

        Building the JSON by hand costs microseconds where a ``go.Figure`` costs tens of
        milliseconds of validation, which is what a report of thousands of series needs.
        """
        self._lazy = True
        div = self._next_id(div_id)
        payload = json.dumps(spec, separators=(",", ":"), allow_nan=False, default=_json_default)
        # "<" as \\u003c: no user text can close the script element or open a comment.
        payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return (f"<div class='mg-lazy' id='{esc(div)}' style='min-height:{int(height)}px'></div>"
                f"<script type='application/json' id='{esc(div)}-spec'>{payload}</script>")

    def render(self, plotlyjs: str = "inline") -> str:
        """The page as HTML; ``plotlyjs`` is ``inline`` or ``directory`` (a file beside it)."""
        check_plotlyjs(plotlyjs)
        if plotlyjs == "inline":
            from plotly.offline import get_plotlyjs

            script = f"<script>{get_plotlyjs()}</script>"
        else:
            script = f"<script src='{PLOTLYJS_FILE}'></script>"
        lazy = f"<script>{_LAZY_JS}</script>" if self._lazy else ""
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{esc(self.title)}</title>"
            f"<style>{_CSS}</style>{script}</head><body>"
            f"<header><h1>{esc(self.title)}</h1><p>{esc(self.subtitle)}</p></header>"
            f"<main>{''.join(self.parts)}</main>{lazy}</body></html>"
        )

    def write(self, path: str | os.PathLike[str], plotlyjs: str = "inline") -> Path:
        """Write the page (and, with ``plotlyjs="directory"``, plotly.min.js beside it once)."""
        check_plotlyjs(plotlyjs)
        out = Path(path)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(self.render(plotlyjs), encoding="utf-8")
            if plotlyjs == "directory":
                write_plotlyjs(out.parent)
        except OSError as exc:
            raise BadInputError(f"Cannot write the report to {str(out)!r}: {exc.strerror or exc}.") from exc
        return out.resolve()


def check_plotlyjs(mode: str) -> None:
    if mode not in PLOTLYJS_MODES:
        raise BadInputError(
            f"--plotlyjs must be one of {', '.join(PLOTLYJS_MODES)}. Got {mode!r}."
        )


def write_plotlyjs(folder: Path) -> Path:
    """Write plotly.min.js into ``folder`` unless the same file is there already."""
    from plotly.offline import get_plotlyjs

    target = folder / PLOTLYJS_FILE
    js = get_plotlyjs()
    if not target.exists() or target.stat().st_size != len(js.encode("utf-8")):
        target.write_text(js, encoding="utf-8")
    return target


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"not JSON-able: {type(obj).__name__}")


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
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(fmt(x) for x in v) + ")"
    return "" if v is None else str(v)
