"""Benchmark: study figures for a study of many trials, modelglass vs ``optuna.visualization``.

Both draw plotly figures from the same in-memory study (3 float parameters, one
categorical). Prints the median build time of each figure and the ratio. Run:
``python benchmarks/bench_tune_figures.py [--trials 3000]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import optuna

from modelglass.tune._result import result_from_study


def make_study(n: int):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study()
    dists = {
        "lr": optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True),
        "dropout": optuna.distributions.FloatDistribution(0.0, 0.5),
        "width": optuna.distributions.IntDistribution(16, 512),
        "opt": optuna.distributions.CategoricalDistribution(["sgd", "adam", "rmsprop"]),
    }
    rng = np.random.default_rng(0)
    trials = []
    for _ in range(n):
        p = {"lr": float(10 ** rng.uniform(-5, -1)), "dropout": float(rng.uniform(0, 0.5)),
             "width": int(rng.integers(16, 513)), "opt": str(rng.choice(["sgd", "adam", "rmsprop"]))}
        value = (np.log10(p["lr"]) + 3) ** 2 + p["dropout"] + 100 / p["width"] + (p["opt"] == "sgd")
        trials.append(optuna.trial.create_trial(params=p, distributions=dists, value=float(value)))
    study.add_trials(trials)
    return study


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    study = make_study(args.trials)
    result = result_from_study(study, "memory")
    vis = optuna.visualization
    pairs = {
        "history": (lambda: result.figure("history"), lambda: vis.plot_optimization_history(study)),
        "parallel": (lambda: result.figure("parallel"), lambda: vis.plot_parallel_coordinate(study)),
        "contour": (lambda: result.figure("contour", x="lr", y="dropout"),
                    lambda: vis.plot_contour(study, params=["lr", "dropout"])),
        "slice": (lambda: result.figure("slice"), lambda: vis.plot_slice(study)),
    }
    print(f"{args.trials} trials, median of {args.repeats}")
    print(f"{'figure':>10} {'modelglass s':>13} {'optuna.visualization s':>23} {'ratio':>7}")
    for name, (ours, theirs) in pairs.items():
        t_ours, t_theirs = timed(ours, args.repeats), timed(theirs, args.repeats)
        print(f"{name:>10} {t_ours:>13.3f} {t_theirs:>23.3f} {t_theirs / t_ours:>6.1f}x")
    t_table = timed(lambda: result_from_study(study, "memory"), args.repeats)
    print(f"building the TuneResult itself (trials table + findings): {t_table:.3f} s")


if __name__ == "__main__":
    main()
