"""Benchmark of ``modelglass report`` on a run with 2,000 series (tags).

The run logs 2,000 tags for 50 steps (``loss`` and 1,999 others). Times:

1. ``write_report`` as it is now (charts as JSON specs drawn lazily, the diagnosis
   included), median of 5 runs;
2. the former way, one ``plotly.graph_objects.Figure`` per tag turned into HTML
   (``viz.draw_curves`` + ``fig.to_html``), timed on 100 tags and scaled to 2,000
   (3 runs; the whole 2,000 took 72 s when the issue was filed).

Run: ``python benchmarks/bench_report.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import modelglass as mg  # noqa: E402
from modelglass.report import write_report  # noqa: E402
from modelglass.viz import Curve, curves_data, draw_curves  # noqa: E402

N_TAGS, STEPS, OLD_SAMPLE = 2000, 50, 100


def fill(store: Path) -> str:
    rng = np.random.default_rng(0)
    with mg.init(project="bench", name="tags2000", store=store) as run:
        for step in range(STEPS):
            values = {f"layer{i // 20}/p{i % 20}": float(rng.normal()) for i in range(N_TAGS - 1)}
            run.log({"loss": 1.0 / (step + 1), **values}, step=step)
    return run.id


def time_new(store: Path, run_id: str, out: Path) -> float:
    t = time.perf_counter()
    write_report([run_id], store=store, out=out, progress=False)
    return time.perf_counter() - t


def time_old(store: Path, run_id: str) -> float:
    """One plotly Figure per tag, as the report did before: seconds per tag."""
    reader = mg.open_store(store)
    tags = reader.tags(run_id)[:OLD_SAMPLE]
    t = time.perf_counter()
    for tag in tags:
        s = reader.series(run_id, tag)
        fig = draw_curves(curves_data(tag, [Curve("run", s.steps, s.values)]))
        fig.to_html(full_html=False, include_plotlyjs=False)
    reader.close()
    return (time.perf_counter() - t) / len(tags)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        run_id = fill(store)
        out = Path(tmp) / "r.html"
        new = [time_new(store, run_id, out) for _ in range(5)]
        old = [time_old(store, run_id) * N_TAGS for _ in range(3)]
        size = out.stat().st_size
    print(f"{N_TAGS} tags x {STEPS} steps, one run")
    print(f"report now   : median {statistics.median(new):.2f} s  (runs: {', '.join(f'{x:.2f}' for x in new)}),"
          f" {size / 1e6:.1f} MB")
    print(f"figure per tag (former way, {OLD_SAMPLE} tags scaled to {N_TAGS}): "
          f"median {statistics.median(old):.1f} s")
    print(f"speed-up: {statistics.median(old) / statistics.median(new):.0f}x")


if __name__ == "__main__":
    main()
