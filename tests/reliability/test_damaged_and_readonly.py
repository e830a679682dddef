"""Issue 15, D3/D4/D5/D8: damaged and read-only stores, odd tokens and URL bounds."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import modelglass as mg
from modelglass.cli._main import main
from modelglass.core import StoreError


def _filled(store: Path) -> str:
    with mg.init("p", store=store) as run:
        for i in range(3000):
            run.log({"loss": 1.0 / (i + 1), "acc": i / 3000}, step=i)
    return run.id


def _damage(store: Path) -> None:
    """Overwrite the pages that hold the series, as a failing disk would."""
    db = store / "modelglass.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = [p for (p,) in conn.execute(
        "SELECT pageno FROM dbstat WHERE name IN ('series_chunks', "
        "'sqlite_autoindex_series_chunks_1')")]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as fh:
        for p in pages:
            fh.seek((p - 1) * page_size)
            fh.write(b"\xa5" * page_size)


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[Path, str]:
    store = tmp_path / "store"
    run_id = _filled(store)
    try:
        _damage(store)
    except sqlite3.OperationalError:  # pragma: no cover - SQLite built without dbstat
        pytest.skip("this SQLite has no dbstat table")
    return store, run_id


@pytest.mark.parametrize("command", [["export", "{run}", "--format", "csv"], ["diagnose", "{run}"]])
def test_d3_damaged_store_is_one_line_exit_2(damaged, tmp_path, capsys, command) -> None:
    store, run_id = damaged
    argv = [a.replace("{run}", run_id) for a in command] + ["--store", str(store)]
    if command[0] == "export":
        argv += ["--output", str(tmp_path / "out.csv")]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err  # used to be 3, "internal error: DatabaseError: malformed"
    assert err.count("\n") == 1 and "damaged" in err and ".recover" in err


def test_d3_damaged_store_is_a_4xx_in_the_dashboard(damaged) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from modelglass.ui import create_app

    store, run_id = damaged
    client = TestClient(create_app(str(store)))
    assert [r.id for r in mg.open_store(store).runs()] == [run_id]  # its table is intact
    r = client.get(f"/api/scalars?tag=loss&runs={run_id}")
    assert r.status_code == 409 and "damaged" in r.json()["detail"]
    assert str(store) not in r.text  # the store's path is not shown to a browser


def test_d4_non_ascii_token(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from modelglass.ui import create_app

    store = tmp_path / "store"
    _filled(store)
    client = TestClient(create_app(str(store), token="sécret"))
    assert client.get("/api/runs", headers={"X-Modelglass-Token": "sécret".encode()}).status_code == 200
    assert client.get("/api/runs?token=s%C3%A9cret").status_code == 200
    assert client.get("/api/runs", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/runs?token=secret").status_code == 401
    plain = TestClient(create_app(str(store), token="plain"))
    assert plain.get("/api/runs?token=%C3%A9%E2%82%AC").status_code == 401  # was a 500
    assert plain.get("/api/runs", headers={"X-Modelglass-Token": "ü".encode()}).status_code == 401


def test_d8_scalars_bounds_beyond_int64(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from modelglass.ui import create_app

    store = tmp_path / "store"
    run_id = _filled(store)
    client = TestClient(create_app(str(store)))
    big = 2**70
    r = client.get(f"/api/scalars?tag=loss&runs={run_id}&start=-{big}&end={big}")
    assert r.status_code == 200
    r = client.get(f"/api/scalars?tag=loss&runs={run_id}&start={big}")
    assert r.status_code == 200
    reader = mg.open_store(store)
    assert reader.series(run_id, "loss", start=-big, end=big).steps.size == 3000
    assert reader.series(run_id, "loss", start=big).steps.size == 0


def test_d5_reading_never_writes_and_says_when_the_schema_is_older(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run_id = _filled(store)
    db = store / "modelglass.db"
    before = db.read_bytes()
    reader = mg.open_store(store)
    assert reader.series(run_id, "loss").steps.size == 3000
    reader.close()
    assert db.read_bytes() == before
    conn = sqlite3.connect(db)
    conn.execute("UPDATE mg_meta SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 0, older than this modelglass reads"):
        mg.open_store(store)
    with mg.init("p", store=store):  # opening to write upgrades it
        pass
    assert len(mg.open_store(store).runs()) == 2


_READ = """
import json, sys
import modelglass as mg
r = mg.open_store(sys.argv[1])
(info,) = r.runs()
print(json.dumps({"status": info.status, "n": int(r.series(info.id, "loss").steps.size)}))
"""


def test_d5_store_on_a_read_only_mount(tmp_path: Path) -> None:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("needs unshare and mount")
    store = tmp_path / "store"
    _filled(store)
    script = tmp_path / "read.py"
    script.write_text(_READ)
    shell = (f"mount --bind -o ro {store} {store} && touch {store}/probe 2>/dev/null && exit 9; "
             f"exec {sys.executable} {script} {store}")
    proc = subprocess.run(["unshare", "-m", "sh", "-c", shell], capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0 and "mount" in proc.stderr:
        pytest.skip(f"cannot make a read-only mount here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"status": "finished", "n": 3000}


def test_d5_a_reader_of_a_store_being_created_reads_it_empty(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "modelglass.db").write_bytes(b"")  # its first writer has not committed the schema
    assert mg.open_store(store).runs() == []  # the soak benchmark's readers failed here
    with mg.init("p", store=store) as run:
        run.log({"a": 1.0})
    assert [r.id for r in mg.open_store(store).runs()] == [run.id]
