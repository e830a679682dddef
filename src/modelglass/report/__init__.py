"""Self-contained HTML reports (plotly.js once per page; they open offline) and figures as files."""

from __future__ import annotations

from ._demo import write_demo_report
from ._html import Page, esc
from ._image import find_browser, save_figure
from ._runs import write_report

__all__ = ["Page", "esc", "find_browser", "save_figure", "write_demo_report", "write_report"]
