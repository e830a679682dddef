"""Issue 15, D11: a tuning worker that dies leaves a failed trial and a crashed run, not 'running'."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import modelglass as mg

_WORKER = """
import sys, time
import modelglass as mg

def objective(trial):
    x = trial.suggest_float("x", -1.0, 1.0)
    print("started", flush=True)
    time.sleep(600)  # killed here
    return x

mg.tune(objective, n_trials=1, study="s", store=sys.argv[1], storage=sys.argv[2], heartbeat=1)
"""


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
def test_killed_worker_trial_is_failed_retried_and_its_run_crashed(tmp_path: Path) -> None:
    optuna = pytest.importorskip("optuna")
    store = tmp_path / "store"
    storage = str(tmp_path / "optuna.db")  # a database storage: Optuna's heartbeat works there
    worker = subprocess.Popen([sys.executable, "-c", _WORKER, str(store), storage],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "started"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=60)
    killed_at = time.monotonic()
    time.sleep(2.5)  # past the grace period (twice the heartbeat)

    seen = []

    def objective(trial):
        seen.append(dict(trial.params))
        return trial.params["x"] ** 2

    result = mg.tune(objective, n_trials=1, study="s", store=store, storage=storage,
                     heartbeat=1, retries=1)
    assert time.monotonic() - killed_at < 60
    st = optuna.load_study(study_name="s", storage=f"sqlite:///{storage}")
    states = [t.state.name for t in st.trials]
    assert states == ["FAIL", "COMPLETE"]
    first, retried = st.trials
    assert seen == [first.params]  # the retry ran the dead trial's parameters again
    assert optuna.storages.RetryHeartbeatStaleTrialCallback.retried_trial_number(retried) == 0
    reader = mg.open_store(store)
    assert reader.run(first.user_attrs["modelglass_run_id"]).status == "crashed"
    assert {r.name: r.status for r in reader.runs()} == {
        "s/trial-0": "crashed", "s/trial-1": "finished"}
    # Stored as crashed, not only read so because its pid is gone:
    raw = {r["name"]: r["status"] for r in reader._backend.runs()}
    assert raw["s/trial-0"] == "crashed"
    assert len(result.trials) == 2
