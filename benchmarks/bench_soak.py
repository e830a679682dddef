"""Soak: many writer processes, readers at the same time, writers killed with SIGKILL at random.

Run: .venv/bin/python benchmarks/bench_soak.py [--minutes 10] [--writers 8] [--backend sqlite|postgres|both]

Each writer logs one value per step (the value is the wall time it was logged at) and is
replaced when killed. Afterwards every run is read back:

- a killed writer may lose only what it logged in its last flush interval: points lost
  beyond that are counted as ``lost``; holes in the steps are counted too;
- a writer that finished must have every step it reported;
- ``errors`` counts writer and reader processes that failed (exit code or traceback);
- ``writer_rss_growth_mb`` is the median growth of a finished writer's peak memory
  between its first and its last minute.

PostgreSQL needs the server binaries (a private server is started, as the tests do).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLUSH_S = 1.0

_WRITER = """
import json, resource, sys, time
import modelglass as mg
store, seconds = sys.argv[1], float(sys.argv[2])
run = mg.init("soak", store=store, flush_interval=%(flush)s)
print(json.dumps({"run": run.id}), flush=True)
end = time.time() + seconds
i, first_rss = 0, None
while time.time() < end:
    run.log({"t": time.time()}, step=i)
    i += 1
    if i %% 200 == 0:
        time.sleep(0.01)  # about 10,000 values a second per writer
    if first_rss is None and time.time() > end - 0.75 * seconds:
        first_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run.finish()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"steps": i, "rss_growth_kb": rss - (first_rss or rss)}), flush=True)
""" % {"flush": FLUSH_S}

_READER = """
import sys, time
import modelglass as mg
store, seconds = sys.argv[1], float(sys.argv[2])
end, reads = time.time() + seconds, 0
while time.time() < end:
    r = mg.open_store(store)
    for info in r.runs():
        if "t" in r.tags(info.id):
            r.series(info.id, "t")
        reads += 1
    r.close()
    time.sleep(0.2)
print(reads)
"""


def soak(store: str, minutes: float, writers: int, kill_every: float) -> dict[str, float]:
    seconds = minutes * 60
    end = time.time() + seconds
    live: list[tuple[subprocess.Popen[str], str]] = []
    killed: list[tuple[str, float]] = []
    finished: list[tuple[str, subprocess.Popen[str]]] = []
    errors = 0
    messages: list[str] = []

    def start() -> None:
        left = max(end - time.time(), 1.0)
        p = subprocess.Popen([sys.executable, "-c", _WRITER, store, str(left)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        run_id = json.loads(p.stdout.readline())["run"]  # type: ignore[union-attr]
        live.append((p, run_id))

    for _ in range(writers):
        start()
    readers = [subprocess.Popen([sys.executable, "-c", _READER, store, str(seconds)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    next_kill = time.time() + random.expovariate(1 / kill_every)
    while time.time() < end - 5:
        time.sleep(0.2)
        if time.time() >= next_kill and live:
            p, run_id = live.pop(random.randrange(len(live)))
            os.kill(p.pid, signal.SIGKILL)
            killed.append((run_id, time.time()))
            p.wait()
            start()
            next_kill = time.time() + random.expovariate(1 / kill_every)
    for p, run_id in live:
        p.wait(timeout=600)
        finished.append((run_id, p))
    for r in readers:
        r.wait(timeout=600)
        err = r.stderr.read() if r.stderr else ""
        if r.returncode != 0 or "Traceback" in err:
            errors += 1
            messages.append(err.strip().splitlines()[-1] if err.strip() else f"exit {r.returncode}")

    import modelglass as mg

    reader = mg.open_store(store)
    lost = holes = missing_finished = 0
    growth = []
    for run_id, t_kill in killed:
        s = reader.series(run_id, "t") if "t" in reader.tags(run_id) else None
        steps = [] if s is None else s.steps.tolist()
        holes += (steps[-1] + 1 - len(steps)) if steps else 0
        last = float(s.values[-1]) if s is not None and len(s) else None
        # Points logged earlier than one flush interval (plus 0.5 s of slack) before the
        # kill must be stored; the writer logs about 10,000 a second.
        if last is not None and last < t_kill - FLUSH_S - 0.5:
            lost += int((t_kill - FLUSH_S - 0.5 - last) * 10_000)
    for run_id, p in finished:
        out = p.stdout.read().strip().splitlines() if p.stdout else []
        err = p.stderr.read() if p.stderr else ""
        if p.returncode != 0 or "Traceback" in err or not out:
            errors += 1
            messages.append(err.strip().splitlines()[-1] if err.strip() else f"exit {p.returncode}")
            continue
        report = json.loads(out[-1])
        growth.append(report["rss_growth_kb"] / 1024)
        s = reader.series(run_id, "t")
        missing_finished += report["steps"] - len(s)
        holes += int(s.steps[-1]) + 1 - len(s) if len(s) else 0
    return {
        "writers_killed": len(killed), "writers_finished": len(finished),
        "points_lost_beyond_flush_interval": lost, "step_holes": holes,
        "points_missing_from_finished_runs": missing_finished, "errors": errors,
        "error_messages": sorted(set(messages))[:5],
        "writer_rss_growth_mb": round(statistics.median(growth), 1) if growth else None,
        "points_stored": sum(len(reader.series(r.id, "t")) for r in reader.runs()
                             if "t" in reader.tags(r.id)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--kill-every", type=float, default=20.0, help="mean seconds between kills")
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = ap.parse_args()
    random.seed(0)
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            row = soak(str(Path(tmp) / "store"), args.minutes, args.writers, args.kill_every)
            print(json.dumps({"backend": "sqlite", **row}))
    if args.backend in ("postgres", "both"):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from pg import pg_bin, postgres_server

        if pg_bin() is None:
            print(json.dumps({"backend": "postgres", "skipped": "no PostgreSQL server binaries"}))
            return
        with postgres_server() as url:
            row = soak(url, args.minutes, args.writers, args.kill_every)
            print(json.dumps({"backend": "postgres", **row}))


if __name__ == "__main__":
    main()
