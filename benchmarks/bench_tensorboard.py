"""TensorBoard import: modelglass vs TensorBoard's own loader, side by side in one process.

A. 100,000 scalar points (10 tags x 10,000 steps) + 100 histograms of 10,000 values,
   written by torch's SummaryWriter. modelglass: `import_tensorboard` into a fresh
   SQLite store (read, check CRCs, parse, write every point). TensorBoard:
   `EventAccumulator` with every size guidance 0 (keep everything) and `Reload()`
   (read and parse only; it stores nothing). Medians of 5, alternating.
B. A log folder of 200 runs x 20 tags x 10,000 points (40 million points), imported
   once into a fresh store.

Usage: python benchmarks/bench_tensorboard.py [--repeats 5] [--runs 200] [--skip-large]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

from modelglass.integrations.tensorboard import import_tensorboard

ALL = {"scalars": 0, "histograms": 0, "tensors": 0, "images": 0, "audio": 0,
       "compressedHistograms": 0}


def write_torch_logs(folder: str) -> int:
    from torch.utils.tensorboard import SummaryWriter

    rng = np.random.default_rng(0)
    values = rng.normal(size=(10, 10_000)).astype(np.float32)
    w = SummaryWriter(folder, max_queue=10_000, flush_secs=3600)
    for step in range(10_000):
        for k in range(10):
            w.add_scalar(f"metric_{k}", float(values[k, step]), step)
    for i in range(100):
        w.add_histogram("weights/fc", rng.normal(size=10_000), i)
    w.close()
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))


def time_ours(logdir: str, tmp: str) -> tuple[float, float]:
    """Wall and CPU seconds of one import into a fresh store."""
    store = os.path.join(tmp, "store.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    t, c = time.perf_counter(), time.process_time()
    import_tensorboard(logdir, store=store)
    return time.perf_counter() - t, time.process_time() - c


def time_accumulator(run_dir: str) -> tuple[float, float, int]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    t, c = time.perf_counter(), time.process_time()
    acc = EventAccumulator(run_dir, size_guidance=ALL)
    acc.Reload()
    took, cpu = time.perf_counter() - t, time.process_time() - c
    n = sum(len(acc.Scalars(tag)) for tag in acc.Tags()["scalars"])
    return took, cpu, n


def part_a(tmp: str, repeats: int) -> None:
    logdir = os.path.join(tmp, "a")
    run_dir = os.path.join(logdir, "run")
    size = write_torch_logs(run_dir)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"A. 100,000 scalars + 100 histograms written by torch: {size / 1e6:.1f} MB; "
          f"TensorFlow installed: {importlib.util.find_spec('tensorflow') is not None}")
    ours, theirs, ours_cpu, theirs_cpu = [], [], [], []
    for _ in range(repeats):
        wall, cpu = time_ours(logdir, tmp)
        ours.append(wall)
        ours_cpu.append(cpu)
        took, cpu, n = time_accumulator(run_dir)
        assert n == 100_000, n
        theirs.append(took)
        theirs_cpu.append(cpu)
    import modelglass as mg

    reader = mg.open_store(os.path.join(tmp, "store.db"))
    (run,) = reader.runs()
    points = sum(s.length for s in reader.series_stats(run.id))
    hists = len(reader.histograms(run.id, "weights/fc"))
    reader.close()
    assert (points, hists) == (100_000, 100), (points, hists)
    mo, mt = statistics.median(ours), statistics.median(theirs)
    co, ct = statistics.median(ours_cpu), statistics.median(theirs_cpu)
    print("| reader | median wall (s) | median CPU (s) | wall of each run (s) |")
    print("|---|---:|---:|---|")
    print(f"| modelglass import_tensorboard (into the store) | {mo:.3f} | {co:.3f} | "
          f"{', '.join(f'{x:.3f}' for x in ours)} |")
    print(f"| EventAccumulator, size guidance 0 (read only) | {mt:.3f} | {ct:.3f} | "
          f"{', '.join(f'{x:.3f}' for x in theirs)} |")
    print(f"ratio: modelglass is {mt / mo:.1f}x faster by wall time, {ct / co:.1f}x by CPU time "
          "(target >= 3x, <= 1 s)")


def write_large(tmp: str, runs: int, tags: int, points: int) -> tuple[str, int]:
    from tensorboard.compat.proto import event_pb2, summary_pb2

    from modelglass.integrations.tensorboard._records import write_records

    S = summary_pb2.Summary
    rng = np.random.default_rng(1)
    values = rng.normal(size=(points, tags)).astype(np.float32).tolist()
    payloads = [event_pb2.Event(wall_time=1.7e9, file_version="brain.Event:2").SerializeToString()]
    t0 = 1.7e9
    for step in range(points):
        row = values[step]
        for k in range(tags):
            ev = event_pb2.Event(wall_time=t0 + step * 0.01 + k * 1e-4, step=step,
                                 summary=S(value=[S.Value(tag=f"group/metric_{k}",
                                                          simple_value=row[k])]))
            payloads.append(ev.SerializeToString())
    logdir = os.path.join(tmp, "b")
    first = os.path.join(logdir, "run_000", "events.out.tfevents.1700000000.bench")
    os.makedirs(os.path.dirname(first))
    with open(first, "wb") as fh:
        write_records(fh, payloads)
    for r in range(1, runs):
        dst = os.path.join(logdir, f"run_{r:03d}", "events.out.tfevents.1700000000.bench")
        os.makedirs(os.path.dirname(dst))
        shutil.copyfile(first, dst)  # a real copy each: no shared page of a hard link
    return logdir, os.path.getsize(first) * runs


def part_b(tmp: str, runs: int, tags: int, points: int) -> None:
    logdir, size = write_large(tmp, runs, tags, points)
    print(f"\nB. {runs} runs x {tags} tags x {points:,} points = {runs * tags * points:,} points, "
          f"{size / 1e9:.2f} GB of event files")
    store = os.path.join(tmp, "large.db")
    t, c = time.perf_counter(), time.process_time()
    ids = import_tensorboard(logdir, store=store)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    import modelglass as mg

    reader = mg.open_store(store)
    total = sum(s.length for rid in ids for s in reader.series_stats(rid))
    reader.close()
    assert total == runs * tags * points, total
    print(f"imported {len(ids)} runs, {total:,} points in {took:.1f} s wall, {cpu:.1f} s CPU "
          f"({total / took / 1e6:.2f} M points/s; target < 60 s)")
    print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--tags", type=int, default=20)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    if importlib.util.find_spec("tensorboard") is None:
        print("tensorboard is not installed: pip install 'modelglass[tensorboard]'")
        return 0
    tmp = tempfile.mkdtemp(prefix="mg-bench-tb-")
    try:
        part_a(tmp, args.repeats)
        if not args.skip_large:
            part_b(tmp, args.runs, args.tags, args.points)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
