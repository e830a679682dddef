"""The demo walks the seed's four steps: each step finds what was planted in it."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import modelglass as mg
from modelglass.demo import run_demo
from modelglass.demo._digits import DIGITS_RATES, load_digits_data
from modelglass.demo._outliers import compare_outlier_losses

pytest.importorskip("sklearn")

STEPS = ("Step 1. The model", "Step 2. The training data", "Step 3. Adjusting parameters", "Step 4. The loss")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("walk")
    result = run_demo(store=tmp / "store", out=tmp / "demo.html")
    return result, result.report.read_text()


def test_report_walks_the_four_steps_in_order(demo):
    _, html = demo
    positions = [html.index(s) for s in STEPS]
    assert positions == sorted(positions)
    for div in ("loss-curves", "lr-find", "digits-curves", "loss-surface", "loss-comparison"):
        assert f'<div id="{div}" class="plotly-graph-div"' in html


def test_step1_inspects_the_trained_parameters(demo):
    result, html = demo
    names = [q["name"] for q in result.walk.inspection.to_dict()["parameters"]]
    assert names == ["bias", "weight"]
    digits = result.walk.digits.inspection.to_dict()["parameters"]
    assert [(q["name"], q["shape"]) for q in digits] == [("W", [64, 10]), ("b", [10])]
    assert "64x10" in html


def test_step2_finds_most_of_the_flipped_labels(demo):
    result, html = demo
    check = result.walk.digits.label_check()
    assert check["flipped"] == 20
    assert check["recall"] >= 0.7 and check["precision"] >= 0.5  # seed 0: 16 of 20, 16 of 26 flags
    assert "label_issues" in result.walk.digits.data_report.codes()
    assert re.search(r"check_data flagged \d+ rows; \d+ of them are flipped ones", html)
    colors = re.search(r'"digits-label-issues",\s*\[\{.*?"marker":\{"color":(\[[^\]]*\])', html, re.S)
    shown = json.loads(colors.group(1))
    assert 0 < shown.count("#d62728") <= check["found"]  # red bars: the flipped labels it found


def test_step2_on_a_held_out_seed_still_finds_them():
    data = load_digits_data(seed=1)
    import pandas as pd

    frame = pd.DataFrame(data.X, columns=[f"px{i}" for i in range(64)])
    frame["label"] = data.y
    rep = mg.check_data(frame, target="label", checks=["label_issues"], seed=1, progress=False)
    found = np.intersect1d(rep.rows("label_issues")["row"].to_numpy(), data.flipped)
    assert len(found) >= 14  # of 20 flipped


def test_step3_diagnoses_each_rate(demo):
    result, html = demo
    diags = result.walk.diagnoses
    assert diags["good"].verdict == "healthy"
    assert diags["too large"].verdict == "error" and "loss_divergence" in diags["too large"].codes()
    assert diags["too small"].verdict == "warning"
    causes = getattr(diags["too large"], "causes", None)
    if causes:  # the doctor's causes: the diverging run's top cause is the learning rate
        assert causes[0].code == "lr_too_high"
    digits = result.walk.digits.diagnoses
    assert digits["good"].verdict == "healthy" and digits["too large"].verdict == "error"
    assert set(DIGITS_RATES) == set(digits)


def test_step3_lr_find_stays_below_the_divergence_limit(demo):
    result, html = demo
    lf = result.walk.lr_find
    # The seed's update diverges above 2 / 2.42 ~ 0.83 (DEFAULT_RATES' comment).
    assert 0.001 < lf.suggestion < 0.83
    assert lf.stopped_at is not None and 0.5 < lf.stopped_at < 1.0
    assert f"It suggests lr = {lf.suggestion:.3g}" in html


def test_step4_gradcheck_finds_the_factor_half(demo):
    result, html = demo
    gc = result.walk.gradcheck
    assert [f.code for f in gc.findings] == ["gradcheck_scaled"]
    assert "factor 0.5" in gc.message and "factor 0.5" in html


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_step4_robust_losses_ignore_the_outliers(seed):
    oc = compare_outlier_losses(seed=seed)
    fits = {f.name: f for f in oc.fits}
    assert fits["mse"].distance_to_truth > 1.0
    assert fits["mae"].distance_to_truth < 0.4 and fits["huber"].distance_to_truth < 0.4
    assert oc.best in ("mae", "huber")
