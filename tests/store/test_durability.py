"""SIGKILL in the middle of logging; many writer processes and a reader at once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np

import modelglass as mg
from helpers import PYTHON, python_env

WRITER = """
import sys, time, modelglass as mg
store, name, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
run = mg.init(project="stress", name=name, store=store, flush_interval=0.05)
end = time.monotonic() + seconds if seconds > 0 else float("inf")
i = 0
while time.monotonic() < end:
    run.log({"a": float(i), "b": float(-i)}, step=i)
    i += 1
    if seconds <= 0 and i % 100 == 0:
        run.flush()
        print(i - 1, flush=True)  # everything up to i - 1 is durable now
    if i % 50 == 0:
        time.sleep(0.001)
run.finish()
print(i, flush=True)
"""


def _start(store: Path, name: str, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-c", WRITER, str(store), name, str(seconds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=python_env(),
    )


def test_sigkill_keeps_flushed_data_and_reads_as_crashed(store_dir: Path) -> None:
    proc = _start(store_dir, "victim", 0)
    durable = -1
    assert proc.stdout is not None
    while durable < 1500:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "writer died"
        durable = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reader = mg.open_store(store_dir)
    (info,) = reader.runs()
    assert info.status == "crashed"
    s = reader.series(info.id, "a")
    # Every point up to the last confirmed flush is there, in order, with no gap or duplicate.
    assert len(s) >= durable + 1
    assert s.steps.tolist() == list(range(len(s)))
    np.testing.assert_array_equal(s.values, np.arange(len(s), dtype=float))
    # The store still takes new runs after the crash.
    with mg.init("after", store=store_dir) as run:
        run.log({"x": 1.0})
    assert mg.open_store(store_dir).series(run.id, "x").values.tolist() == [1.0]


def test_four_writers_and_a_reader(store_dir: Path) -> None:
    mg.init("setup", store=store_dir).finish()  # create the schema once
    procs = [_start(store_dir, f"w{i}", 4.0) for i in range(4)]
    reader = mg.open_store(store_dir)
    reads = 0
    while any(p.poll() is None for p in procs):
        for info in reader.runs(project="stress"):
            for tag in reader.tags(info.id):
                s = reader.series(info.id, tag)
                # A reader never sees a torn chunk: steps are 0..k-1 at every moment.
                assert s.steps.tolist() == list(range(len(s)))
                reads += 1
        time.sleep(0.05)
    logged = {}
    for i, p in enumerate(procs):
        out, err = p.communicate()
        assert p.returncode == 0, err
        assert "locked" not in err
        logged[f"w{i}"] = int(out.split()[-1])
    runs = reader.runs(project="stress")
    assert sorted(r.name for r in runs) == ["w0", "w1", "w2", "w3"]
    for info in runs:
        assert info.status == "finished"
        n = logged[info.name]
        assert n > 1000
        a, b = reader.series(info.id, "a"), reader.series(info.id, "b")
        assert a.steps.tolist() == list(range(n))
        np.testing.assert_array_equal(a.values, np.arange(n, dtype=float))
        np.testing.assert_array_equal(b.values, -np.arange(n, dtype=float))
    assert reads > 0
