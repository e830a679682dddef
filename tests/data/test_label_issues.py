"""Confident learning: the pure functions, and the label_issues check end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelglass.core import BadInputError, Severity
from modelglass.data import check_data
from modelglass.data._confident import (
    METHODS,
    class_thresholds,
    confident_joint,
    find_issues,
    self_confidence,
)


def toy() -> tuple[np.ndarray, np.ndarray]:
    """Six examples of class 0 and six of class 1; example 5 is labelled 0 but looks like 1."""
    labels = np.array([0] * 6 + [1] * 6)
    p1 = np.array([0.1, 0.2, 0.1, 0.15, 0.2, 0.95, 0.9, 0.8, 0.85, 0.9, 0.7, 0.95])
    return labels, np.column_stack([1 - p1, p1])


def test_thresholds_are_mean_self_confidence() -> None:
    labels, probs = toy()
    t = class_thresholds(labels, probs)
    assert t[0] == pytest.approx(np.mean(1 - np.array([0.1, 0.2, 0.1, 0.15, 0.2, 0.95])))
    assert t[1] == pytest.approx(np.mean([0.9, 0.8, 0.85, 0.9, 0.7, 0.95]))


def test_confident_joint_rows_sum_to_class_counts() -> None:
    labels, probs = toy()
    c = confident_joint(labels, probs)
    assert c.sum(axis=1) == pytest.approx([6, 6])
    assert c[0, 1] > 0 and c[1, 0] == 0


@pytest.mark.parametrize("method", METHODS)
def test_each_method_finds_the_planted_issue(method: str) -> None:
    labels, probs = toy()
    assert np.flatnonzero(find_issues(labels, probs, method)).tolist() == [5]


def test_predicted_given_label_is_never_an_issue() -> None:
    labels, probs = toy()
    probs = probs.copy()
    probs[5] = [0.6, 0.4]
    assert not find_issues(labels, probs)[5]
    assert self_confidence(labels, probs)[5] == pytest.approx(0.6)


def test_flipped_labels_rank_among_top_suspects(wine: pd.DataFrame) -> None:
    df = wine.copy()
    flipped = [3, 100, 150]
    df.loc[3, "target"] = 2
    df.loc[100, "target"] = 0
    df.loc[150, "target"] = 1
    r = check_data(df, target="target", checks=["label_issues"])
    rows = r.rows("label_issues")
    assert set(flipped) <= set(rows["row"].head(5))
    hit = rows.set_index("row").loc[3]
    assert hit["given"] == 2 and hit["suggested"] == 0
    (f,) = r.findings
    assert f.severity == Severity.WARNING  # 3+ of 178 rows is above 1%
    suspects = r.to_dict()["label_issues"]["suspects"]
    assert {s["row"] for s in suspects[:5]} >= set(flipped)


def test_user_pred_probs_are_used_and_checked(clean: pd.DataFrame) -> None:
    labels = clean["y"].to_numpy()
    probs = np.column_stack([1 - labels, labels]).astype(float) * 0.9 + 0.05
    probs[7] = probs[7][::-1]  # the model disagrees with row 7's label
    r = check_data(clean, target="y", checks=["label_issues"], pred_probs=probs)
    assert r.rows("label_issues")["row"].tolist() == [7]
    assert r.findings[0].severity == Severity.INFO  # 1 of 400 rows
    assert r.details["label_issues"]["source"] == "pred_probs"
    with pytest.raises(BadInputError, match="pred_probs must have shape"):
        check_data(clean, target="y", checks=["label_issues"], pred_probs=probs[:10])


def test_skipped_for_regression(clean: pd.DataFrame) -> None:
    r = check_data(clean.assign(y=clean["a"] * 2.5), target="y", checks=["label_issues"])
    assert r.task == "regression"
    assert r.skipped == {"label_issues": "only for classification targets"}
