"""``modelglass demo``: the seed's linear regression, three learning rates, one report."""

from __future__ import annotations

import argparse
import sys

from ._format import add_store_argument, emit_json, print_table


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_store_argument(p)
    p.add_argument("--epochs", type=int, default=200, help="gradient-descent epochs per run")
    p.add_argument("--lr", type=float, default=None, help="one run with this learning rate")
    p.add_argument("--out", default="modelglass-report.html", help="report file")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    result = run_demo(store=args.store, epochs=args.epochs, lr=args.lr, out=args.out)
    rows = result.table()
    if args.json:
        emit_json({"runs": rows, "report": str(result.report), "store": result.store})
        return 0
    print("Linear regression y = 3x + 2 + noise, batch gradient descent (the seed's update).\n")
    print_table(
        ["run", "lr", "final loss", "optimum loss", "distance to optimum", "run id"],
        [(r["run"], r["lr"], r["final_loss"], r["optimum_loss"], r["distance"], r["run_id"]) for r in rows],
    )
    print(f"\nstore:  {result.store}")
    print(f"report: {result.report}")
    prog = _prog()
    print(f"next:   {prog} runs --store {result.store}   |   {prog} ui --store {result.store}")
    return 0


def _prog() -> str:
    """How the user can call modelglass again: the script they ran, if it is not on PATH."""
    import os
    import shutil

    exe = sys.argv[0] if sys.argv and sys.argv[0] else "modelglass"
    if os.path.basename(exe) != "modelglass" or shutil.which("modelglass") == os.path.abspath(exe):
        return "modelglass"
    rel = os.path.relpath(exe)
    return rel if not rel.startswith("..") else exe
