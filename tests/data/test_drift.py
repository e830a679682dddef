"""Drift statistics agree with SciPy, random halves do not drift, shifted columns do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelglass.data import check_data
from modelglass.data._drift_stats import chi2_homogeneity, chi2_sf, js_distance, ks_test, numeric_psi, wasserstein


def test_statistics_match_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    from scipy.spatial.distance import jensenshannon

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=700), rng.normal(0.3, 1.2, size=500)
    d, p = ks_test(a, b)
    ref = stats.ks_2samp(a, b)
    assert d == pytest.approx(ref.statistic)
    assert p == pytest.approx(ref.pvalue, rel=0.2)
    assert wasserstein(a, b) == pytest.approx(stats.wasserstein_distance(a, b))
    pa, pb = np.array([0.5, 0.3, 0.2, 0.0]), np.array([0.25, 0.25, 0.25, 0.25])
    assert js_distance(pa, pb) == pytest.approx(jensenshannon(pa, pb, base=2))
    ca, cb = np.array([50, 30, 20]), np.array([20, 40, 40])
    stat, p = chi2_homogeneity(ca, cb)
    ref = stats.chi2_contingency(np.vstack([ca, cb]), correction=False)
    assert stat == pytest.approx(ref.statistic)
    assert p == pytest.approx(ref.pvalue, rel=1e-6)
    for dof in (1, 2, 5, 40):
        assert chi2_sf(7.5, dof) == pytest.approx(stats.chi2.sf(7.5, dof), rel=1e-6)


def test_psi_is_zero_for_the_same_sample_and_large_for_a_shift() -> None:
    x = np.random.default_rng(0).normal(size=5000)
    assert numeric_psi(x, x) == pytest.approx(0.0, abs=1e-12)
    assert numeric_psi(x, x + 1.0) > 0.2


def test_random_halves_of_100k_rows_do_not_drift() -> None:
    rng = np.random.default_rng(3)
    n = 100_000
    df = pd.DataFrame({
        "x": rng.normal(size=n), "skewed": rng.exponential(size=n),
        "k": rng.integers(0, 5, size=n), "cat": rng.choice(list("abcdefg"), size=n),
    })
    half = rng.random(n) < 0.5
    r = check_data(df[half], df[~half], checks=["train_test_drift"])
    assert r.findings == ()
    table = r.to_dict()["drift"]
    assert {row["column"] for row in table} == {"x", "skewed", "k", "cat"}
    assert all(not row["drifted"] for row in table)


def test_shifted_columns_drift_and_unseen_categories_are_listed() -> None:
    rng = np.random.default_rng(4)
    train = pd.DataFrame({"x": rng.normal(size=3000), "same": rng.normal(size=3000),
                          "cat": rng.choice(["a", "b"], size=3000)})
    test = pd.DataFrame({"x": rng.normal(0.8, 1, size=1000), "same": rng.normal(size=1000),
                         "cat": rng.choice(["a", "b", "c"], size=1000, p=[0.2, 0.3, 0.5])})
    r = check_data(train, test, checks=["train_test_drift"])
    (f,) = r.findings
    assert f.evidence["columns"] == ["cat", "x"] or f.evidence["columns"] == ["x", "cat"]
    assert f.evidence["per_column"]["cat"]["unseen_in_train"] == ["c"]
    (bars,) = r.figure("drift").data
    assert sorted(bars.y[:2]) == ["cat", "x"] and list(bars.y[2:]) == ["same"]  # drifted first
    assert list(bars.x) == sorted(bars.x, reverse=True)


def test_id_like_columns_are_left_out_of_drift() -> None:
    rng = np.random.default_rng(5)
    train = pd.DataFrame({"id": [f"a{i}" for i in range(500)], "x": rng.normal(size=500)})
    test = pd.DataFrame({"id": [f"b{i}" for i in range(200)], "x": rng.normal(size=200)})
    r = check_data(train, test, checks=["train_test_drift"])
    assert r.findings == ()
    assert r.details["train_test_drift"]["id_like_columns"] == ["id"]
    assert [row["column"] for row in r.to_dict()["drift"]] == ["x"]
