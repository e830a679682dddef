"""A backend's rows come back as named tuples: readers name the field they read."""

from __future__ import annotations

import numpy as np

import modelglass as mg


def test_backend_rows_are_named(tmp_path) -> None:
    with mg.init("rows", store=tmp_path) as run:
        for step in range(3):
            run.log({"loss": 1.0 / (step + 1)}, step=step)
        run.log_histogram("w", np.array([0.0, 1.0, 2.0, np.nan]), step=2)
        run.log_artifact("info", {"a": 1})
        run.log_event("warmup over", step=2, lr=0.1)
    backend = mg.open_store(tmp_path)._backend
    stat = backend.chunk_stats(run.id)[0]
    assert (stat.tag, stat.n, stat.last_step, stat.last_value) == ("loss", 3, 2, 1.0 / 3)
    assert (stat.vmin, stat.vmax) == (1.0 / 3, 1.0)
    chunk = backend.chunks(run.id, "loss")[0]
    assert chunk.n == 3 and isinstance(chunk.steps, bytes)
    hist = backend.histogram_rows(run.id, "w")[0]
    assert (hist.step, hist.value_count, hist.nan_count, hist.inf_count) == (2, 3, 1, 0)
    assert (hist.vmin, hist.vmax) == (0.0, 2.0)
    info = next(a for a in backend.artifact_names(run.id) if a.name == "info")
    stored = backend.artifact(run.id, "info")
    assert stored is not None and stored.kind == info.kind == "json" and b'"a"' in stored.data
    event = next(e for e in backend.event_rows(run.id) if e.message == "warmup over")
    assert (event.step, event.level) == (2, "info") and '"lr"' in event.data
