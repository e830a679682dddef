"""Rules that compare the loss with a reference: the trivial baseline and the validation loss."""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from ..core import Finding, format_number
from ._history import History
from ._registry import NotEnoughData, make, num, rule
from ._rules_loss import train_curve
from ._signal import ratio, rel_change, running_median, tail_median

NO_BASELINE = (
    "the trivial-baseline loss is unknown (give num_classes= for a classifier, or baseline= "
    "for a regression: the loss of predicting the mean)"
)


def baseline(h: History) -> tuple[float, str]:
    """The loss of a trivial predictor and how it was found; raises when unknown."""
    if h.baseline is not None:
        return h.baseline, "given"
    if h.num_classes is not None:
        # Cross-entropy of the uniform prediction over C classes (Karpathy, "A Recipe for
        # Training Neural Networks": check the loss at init is log(C)).
        return math.log(h.num_classes), f"log({h.num_classes})"
    raise NotEnoughData(NO_BASELINE)


@rule("underfitting", "warning", "model", {
    "near": (0.9, "the training loss ends (median of the last 10%) above this fraction of the "
                  "trivial baseline"),
    "far": (2.0, "a loss that ends above this many times the baseline is not 'near' it: that "
                 "is divergence or a bad start, judged by their own rules"),
    "min_points": (5, "finite loss points needed to judge"),
})
def underfitting(h: History, p: Mapping[str, float]) -> list[Finding]:
    """The training loss stays near the trivial baseline (predict the mean, or the class prior)."""
    _, pre = train_curve(h, int(p["min_points"]))
    base, how = baseline(h)
    end = tail_median(pre.values, 0.1)
    frac = ratio(end, base)
    if frac is None or frac < p["near"] or frac > p["far"]:
        return []
    ev = {"end_loss": num(end), "baseline": num(base), "baseline_from": how,
          "fraction_of_baseline": num(frac), "last_step": int(pre.steps[-1])}
    return [make(
        "underfitting",
        f"The training loss stays at {round(100 * frac)}% of a trivial predictor's ({how})", ev,
        "Check that inputs and labels are paired correctly (a shuffle that moved only one of "
        "them looks exactly like this) and that the features carry signal (mg.check_data), then "
        "try a larger model or a higher learning rate: the model learns nothing beyond the "
        "label distribution.",
        int(pre.steps[0]),
    )]


@rule("overfitting", "warning", "data", {
    "rise": (0.1, "the validation loss ends this fraction above its minimum (SageMaker Debugger "
                  "uses (val - train) / train > 0.1 for the gap)"),
    "gap": (0.1, "and ends this fraction above the training loss"),
    "train_fall": (0.02, "while the training loss fell by at least this fraction after the "
                         "validation minimum"),
    "min_points": (5, "finite validation points needed to judge"),
})
def overfitting(h: History, p: Mapping[str, float]) -> list[Finding]:
    """Validation loss rises clearly above its minimum while the training loss keeps falling."""
    vc = h.val_loss()
    if vc is None:
        raise NotEnoughData("no validation-loss series (looked for val/loss, val_loss, valid/loss)")
    v = vc.finite()
    if len(v) < int(p["min_points"]):
        raise NotEnoughData(f"the validation loss '{vc.tag}' has {len(v)} finite points; "
                            f"at least {int(p['min_points'])} are needed")
    _, t = train_curve(h, 2)
    vs = running_median(v.values, 3)
    tail = max(2, v.values.size // 5)
    i_min = int(np.argmin(vs))
    if i_min >= v.values.size - tail:
        return []
    vmin, vend = float(vs[i_min]), float(np.median(v.values[-tail:]))
    rise = rel_change(vend, vmin)
    step_min = int(v.steps[i_min])
    before = t.values[t.steps <= step_min]
    if rise is None or rise <= p["rise"] or before.size == 0:
        return []
    t_at_min = float(np.median(before[-max(1, before.size // 10):]))
    t_end = tail_median(t.values, 0.1)
    fall = ratio(t_at_min - t_end, abs(t_at_min))
    gap = rel_change(vend, t_end)
    if fall is None or fall < p["train_fall"] or gap is None or gap <= p["gap"]:
        return []
    ev = {"val_min": num(vmin), "val_min_step": step_min, "val_end": num(vend),
          "val_rise": num(rise), "train_at_val_min": num(t_at_min), "train_end": num(t_end),
          "gap": num(gap)}
    return [make(
        "overfitting",
        f"Overfitting from step {step_min}: validation loss rose {round(100 * rise)}% above its "
        "minimum while training loss kept falling", ev,
        f"Keep the model from step {step_min} (early stopping), get more training data or "
        "augment it, add regularisation (weight decay, dropout), or use a smaller model.",
        step_min,
    )]


@rule("bad_initial_loss", "warning", "model", {
    "factor": (3.0, "the loss at step 0 is above this many times log(C) for C classes"),
})
def bad_initial_loss(h: History, p: Mapping[str, float]) -> list[Finding]:
    """For a classifier, the loss at step 0 is far above log(C): the initialisation is off."""
    c = h.loss()
    if c is None:
        raise NotEnoughData("no training-loss series (looked for loss, train/loss; pass loss=NAME)")
    if h.num_classes is None:
        raise NotEnoughData("the number of classes is unknown (give num_classes=)")
    if len(c) == 0 or not np.isfinite(c.values[0]):
        raise NotEnoughData(f"the training loss '{c.tag}' has no finite value at its first step")
    start = float(c.values[0])
    expect = math.log(h.num_classes)
    times = ratio(start, expect)
    if times is None or times <= p["factor"]:
        return []
    ev = {"initial_loss": num(start), "expected": num(expect), "times_expected": num(times),
          "num_classes": h.num_classes}
    return [make(
        "bad_initial_loss",
        f"The loss at the start is {format_number(times)}x log({h.num_classes})", ev,
        "The model starts out confidently wrong. Initialise the last layer small (e.g. scale "
        "its weights down, zero its bias) so the first predictions are near uniform; check the "
        "input scaling and that the loss gets raw logits.",
        int(c.steps[0]),
    )]
