"""Rules on the loss curve's shape: NaN/Inf, divergence, oscillation, plateau."""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from ..core import Finding, format_number
from ._history import DERIVED_PREFIXES, ScalarSeries, History
from ._registry import NotEnoughData, make, num, rule
from ._signal import head_median, lag1_autocorr, ratio, rel_change, running_mean, spread, tail_median

NO_LOSS = "no training-loss series (looked for loss, train/loss; pass loss=NAME)"


def train_curve(h: History, min_points: int) -> tuple[ScalarSeries, ScalarSeries]:
    """The training loss (all of it) and its part before any NaN/Inf; raises when too short."""
    c = h.loss()
    if c is None:
        raise NotEnoughData(NO_LOSS)
    pre = c.finite_prefix()
    if len(pre) < min_points:
        what = "only NaN/Inf values" if len(c) and not len(c.finite()) else f"{len(pre)} finite points"
        raise NotEnoughData(f"the training loss '{c.tag}' has {what}; at least {min_points} are needed")
    return c, pre


def _param_of(tag: str) -> str | None:
    for prefix in ("grad_norm/", "weight_norm/", "act/mean/", "act/std/"):
        if tag.startswith(prefix):
            return tag[len(prefix):]
    return None


@rule("nan_inf", "error", "optimisation")
def nan_inf(h: History, p: Mapping[str, float]) -> list[Finding]:
    """The loss, a logged metric, a weight or a gradient became NaN or Inf."""
    if not h.tags:
        raise NotEnoughData("the run has no series")
    hits: list[tuple[int, str, float]] = []
    for tag in h.tags:
        if tag.startswith(DERIVED_PREFIXES):
            continue
        c = h.curve(tag)
        bad = np.flatnonzero(~np.isfinite(c.values))
        if bad.size:
            i = int(bad[0])
            hits.append((int(c.steps[i]), tag, float(c.values[i])))
    probe = h.artifacts.get("nonfinite")
    if not hits and not isinstance(probe, Mapping):
        return []
    hits.sort(key=lambda t: (t[0], t[1] != h.loss_tag, t[1]))
    ev: dict[str, object] = {"series_affected": len(hits), "series": [t[1] for t in hits[:10]]}
    step = None
    if hits:
        step, tag, val = hits[0]
        ev.update(first_step=step, first_series=tag, value=("nan" if math.isnan(val) else str(val)))
        if _param_of(tag):
            ev["module"] = _param_of(tag)
            ev["parameter_series"] = tag
    if isinstance(probe, Mapping):
        ps = probe.get("step")
        if isinstance(ps, (int, float)) and (step is None or ps <= step):
            step = int(ps)
            ev["first_step"] = step
        for key in ("module", "where", "kind"):
            if isinstance(probe.get(key), str) and probe[key]:
                ev[key] = probe[key]
        if probe.get("module") == "" and "module" not in ev:
            ev["module"] = "<root>"
    where = f" in {ev['module']}" if "module" in ev else ""
    return [make(
        "nan_inf", f"A value became NaN or Inf at step {step}{where}", ev,
        "Lower the learning rate or clip gradients (torch.nn.utils.clip_grad_norm_), and guard "
        "the maths: use log_softmax/cross_entropy instead of log(softmax(x)), add a small epsilon "
        "inside log() and sqrt() and to divisors, and check the inputs for NaN.",
        step,
    )]


@rule("loss_divergence", "error", "optimisation", {
    "factor": (2.0, "the loss ends (median of the last 10% of points) at least this many times "
                    "its start level (its first value, or the median of the first 2% (at most 5 "
                    "points) when lower), or blows up to NaN/Inf after "
                    "growing this much"),
    "min_points": (5, "finite loss points needed to judge"),
})
def loss_divergence(h: History, p: Mapping[str, float]) -> list[Finding]:
    """The loss grows instead of falling."""
    c = h.loss()
    if c is None:
        raise NotEnoughData(NO_LOSS)
    pre = c.finite_prefix()
    blew_up = len(pre) < len(c)
    if len(pre) < (2 if blew_up else int(p["min_points"])):
        raise NotEnoughData(f"the training loss '{c.tag}' has {len(pre)} finite points before any NaN/Inf")
    v = pre.values
    start = start_level(v)
    end = float(np.max(v[-3:])) if blew_up else tail_median(v, 0.1)
    growth = rel_change(end, start)
    if growth is None or growth < p["factor"] - 1:
        return []
    smooth = running_mean(v, max(1, v.size // 50))
    i_min = int(np.argmin(smooth[: max(1, int(np.argmax(smooth)) + 1)]))
    step = int(pre.steps[i_min])
    ev = {"start_loss": num(start), "end_loss": num(end), "growth": num(growth + 1),
          "lowest_loss": num(float(smooth[i_min])), "began_step": step, "blew_up": blew_up}
    return [make(
        "loss_divergence",
        f"The loss grew {format_number(growth + 1)}x instead of falling", ev,
        "The learning rate is most likely too high: divide it by 3-10 and retry, or add a warm-up "
        "and gradient clipping. Check also that the loss is minimised (not maximised) and that "
        "the inputs are scaled.",
        step,
    )]


@rule("loss_oscillation", "warning", "optimisation", {
    "min_swing": (0.3, "slow swings: the smoothed loss in the second half swings (10th-90th "
                       "percentile) by at least this fraction of its level"),
    "noise_factor": (3.0, "and by this many times what minibatch noise alone leaves after smoothing"),
    "bounce": (0.5, "bouncing: the raw loss in the second half swings by at least this fraction "
                    "of its level while the run has not converged"),
    "converged": (0.5, "a run whose second-half level is below this fraction of its start has "
                       "converged: its remaining swings are minibatch noise"),
    "max_drop": (0.1, "with the second half's last third at most this fraction below its first "
                      "third (no downward trend)"),
    "min_points": (40, "finite loss points needed to judge"),
})
def loss_oscillation(h: History, p: Mapping[str, float]) -> list[Finding]:
    """The loss swings up and down by a large fraction of its level, with no downward trend."""
    c, pre = train_curve(h, int(p["min_points"]))
    x = pre.values[pre.values.size // 2:]
    level = float(np.median(x))
    start = start_level(pre.values)
    third = max(1, x.size // 3)
    drop = ratio(float(np.median(x[:third]) - np.median(x[-third:])), abs(level))
    if drop is None or drop > p["max_drop"]:
        return []
    k = max(3, x.size // 20)
    sm = running_mean(x, k)[k - 1:]
    swing, raw_swing = spread(sm), spread(x)
    rel_swing, rel_raw = ratio(swing, abs(level)), ratio(raw_swing, abs(level))
    noise_swing = spread(x[k - 1:] - sm) / math.sqrt(k)
    beyond_noise = ratio(swing, noise_swing, default=math.inf if swing > 0 else 0.0)
    alt = lag1_autocorr(x - running_mean(x, 9)) if x.size >= 20 else 0.0
    converged = ratio(level, abs(start))
    slow = (rel_swing is not None and rel_swing >= p["min_swing"] and swing >= 0.01 * abs(start)
            and beyond_noise is not None and beyond_noise >= p["noise_factor"])
    fast = alt <= -0.5 and rel_raw is not None and rel_raw >= p["min_swing"]
    bouncing = (rel_raw is not None and rel_raw >= p["bounce"]
                and converged is not None and converged >= p["converged"])
    if not (slow or fast or bouncing):
        return []
    step = int(pre.steps[pre.values.size // 2])
    frac = rel_swing if slow else rel_raw
    ev = {"level": num(level), "swing": num(swing if slow else raw_swing), "swing_fraction": num(frac),
          "noise_multiple": num(beyond_noise) if beyond_noise is not None and math.isfinite(beyond_noise) else None,
          "lag1_autocorrelation": num(alt), "start_loss": num(start),
          "pattern": "slow swings" if slow else ("alternating" if fast else "bouncing"),
          "second_half_from_step": step}
    return [make(
        "loss_oscillation",
        f"The loss swings by {round(100 * frac)}% of its level without falling", ev,
        "The learning rate is probably too high for this stage of training: lower it, or add a "
        "decay schedule (step or cosine); with momentum, try lowering it too. Larger batches "
        "also reduce the swings.",
        step,
    )]


def start_level(v: np.ndarray) -> float:
    """Where the loss started: its first value, or the median of the first few if lower.

    A too-high learning rate can blow the loss up within a few steps, so the first value
    counts; one unlucky high first batch does not.
    """
    return min(float(v[0]), head_median(v, 0.02, 1, 5))


@rule("loss_plateau", "warning", "optimisation", {
    "min_drop": (0.1, "the loss fell by less than this fraction of its start level (first "
                      "value or first few points vs. the median of the last 10%)"),
    "min_points": (20, "finite loss points needed to judge"),
    "trained_start": (0.8, "with a known baseline, a loss that starts below this fraction of it "
                           "was already trained before its first record (fine-tuning, per-epoch "
                           "curves) and is not judged"),
})
def loss_plateau(h: History, p: Mapping[str, float]) -> list[Finding]:
    """The loss hardly moves: it is still within ~10% of where it started."""
    c, pre = train_curve(h, int(p["min_points"]))
    v = pre.values
    start, end = start_level(v), tail_median(v, 0.1)
    drop = ratio(start - end, abs(start))
    if drop is None or drop >= p["min_drop"] or drop < -p["min_drop"]:
        return []
    base = _baseline(h)
    if base is not None and start < p["trained_start"] * base:
        return []
    ev = {"start_loss": num(start), "end_loss": num(end), "drop_fraction": num(drop),
          "points": len(pre), "last_step": int(pre.steps[-1])}
    return [make(
        "loss_plateau",
        f"The loss hardly moved: {abs(round(100 * drop, 1))}% {'lower' if drop >= 0 else 'higher'} "
        f"after {len(pre)} points", ev,
        "Training is stuck. Raise the learning rate (try 3-10x, or run an LR range test with "
        "mg.lr_find), check that the optimizer holds the model's parameters and that gradients "
        "reach them, and check the data: labels that carry no signal also look like this.",
        int(pre.steps[0]),
    )]


def _baseline(h: History) -> float | None:
    if h.baseline is not None:
        return h.baseline
    if h.num_classes is not None:
        return math.log(h.num_classes)
    return None
