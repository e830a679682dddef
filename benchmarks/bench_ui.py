"""Dashboard benchmark: API time for one tag across many runs, and chart draw time in Chromium.

Builds a store of RUNS runs x TAGS tags x POINTS points (written as chunks through the
store's backend, as the background writer would), then measures:

1. ``GET /api/scalars`` for one tag of every run, over HTTP on a real uvicorn server
   (downsampled to 2,000 points per run): median of several calls, each on a different
   tag so no result is reused. Also the pure handler alone, and JSON encoding alone.
2. Headless Chromium (/usr/bin/chromium): from navigation to the 20-run chart of one tag
   drawn (its graph div holds 20 traces), read with ``performance.now()`` in the page.

Usage: python benchmarks/bench_ui.py [--runs 100] [--tags 10] [--points 100000] [--store DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from typing import Any

import numpy as np


def build_store(path: str, runs: int, tags: int, points: int) -> None:
    import modelglass as mg
    from modelglass.store import make_chunks, open_backend

    backend = open_backend(path, create=True)
    rng = np.random.default_rng(0)
    steps = np.arange(points, dtype=np.int64)
    times = time.time() + steps * 0.01
    for r in range(runs):
        run = mg.init(project="bench", name=f"run-{r:03d}", config={"lr": 10 ** -rng.uniform(1, 4)},
                      store=path)
        for t in range(tags):
            values = np.exp(-steps / (points / 3)) + 0.05 * rng.standard_normal(points)
            values[rng.integers(points)] += 5.0  # one spike per series
            backend.replace_chunks(run.id, f"tag{t}", make_chunks(run.id, f"tag{t}", 0, steps, values, times))
        run.finish()
    backend.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store: str, port: int):
    import uvicorn

    from modelglass.ui import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread


def bench_api(store: str, port: int, tags: int, repeats: int) -> dict[str, Any]:
    """Median seconds per call. Cold calls each ask for a tag not asked before."""
    import httpx

    import modelglass as mg
    from modelglass.ui import scalars

    reader = mg.open_store(store)
    ids = ",".join(r.id for r in reader.runs())
    n = len(ids.split(","))
    tag_at = [f"tag{i % tags}" for i in range(3 * repeats)]
    out: dict[str, Any] = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        def call(tag: str, encoding: str) -> float:
            t0 = time.perf_counter()
            resp = client.get("/api/scalars", params={"runs": ids, "tag": tag, "encoding": encoding})
            took = time.perf_counter() - t0
            assert resp.status_code == 200 and len(resp.json()["series"]) == n
            out[f"bytes_{encoding}"] = len(resp.content)
            return took

        out["http_b64_cold"] = statistics.median(call(tag_at[i], "b64") for i in range(repeats))
        out["http_b64_warm"] = statistics.median(call(tag_at[0], "b64") for _ in range(repeats))
        out["http_json_cold"] = statistics.median(
            call(tag_at[repeats + i], "json") for i in range(repeats))
    handler, encode = [], []
    for i in range(repeats):
        t0 = time.perf_counter()
        result = scalars(reader, {"runs": ids, "tag": tag_at[2 * repeats + i]})
        handler.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        json.dumps(result, separators=(",", ":"))
        encode.append(time.perf_counter() - t0)
    reader.close()
    out["handler"] = statistics.median(handler)
    out["json"] = statistics.median(encode)
    return out


def bench_draw(port: int, ids: list[str], repeats: int) -> dict[str, float]:
    """Seconds from navigation to the chart drawn, read from ``performance.now()`` in the page.

    ``first``: a fresh browser context each time (nothing cached). ``again``: one context, so
    plotly.js comes from the HTTP cache with V8's code cache, as for a returning user.
    ``plotly``: loading and running plotly.min.js alone in a blank page: the floor under both.
    """
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}/"
    url = f"{base}#/scalars?runs={','.join(ids)}&filter=tag0"
    # The chart's div carries data-painted once uPlot drew it, and data-series its run count.
    done = ("() => { const g = document.querySelector('div.chart[data-tag=\"tag0\"][data-painted]');"
            " return g && Number(g.dataset.series) === %d; }" % len(ids))
    first, again, alone = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])

        def load(page: Any) -> float:
            page.goto(url)
            page.wait_for_function(done, polling="raf", timeout=120_000)
            return page.evaluate("() => performance.now()") / 1000

        for _ in range(repeats):
            ctx = browser.new_context(viewport={"width": 1300, "height": 900})
            first.append(load(ctx.new_page()))
            ctx.close()
        ctx = browser.new_context(viewport={"width": 1300, "height": 900})
        for i in range(repeats + 2):  # two loads to fill the caches
            page = ctx.new_page()
            took = load(page)
            page.close()
            if i >= 2:
                again.append(took)
        for _ in range(repeats):
            page = browser.new_context().new_page()
            page.goto(base + "api/info")
            t0 = time.perf_counter()
            page.add_script_tag(url="/vendor/plotly.min.js")
            page.wait_for_function("() => window.Plotly !== undefined")
            alone.append(time.perf_counter() - t0)
        browser.close()
    return {"first": statistics.median(first), "again": statistics.median(again),
            "plotly": statistics.median(alone)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--tags", type=int, default=10)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--store", default=None, help="reuse (or create) this store directory")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    store = args.store or tempfile.mkdtemp(prefix="mg-bench-ui-")
    if not os.path.exists(os.path.join(store, "modelglass.db")):
        t0 = time.perf_counter()
        build_store(store, args.runs, args.tags, args.points)
        print(f"built {args.runs} runs x {args.tags} tags x {args.points:,} points "
              f"in {time.perf_counter() - t0:.1f} s")
    import modelglass as mg

    reader = mg.open_store(store)
    ids = [r.id for r in reader.runs()]
    reader.close()
    port = free_port()
    server, thread = serve(store, port)
    try:
        api = bench_api(store, port, args.tags, args.repeats)
        draw = bench_draw(port, ids[:20], args.repeats)
    finally:
        server.should_exit = True
        thread.join(10)
    n = len(ids)
    load = os.getloadavg()[0]
    print(f"store: {n} runs x {args.tags} tags x {args.points:,} points; "
          f"load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'measure':62s} {'median':>10s} {'target':>8s} {'ratio':>6s}")
    rows = [
        (f"GET /api/scalars, 1 tag x {n} runs, page's b64 form, cold", api["http_b64_cold"], 0.300),
        ("GET /api/scalars, same, warm (finished runs are cached)", api["http_b64_warm"], 0.300),
        (f"GET /api/scalars, JSON lists ({api['bytes_json'] / 1e6:.1f} MB vs "
         f"{api['bytes_b64'] / 1e6:.1f} MB b64), cold", api["http_json_cold"], 0.300),
        (f"  handler alone: read + downsample {n} series (no HTTP)", api["handler"], None),
        ("  json.dumps of that handler's result", api["json"], None),
        ("Chromium: navigation -> 20-run chart drawn, first visit", draw["first"], 1.5),
        ("Chromium: navigation -> 20-run chart drawn, returning visit", draw["again"], 1.5),
        ("  plotly.min.js alone: fetch + parse + run, blank page", draw["plotly"], None),
    ]
    for label, value, target in rows:
        tgt = f"{target * 1000:.0f} ms" if target else ""
        ratio = f"{value / target:.2f}" if target else ""
        print(f"{label:62s} {value * 1000:8.0f} ms {tgt:>8s} {ratio:>6s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
