"""``modelglass demo``: the seed's linear regression, three learning rates, one report."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._format import add_store_argument, emit_json, print_table


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_store_argument(p)
    p.add_argument("--epochs", type=int, default=200, help="gradient-descent epochs per run")
    p.add_argument("--lr", type=float, default=None, help="one run with this learning rate")
    p.add_argument("--out", default="modelglass-report.html", help="report file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-walk", action="store_true",
                   help="only the three runs and the loss surface, not the four steps on the regression and digits")


def run(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    result = run_demo(store=args.store, epochs=args.epochs, lr=args.lr, out=args.out, walk=not args.no_walk)
    rows = result.table()
    steps = _steps(result.walk)
    if args.json:
        emit_json({"runs": rows, "report": str(result.report), "store": result.store, "steps": steps})
        return 0
    print("Linear regression y = 3x + 2 + noise, batch gradient descent (the seed's update).\n")
    print_table(
        ["run", "lr", "final loss", "optimum loss", "distance to optimum", "run id"],
        [(r["run"], r["lr"], r["final_loss"], r["optimum_loss"], r["distance"], r["run_id"]) for r in rows],
    )
    if steps:
        print("\nThe four steps (details in the report):")
        for key, text in steps.items():
            print(f"  {key}: {text}")
    print(f"\nstore:  {result.store}")
    print(f"report: {result.report}")
    prog = _prog()
    print(f"next:   {prog} runs --store {result.store}   |   {prog} ui --store {result.store}")
    return 0


def _steps(walk: object) -> dict[str, str]:
    """One line per step of the walk, for the terminal and --json."""
    if walk is None:
        return {}
    w: Any = walk
    def top(d: Any) -> str:
        causes = list(getattr(d, "causes", None) or ())
        code = causes[0].code if causes else (d.codes()[0] if d.codes() else "")
        return f"{d.verdict} ({code})" if code else d.verdict

    verdicts = ", ".join(f"{label}: {top(d)}" for label, d in w.diagnoses.items())
    out = {
        "1 inspect": f"{len(w.inspection.to_dict()['parameters'])} parameter arrays, "
                     f"{len(w.inspection.findings)} finding(s)",
        "2 check_data": "skipped: " + w.digits_note if w.digits is None else
        "digits: {found} of {flipped} flipped labels found ({flagged} rows flagged)".format(
            **w.digits.label_check()),
        "3 diagnose": verdicts + f"; lr_find suggests {w.lr_find.suggestion:.3g}",
        "4 the loss": f"gradcheck: {w.gradcheck.message}; with outliers the best loss is {w.outliers.best}",
    }
    return out


def _prog() -> str:
    """How the user can call modelglass again: the script they ran, if it is not on PATH."""
    import os
    import shutil

    exe = sys.argv[0] if sys.argv and sys.argv[0] else "modelglass"
    if os.path.basename(exe) != "modelglass" or shutil.which("modelglass") == os.path.abspath(exe):
        return "modelglass"
    rel = os.path.relpath(exe)
    return rel if not rel.startswith("..") else exe
