"""Overhead of ``run.watch`` on CPU training loops: an MLP and a small CNN.

Two identical copies of each model train side by side in one process, one
plain and one under ``run.watch(model, optimizer, every=50)``; both log their
loss into a run each step, as a user would. They alternate blocks of 50 steps
so that changes in machine load hit both alike. Prints the median per-step
CPU time of the training thread and wall time of each, their ratio, and the CPU
time spent inside watch's own hooks (the run's background writer thread is not
counted: it runs beside training). Run: ``python benchmarks/bench_watch.py`` (about 1-2
minutes on an idle CPU).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import torch
import torch.nn as nn

import modelglass as mg
from modelglass.probes.torch import Watcher
from modelglass.probes.torch._activations import ActivationProbe

HOOK_SECONDS = [0.0]  # CPU time spent inside the watcher's own hooks


def _timed(fn):
    def wrapper(*args, **kwargs):
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            HOOK_SECONDS[0] += time.thread_time() - t0
    return wrapper


# Time the hooks themselves (CPU time of the training thread): a direct measure of
# the watcher's own work that waiting for a busy CPU does not inflate (it leaves out
# only PyTorch's cost of calling a hook at all).
for _name in ("_on_forward", "_on_pre_step", "_on_post_step"):
    setattr(Watcher, _name, _timed(getattr(Watcher, _name)))
_make_hook = ActivationProbe._hook
ActivationProbe._hook = lambda self, name, kind: _timed(_make_hook(self, name, kind))  # type: ignore[method-assign]


def mlp() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    return model, torch.randn(128, 784), torch.randint(0, 10, (128,))


def cnn() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 8 * 8, 64), nn.ReLU(), nn.Linear(64, 10),
    )
    return model, torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))


class Trainer:
    """One model, its optimizer and its run; ``block(n)`` trains n steps and times them."""

    def __init__(self, build, store: str, every: int | None) -> None:
        torch.manual_seed(0)
        self.model, self.x, self.y = build()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.loss_fn = nn.CrossEntropyLoss()
        self.run = mg.init("bench-watch", store=store)
        if every is not None:
            self.run.watch(self.model, optimizer=self.opt, every=every)

    def step(self) -> None:
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        self.run.log({"loss": loss.detach()})

    def block(self, n: int) -> tuple[float, float]:
        """(CPU seconds of the training thread, wall seconds) per step over n steps."""
        c0, w0 = time.thread_time(), time.perf_counter()
        for _ in range(n):
            self.step()
        return (time.thread_time() - c0) / n, (time.perf_counter() - w0) / n


def compare(build, blocks: int, every: int, store: str) -> dict[str, float]:
    """Alternate blocks of ``every`` steps between a plain and a watched copy of the model.

    Each watched block holds exactly one recorded step, so a block's time is the
    true average cost at this cadence; alternating blocks exposes both copies to
    the same machine load.
    """
    plain, watched = Trainer(build, store, None), Trainer(build, store, every)
    for t in (plain, watched):  # warm-up, including the watcher's first recorded step
        t.block(every)
    HOOK_SECONDS[0] = 0.0
    cpu: dict[str, list[float]] = {"plain": [], "watch": []}
    wall: dict[str, list[float]] = {"plain": [], "watch": []}
    for i in range(blocks):
        order = (("plain", plain), ("watch", watched)) if i % 2 == 0 else (("watch", watched), ("plain", plain))
        for key, t in order:
            c, w = t.block(every)
            cpu[key].append(c)
            wall[key].append(w)
    plain.run.finish()
    watched.run.finish()
    med = statistics.median
    hooks = HOOK_SECONDS[0] / (blocks * every)
    return {"hooks": hooks, "cpu_plain": med(cpu["plain"]), "cpu_watch": med(cpu["watch"]),
            "wall_plain": med(wall["plain"]), "wall_watch": med(wall["watch"]),
            # The least disturbed block of each: on a busy machine the steadier estimate.
            "cpu-min_plain": min(cpu["plain"]), "cpu-min_watch": min(cpu["watch"])}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=10, help="blocks of `every` steps per copy")
    ap.add_argument("--every", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    store = tempfile.mkdtemp(prefix="mg-bench-watch-")
    print(f"torch {torch.__version__}, {args.threads} thread(s), every={args.every}, "
          f"{args.blocks} alternating blocks of {args.every} steps per copy; ms/step "
          "(cpu, wall: medians over blocks; cpu-min: fastest block)")
    print(f"{'model':<5} {'clock':<7} {'plain':>8} {'watch':>8} {'ratio':>6} {'overhead':>8}")
    lines = []
    for name, build in (("MLP", mlp), ("CNN", cnn)):
        r = compare(build, args.blocks, args.every, store)
        for clock in ("cpu", "cpu-min", "wall"):
            p, w = r[f"{clock}_plain"], r[f"{clock}_watch"]
            print(f"{name:<5} {clock:<7} {p * 1e3:8.3f} {w * 1e3:8.3f} {w / p:6.3f} "
                  f"{100 * (w / p - 1):7.1f}%")
        lines.append(f"{name}: CPU time inside watch's hooks {r['hooks'] * 1e3:.3f} ms/step = "
                     f"{100 * r['hooks'] / r['cpu_plain']:.1f}% of the plain step's CPU time")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
