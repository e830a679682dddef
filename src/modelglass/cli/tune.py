"""``modelglass tune list`` and ``modelglass tune show STUDY``."""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from ..core import BadInputError, resolve_store_location
from ._output import emit_json, print_findings, print_table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="tune_command")
    for name, help_text in (("list", "list the studies beside a store"), ("show", "show one study")):
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == "show":
            p.add_argument("study", help="the study name (see `modelglass tune list`)")
            p.add_argument("--limit", type=int, default=20, help="trials to print, best first (default 20)")
        p.add_argument("--store", default=None, help="run store (default $MODELGLASS_STORE or ./mglogs)")
        p.add_argument("--storage", default=None,
                       help="Optuna storage if not the default beside the store: journal file or database URL")
        p.add_argument("--json", action="store_true", help="print JSON with stable keys")


def run(args: argparse.Namespace) -> int:
    if args.tune_command is None:
        raise BadInputError("modelglass tune: say which: `modelglass tune list` or `modelglass tune show STUDY`.")
    from ..tune import list_studies, load_study

    _check_store(args.store, args.storage)
    if args.tune_command == "list":
        studies = list_studies(store=args.store, storage=args.storage)
        if args.json:
            emit_json({"studies": studies})
        else:
            _print_list(studies)
        return 0
    if args.limit < 0:
        raise BadInputError(f"--limit must be >= 0. Got {args.limit}.")
    result = load_study(args.study, store=args.store, storage=args.storage)
    if args.json:
        emit_json(result.to_dict())
    else:
        _print_show(result, args.limit)
    return 0


def _check_store(store: str | None, storage: str | None) -> None:
    if storage is not None:
        return
    loc = resolve_store_location(store)
    if "://" not in loc and not os.path.exists(loc):
        raise BadInputError(
            f"No store at {loc}: it does not exist. Pass --store DIR (where mg.tune logged its runs) "
            "or --storage with the study's journal file or database URL."
        )


def _print_list(studies: list[dict[str, Any]]) -> None:
    if not studies:
        print("no studies")
        return
    rows = []
    for s in studies:
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(s["started"])) if s["started"] else "-"
        rows.append((s["study"], s["direction"], s["n_trials"], s["best_value"], started))
    print_table(("study", "direction", "trials", "best value", "started"), rows, right=("trials", "best value"))


def _print_show(result: Any, limit: int) -> None:
    counts = ", ".join(f"{v} {k}" for k, v in sorted(result.counts().items())) or "no trials"
    print(f"study {result.study} ({result.direction}) in {result.storage}: {counts}")
    if result.best is not None:
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in result.best.params.items())
        print(f"best: trial {result.best.number} value {result.best.value:.6g} ({params}) run {result.best.run_id}")
    print_findings(result.findings)
    if limit == 0 or not result.trials:
        return
    sign = 1 if result.direction == "minimize" else -1
    ordered = sorted(result.trials, key=lambda t: (t.value is None, sign * (t.value or 0.0), t.number))
    names = list(result.distributions)
    rows = [(t.number, t.state, t.value, *(_fmt(t.params.get(n)) for n in names), t.run_id)
            for t in ordered[:limit]]
    print()
    print_table(("trial", "state", "value", *names, "run"), rows, right=("trial", "value"))
    failed = [t for t in result.trials if t.state == "fail" and t.error]
    for t in failed[:5]:
        print(f"trial {t.number} failed: {t.error}")


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)

