"""`modelglass ui`: arguments, the warning for a non-loopback host, one-line errors."""

from __future__ import annotations

import socket
import warnings
from pathlib import Path
from typing import Any

import pytest
import uvicorn

import modelglass as mg
from modelglass.cli._main import main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, host: str, port: int, **kwargs: Any) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # starlette 1.x suggests httpx2 for the TestClient
            from fastapi.testclient import TestClient

        client = TestClient(app)  # while the command still holds the store open
        seen.update(host=host, port=port, plain=client.get("/api/runs").status_code,
                    with_token=client.get("/api/runs", headers={"X-Modelglass-Token": "abc"}).status_code)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return seen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _store(path: Path) -> Path:
    with mg.init(project="p", store=path) as run:
        run.log({"loss": 1.0})
    return path


def test_defaults_bind_loopback_without_a_warning(store_dir: Path, served: dict[str, Any],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    assert main(["ui", "--store", str(_store(store_dir)), "--port", str(port)]) == 0
    assert served["host"] == "127.0.0.1" and served["port"] == port
    out, err = capsys.readouterr()
    assert f"http://127.0.0.1:{port}/" in out and "warning" not in err


def test_another_host_without_a_token_prints_a_warning(store_dir: Path, served: dict[str, Any],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    assert main(["ui", "--store", str(_store(store_dir)), "--host", "0.0.0.0", "--port", str(port)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "--token" in err and served["host"] == "0.0.0.0"


def test_a_token_silences_the_warning_and_is_enforced(store_dir: Path, served: dict[str, Any],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    code = main(["ui", "--store", str(_store(store_dir)), "--host", "0.0.0.0", "--port", str(port),
                 "--token", "abc"])
    assert code == 0 and "warning" not in capsys.readouterr().err
    assert served["plain"] == 401 and served["with_token"] == 200


def test_bad_store_and_busy_port_are_one_line_errors(tmp_path: Path, store_dir: Path,
                                                     served: dict[str, Any],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ui", "--store", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No store at" in err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["ui", "--store", str(_store(store_dir)), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f":{port}" in err and "--port" in err
    assert main(["ui", "--port", "70000"]) == 2
    assert not served
