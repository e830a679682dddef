"""DataReport: what ``check_data`` found, with rows, column summaries, figures and HTML."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core import BadInputError, Finding, Result, check_kind, sort_findings, worst_severity

#: Version of the dict written by :meth:`DataReport.to_dict` (the ``data_report`` artifact).
REPORT_SCHEMA_VERSION = 1
FIGURE_KINDS = ("distributions", "missing", "correlations", "target", "label_issues", "drift")


@dataclass(frozen=True, repr=False)
class DataReport(Result):
    """The result of :func:`modelglass.data.check_data`.

    Attributes:
        findings: Findings of every check, worst first.
        columns: Per-column summary of train (kind, dtype, role, missing and unique counts,
            min/max/mean/std and a histogram, or top categories with counts).
        n_rows, n_cols, n_test_rows: Shapes (``n_test_rows`` is None without a test set).
        checks_run: Codes of the checks that ran.
        skipped: ``{code: reason}`` for checks that could not run on this data.
        details: ``{code: JSON-able details}`` (drift table, leakage scores, label suspects...).
        missing_matrix: Which cells are missing, sampled, for the ``missing`` figure.
        correlations: Pairwise association of the columns, for the ``correlations`` figure.
        task: ``classification``, ``regression`` or None (no target).
        target: The target column, or None.
        flagged_rows: ``{code: {"row": ..., "score": ..., ...}}`` behind :meth:`rows`.
        sides: ``{code: "train" | "test"}``: which frame a check's rows index.
    """

    TITLE = "Data report"
    SCHEMA_VERSION = REPORT_SCHEMA_VERSION
    FIGURE_KINDS = FIGURE_KINDS

    findings: tuple[Finding, ...]
    columns: dict[str, dict[str, Any]]
    n_rows: int
    n_cols: int
    checks_run: list[str]
    skipped: dict[str, str]
    details: dict[str, Any]
    missing_matrix: dict[str, Any]
    correlations: dict[str, Any]
    n_test_rows: int | None = None
    task: str | None = None
    target: str | None = None
    flagged_rows: dict[str, Any] = field(default_factory=dict, repr=False)
    sides: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(sort_findings(self.findings)))

    def __repr__(self) -> str:
        worst = worst_severity(self.findings)
        return (f"DataReport({self.n_rows} rows x {self.n_cols} columns, task={self.task!r}, "
                f"{len(self.findings)} findings, worst={worst})")

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
        data = self.flagged_rows.get(code)
        if data is None:
            frame = pd.DataFrame({"row": np.zeros(0, np.int64), "score": np.zeros(0)})
        else:
            frame = pd.DataFrame(data)
            order = np.lexsort((frame["row"].to_numpy(), -frame["score"].to_numpy()))
            frame = frame.iloc[order].reset_index(drop=True)
        frame.attrs["side"] = self.sides.get(code, "train")
        return frame

    def _to_dict_body(self) -> dict[str, Any]:
        """The keys after the head (stored by ``run.log_data_report``)."""
        drift = self.details.get("train_test_drift") or {}
        return {
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "n_test_rows": self.n_test_rows,
            "task": self.task,
            "target": self.target,
            "checks_run": self.checks_run,
            "skipped": self.skipped,
            "row_counts": {c: (0 if r is None else len(r["row"])) for c, r in self.flagged_rows.items()},
            "columns": self.columns,
            "drift": drift.get("columns", []),
            "drift_thresholds": drift.get("thresholds", {}),
            "label_issues": self.details.get("label_issues"),
            "target_leakage": self.details.get("target_leakage"),
            "class_counts": self.details.get("class_imbalance"),
            "missing_matrix": self.missing_matrix,
            "correlations": self.correlations,
        }

    def figure(self, kind: str | None = None, **kwargs: Any) -> Any:
        """A plotly Figure: one of ``distributions`` (the default), ``missing``, ``correlations``,
        ``target``, ``label_issues``, ``drift``; ``kwargs`` go to the figure's builder."""
        from ..viz import data_figure

        return data_figure(self.to_dict(), check_kind(kind, self.FIGURE_KINDS, "DataReport"), **kwargs)

    def _figure(self, kind: str) -> Any:
        return self.figure(kind)

    def _text_body(self) -> str:
        shape = f"{self.n_rows} rows x {self.n_cols} columns"
        if self.n_test_rows is not None:
            shape += f", test {self.n_test_rows} rows"
        return f"{shape}; target {self.target}; task {self.task}; {len(self.checks_run)} checks ran."

    def to_html(self, path: str | os.PathLike[str]) -> str:
        """Write a self-contained HTML page (plotly.js inlined, works offline); return its path."""
        from ._html import write_html

        return write_html(self, path)
