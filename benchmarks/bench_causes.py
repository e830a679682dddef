"""Benchmark of the doctor's causes (issue 11): does ``mg.diagnose(run).causes`` name the bug?

Trains every run of the realistic bug suite (``tests/diagnose/bugs``: NumPy,
scikit-learn and PyTorch; MLP, CNN, GRU/LSTM and transformer encoder), each with one
planted bug of the kind the fault taxonomies list, or healthy (some alarming to look
at), for each seed given, diagnoses it and prints:

- per cause code: top-1 accuracy (the first cause, warning or worse, is the planted
  one), top-3 accuracy (the planted cause among the first three) and top-3 with the
  run's accepted alternates (a look-alike the run also shows), over runs x seeds;
- causes (warning or worse) named on healthy runs: false alarms;
- as a baseline that needs no causes, "flagged": the share of buggy runs with any
  warning-or-worse finding (the symptom said something is wrong, not what), and the
  healthy runs with one;
- the time of ``mg.diagnose`` per run (median, max) and of training.

Seed 0 is for tuning; seeds 1 and 2 are held out. Causes are read with
``getattr(d, "causes", ())``, so a modelglass without them scores 0 and still runs.

Run: ``python benchmarks/bench_causes.py [--seeds 0 1 2] [--only NAME ...] [--json out.json]``
(``--list`` prints the runs, their expected cause, family, framework and bug)
(about a minute a seed on one core).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import modelglass as mg  # noqa: E402


def run_suite(seeds: list[int], only: list[str] | None, verbose: bool) -> list[dict[str, Any]]:
    from tests.diagnose.bugs import load, train
    from tests.diagnose.bugs._score import causes, score

    runs = load()
    names = only or sorted(runs, key=lambda n: (runs[n].expect is None, runs[n].expect or "", n))
    rows = []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as store:
            for name in names:
                r = runs[name]
                t0 = time.perf_counter()
                run_id = train(name, seed, store)
                t1 = time.perf_counter()
                d = mg.diagnose(run_id, store=store)
                t2 = time.perf_counter()
                s = score(r, d)
                row = {"name": name, "seed": seed, "expect": r.expect, "alternates": list(r.alternates),
                       "tolerated": list(r.tolerated), "family": r.family, "framework": r.framework,
                       "causes": [{"code": c, "severity": sev, "confidence": conf}
                                  for c, sev, conf in causes(d, "info")],
                       "top1": s.top1, "top3": s.top3, "top3_alt": s.top3_alt, "false_alarm": s.false_alarm,
                       "findings": d.codes("warning"), "flagged": bool(d.codes("warning")), "train_s": t1 - t0, "diagnose_s": t2 - t1}
                rows.append(row)
                if verbose:
                    mark = ("ok " if s.top1 else "3  " if s.top3 else "~3 " if s.top3_alt else "MISS") if r.expect else (
                        "FA  " if s.false_alarm else "ok  ")
                    print(f"  seed {seed} {mark:4s} {name:40s} expect={r.expect or '-':24s} "
                          f"causes={list(s.named)[:3]} findings={d.codes('warning')}", flush=True)
    return rows


def report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from tests.diagnose.bugs import CODES

    keys = ("top1", "top3", "top3_alt", "flagged")
    print(f"\n{'cause':26s} {'runs':>5s} {'top-1':>7s} {'top-3':>7s} {'top-3+alt':>10s} {'flagged':>8s}")
    table = {}
    buggy = [r for r in rows if r["expect"]]
    healthy = [r for r in rows if not r["expect"]]
    for code in (*CODES, None):
        part = [r for r in buggy if code is None or r["expect"] == code]
        if not part:
            continue
        acc = {k: sum(r[k] for r in part) / len(part) if part else float("nan") for k in keys}
        table[code or "all"] = {"runs": len(part), **acc}
        print(f"{code or 'all buggy runs':26s} {len(part):5d} {acc['top1']:7.0%} {acc['top3']:7.0%} "
              f"{acc['top3_alt']:10.0%} {acc['flagged']:8.0%}")
    for key in ("framework", "family"):
        groups = sorted({r[key] for r in buggy})
        print(f"top-1 by {key}: " + ", ".join(
            f"{g} {sum(r['top1'] for r in buggy if r[key] == g)}/{sum(r[key] == g for r in buggy)}" for g in groups))
    alarms = [r for r in healthy if r["false_alarm"]]
    print(f"\nhealthy runs with a cause (warning or worse): {len(alarms)} of {len(healthy)}; "
          f"with a warning-or-worse finding: {sum(r['flagged'] for r in healthy)} of {len(healthy)}")
    for r in alarms:
        print(f"  seed {r['seed']} {r['name']}: {[c['code'] for c in r['causes'] if c['severity'] != 'info']}")
    diag = [r["diagnose_s"] for r in rows]
    trn = [r["train_s"] for r in rows]
    print(f"\ndiagnose per run: median {statistics.median(diag) * 1e3:.0f} ms, max {max(diag) * 1e3:.0f} ms; "
          f"training per run: median {statistics.median(trn):.2f} s, total {sum(trn):.0f} s")
    return {"per_code": table, "buggy_runs": len(buggy), "healthy_runs": len(healthy), "false_alarms": len(alarms),
            "diagnose_median_s": statistics.median(diag), "diagnose_max_s": max(diag),
            "train_total_s": sum(trn)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seed 0 tunes; 1 and 2 are held out")
    p.add_argument("--only", nargs="+", help="run only these runs of the suite")
    p.add_argument("--json", type=Path, help="write every run's result and the summary here")
    p.add_argument("-q", "--quiet", action="store_true", help="no line per run")
    p.add_argument("--list", action="store_true", help="list the suite's runs and exit")
    args = p.parse_args(argv)
    if args.list:
        from tests.diagnose.bugs import load

        for name, r in sorted(load().items(), key=lambda kv: (kv[1].expect or "~", kv[0])):
            print(f"{r.expect or 'healthy':24s} {name:38s} {r.family:12s} {r.framework:8s} {r.note}")
        return 0
    if args.only:
        from tests.diagnose.bugs import load

        unknown = sorted(set(args.only) - set(load()))
        if unknown:
            print(f"bench_causes: unknown run(s) {unknown}; see tests/diagnose/bugs.", file=sys.stderr)
            return 2
    has = "causes" in _diagnosis_fields()
    print(f"modelglass {mg.__version__}: Diagnosis.causes {'present' if has else 'absent (every run scores 0)'}; "
          f"seeds {args.seeds}")
    rows = run_suite(args.seeds, args.only, not args.quiet)
    summaries = {}
    for label, seeds in (("tuning", [0]), ("held_out", [s for s in args.seeds if s != 0]),
                         ("all", args.seeds)):
        part = [r for r in rows if r["seed"] in seeds]
        if part and (label == "all" or len(set(args.seeds)) > 1):
            print(f"\n=== {label.replace('_', '-')} seeds: {sorted(set(seeds))} ===")
            summaries[label] = report(part)
    if args.json:
        args.json.write_text(json.dumps({"seeds": args.seeds, "summary": summaries, "runs": rows}, indent=1))
        print(f"\nwrote {args.json}")
    return 0


def _diagnosis_fields() -> set[str]:
    from modelglass.diagnose import Diagnosis

    return set(getattr(Diagnosis, "__dataclass_fields__", {})) | {
        n for n in dir(Diagnosis) if not n.startswith("_")}


if __name__ == "__main__":
    raise SystemExit(main())
