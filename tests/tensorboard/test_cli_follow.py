"""The import command as a user runs it, following a folder, and diagnose on imported names."""

from __future__ import annotations

import json
import subprocess
import threading
import time

import numpy as np
import pytest

import modelglass as mg
from helpers import PYTHON, python_env
from modelglass.cli import main
from modelglass.integrations.tensorboard import TensorBoardImporter, import_tensorboard

torch_tb = pytest.importorskip("torch.utils.tensorboard")


def _logs(logdir, n=20):
    with torch_tb.SummaryWriter(str(logdir / "a")) as w:
        for step in range(n):
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_histogram("h", np.arange(100.0), 0)
        w.add_text("t", "hi", 0)


def test_cli_import_json_and_exit_codes(tmp_path, capsys):
    _logs(tmp_path / "logs")
    argv = ["import", "tensorboard", str(tmp_path / "logs"), "--store", str(tmp_path / "mg.db"), "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["runs"]
    assert {k: row[k] for k in ("name", "created", "points", "series", "histograms", "texts",
                                 "skipped_records")} == {
        "name": "a", "created": True, "points": 20, "series": 1, "histograms": 1, "texts": 1,
        "skipped_records": 0}
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)["runs"][0]
    assert (again["run_id"], again["created"], again["points"]) == (row["run_id"], False, 0)

    assert main(["import", "tensorboard", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist or is not a folder" in err
    assert main(["import", "csv", "x"]) == 2
    assert "invalid choice: 'csv'" in capsys.readouterr().err


def test_cli_prints_a_corrupt_record_as_one_warning_line(tmp_path):
    _logs(tmp_path / "logs")
    (path,) = (tmp_path / "logs" / "a").iterdir()
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF  # the last record's CRC
    path.write_bytes(bytes(data))
    proc = subprocess.run(
        [PYTHON, "-m", "modelglass", "import", "tensorboard", str(tmp_path / "logs"),
         "--store", str(tmp_path / "mg.db")],
        capture_output=True, text=True, env=python_env(), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("modelglass: warning: Skipped a corrupt record of ") and str(path) in line
    assert "imported 1 runs" in proc.stdout and "Traceback" not in proc.stderr


def test_follow_imports_what_training_writes(tmp_path):
    logdir = tmp_path / "logs"
    logdir.mkdir()
    store = tmp_path / "mg.db"
    stop = threading.Event()
    passes: list[int] = []
    statuses: list[str] = []
    with TensorBoardImporter(logdir, store=store) as imp:
        assert imp.import_once(require_runs=False) == []  # nothing written yet: not an error
        t = threading.Thread(target=imp.follow, kwargs={
            "interval": 0.05, "stop": stop.is_set, "on_pass": lambda d: passes.append(len(d))})
        t.start()
        try:
            w = torch_tb.SummaryWriter(str(logdir / "live"))
            for step in range(30):
                w.add_scalar("loss", float(step), step)
            w.flush()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                runs = mg.open_store(store).runs() if store.exists() else []
                # A new run's row is committed just before its first points.
                if runs and "loss" in mg.open_store(store).tags(runs[0].id) and len(
                        mg.open_store(store).series(runs[0].id, "loss")) == 30:
                    statuses.append(mg.open_store(store).run(runs[0].id).status)
                    if statuses[-1] == "running":
                        break
                time.sleep(0.05)
            w.close()
        finally:
            stop.set()
            t.join(30)
    assert not t.is_alive() and statuses[-1] == "running"  # while training writes
    (run,) = mg.open_store(store).runs()
    assert run.status == "finished" and run.ended is not None  # once following stopped
    np.testing.assert_array_equal(mg.open_store(store).series(run.id, "loss").values, np.arange(30.0))


def test_a_run_quiet_for_a_while_is_finished_while_following(tmp_path):
    logdir = tmp_path / "logs"
    with torch_tb.SummaryWriter(str(logdir / "r")) as w:
        w.add_scalar("loss", 1.0, 0)
    store = tmp_path / "mg.db"
    seen: list[str] = []

    def on_pass(_done):
        (run,) = mg.open_store(store).runs()
        seen.append(run.status)

    with TensorBoardImporter(logdir, store=store) as imp:
        imp.follow(interval=0.01, quiet=0.2, on_pass=on_pass,
                   stop=lambda: "finished" in seen or len(seen) > 2000)
    assert seen[0] == "running" and seen[-1] == "finished"


def test_diagnose_reads_the_names_tensorboard_writers_use(tmp_path):
    logdir = tmp_path / "logs"
    with torch_tb.SummaryWriter(str(logdir / "diverging")) as w:
        for step in range(60):
            w.add_scalar("Loss/train", 0.5 * 1.1 ** step, step)
            w.add_scalar("Loss/val", 0.6 * 1.1 ** step, step)
            w.add_scalar("train/grad_norm", 1.0 * 1.2 ** step, step)
    store = tmp_path / "mg.db"
    import_tensorboard(logdir, store=store)
    result = mg.diagnose("diverging", store=store)
    codes = {f.code for f in result.findings}
    # Loss/train is the training loss; train/grad_norm feeds the gradient rule.
    assert {"loss_divergence", "exploding_gradients"} <= codes
    found = next(f for f in result.findings if f.code == "loss_divergence")
    assert found.evidence["start_loss"] == pytest.approx(0.5, rel=1e-6)
    grads = next(f for f in result.findings if f.code == "exploding_gradients")
    assert grads.evidence["peak_step"] == 59
