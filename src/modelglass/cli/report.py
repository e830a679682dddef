"""``modelglass report RUN...``: a self-contained HTML report."""

from __future__ import annotations

import argparse

from ._format import add_store_argument


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("runs", nargs="+", help="run ids, unique names, or 'latest'")
    add_store_argument(p)
    p.add_argument("-o", "--output", default="modelglass-report.html", help="HTML file to write")


def run(args: argparse.Namespace) -> int:
    from ..report import write_report

    path = write_report(args.runs, store=args.store, out=args.output)
    print(f"report: {path}")
    return 0
