"""DataReport: what ``check_data`` found, with rows, column summaries, figures and HTML."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..core import BadInputError, Finding, jsonable, sort_findings, worst_severity

#: Version of the dict written by :meth:`DataReport.to_dict` (the ``data_report`` artifact).
REPORT_SCHEMA_VERSION = 1
FIGURE_KINDS = ("distributions", "missing", "correlations", "target", "label_issues", "drift")


class DataReport:
    """The result of :func:`modelglass.data.check_data`.

    Attributes:
        findings: Findings of every check, worst first.
        columns: Per-column summary of train (kind, dtype, role, missing and unique counts,
            min/max/mean/std and a histogram, or top categories with counts).
        n_rows, n_cols, n_test_rows: Shapes (``n_test_rows`` is None without a test set).
        task: ``classification``, ``regression`` or None (no target).
        target: The target column, or None.
        checks_run: Codes of the checks that ran.
        skipped: ``{code: reason}`` for checks that could not run on this data.
        details: ``{code: JSON-able details}`` (drift table, leakage scores, label suspects...).
    """

    def __init__(self, **parts: Any) -> None:
        self.findings: list[Finding] = sort_findings(parts["findings"])
        self.columns: dict[str, dict[str, Any]] = parts["columns"]
        self.n_rows: int = parts["n_rows"]
        self.n_cols: int = parts["n_cols"]
        self.n_test_rows: int | None = parts.get("n_test_rows")
        self.task: str | None = parts.get("task")
        self.target: str | None = parts.get("target")
        self.checks_run: list[str] = parts["checks_run"]
        self.skipped: dict[str, str] = parts["skipped"]
        self.details: dict[str, Any] = parts["details"]
        self.missing_matrix: dict[str, Any] = parts["missing_matrix"]
        self.correlations: dict[str, Any] = parts["correlations"]
        self._rows: dict[str, Any] = parts["rows"]
        self._sides: dict[str, str] = parts["sides"]

    def __repr__(self) -> str:
        worst = worst_severity(self.findings)
        return (f"DataReport({self.n_rows} rows x {self.n_cols} columns, task={self.task!r}, "
                f"{len(self.findings)} findings, worst={worst})")

    @property
    def ok(self) -> bool:
        """True when no finding has severity ``error``."""
        return all(f.severity < 2 for f in self.findings)

    def input_problem(self) -> str | None:
        """Why the input itself is unusable (an all-empty column, a single-class target), or None.

        The CLI reports such data as bad input (exit 2) after printing the other findings.
        """
        for f in self.findings:
            if f.severity < 2:
                continue
            if f.code == "missing_values":
                return f"column(s) with no value at all: {', '.join(map(str, f.evidence.get('columns', [])))}"
            if f.code == "class_imbalance":
                return f"the target {f.evidence.get('column')!r} has a single class"
        return None

    def codes(self) -> list[str]:
        """The distinct finding codes, worst first."""
        return list(dict.fromkeys(f.code for f in self.findings))

    def rows(self, code: str) -> Any:
        """Every row a check flagged, as a DataFrame ``row, score, ...`` ranked by score.

        ``row`` is a 0-based position in train (in test for ``train_test_leakage``; see the
        frame's ``attrs['side']``). Higher scores are more suspicious. Uncapped.
        """
        import pandas as pd

        if code not in self.checks_run:
            known = ", ".join(self.checks_run) or "none"
            raise BadInputError(f"The check {code!r} did not run in this report. Checks run: {known}.")
        data = self._rows.get(code)
        if data is None:
            frame = pd.DataFrame({"row": np.zeros(0, np.int64), "score": np.zeros(0)})
        else:
            frame = pd.DataFrame(data)
            order = np.lexsort((frame["row"].to_numpy(), -frame["score"].to_numpy()))
            frame = frame.iloc[order].reset_index(drop=True)
        frame.attrs["side"] = self._sides.get(code, "train")
        return frame

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict with stable keys (stored by ``run.log_data_report``)."""
        drift = self.details.get("train_test_drift") or {}
        return jsonable({
            "schema_version": REPORT_SCHEMA_VERSION,
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "n_test_rows": self.n_test_rows,
            "task": self.task,
            "target": self.target,
            "ok": self.ok,
            "checks_run": self.checks_run,
            "skipped": self.skipped,
            "findings": [f.to_dict() for f in self.findings],
            "row_counts": {c: (0 if r is None else len(r["row"])) for c, r in self._rows.items()},
            "columns": self.columns,
            "drift": drift.get("columns", []),
            "drift_thresholds": drift.get("thresholds", {}),
            "label_issues": self.details.get("label_issues"),
            "target_leakage": self.details.get("target_leakage"),
            "class_counts": self.details.get("class_imbalance"),
            "missing_matrix": self.missing_matrix,
            "correlations": self.correlations,
        })

    def figure(self, kind: str = "distributions", **kwargs: Any) -> Any:
        """A plotly Figure: one of ``distributions``, ``missing``, ``correlations``, ``target``,
        ``label_issues``, ``drift``."""
        from ..viz import _data as viz

        return viz.data_figure(self.to_dict(), kind, **kwargs)

    def to_html(self, path: str | os.PathLike[str]) -> str:
        """Write a self-contained HTML page (plotly.js inlined, works offline); return its path."""
        from ._html import write_html

        return write_html(self, path)
