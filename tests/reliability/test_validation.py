"""Issue 15, D1/D2/D10: a bad value is refused on the caller, and never costs the rest of the run."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError
from modelglass.store import EventRow
from modelglass.track import compute_histogram

SURROGATE = "bad\udcff"


def _series(store, run_id, tag):
    s = mg.open_store(store).series(run_id, tag)
    return list(zip(s.steps.tolist(), s.values.tolist()))


@pytest.mark.parametrize(
    "call",
    [
        lambda run: run.log({SURROGATE: 1.0}),
        lambda run: run.log({"ok_too": 2.0, SURROGATE: 1.0}),
        lambda run: run.log_histogram(SURROGATE, [1.0, 2.0]),
        lambda run: run.log_artifact(SURROGATE, {"a": 1}),
        lambda run: run.log_event(SURROGATE),
        lambda run: run.log({"nul\x00tag": 1.0}),
        lambda run: run.log({"": 1.0}),
    ],
    ids=["log-key", "log-second-key", "histogram-tag", "artifact-name", "event", "nul", "empty"],
)
def test_d1_unstorable_text_is_refused_and_the_run_survives(store_dir, call) -> None:
    run = mg.init("d1", store=store_dir)
    run.log({"loss": 1.0}, step=0)
    with pytest.raises(BadInputError, match="surrogate|NUL|non-empty"):
        call(run)
    run.log({"loss": 0.5}, step=1)
    run.finish()  # used to raise UnicodeEncodeError and lose every series
    reader = mg.open_store(store_dir)
    assert reader.run(run.id).status == "finished"
    assert reader.tags(run.id) == ["loss"]  # nothing of the refused call, not even "ok_too"
    assert _series(store_dir, run.id, "loss") == [(0, 1.0), (1, 0.5)]


def test_d2_huge_int_leaves_steps_aligned_on_an_existing_tag(store_dir) -> None:
    run = mg.init("d2", store=store_dir)
    run.log({"n": 0}, step=0)
    with pytest.raises(BadInputError, match="'n' does not fit a float64"):
        run.log({"n": 10**400}, step=1)
    for s in (2, 3, 4):
        run.log({"n": s}, step=s)
    run.finish()
    assert _series(store_dir, run.id, "n") == [(0, 0.0), (2, 2.0), (3, 3.0), (4, 4.0)]


def test_d2_huge_int_on_a_new_tag_keeps_everything_buffered(store_dir) -> None:
    run = mg.init("d2", store=store_dir, flush_interval=3600)  # nothing flushed before finish
    run.log({"loss": 1.0, "other": 5.0}, step=0)
    with pytest.raises(BadInputError):
        run.log({"loss": 2.0, "new": 10**400}, step=1)  # "loss" was appended first: undone
    run.log({"loss": 3.0}, step=2)
    run.summary["best"] = 3.0
    run.finish()
    reader = mg.open_store(store_dir)
    assert _series(store_dir, run.id, "loss") == [(0, 1.0), (2, 3.0)]
    assert reader.tags(run.id) == ["loss", "other"]
    info = reader.run(run.id)
    assert info.status == "finished" and info.summary == {"best": 3.0}


def test_d2_a_rejected_call_does_not_advance_the_implicit_step(store_dir) -> None:
    with mg.init("d2", store=store_dir) as run:
        run.log({"a": 1.0})
        with pytest.raises(BadTypeError):
            run.log({"a": "x"})
        with pytest.raises(BadInputError):
            run.log({"a": 10**400})
        run.log({"a": 2.0})
    assert _series(store_dir, run.id, "a") == [(0, 1.0), (1, 2.0)]


@pytest.mark.parametrize("step", [2**63, -(2**63) - 1, 2**63 - 1])
def test_steps_beyond_int64_are_refused(store_dir, step) -> None:
    with mg.init("steps", store=store_dir) as run:
        with pytest.raises(BadInputError, match="signed 64-bit"):
            run.log({"a": 1.0}, step=step)
        run.log({"a": 1.0}, step=5)
    assert _series(store_dir, run.id, "a") == [(5, 1.0)]


def test_d10_logging_after_finish_raises_and_flush_is_fine(store_dir) -> None:
    run = mg.init("d10", store=store_dir)
    run.log({"a": 1.0})
    run.finish()
    for call in (
        lambda: run.log({"a": 2.0}),
        lambda: run.log_histogram("h", [1.0]),
        lambda: run.log_event("late"),
        lambda: run.log_artifact("x", {"a": 1}),
    ):
        with pytest.raises(BadInputError, match="is finished; nothing more can be logged"):
            call()
    run.flush()  # used to raise sqlite3.ProgrammingError
    run.finish()
    assert _series(store_dir, run.id, "a") == [(0, 1.0)]


@pytest.mark.parametrize("bins", [0, -3, 1.5, True, 10**7])
def test_d10_histogram_bins_validated(store_dir, bins) -> None:
    with mg.init("bins", store=store_dir) as run:
        with pytest.raises(BadInputError, match="'bins' argument of log_histogram"):
            run.log_histogram("w", [1.0, 2.0], bins=bins)
    assert mg.open_store(store_dir).histogram_tags(run.id) == []


@pytest.mark.parametrize(
    "values",
    [[-1e308, 1e308], [1e308, 1e308, -1e308, 0.0], np.array([3e38, -3e38, 1.0], np.float32)],
)
def test_d10_extreme_histogram_ranges_are_binned_exactly(values) -> None:
    h = compute_histogram(values, bins=4)
    a = np.asarray(values, dtype=np.float64)
    assert h.counts.sum() == len(a) and h.count == len(a)
    assert np.all(np.isfinite(h.edges)) and h.edges[0] == a.min() and h.edges[-1] == a.max()
    big = np.abs(a).max()
    scaled = a / big  # NumPy's own answer, on values that do not overflow
    expected, _ = np.histogram(scaled, bins=h.edges / big)
    assert h.counts.tolist() == expected.tolist()
    assert h.mean == pytest.approx(scaled.mean() * big, rel=1e-6, abs=1e-6)
    assert np.isfinite(h.std) and h.std == pytest.approx(scaled.std() * big, rel=1e-6)


def test_d10_histogram_of_extremes_is_stored(store_dir) -> None:
    with mg.init("hist", store=store_dir) as run:
        run.log_histogram("w", [-1e308, 1e308], step=3)
    (h,) = mg.open_store(store_dir).histograms(run.id, "w").histograms
    assert h.step == 3 and h.counts.sum() == 2


def test_summary_value_that_is_not_json_is_refused(store_dir) -> None:
    with mg.init("sum", store=store_dir) as run:
        run.summary["ok"] = 1.0
        with pytest.raises(BadTypeError, match="run.summary cannot be stored as JSON"):
            run.summary["bad"] = {(1, 2): 3}
        with pytest.raises(BadInputError, match="surrogate"):
            run.summary[SURROGATE] = 1.0
    assert mg.open_store(store_dir).run(run.id).summary == {"ok": 1.0}


def test_writer_isolates_a_record_the_store_refuses(store_dir, caplog) -> None:
    run = mg.init("iso", store=store_dir, flush_interval=3600)
    run.log({"loss": 1.0}, step=0)
    # Bypass the caller's checks, as a record the store refuses for a reason
    # nobody foresaw would.
    run._queue.append((2, EventRow(run.id, 0.0, None, "info", SURROGATE, "{}")))
    run.log_event("fine")
    run.log({"loss": 0.5}, step=1)
    with caplog.at_level(logging.WARNING, logger="modelglass"):
        run.flush()  # does not raise: the run goes on
        run.finish()
    reader = mg.open_store(store_dir)
    assert reader.run(run.id).status == "finished"
    assert _series(store_dir, run.id, "loss") == [(0, 1.0), (1, 0.5)]
    events = reader.events(run.id)
    assert [e.message for e in events if e.level == "info"] == ["fine"]
    (err,) = [e for e in events if e.level == "error"]
    assert "dropped event 'bad\\udcff'" in err.message and "UnicodeEncodeError" in err.message
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "the store refused it" in warnings[0].getMessage()
