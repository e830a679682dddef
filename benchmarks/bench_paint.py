"""Dashboard paint benchmark: from navigation to each view painted, in headless Chromium.

Builds one store that fills every view: RUNS runs x 4 scalar tags x POINTS points (``loss``
first, written as chunks as the background writer would), one run with histograms, a model
inspection, a data report and a diagnosis to make, and a 15-trial Optuna study whose
``lr`` is sampled on a log scale (its trials are the Compare view's runs). Then for every
view, REPEATS times: a fresh dashboard server (so no downsampled series is cached) and a
fresh browser context (nothing in the HTTP cache), 1440x900, and the time from navigation
to the view painted, read from ``performance.now()`` in the page:

- scalars (20 and 100 runs): the ``loss`` chart's div carries ``data-painted`` and
  ``data-series`` (its run count) once its library drew it;
- other views: ``#view[data-painted]``, set when no API call and no chart is pending for
  two frames in a row (main.js).

Usage: python benchmarks/bench_paint.py [--runs 100] [--points 100000] [--repeats 5]
       [--store DIR] [--only VIEW] [--src LABEL=DIR ...] [--json OUT.json]

With two ``--src`` (e.g. a checkout of the plotly-only page and this one) the two versions
take turns on every repeat, so both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TAGS = ("loss", "val/loss", "accuracy", "lr")
STUDY_TRIALS = 15


def build_store(path: str, runs: int, points: int) -> dict[str, Any]:
    """The store of every view; returns the ids the views are opened on."""
    import modelglass as mg
    from modelglass.store import make_chunks, open_backend

    backend = open_backend(path, create=True)
    rng = np.random.default_rng(0)
    steps = np.arange(points, dtype=np.int64)
    times = time.time() + steps * 0.01
    ids = []
    for r in range(runs):
        run = mg.init(project="bench", name=f"run-{r:03d}", config={"lr": 10 ** -rng.uniform(1, 4)},
                      store=path)
        decay = np.exp(-steps / (points / rng.uniform(2, 5)))
        for tag in TAGS:
            values = decay + 0.05 * rng.standard_normal(points)
            values[rng.integers(points)] += 5.0  # one spike per series
            backend.replace_chunks(run.id, tag, make_chunks(run.id, tag, 0, steps, values, times))
        run.finish()
        ids.append(run.id)
    backend.close()
    return {"runs": ids, "special": _special_run(path), "trials": _study(path)}


def _special_run(path: str) -> str:
    """A run with histograms, a model inspection, a data report and a diagnosis to make."""
    import pandas as pd

    import modelglass as mg

    rng = np.random.default_rng(1)
    model = {"layer1.weight": rng.standard_normal((64, 32)), "layer1.bias": np.zeros(64),
             "layer2.weight": rng.standard_normal((10, 64)), "layer2.bias": np.zeros(10)}
    x = rng.standard_normal((500, 8))
    table = {f"x{i}": x[:, i] for i in range(8)}
    table["y"] = (x[:, 0] > 0).astype(int)
    with mg.init(project="views", name="watched", config={"lr": 0.5, "depth": 2}, store=path) as run:
        for s in range(2000):
            loss = 1.0 / (1 + s / 100) if s < 1500 else 1.0 / (1 + s / 100) * (1 + (s - 1500) / 50)
            run.log({"loss": loss, "val/loss": loss * 1.2,
                     "grad_norm/layer1.weight": 0.1 * (1 + s / 300)}, step=s)
            if s % 20 == 0:
                run.log_histogram("weights/layer1.weight", rng.standard_normal(2048) * (1 + s / 1000), step=s)
                run.log_histogram("grads/layer1.weight", rng.standard_normal(2048) * 0.01, step=s)
        run.log_model(model)
        run.log_data_report(mg.check_data(pd.DataFrame(table), target="y"))
        return run.id


def _study(path: str) -> list[str]:
    """A 15-trial study with a log-sampled learning rate; the ids of its trial runs."""
    import modelglass as mg

    def objective(trial: Any) -> float:
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        width = trial.suggest_int("width", 16, 256, log=True)
        drop = trial.suggest_float("dropout", 0.0, 0.5)
        run = mg.current_run()
        loss = (np.log10(lr) + 2.5) ** 2 + 0.3 * drop + 20 / width
        for s in range(50):
            run.log({"loss": loss + 1 / (1 + s), "val/loss": loss + 1.3 / (1 + s)}, step=s)
        return float(loss)

    result = mg.tune(objective, n_trials=STUDY_TRIALS, study="mlp-search", store=path,
                     sampler="random", seed=0)
    return [t.run_id for t in result.trials if t.run_id]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``modelglass ui`` on a free port in a process of its own (each one a cold cache), from
    the sources in ``src`` (None: the installed package) so two versions can be compared."""

    def __init__(self, store: str, src: str | None = None) -> None:
        self.store, self.src, self.port = store, src, free_port()

    def __enter__(self) -> str:
        code = "import sys; from modelglass.cli._main import main; sys.exit(main(sys.argv[1:]))"
        env = dict(os.environ)
        if self.src:
            env["PYTHONPATH"] = self.src
        self.proc = subprocess.Popen([sys.executable, "-c", code, "ui", "--store", self.store, "--port",
                                      str(self.port)], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return f"http://127.0.0.1:{self.port}/"
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("modelglass ui did not start") from None
                time.sleep(0.05)

    def __exit__(self, *exc: Any) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def chart_painted(tag: str, n: int) -> str:
    return ("() => { const d = document.querySelector('div.chart[data-tag=\"%s\"][data-painted]');"
            " return d && Number(d.dataset.series) === %d ? Number(d.dataset.painted) : false; }" % (tag, n))


VIEW_PAINTED = ("() => { const v = document.querySelector('#view[data-painted]');"
                " return v ? Number(v.dataset.painted) : false; }")


def views(ids: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, URL hash, JS that returns the paint time once painted)."""
    runs, special, trials = ids["runs"], ids["special"], ids["trials"]
    return [
        ("scalars, 20 runs", f"#/scalars?runs={','.join(runs[:20])}", chart_painted("loss", 20)),
        ("scalars, 100 runs", f"#/scalars?runs={','.join(runs[:100])}", chart_painted("loss", min(100, len(runs)))),
        ("runs table", "#/runs", VIEW_PAINTED),
        ("histograms", f"#/histograms?runs={special}", VIEW_PAINTED),
        ("model", f"#/model?runs={special}", VIEW_PAINTED),
        ("diagnosis", f"#/diagnosis?runs={special}", VIEW_PAINTED),
        ("data", f"#/data?runs={special}", VIEW_PAINTED),
        (f"compare, {len(trials)} trials", f"#/compare?runs={','.join(trials)}", VIEW_PAINTED),
        ("studies", "#/studies", VIEW_PAINTED),
    ]


def measure(store: str, ids: dict[str, Any], repeats: int, only: str | None,
            sources: list[tuple[str, str | None]]) -> dict[str, dict[str, list[float]]]:
    """Seconds to paint, by view and source; the sources take turns, so both see the same load."""
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, hash_, done in views(ids):
            if only and only not in name:
                continue
            out[name] = {label: [] for label, _ in sources}
            for _ in range(repeats):
                for label, src in sources:
                    with Server(store, src) as base:
                        ctx = browser.new_context(viewport={"width": 1440, "height": 900})
                        page = ctx.new_page()
                        page.goto(base + hash_)
                        took = page.wait_for_function(done, polling="raf", timeout=120_000).json_value()
                        out[name][label].append(float(took) / 1000)
                        ctx.close()
        browser.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--store", default=None, help="reuse (or create) this store directory")
    ap.add_argument("--only", default=None, help="measure only views whose name contains this")
    ap.add_argument("--src", action="append", default=[], metavar="LABEL=DIR",
                    help="serve the dashboard from these sources (repeat to compare versions; "
                         "default: the installed package)")
    ap.add_argument("--json", default=None, help="also write the times to this file")
    args = ap.parse_args()
    store = args.store or tempfile.mkdtemp(prefix="mg-bench-paint-")
    ids_file = os.path.join(store, "bench_paint_ids.json")
    if not os.path.exists(ids_file):
        t0 = time.perf_counter()
        ids = build_store(store, args.runs, args.points)
        with open(ids_file, "w") as f:
            json.dump(ids, f)
        print(f"built {args.runs} runs x {len(TAGS)} tags x {args.points:,} points, one watched run "
              f"and a {STUDY_TRIALS}-trial study in {time.perf_counter() - t0:.1f} s")
    with open(ids_file) as f:
        ids = json.load(f)
    sources = [(x.split("=", 1)[0], x.split("=", 1)[1]) for x in args.src] or [("modelglass", None)]
    times = measure(store, ids, args.repeats, args.only, sources)
    print(f"medians of {args.repeats}, a fresh server process and browser context each, 1440x900, "
          f"sources taking turns; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    targets = {"scalars, 20 runs": 0.5}
    labels = [label for label, _ in sources]
    print(f"{'view':24s} " + " ".join(f"{lb:>16s}" for lb in labels) + f" {'target':>8s}"
          + (f" {'ratio':>6s}" if len(labels) == 2 else ""))
    for name, by in times.items():
        med = [statistics.median(by[lb]) for lb in labels]
        row = f"{name:24s} " + " ".join(f"{m * 1000:13.0f} ms" for m in med)
        row += f" {targets.get(name, 1.0) * 1000:5.0f} ms"
        if len(labels) == 2:
            row += f" {med[1] / med[0]:6.2f}"
        print(row)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sources": dict(sources), "times": times}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
