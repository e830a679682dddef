"""One conformance suite for every store backend: SQLite file and PostgreSQL by URL."""

from __future__ import annotations

import math

import numpy as np
import pytest

import modelglass as mg
from pg import pg_bin, postgres_server


@pytest.fixture(scope="module")
def pg_url():
    if pg_bin() is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    pytest.importorskip("psycopg")
    with postgres_server() as url:
        yield url


_counter = iter(range(10**6))


@pytest.fixture(params=["sqlite", "postgres"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "store")
    url = request.getfixturevalue("pg_url")
    # One database per test keeps tests independent on the shared server.
    import psycopg

    name = f"mg_test_{next(_counter)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def test_round_trip(location) -> None:
    with mg.init("conf", name="r1", config={"lr": 0.5}, store=location) as run:
        for i in range(1000):
            run.log({"loss": 1.0 / (i + 1), "odd": math.nan if i == 3 else float(i)}, step=999 - i)
        run.log_histogram("weights/w", np.arange(100.0), step=1)
        run.log_artifact("model", {"total_params": 12})
        run.log_event("note", level="warning")
        run.summary["best"] = 0.001
    reader = mg.open_store(location)
    (info,) = reader.runs()
    assert (info.name, info.status, info.config, info.summary) == ("r1", "finished", {"lr": 0.5}, {"best": 0.001})
    s = reader.series(info.id, "loss")
    assert s.steps.tolist() == list(range(999, -1, -1))
    np.testing.assert_array_equal(s.values, 1.0 / np.arange(1, 1001))
    odd = reader.series(info.id, "odd").values
    assert math.isnan(odd[3]) and odd[4] == 4.0
    assert reader.tags(info.id) == ["loss", "odd"]
    assert reader.histograms(info.id, "weights/w").histograms[0].counts.sum() == 100
    assert reader.artifact(info.id, "model") == {"total_params": 12}
    assert [e.message for e in reader.events(info.id)] == ["note"]
    assert [st.length for st in reader.series_stats(info.id)] == [1000, 1000]


def test_failed_status_and_two_runs(location) -> None:
    with pytest.raises(ValueError):
        with mg.init("conf", store=location) as run:
            run.log({"a": 1.0})
            raise ValueError("x")
    with mg.init("conf", store=location) as run2:
        run2.log({"a": 2.0})
    reader = mg.open_store(location)
    assert [r.status for r in reader.runs()] == ["failed", "finished"]
    assert reader.run("latest").id == run2.id
