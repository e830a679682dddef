"""``modelglass diagnose RUN [RUN ...]``: why a training run is not improving and what to change.

One run: the most likely cause with its chain of evidence and prescription, then the
symptoms. Several runs: one row each (verdict, top cause, confidence, key numbers).
"""

from __future__ import annotations

import argparse
import json
import math

from ..core import BadInputError
from ._format import add_store_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", nargs="*", help="run id, name, or 'latest'; several to compare them")
    add_store_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    parser.add_argument("--loss", default=None, help="training-loss series (default: loss, train/loss)")
    parser.add_argument("--val-loss", default=None, help="validation-loss series (default: val/loss, val_loss, valid/loss)")
    parser.add_argument("--num-classes", type=int, default=None, help="classes of a classifier")
    parser.add_argument("--baseline", type=float, default=None, help="loss of a trivial predictor (regression)")
    parser.add_argument("--threshold", action="append", default=[], metavar="CODE.PARAM=VALUE",
                        help="override a rule threshold (repeatable)")
    parser.add_argument("--all", action="store_true", help="also list info findings")
    parser.add_argument("--list-rules", action="store_true",
                        help="list the rules, their codes and thresholds, and exit")


def run(args: argparse.Namespace) -> int:
    from ..diagnose import describe_rules, diagnose, diagnosis_text

    if args.list_rules:
        rules = describe_rules()
        print(json.dumps(rules, indent=2) if args.json else _rules_text(rules))
        return 0
    if not args.run:
        raise BadInputError("modelglass diagnose needs a RUN (an id, a name or 'latest'), or --list-rules.")
    result = diagnose(
        args.run if len(args.run) > 1 else args.run[0], store=args.store, loss=args.loss,
        val_loss=args.val_loss, num_classes=args.num_classes,
        thresholds=_thresholds(args.threshold) or None, baseline=args.baseline,
    )
    if len(args.run) > 1:
        rows = result.rows()
        print(json.dumps(rows, indent=2, sort_keys=True) if args.json else result.text())
        return 1 if any(r["verdict"] == "error" for r in rows) else 0
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True))
    else:
        print(diagnosis_text(result, show_info=args.all))
    return 1 if result.verdict == "error" else 0


def _thresholds(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not key or not math.isfinite(number):
            raise BadInputError(
                f"--threshold expects CODE.PARAM=NUMBER, e.g. loss_plateau.min_drop=0.05. Got {item!r}."
            )
        out[key.strip()] = number
    return out


def _rules_text(rules: list[dict]) -> str:
    lines = []
    for r in rules:
        lines.append(f"{r['code']} ({r['severity']}, {r['cause']}): {r['meaning']}")
        for name, t in r["thresholds"].items():
            lines.append(f"    {r['code']}.{name} = {t['default']:g}: {t['meaning']}")
    return "\n".join(lines)
