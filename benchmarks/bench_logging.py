"""Logging cost, durability, size and read speed: modelglass vs TensorBoard, in one process.

Run: .venv/bin/python benchmarks/bench_logging.py [--points 1000000] [--repeats 5]
TensorBoard's numbers need `pip install tensorboard` (torch's SummaryWriter writes the events).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import modelglass as mg
from modelglass.track import compute_histogram


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def result(n: int, timings: tuple[float, float, float, float, float], size: int, read: int) -> dict[str, float]:
    """The row both tools report: timings are (start, calls done, durable, read start, read done)."""
    t0, t1, t2, t3, t4 = timings
    return {
        "call_us_per_value": (t1 - t0) / n * 1e6,
        "durable_s": t2 - t0,
        "values_per_s": n / (t2 - t0),
        "bytes_per_point": size / n,
        "read_ms": (t4 - t3) * 1e3,
        "read_points": read,
    }


def bench_modelglass(n: int, width: int) -> dict[str, float]:
    """Log n values as n/width calls of a dict with `width` keys."""
    root = Path(tempfile.mkdtemp(prefix="mg-bench-"))
    try:
        values = np.random.default_rng(0).normal(size=n).tolist()
        keys = [f"m{k}" for k in range(width)]
        calls = n // width
        rows = [dict(zip(keys, values[i * width:(i + 1) * width])) for i in range(calls)]
        run = mg.init("bench", store=root)
        t0 = time.perf_counter()
        log = run.log
        for row in rows:
            log(row)
        t1 = time.perf_counter()
        run.finish()
        t2 = time.perf_counter()
        size = dir_bytes(root)
        reader = mg.open_store(root)
        t3 = time.perf_counter()
        s = reader.series(run.id, keys[0])
        t4 = time.perf_counter()
        assert len(s) == calls and s.values[0] == values[0]
        return result(n, (t0, t1, t2, t3, t4), size, len(s))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bench_tensorboard(n: int) -> dict[str, float] | None:
    try:
        from torch.utils.tensorboard import SummaryWriter
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    except ImportError:
        return None
    root = Path(tempfile.mkdtemp(prefix="tb-bench-"))
    try:
        values = np.random.default_rng(0).normal(size=n).tolist()
        w = SummaryWriter(str(root))
        t0 = time.perf_counter()
        for i, v in enumerate(values):
            w.add_scalar("loss", v, i)
        t1 = time.perf_counter()
        w.close()
        t2 = time.perf_counter()
        size = dir_bytes(root)
        t3 = time.perf_counter()
        acc = EventAccumulator(str(root), size_guidance={"scalars": 0})
        acc.Reload()
        pts = acc.Scalars("loss")
        t4 = time.perf_counter()
        assert len(pts) == n
        return result(n, (t0, t1, t2, t3, t4), size, len(pts))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bench_histograms(count: int) -> tuple[float, float | None]:
    x = np.random.default_rng(0).normal(size=1_000_000).astype(np.float32)
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        compute_histogram(x)
        times.append(time.perf_counter() - t0)
    mg_ms = statistics.median(times) * 1e3
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return mg_ms, None
    root = tempfile.mkdtemp(prefix="tb-hist-")
    w = SummaryWriter(root)
    tb = []
    for i in range(min(count, 20)):
        t0 = time.perf_counter()
        w.add_histogram("w", x, i)
        tb.append(time.perf_counter() - t0)
    w.close()
    shutil.rmtree(root, ignore_errors=True)
    return mg_ms, statistics.median(tb) * 1e3


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--tb-points", type=int, default=200_000, help="TensorBoard is slow: fewer points")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    print(f"cpu cores: {os.cpu_count()}; medians of {args.repeats} runs (TensorBoard: 1 run)\n")
    rows = []
    for width in (1, 10):
        r = median_of([bench_modelglass(args.points, width) for _ in range(args.repeats)])
        rows.append((f"modelglass, {width}-key dicts", args.points, r))
    tb = bench_tensorboard(args.tb_points)
    if tb:
        rows.append(("TensorBoard SummaryWriter", args.tb_points, tb))
    head = f"| {'tool':32} | {'points':>9} | {'µs/value on caller':>18} | {'durable after (s)':>17} | {'values/s durable':>16} | {'bytes/point':>11} | {'read all (ms)':>13} |"
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for name, n, r in rows:
        print(f"| {name:32} | {n:>9,} | {r['call_us_per_value']:>18.3f} | {r['durable_s']:>17.3f} | "
              f"{r['values_per_s']:>16,.0f} | {r['bytes_per_point']:>11.2f} | {r['read_ms']:>13.1f} |")
    mg_ms, tb_ms = bench_histograms(100)
    print(f"\nhistogram of a 1,000,000-element float32 array (median of 100): modelglass {mg_ms:.2f} ms"
          + (f", TensorBoard add_histogram {tb_ms:.1f} ms (median of 20), ratio {tb_ms / mg_ms:.1f}x" if tb_ms else ""))
    if tb:
        mg1 = rows[0][2]
        print(f"ratios vs TensorBoard (1-key dicts): call cost {tb['call_us_per_value'] / mg1['call_us_per_value']:.0f}x lower, "
              f"size {tb['bytes_per_point'] / mg1['bytes_per_point']:.1f}x smaller, read "
              f"{(tb['read_ms'] / tb['read_points']) / (mg1['read_ms'] / mg1['read_points']):.0f}x faster per point")


if __name__ == "__main__":
    main()
