"""Regenerate the dashboard screenshots in docs/img/ (run from the repository root).

Trains three small PyTorch MLPs with ``run.watch`` and ``run.log_model`` (one with a
learning rate that blows up), serves them with ``modelglass ui`` and photographs the
main views with Debian's Chromium through Playwright.

Usage: python docs/img/make_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import modelglass as mg

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def train(store: str) -> list[str]:
    import torch
    from torch import nn

    torch.manual_seed(0)
    x = torch.randn(512, 8)
    y = (x[:, :1] * 2 - x[:, 1:2] ** 2 + 0.1 * torch.randn(512, 1))
    ids = []
    for lr in (0.05, 0.01, 0.002, 0.9):
        model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        with mg.init(project="mlp", name=f"sgd-lr{lr}", config={"lr": lr, "momentum": 0.9, "width": 32},
                     store=store) as run:
            run.log_model(model, x[:4])
            run.watch(model, opt, every=10)
            for step in range(400):
                idx = torch.randint(0, 512, (64,))
                loss = nn.functional.mse_loss(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                with torch.no_grad():
                    val = nn.functional.mse_loss(model(x[:128]), y[:128])
                run.log({"train/loss": loss.item(), "val/loss": val.item()}, step=step)
            ids.append(run.id)
    return ids


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img")
    store = tempfile.mkdtemp(prefix="mg-shots-")
    ids = train(store)
    import uvicorn
    from playwright.sync_api import sync_playwright

    from modelglass.ui import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}/"
    shots = [
        ("dashboard-scalars.png", f"#/scalars?runs={','.join(ids[:3])}&filter=loss&smoothing=0.6", "#view[data-painted]"),
        ("dashboard-diagnosis.png", f"#/diagnosis?runs={ids[3]}", "#view[data-painted]"),
        ("dashboard-histograms.png", f"#/histograms?runs={ids[0]}&tag=weights/0.weight", "#view[data-painted]"),
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        for name, hash_, ready in shots:
            page.goto(base + hash_)
            page.wait_for_selector(ready, state="attached", timeout=60_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(out / name))
            print("wrote", out / name)
        browser.close()
    server.should_exit = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
