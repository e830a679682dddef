"""`modelglass ui --tensorboard LOGDIR`: the dashboard serves imported runs and sees them grow."""

from __future__ import annotations

import socket
import time
import warnings
from typing import Any

import pytest

from modelglass.cli._main import main

uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")
torch_tb = pytest.importorskip("torch.utils.tensorboard")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ui_follows_a_tensorboard_folder(tmp_path, monkeypatch, capsys):
    logdir = tmp_path / "logs"
    writer = torch_tb.SummaryWriter(str(logdir / "live"))
    for step in range(10):
        writer.add_scalar("loss", 1.0 / (step + 1), step)
    writer.flush()
    seen: dict[str, Any] = {}

    def fake_run(app: Any, host: str, port: int, **kwargs: Any) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient
        client = TestClient(app)
        (run,) = client.get("/api/runs").json()["runs"]
        seen["name"] = run["name"]
        seen["before"] = _loss_length(client, run["id"])
        for step in range(10, 25):  # training goes on while the dashboard is open
            writer.add_scalar("loss", 1.0 / (step + 1), step)
        writer.flush()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _loss_length(client, run["id"]) < 25:
            time.sleep(0.1)
        seen["after"] = _loss_length(client, run["id"])

    monkeypatch.setattr(uvicorn, "run", fake_run)
    store = tmp_path / "store"
    assert main(["ui", "--store", str(store), "--port", str(_free_port()),
                 "--tensorboard", str(logdir)]) == 0
    writer.close()
    assert seen == {"name": "live", "before": 10, "after": 25}
    assert "imported 1 TensorBoard runs" in capsys.readouterr().err


def _loss_length(client: Any, run_id: str) -> int:
    detail = client.get(f"/api/runs/{run_id}").json()
    rows = detail.get("series") or detail.get("series_stats") or []
    return next((int(r["length"]) for r in rows if r["tag"] == "loss"), 0)
