"""Benchmark of ``modelglass.check_data``: speed on large frames, accuracy of label_issues.

Run: ``.venv/bin/python benchmarks/bench_data.py`` (about 2-3 minutes on 2 cores).

1. All checks except label_issues on a synthetic 1,000,000 x 20 frame (numbers,
   categories, missing values, duplicates, outliers), alone and with a 200,000-row test
   set; ydata-profiling (minimal mode) on the same frame when it is installed.
2. label_issues on 100,000 rows x 20 features (default model: gradient boosting, 5 folds).
3. label_issues precision / recall / F1 on load_digits with 10% and 20% of labels flipped
   (seeded), beside cleanlab's find_label_issues on the same predicted probabilities when
   cleanlab is installed (it is never a modelglass dependency: AGPL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd

from modelglass.data import check_data


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    """n rows x 20 columns: 11 numeric, 7 categorical, 1 ID-like, 1 binary target."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for i in range(6):
        cols[f"num{i}"] = rng.normal(i, 1 + i, n)
    cols["lognormal"] = rng.lognormal(3, 1, n)
    cols["count"] = rng.poisson(4, n).astype(np.int64)
    cols["with_missing"] = np.where(rng.random(n) < 0.05, np.nan, rng.normal(size=n))
    cols["with_outliers"] = rng.normal(size=n)
    cols["with_outliers"][rng.choice(n, 50, replace=False)] = -999.0
    cols["uniform"] = rng.random(n)
    for i, k in enumerate((3, 10, 50, 200, 1000)):
        cols[f"cat{i}"] = pd.array(rng.integers(0, k, n).astype(str), dtype="str")
    cols["city"] = pd.array(np.where(rng.random(n) < 0.03, None, rng.choice(["Oslo", "Lima", "Pune"], n)), dtype="str")
    cols["flag"] = rng.random(n) < 0.3
    cols["id"] = pd.array(np.char.add("id", rng.permutation(n).astype(str)), dtype="str")
    score = cols["num0"] + 0.5 * cols["num1"] + (cols["cat0"] == "1") + rng.normal(size=n)
    cols["target"] = (score > np.median(score)).astype(np.int64)
    df = pd.DataFrame(cols)
    dup = rng.choice(n, n // 100, replace=False)
    df.iloc[dup[: len(dup) // 2]] = df.iloc[dup[len(dup) // 2:]].to_numpy()
    return df


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench_large(n: int, repeat: int) -> list[str]:
    df = synthetic(n)
    test = synthetic(n // 5, seed=1)
    test.iloc[:1000] = df.iloc[:1000].to_numpy()  # rows leaked from train into test
    no_labels = {"label_issues": False}
    t_train, rep = timed(lambda: check_data(df, target="target", checks=no_labels), repeat)
    t_both, rep2 = timed(lambda: check_data(df, test, target="target", checks=no_labels), repeat)
    try:
        import ydata_profiling  # noqa: F401

        ydata = "installed but not run here"
    except ImportError:
        ydata = "not installed (reported elsewhere: 975k x 70 still running after 5 h, full mode)"
    codes = ", ".join(rep2.codes())
    return [
        f"| all checks but label_issues, {n:,} x 20 (train only) | {t_train:.1f} s | <= 15 s | {ydata} |",
        f"| same, plus a {n // 5:,}-row test set (drift, leakage) | {t_both:.1f} s | <= 15 s | |",
        f"\nfindings on the synthetic frame: {codes}",
    ]


def bench_label_speed(n: int, repeat: int) -> str:
    df = synthetic(n, seed=2).drop(columns=["id"])
    df["target"] = np.where(np.random.default_rng(3).random(n) < 0.05, 1 - df["target"], df["target"])
    t, rep = timed(lambda: check_data(df, target="target", checks=["label_issues"]), repeat)
    src = rep.details["label_issues"]["source"]
    return f"| label_issues, {n:,} x {df.shape[1] - 1} features ({src}) | {t:.1f} s | <= 60 s | |"


def prf(mask: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = int((mask & truth).sum())
    p = tp / max(int(mask.sum()), 1)
    r = tp / max(int(truth.sum()), 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bench_digits() -> list[str]:
    from sklearn.datasets import load_digits

    from modelglass.data._confident import find_issues
    from modelglass.data._context import DataContext
    from modelglass.data._oof import default_model, feature_matrix, out_of_fold_probs

    x, y = load_digits(return_X_y=True)
    try:
        from cleanlab.filter import find_label_issues
    except ImportError:
        find_label_issues = None
    lines = []
    for noise in (0.1, 0.2):
        rng = np.random.default_rng(0)
        flip = rng.random(len(y)) < noise
        noisy = y.copy()
        noisy[flip] = (y[flip] + rng.integers(1, 10, int(flip.sum()))) % 10
        df = pd.DataFrame(x, columns=[f"p{i}" for i in range(x.shape[1])]).assign(label=noisy)
        # The probabilities check_data's default model computes, shared with cleanlab.
        ctx = DataContext(df, None, "label")
        rows, labels, _ = ctx.labels()
        feats, cat = feature_matrix(ctx, rows)
        t = time.perf_counter()
        probs = out_of_fold_probs(feats, labels, default_model(cat, len(rows), 0), 5, 0)
        t_probs = time.perf_counter() - t
        rep = check_data(df, target="label", checks=["label_issues"], pred_probs=probs)
        mg_mask = np.zeros(len(y), bool)
        mg_mask[rep.rows("label_issues")["row"].to_numpy()] = True
        row = [f"{noise:.0%} ({int(flip.sum())} flipped)", "modelglass (default: both)", *prf(mg_mask, flip)]
        lines.append("| {} | {} | {:.3f} | {:.3f} | {:.3f} |".format(*row))
        mg_nr = find_issues(labels, probs, "prune_by_noise_rate")
        lines.append("| {} | {} | {:.3f} | {:.3f} | {:.3f} |".format(
            "", "modelglass, prune_by_noise_rate", *prf(mg_nr, flip)))
        if find_label_issues is None:
            lines.append("| | cleanlab | not installed | | |")
        else:
            for by in ("prune_by_noise_rate", "both"):
                tag = "cleanlab default (prune_by_noise_rate)" if by == "prune_by_noise_rate" else "cleanlab, both"
                lines.append("| {} | {} | {:.3f} | {:.3f} | {:.3f} |".format(
                    "", tag, *prf(find_label_issues(noisy, probs, filter_by=by), flip)))
        lines.append(f"| | (out-of-fold probabilities: {t_probs:.1f} s) | | | |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--label-rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cores, load = os.cpu_count(), os.getloadavg()[0]
    print(f"machine: {cores} cores, 1-minute load {load:.1f} at the start\n")
    print("| what | modelglass (median) | goal | ydata-profiling (minimal) |")
    print("|---|---|---|---|")
    large = bench_large(args.rows, args.repeat)
    print("\n".join(large[:2]))
    print(bench_label_speed(args.label_rows, max(1, args.repeat - 2)))
    print(large[2])
    print("\n| flipped labels | method | precision | recall | F1 |")
    print("|---|---|---|---|---|")
    print("\n".join(bench_digits()))
    print(f"\n1-minute load at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
