"""Issue 15: random sequences of valid and invalid calls, then finish or a kill.

Every accepted point must read back exactly (step and value), every rejected call
must raise BadInputError or BadTypeError, and no rejected call may disturb what
was accepted before or after it.
"""

from __future__ import annotations

import math
import tempfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError
from modelglass.track import _run

KEYS = st.sampled_from(["loss", "acc", "lr/group0", "naïve", "bad\udcff", "", "nul\x00", "x" * 1001])
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([10**400, -(10**400), True, np.float32(1.5), np.int64(-3)]),
    st.sampled_from(["0.5", None, [1.0], np.zeros(2)]),
)
STEPS = st.one_of(
    st.none(), st.integers(min_value=-5, max_value=10**6), st.sampled_from([2**63, -(2**63) - 1, 1.5])
)
LOG = st.tuples(st.just("log"), st.dictionaries(KEYS, VALUES, min_size=1, max_size=3), STEPS)
EVENT = st.tuples(st.just("event"), st.sampled_from(["note", "ünïcode", "bad\udcff", 3]), STEPS)
CALLS = st.lists(st.one_of(LOG, LOG, EVENT), min_size=1, max_size=25)


def _storable_key(k: str) -> bool:
    return bool(k) and "\x00" not in k and len(k) <= 1000 and not any(
        0xD800 <= ord(c) <= 0xDFFF for c in k
    )


def _accepted_value(v: object) -> float | None:
    if isinstance(v, (str, list, np.ndarray)) or v is None:
        return None
    try:
        return float(v)  # type: ignore[arg-type]
    except OverflowError:
        return None


def _accepted_step(step: object) -> bool:
    return step is None or (isinstance(step, int) and -(2**63) <= step <= 2**63 - 2)


def _kill(run: mg.Run) -> None:
    """What a SIGKILL after the last flush leaves: the writer stops, nothing finishes."""
    run.flush()
    _run._active.discard(run)
    run._writer._stop = True
    run._writer.wake()
    run._writer._thread.join()
    run._backend.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=CALLS, end=st.sampled_from(["finish", "kill"]))
def test_accepted_points_read_back_and_rejected_calls_raise(calls, end) -> None:
    with tempfile.TemporaryDirectory() as store:
        run = mg.init("prop", store=store, flush_interval=0.05)
        expected: dict[str, list[tuple[int, float]]] = {}
        events: list[str] = []
        implicit = 0
        for kind, payload, step in calls:
            if kind == "log":
                values = {k: _accepted_value(v) for k, v in payload.items()}
                ok = _accepted_step(step) and all(
                    _storable_key(k) and v is not None for k, v in values.items()
                )
            else:
                ok = _accepted_step(step) and isinstance(payload, str) and _storable_key(payload)
            try:
                if kind == "log":
                    run.log(payload, step=step)
                else:
                    run.log_event(payload, step=step)
            except (BadInputError, BadTypeError):
                assert not ok, f"{kind} {payload!r} step={step!r} was refused"
                continue
            assert ok, f"{kind} {payload!r} step={step!r} was accepted"
            if kind == "log":
                s = implicit if step is None else step
                for k, v in values.items():
                    expected.setdefault(k, []).append((s, v))
                implicit = s + 1
            else:
                events.append(payload)
        if end == "finish":
            run.finish()
        else:
            _kill(run)
        reader = mg.open_store(store)
        status = reader.run(run.id).status
        assert status == "finished" if end == "finish" else status in ("running", "crashed")
        assert reader.tags(run.id) == sorted(expected)
        for tag, points in expected.items():
            s = reader.series(run.id, tag)
            assert s.steps.tolist() == [p for p, _ in points]
            want = np.array([v for _, v in points])
            assert np.array_equal(s.values, want, equal_nan=True) and all(
                math.copysign(1, a) == math.copysign(1, b) for a, b in zip(s.values, want)
            )
        assert [e.message for e in reader.events(run.id)] == events
        reader.close()
