"""``run.show()``: a run's live charts in a Jupyter notebook, without a server.

A daemon thread (never the training thread) reads the run's series back from the store
every ``every`` seconds, after the background writer has flushed them, and replaces one
notebook output (an IPython display handle) with fresh charts. plotly.js goes into the
notebook once per kernel, inline (works offline). When the dashboard is running
(``dashboard=URL``, ``MODELGLASS_UI_URL``, or ``modelglass ui`` on its default port), its
page for the run is embedded below the charts in an iframe.

In a terminal ``run.show()`` prints the last value of each series instead.
"""

from __future__ import annotations

import base64
import html
import json
import os
import threading
import urllib.request
from typing import Any

import numpy as np

ENV_UI_URL = "MODELGLASS_UI_URL"
DEFAULT_UI_URL = "http://127.0.0.1:6007"
MAX_CHARTS = 6
MAX_POINTS = 1000
_FIRST = ("loss", "train/loss", "val/loss", "val_loss", "accuracy", "acc")
_PLOTLYJS_SENT = False
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


class LiveView:
    """The notebook output of ``run.show()``; ``update()`` redraws it from the store."""

    def __init__(self, run: Any, every: float = 2.0, tags: list[str] | None = None,
                 dashboard: str | bool | None = None) -> None:
        self.run = run
        self.every = float(every)
        self.tags = list(tags) if tags else None
        self.dashboard = dashboard_url(dashboard)
        self.updates = 0
        self._state: tuple[int, str] | None = None
        self._handle: Any = None
        self._stop = threading.Event()
        self._lock = threading.Lock()  # the refresh thread and a user's update() must not interleave
        self._thread: threading.Thread | None = None

    def start(self) -> "LiveView":
        """Display the charts (and plotly.js once) and start the refresh thread while the run runs."""
        from IPython.display import HTML, display

        global _PLOTLYJS_SENT
        if not _PLOTLYJS_SENT:
            from plotly.offline import get_plotlyjs

            display(HTML(f"<script type='text/javascript'>{get_plotlyjs()}</script>"))
            _PLOTLYJS_SENT = True
        self._handle = display(HTML(self.html()), display_id=True)
        if self.dashboard:
            url = f"{self.dashboard.rstrip('/')}/#/scalars?runs={self.run.id}"
            display(HTML(f"<iframe src='{html.escape(url, quote=True)}' width='100%' height='640' "
                         "style='border:1px solid #ccd;border-radius:6px'></iframe>"))
        if self.run.status == "running":
            self._thread = threading.Thread(target=self._loop, name=f"modelglass-show-{self.run.id}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop refreshing (the last charts stay)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            running = self.run.status == "running"
            self.update()
            if not running:
                break

    def update(self) -> bool:
        """Redraw when new points were written or the run ended; True when the output changed."""
        from IPython.display import HTML

        with self._lock:
            series = self._series()
            state = (sum(len(s[0]) for s in series.values()), self.run.status)
            if state == self._state or self._handle is None:
                return False
            self._state = state
            self._handle.update(HTML(self.html(series)))
            self.updates += 1
            return True

    def _series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        from ..store import open_store

        try:
            reader = open_store(self.run.store)
        except Exception:  # noqa: BLE001 - the store may be mid-creation; try again next time
            return {}
        try:
            tags = self.tags or order(reader.tags(self.run.id))[:MAX_CHARTS]
            out = {}
            for tag in tags:
                s = reader.series(self.run.id, tag)
                step = max(1, len(s.steps) // MAX_POINTS)
                out[tag] = (s.steps[::step], s.values[::step]) if step > 1 else (s.steps, s.values)
            return out
        finally:
            reader.close()

    def html(self, series: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> str:
        """The charts as HTML: one small plotly chart per series, in a grid."""
        series = self._series() if series is None else series
        run = self.run
        head = (f"<div class='mg-live' data-run='{html.escape(run.id)}' style='font-family:system-ui,sans-serif'>"
                f"<b>{html.escape(run.name)}</b> <span style='color:#667'>({html.escape(run.id)}, "
                f"{html.escape(run.status)}, step {run.step})</span>")
        if not series:
            return head + "<p>No series logged yet.</p></div>"
        self._n = getattr(self, "_n", 0) + 1
        cells = []
        for i, (tag, (steps, values)) in enumerate(series.items()):
            div = f"mg-live-{run.id}-{self._n}-{i}"
            spec = json.dumps(_spec(tag, steps, values, _COLORS[i % len(_COLORS)]), separators=(",", ":"))
            spec = spec.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            cells.append(
                f"<div id='{div}' class='mg-live-chart' data-tag='{html.escape(tag, quote=True)}' "
                f"style='height:260px'></div><script type='text/javascript'>(function(){{var s={spec};"
                f"function go(){{if(window.Plotly){{Plotly.newPlot('{div}',s.data,s.layout,"
                f"{{displaylogo:false,responsive:true}});}}else{{setTimeout(go,200);}}}}go();}})();</script>"
            )
        grid = ("<div style='display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:8px'>"
                + "".join(cells) + "</div>")
        return head + grid + "</div>"


def order(tags: list[str]) -> list[str]:
    """The loss first, then the usual metrics, then the rest alphabetically."""
    first = [t for t in _FIRST if t in tags]
    return first + sorted(t for t in tags if t not in _FIRST)


def _spec(tag: str, steps: np.ndarray, values: np.ndarray, color: str) -> dict[str, Any]:
    y = np.asarray(values, dtype="<f8")
    x = np.asarray(steps, dtype="<f8")
    finite = y[np.isfinite(y)]
    log_y = bool(finite.size and (finite > 0).all() and finite.max() / finite.min() > 100)
    arr = lambda a: {"dtype": "f8", "bdata": base64.b64encode(a.tobytes()).decode("ascii")}  # noqa: E731
    return {
        "data": [{"type": "scatter", "mode": "lines", "name": tag, "x": arr(x), "y": arr(y),
                  "line": {"color": color, "width": 2}}],
        "layout": {"title": {"text": tag, "x": 0.02, "font": {"size": 13}}, "height": 260,
                   "margin": {"l": 50, "r": 10, "t": 30, "b": 30}, "showlegend": False,
                   "yaxis": {"type": "log" if log_y else "linear", "gridcolor": "#eee"},
                   "xaxis": {"gridcolor": "#eee"}, "paper_bgcolor": "white", "plot_bgcolor": "white"},
    }


def dashboard_url(dashboard: str | bool | None) -> str | None:
    """The dashboard to embed: an explicit URL, ``MODELGLASS_UI_URL``, or one found on the default port."""
    if dashboard is False:
        return None
    if isinstance(dashboard, str):
        return dashboard
    env = os.environ.get(ENV_UI_URL)
    if env:
        return env
    return DEFAULT_UI_URL if _dashboard_answers(DEFAULT_UI_URL) or dashboard is True else None


def _dashboard_answers(url: str) -> bool:
    """True when a modelglass dashboard answers at ``url`` (a local request, 0.3 s at most)."""
    try:
        with urllib.request.urlopen(f"{url}/openapi.json", timeout=0.3) as resp:  # noqa: S310 - local URL
            return b"modelglass" in resp.read(4096).lower()
    except Exception:  # noqa: BLE001 - nothing there, or not ours
        return False


def print_last_values(run: Any) -> None:
    """The terminal's ``run.show()``: the last value of each series."""
    from ..store import open_store

    with open_store(run.store) as reader:
        stats = reader.series_stats(run.id)
    print(f"{run.name} ({run.id}, {run.status}, step {run.step})")
    for s in stats:
        last = "-" if s.last is None else f"{s.last:.6g}"
        print(f"  {s.tag:30s} {last}  (step {s.last_step}, {s.length} points)")
    if not stats:
        print("  no series logged yet")
    print("  (in a Jupyter notebook run.show() draws live charts; in a terminal try `modelglass ui`)")
