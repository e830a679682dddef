"""``modelglass runs``: list the runs in a store."""

from __future__ import annotations

import argparse

from ..store import open_store
from ._format import add_store_argument, emit_json, print_table, when


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_store_argument(p)
    p.add_argument("--project", help="only runs of this project")
    p.add_argument("--status", choices=["running", "finished", "failed", "crashed"])
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    with open_store(args.store) as reader:
        runs = reader.runs(project=args.project, status=args.status)
    if args.json:
        emit_json({"runs": [r.to_dict() for r in runs]})
        return 0
    if not runs:
        print("No runs." if not args.project else f"No runs in project {args.project!r}.")
        return 0
    print_table(
        ["id", "project", "name", "status", "started (UTC)", "duration (s)"],
        [(r.id, r.project, r.name, r.status, when(r.started), r.duration) for r in runs],
    )
    return 0
