"""Benchmark: a 41x41 loss-landscape grid for a 3-layer MLP.

Side by side:
  * modelglass      ``mg.landscape`` as it runs by default: for a plain ``nn.Sequential`` MLP a
                    batched path (first layer precomputed per direction, ``bmm`` over batches
                    of grid points); other models go through ``functional_call`` + ``vmap``
  * mg vmap         ``mg.landscape(..., method="vmap")``: the general path, forced
  * loss-landscapes ``loss_landscapes.random_plane`` (moves the model's weights in place, one
                    forward per point), when the package is installed
  * naive           one ``copy.deepcopy`` of the model per grid point

Prints medians of several runs and ratios. Run: ``python benchmarks/bench_landscape.py``.
PyTorch is pinned to one thread and the times are the process's CPU time
(``time.process_time``), so that the numbers depend less on what else a shared
machine runs; pass ``--threads N`` and ``--wall`` to change that.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch

import modelglass as mg

STEPS = 41
CLOCK = time.process_time


def make(n: int, features: int = 20, width: int = 64):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, features, generator=g)
    y = (X[:, :1] * 2 - X[:, 1:2] ** 2 + 0.1 * torch.randn(n, 1, generator=g))
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(features, width), torch.nn.ReLU(),
        torch.nn.Linear(width, width), torch.nn.ReLU(),
        torch.nn.Linear(width, 1),
    )
    return model, X, y


def run_modelglass(model, X, y):
    return mg.landscape(model, torch.nn.functional.mse_loss, (X, y), steps=STEPS, span=1.0).losses


def run_modelglass_vmap(model, X, y):
    return mg.landscape(model, torch.nn.functional.mse_loss, (X, y), steps=STEPS, span=1.0, method="vmap").losses


def run_loss_landscapes(model, X, y):
    import loss_landscapes
    import loss_landscapes.metrics

    metric = loss_landscapes.metrics.Loss(torch.nn.functional.mse_loss, X, y)
    return loss_landscapes.random_plane(model, metric, distance=1, steps=STEPS, normalization="filter",
                                        deepcopy_model=True)


def run_naive(model, X, y):
    params = {n: p.detach() for n, p in model.named_parameters()}
    d1 = {n: torch.randn_like(p) for n, p in params.items()}
    d2 = {n: torch.randn_like(p) for n, p in params.items()}
    axis = torch.linspace(-1, 1, STEPS)
    out = torch.empty(STEPS, STEPS)
    with torch.no_grad():
        for i, b in enumerate(axis):
            for j, a in enumerate(axis):
                m = copy.deepcopy(model)
                for n, p in m.named_parameters():
                    p.add_(a * d1[n] + b * d2[n])
                out[i, j] = torch.nn.functional.mse_loss(m(X), y)
    return out


def median_times(fns, repeats: int, *args) -> list[float]:
    """Median wall time of each function; the runs are interleaved so that a change in
    the machine's load hits every contender alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            if fn is None:
                times[i].append(float("nan"))
                continue
            t = CLOCK()
            fn(*args)
            times[i].append(CLOCK() - t)
    return [statistics.median(ts) for ts in times]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--wall", action="store_true", help="wall-clock time instead of CPU time")
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.process_time
    torch.set_num_threads(args.threads)
    try:
        import loss_landscapes  # noqa: F401

        have_ll = True
    except ImportError:
        have_ll = False
    print(f"41x41 grid, 3-layer MLP (20-64-64-1), torch {torch.__version__}, {args.threads} thread(s), "
          f"median {'wall' if args.wall else 'CPU'} time of {args.repeats} interleaved runs")
    print(f"{'samples':>8} {'modelglass s':>13} {'mg vmap s':>10} {'loss-landscapes s':>18} "
          f"{'naive copies s':>15} {'l-l/mg':>7} {'naive/mg':>9} {'l-l/vmap':>9}")
    run_modelglass(*make(50))  # import and first-call costs out of the timings
    for n in (2000, 200):
        model, X, y = make(n)
        t_mg, t_vm, t_ll, t_nv = median_times(
            [run_modelglass, run_modelglass_vmap, run_loss_landscapes if have_ll else None, run_naive],
            args.repeats, model, X, y)
        print(f"{n:>8} {t_mg:>13.3f} {t_vm:>10.3f} {t_ll:>18.3f} {t_nv:>15.3f} {t_ll / t_mg:>6.2f}x "
              f"{t_nv / t_mg:>8.2f}x {t_ll / t_vm:>8.2f}x")
    if not have_ll:
        print("loss-landscapes is not installed: only the naive loop is compared (pip install loss-landscapes).")


if __name__ == "__main__":
    main()
