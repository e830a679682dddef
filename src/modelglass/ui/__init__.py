"""The dashboard: a JSON API over the store (pure handlers) and a page that draws it.

Every handler is a function ``(reader, params) -> JSON-able``; the FastAPI app in
:func:`create_app` is a thin wrapper over them, and the HTML report can call them
directly so the live and the offline views show the same numbers.
"""

from __future__ import annotations

from ._app import create_app, env_token, is_loopback, plotly_js_path
from ._runs import compare, finding_counts, list_runs, run_detail
from ._series import scalars, tags
from ._studies import studies, study_figures
from ._views import data, diagnosis, histograms, model

__all__ = [
    "compare",
    "create_app",
    "data",
    "diagnosis",
    "env_token",
    "finding_counts",
    "histograms",
    "is_loopback",
    "list_runs",
    "model",
    "plotly_js_path",
    "run_detail",
    "scalars",
    "studies",
    "study_figures",
    "tags",
]
