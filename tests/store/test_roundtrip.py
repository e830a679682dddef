"""What is logged is what is read back, exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

import modelglass as mg
from modelglass.core import StoreError
from modelglass.store import MAX_CHUNK, SCHEMA_VERSION, make_chunks, decode_chunks
from modelglass.store import _codec


def test_many_runs_tags_steps_round_trip(store_dir) -> None:
    rng = np.random.default_rng(0)
    expected = {}
    for r in range(5):
        with mg.init(project=f"p{r % 2}", config={"r": r, "lr": 10.0 ** -r}, store=store_dir) as run:
            steps = rng.permutation(300)  # out of order, on purpose
            for s in steps:
                vals = {f"t{k}": float(rng.normal()) for k in range(3)}
                if s == 7:
                    vals["t0"] = math.nan
                if s == 8:
                    vals["t1"] = -math.inf
                run.log(vals, step=int(s))
                for k, v in vals.items():
                    expected.setdefault((run.id, k), []).append((int(s), v))
    reader = mg.open_store(store_dir)
    assert len(reader.runs()) == 5
    assert [r.config["r"] for r in reader.runs(project="p0")] == [0, 2, 4]
    for (run_id, tag), pts in expected.items():
        s = reader.series(run_id, tag)
        assert s.steps.tolist() == [p[0] for p in pts]
        np.testing.assert_array_equal(s.values, np.array([p[1] for p in pts]))  # NaN == NaN here
        assert s.values.dtype == np.float64 and s.steps.dtype == np.int64
        assert np.all(np.diff(s.times) >= 0)


def test_exact_bits_and_large_series(store_dir) -> None:
    values = np.random.default_rng(1).normal(size=3 * MAX_CHUNK + 17)
    values[[5, 100_000]] = [np.inf, np.nan]
    with mg.init("big", store=store_dir) as run:
        for v in values:
            run.log({"x": v})
    s = mg.open_store(store_dir).series(run.id, "x")
    assert s.values.tobytes() == values.tobytes()
    assert s.steps.tolist() == list(range(len(values)))
    df = s.to_pandas()
    assert list(df.columns) == ["step", "value", "time"] and len(df) == len(values)


def test_step_range_query_and_stats(store_dir) -> None:
    with mg.init("q", store=store_dir) as run:
        for i in range(1000):
            run.log({"loss": 1000.0 - i})
    reader = mg.open_store(store_dir)
    part = reader.series(run.id, "loss", start=100, end=199)
    assert part.steps.tolist() == list(range(100, 200))
    (stats,) = reader.series_stats(run.id)
    assert (stats.length, stats.last_step, stats.last, stats.min, stats.max) == (1000, 999, 1.0, 1.0, 1000.0)


def test_codec_steps_range_and_deltas() -> None:
    for steps in ([0, 1, 2, 3], [5, 15, 25], [3, 1, 2, 10**12, -4], [7]):
        a = np.array(steps, dtype=np.int64)
        assert _codec.decode_steps(_codec.encode_steps(a), len(a)).tolist() == steps
    assert len(_codec.encode_steps(np.arange(10**6))) == 17  # a range costs 17 bytes


def test_chunks_split_and_rejoin() -> None:
    n = 2 * MAX_CHUNK + 3
    steps = np.arange(n, dtype=np.int64)[::-1].copy()
    values = np.linspace(0, 1, n)
    times = 1.7e9 + np.arange(n) * 1e-3
    rows = make_chunks("r", "t", 0, steps, values, times)
    assert [r.n for r in rows] == [MAX_CHUNK, MAX_CHUNK, 3]
    s, v, t = decode_chunks([(r.n, r.steps, r.vals, r.times) for r in rows])
    assert s.tolist() == steps.tolist() and v.tobytes() == values.tobytes()
    np.testing.assert_allclose(t, times, atol=1e-6)


def test_histograms_artifacts_events(store_dir) -> None:
    data = np.random.default_rng(2).normal(size=10_000).astype(np.float32)
    data[:3] = [np.nan, np.inf, -np.inf]
    with mg.init("h", store=store_dir) as run:
        run.log_histogram("weights/w", data, step=3)
        run.log_histogram("weights/w", data * 2, step=4)
        run.log_artifact("model", {"layers": [1, 2], "name": "<b>x</b>"})
        run.log_artifact("blob", b"\x00\x01")
        run.log_event("hello", level="warning", step=3, code="x")
    r = mg.open_store(store_dir)
    hs = r.histograms(run.id, "weights/w")
    assert hs.steps.tolist() == [3, 4]
    h = hs.histograms[0]
    finite = data[np.isfinite(data)].astype(np.float64)
    assert (h.nan_count, h.inf_count, h.count) == (1, 2, finite.size)
    assert h.counts.sum() == finite.size and len(h.edges) == len(h.counts) + 1
    assert h.min == pytest.approx(finite.min()) and h.max == pytest.approx(finite.max())
    assert h.mean == pytest.approx(finite.mean(), rel=1e-6) and h.std == pytest.approx(finite.std(), rel=1e-6)
    ref, _ = np.histogram(finite, bins=h.edges)
    assert np.abs(ref - h.counts).sum() <= 2  # only float rounding at bucket edges may differ
    assert r.artifact(run.id, "model") == {"layers": [1, 2], "name": "<b>x</b>"}
    assert r.artifact(run.id, "blob") == b"\x00\x01"
    assert r.artifacts(run.id) == ["blob", "model"]
    (ev,) = r.events(run.id)
    assert (ev.level, ev.message, ev.step, ev.data) == ("warning", "hello", 3, {"code": "x"})


def test_schema_version_and_bad_locations(tmp_path, store_dir) -> None:
    with mg.init("s", store=store_dir):
        pass
    reader = mg.open_store(store_dir)
    assert reader._backend.schema_version() == SCHEMA_VERSION
    with pytest.raises(StoreError, match="does not exist"):
        mg.open_store(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="not a modelglass store"):
        mg.open_store(tmp_path / "empty")
    bad = tmp_path / "junk.db"
    bad.write_text("not a database")
    with pytest.raises(StoreError):
        mg.open_store(bad)


def test_store_from_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MODELGLASS_STORE", str(tmp_path / "env-store"))
    with mg.init("env") as run:
        run.log({"a": 1.0})
    assert [r.id for r in mg.open_store().runs()] == [run.id]


def test_compaction_merges_small_chunks(store_dir) -> None:
    run = mg.init("c", store=store_dir)
    for i in range(50):
        run.log({"x": float(i)})
        run.flush()  # one chunk per point, like a slow run
    assert len(run._backend.chunk_stats(run.id)) == 50
    run.finish()
    assert len(mg.open_store(store_dir)._backend.chunk_stats(run.id)) == 1
    assert mg.open_store(store_dir).series(run.id, "x").values.tolist() == [float(i) for i in range(50)]


def test_codec_times_precision_and_gaps() -> None:
    t = np.array([1.7e9, 1.7e9 + 1e-6, 1.7e9 + 5000.0, 1.7e9 + 5000.25])  # a 5000 s gap
    np.testing.assert_allclose(_codec.decode_times(_codec.encode_times(t)), t, atol=1e-6)
    assert _codec.decode_times(_codec.encode_times(np.empty(0))).size == 0
    dense = 1.7e9 + np.arange(1000) * 1e-3
    assert len(_codec.encode_times(dense)) == 9 + 4 * 999  # 4 bytes a point


def test_sqlite_urls_relative_and_absolute(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with mg.init("u", store="sqlite:///rel/runs.db") as run:
        run.log({"a": 1.0})
    assert (tmp_path / "rel" / "runs.db").exists()
    absolute = tmp_path / "abs" / "runs.db"
    with mg.init("u", store=f"sqlite:///{absolute}") as run2:  # sqlite:////abs/...
        run2.log({"a": 2.0})
    assert absolute.exists()
    assert mg.open_store(f"sqlite:///{absolute}").series(run2.id, "a").values.tolist() == [2.0]


def test_artifact_that_is_not_json_is_refused_not_pickled(store_dir) -> None:
    loop: dict = {}
    loop["self"] = loop
    with mg.init("art", store=store_dir) as run:
        with pytest.raises(TypeError, match="'loop' cannot be stored as JSON"):
            run.log_artifact("loop", loop)
        run.log_artifact("odd", {"when": object()})  # unknown objects become their str()
    assert mg.open_store(store_dir).artifact(run.id, "odd")["when"].startswith("<object object")
