"""``modelglass report RUN...``: a self-contained HTML report (diagnosis, findings, every series)."""

from __future__ import annotations

import argparse

from ._format import add_store_argument


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("runs", nargs="+", help="run ids, unique names, or 'latest'")
    add_store_argument(p)
    p.add_argument("-o", "--output", default="modelglass-report.html", help="HTML file to write")
    p.add_argument("--plotlyjs", choices=("inline", "directory"), default="inline",
                   help="inline: one copy of plotly.js in the page (opens anywhere); directory: "
                        "plotly.min.js written once beside the report, shared by the reports there")
    p.add_argument("--no-diagnosis", action="store_true", help="leave out the diagnosis of each run")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from ..report import write_report

    path = write_report(args.runs, store=args.store, out=args.output, diagnose=not args.no_diagnosis,
                        plotlyjs=args.plotlyjs, progress=not args.no_progress)
    print(f"report: {path}")
    return 0
