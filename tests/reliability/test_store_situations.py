"""Issue 15, D7/D9: a full disk says so and loses nothing; many runs started at once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import modelglass as mg
from modelglass.store import StoreUnavailableError

_STARTER = """
import json, sys, time
import modelglass as mg
start_at = float(sys.argv[2])
time.sleep(max(0.0, start_at - time.time()))
try:
    run = mg.init("same", store=sys.argv[1])
    run.log({"x": 1.0})
    run.finish()
    print(json.dumps({"name": run.name}))
except Exception as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
"""


def test_d9_six_runs_started_at_once_on_a_new_store(tmp_path: Path) -> None:
    store = tmp_path / "new-store"
    start_at = time.time() + 3.0  # after every interpreter has imported modelglass
    procs = [
        subprocess.Popen([sys.executable, "-c", _STARTER, str(store), str(start_at)],
                         stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert [r.get("error") for r in results] == [None] * 6
    assert sorted(r["name"] for r in results) == [f"same-{i}" for i in range(1, 7)]
    assert len(mg.open_store(store).runs(status="finished")) == 6


def test_d9_default_names_count_per_project(store_dir) -> None:
    names = []
    for project in ("a", "b", "a"):
        with mg.init(project, store=store_dir) as run:
            names.append(run.name)
    with mg.init("a", name="a-4", store=store_dir):
        pass
    with mg.init("a", store=store_dir) as run:
        names.append(run.name)  # the fourth of "a", but a-4 is taken
    assert names == ["a-1", "b-1", "a-2", "a-5"]


def test_d7_full_disk_says_so_and_nothing_is_lost(store_dir) -> None:
    run = mg.init("full", store=store_dir, flush_interval=3600)
    run.flush()
    conn = run._backend._conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the database may not grow: a full disk
    values = np.random.default_rng(0).normal(size=20_000)
    for i, v in enumerate(values):
        run.log({"loss": float(v)}, step=i)
    run.log_artifact("notes", {"text": "x" * 100_000})
    with pytest.raises(StoreUnavailableError, match="the disk is full") as info:
        run.flush()
    assert "rollback" not in str(info.value)  # the old message hid the real cause
    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    run.finish()
    reader = mg.open_store(store_dir)
    s = reader.series(run.id, "loss")
    assert s.steps.tolist() == list(range(20_000))
    assert np.array_equal(s.values, values)
    assert reader.artifact(run.id, "notes") == {"text": "x" * 100_000}
    assert reader.run(run.id).status == "finished"
