"""Issue 15: a PostgreSQL server that restarts mid-run loses nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import modelglass as mg
from modelglass.core import StoreError
from pg import _as_postgres, _free_port, pg_bin


class Server:
    """A private PostgreSQL cluster that a test can stop and start again."""

    def __init__(self) -> None:
        self.bindir = pg_bin()
        self.root = tempfile.mkdtemp(prefix="mg-pg-")
        self.data = os.path.join(self.root, "data")
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.port = _free_port()
        subprocess.run(_as_postgres([f"{self.bindir}/initdb", "-D", self.data, "-U", "postgres",
                                     "-A", "trust"]), check=True, capture_output=True)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([f"{self.bindir}/pg_ctl", "-D", self.data, *args]),
                       check=True, capture_output=True)

    def start(self) -> None:
        self._ctl("-l", os.path.join(self.root, "log"), "-w", "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off",
                  "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(_as_postgres([f"{self.bindir}/pg_ctl", "-D", self.data, "-m", "immediate",
                                     "stop"]), capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def server(monkeypatch, tmp_path):
    if pg_bin() is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    pytest.importorskip("psycopg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a spool of our own
    s = Server()
    yield s
    s.remove()


def _spooled(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").rglob("*.jsonl"))


def test_server_restart_mid_run_loses_nothing(server, tmp_path) -> None:
    values = np.random.default_rng(0).normal(size=3000)
    run = mg.init("pg", store=server.url, flush_interval=0.05)
    for i in range(0, 1000):
        run.log({"loss": float(values[i])}, step=i)
    run.flush()
    server.stop()
    for i in range(1000, 2000):
        run.log({"loss": float(values[i])}, step=i)
        if i % 250 == 0:
            run.flush()  # durable in the spool file: returns
    run.log_event("during the outage")
    run.flush()
    (spool,) = _spooled(tmp_path)
    assert run._writer.backlog.pending > 0 and spool.stat().st_size > 0
    server.start()
    for i in range(2000, 3000):
        run.log({"loss": float(values[i])}, step=i)
    run.finish()
    assert _spooled(tmp_path) == []  # replayed and removed
    reader = mg.open_store(server.url)
    s = reader.series(run.id, "loss")
    assert s.steps.tolist() == list(range(3000)) and np.array_equal(s.values, values)
    assert reader.run(run.id).status == "finished"
    assert [e.message for e in reader.events(run.id)] == ["during the outage"]


def test_finish_says_what_is_unsent_and_the_next_init_writes_it(server, tmp_path) -> None:
    run = mg.init("pg", store=server.url, flush_interval=0.05)
    run.log({"loss": 1.0}, step=0)
    run.flush()
    server.stop()
    for i in range(1, 500):
        run.log({"loss": 1.0 / (i + 1)}, step=i)
    run._writer.finish_wait = 1.0
    with pytest.raises(StoreError, match=r"Not written: 499 values .* kept in .*\.jsonl") as info:
        run.finish()
    assert str(_spooled(tmp_path)[0]) in str(info.value)
    server.start()
    with mg.init("pg", store=server.url):  # replays what the last run spooled
        pass
    assert _spooled(tmp_path) == []
    reader = mg.open_store(server.url)
    assert reader.series(run.id, "loss").steps.tolist() == list(range(500))
    assert reader.run(run.id).status == "finished"


_DYING = """
import os, sys
import modelglass as mg
run = mg.init("pg", store=sys.argv[1], flush_interval=0.05)
for i in range(100):
    run.log({"x": float(i)}, step=i)
run.flush()
print(run.id, flush=True)
sys.stdin.readline()  # the test stops the server
for i in range(100, 200):
    run.log({"x": float(i)}, step=i)
run.flush()
os._exit(0)  # dies without finishing: what it spooled stays behind
"""


def test_a_process_that_died_during_an_outage_is_replayed_by_the_next_init(server, tmp_path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _DYING, server.url], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    run_id = proc.stdout.readline().strip()
    server.stop()
    proc.communicate("go\n", timeout=120)
    assert proc.returncode == 0 and len(_spooled(tmp_path)) == 1
    server.start()
    time.sleep(0.1)
    with mg.init("pg", store=server.url):
        pass
    s = mg.open_store(server.url).series(run_id, "x")
    assert s.steps.tolist() == list(range(200)) and s.values.tolist() == [float(i) for i in range(200)]
    assert _spooled(tmp_path) == []
