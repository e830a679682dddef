"""``modelglass data check TRAIN [--test TEST] [--target COL] [--json] [--html FILE]``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..core import BadInputError
from ._output import emit_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="data_command", metavar="check")
    p = sub.add_parser("check", help="check a CSV/Parquet dataset (and a test split) for problems",
                       description="Check a dataset for problems. Exit 1 when a finding is an error.")
    p.add_argument("train", help="training data: a CSV or Parquet file")
    p.add_argument("--test", help="test data: a CSV or Parquet file")
    p.add_argument("--target", help="name of the target column")
    p.add_argument("--task", choices=("classification", "regression"), help="default: inferred from the target")
    p.add_argument("--only", help="comma-separated check codes to run (default: all)")
    p.add_argument("--skip", help="comma-separated check codes not to run (e.g. label_issues)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (stable keys)")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _checks(args: argparse.Namespace) -> Any:
    only, skip = _codes(args.only), _codes(args.skip)
    if only and skip:
        raise BadInputError("Use either --only or --skip, not both.")
    if only:
        return only
    if skip:
        return {code: False for code in skip}
    return None


def run(args: argparse.Namespace) -> int:
    if getattr(args, "data_command", None) != "check":
        raise BadInputError("modelglass data: expected a subcommand. Usage: modelglass data check TRAIN [--test TEST]")
    from ..data import check_data

    report = check_data(args.train, test=args.test, target=args.target, task=args.task, checks=_checks(args))
    if args.html:
        report.to_html(args.html)
    if args.json:
        emit_json(report.to_dict())
    else:
        print(render_text(report, args))
    unusable = report.input_problem()
    if unusable:
        # The other checks ran and were printed; the input itself is still bad input.
        print(f"modelglass: error: {args.train}: {unusable}", file=sys.stderr)
        return 2
    return 0 if report.ok else 1


def render_text(report: Any, args: argparse.Namespace) -> str:
    """The plain-text summary printed without ``--json``."""
    shape = f"{report.n_rows} rows x {report.n_cols} columns"
    if report.n_test_rows is not None:
        shape += f", test {report.n_test_rows} rows"
    lines = [f"{args.train}: {shape}; target {report.target or '-'}; task {report.task or '-'}"]
    if not report.findings:
        lines.append("no findings")
    for f in report.findings:
        lines.append(f"{f.severity!s:<8} {f.code:<20} {f.title}")
        rows = f.evidence.get("rows")
        if rows:
            more = f" (of {f.evidence['n_rows']})" if "n_rows" in f.evidence else ""
            lines.append(f"{'':<29} rows: {', '.join(map(str, rows[:10]))}{' ...' if len(rows) > 10 else ''}{more}")
        if f.suggestion:
            lines.append(f"{'':<29} try: {f.suggestion}")
    for code, reason in report.skipped.items():
        lines.append(f"{'skipped':<8} {code:<20} {reason}")
    if args.html:
        lines.append(f"HTML report: {args.html}")
    return "\n".join(lines)
