"""Several worker processes on one study: a journal file, and PostgreSQL when its binaries exist."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import modelglass as mg
from modelglass.tune import load_study
from pg import pg_bin, postgres_server

WORKER = textwrap.dedent(
    """
    import sys
    import modelglass as mg

    store, storage, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

    def objective(trial):
        x = trial.suggest_float("x", -3.0, 3.0)
        return (x - 1.0) ** 2

    mg.tune(objective, n_trials=n, study="shared", store=store, storage=storage)
    """
)


def _run_workers(tmp_path: Path, store: Path, storage: str, n: int) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = [
        subprocess.Popen([sys.executable, str(script), str(store), storage, str(n)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err[-2000:]


def _check_shared(store: Path, storage: str, n: int) -> None:
    result = load_study("shared", store=store, storage=storage)
    assert len(result.trials) == 2 * n
    assert sorted(t.number for t in result.trials) == list(range(2 * n))
    assert all(t.state == "complete" for t in result.trials)
    with mg.open_store(store) as reader:
        runs = reader.runs(study="shared")
        assert len(runs) == 2 * n
        assert len({r.pid for r in runs}) == 2  # both processes did trials
        assert {r.id for r in runs} == {t.run_id for t in result.trials}


def test_two_processes_share_one_study_through_a_journal_file(tmp_path: Path) -> None:
    store, journal = tmp_path / "store", str(tmp_path / "studies.journal")
    _run_workers(tmp_path, store, journal, n=6)
    _check_shared(store, journal, n=6)


@pytest.mark.postgres
@pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL server binaries not installed")
def test_two_processes_share_one_study_on_postgresql(tmp_path: Path) -> None:
    with postgres_server() as url:
        store = tmp_path / "store"
        _run_workers(tmp_path, store, url, n=4)
        _check_shared(store, url, n=4)
