"""``check_data`` on a very wide CSV (issue 15, D12): seconds and peak memory.

Run: .venv/bin/python benchmarks/bench_wide_csv.py [--columns 200000] [--rows 3] [--repeats 3]
Each repeat runs in a fresh process, so that the peak memory is that run's own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

_ONE = """
import json, resource, sys, time
import modelglass as mg
t = time.perf_counter()
mg.check_data(sys.argv[1])
print(json.dumps({"s": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_csv(path: Path, columns: int, rows: int) -> None:
    rng = np.random.default_rng(0)
    with open(path, "w") as fh:
        fh.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        for _ in range(rows):
            fh.write(",".join(map(str, rng.integers(0, 10, columns))) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--columns", type=int, default=200_000)
    ap.add_argument("--rows", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wide.csv"
        write_csv(path, args.columns, args.rows)
        runs = [json.loads(subprocess.run([sys.executable, "-c", _ONE, str(path)], check=True,
                                          capture_output=True, text=True).stdout)
                for _ in range(args.repeats)]
        size_mb = path.stat().st_size / 1e6
    print(json.dumps({
        "columns": args.columns, "rows": args.rows, "csv_mb": round(size_mb, 2),
        "median_s": round(statistics.median(r["s"] for r in runs), 1),
        "median_peak_mb": round(statistics.median(r["peak_mb"] for r in runs)),
        "runs_s": [round(r["s"], 1) for r in runs],
    }))


if __name__ == "__main__":
    main()
