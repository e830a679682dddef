"""Self-contained HTML reports (plotly.js inlined; they open offline)."""

from __future__ import annotations

from ._demo import write_demo_report
from ._html import Page, esc
from ._runs import write_report

__all__ = ["Page", "esc", "write_demo_report", "write_report"]
