"""Cause rules of the optimisation: learning rate, zero_grad, parameters, NaN/Inf."""

from __future__ import annotations

import math

from ._cause import Cause, cause_rule, fmt
from ._evidence import Evidence

# The first update of a healthy run moves its weight matrices by about 1-4% (Adam's
# first step is sign-like: lr / |w|); later updates settle near 1e-3 (CS231n).
HEALTHY_FIRST = 0.02
FIRST_TOO_BIG = 0.3
TYPICAL_TOO_SMALL = 1e-4


def _nice(x: float) -> float:
    """One significant digit: 0.00347 -> 0.003."""
    if not x > 0 or not math.isfinite(x):
        return x
    return float(f"{x:.0e}")


def lr_change(e: Evidence, factor: float) -> tuple[str, dict[str, float] | None]:
    """'about 100x, to ~1e-3' and the config change, when the learning rate is known."""
    lr, key = e.lr
    times = _nice(factor)
    if lr is None:
        return f"about {fmt(times)}x", None
    new = _nice(lr / factor)
    return f"about {fmt(times)}x, from {fmt(lr)} to ~{new:g}", ({key: new} if key else None)


@cause_rule("lr_too_high")
def lr_too_high(e: Evidence) -> Cause | None:
    """Huge first updates, an early loss spike, weights growing, dead units after the update."""
    first = e.early_update()
    spike = e.loss_spike()
    because, score = [], 0.0
    if first is not None and first.value > FIRST_TOO_BIG:
        because.append(f"update/weight ratio {fmt(first.value)} at step {first.step} "
                       f"(healthy first updates ~{HEALTHY_FIRST:g}, later ~1e-3)")
        score += 0.5
    if spike is not None and spike.value >= 3:
        because.append(f"loss x{fmt(spike.value)} at step {spike.step}")
        score += 0.2
    growth = e.weight_growth()
    if growth is not None and growth.value >= 5 and score:
        because.append(f"weight norms grew {fmt(growth.value)}x by step {growth.step}")
        score += 0.1
    linked = []
    for code in ("loss_divergence", "exploding_gradients", "update_ratio_high"):
        if e.has(code):
            f = e.by_code[code]
            because.append(f"{code} from step {f.step}")
            linked.append(code)
            score += 0.3
    if not score and e.has("loss_oscillation"):
        # Only a loss that swings without falling: the step size is the usual suspect, but
        # other bugs (an unreset gradient) swing too, so say it with less confidence.
        f = e.by_code["loss_oscillation"]
        because.append(f"loss_oscillation: the loss swings by {fmt(100 * f.evidence.get('swing_fraction', 0))}% "
                       f"of its level from step {f.step}")
        linked.append("loss_oscillation")
        score = 0.2
    if not score or (score < 0.5 and not linked):
        return None
    for code in ("dead_units", "loss_oscillation", "nan_inf", "loss_plateau", "underfitting",
                 "saturated_activations", "bad_initial_loss"):
        f = e.by_code.get(code)
        if f is None or not int(f.severity):
            continue
        if code == "dead_units" and first is not None and (f.step or 0) <= (first.step or 0):
            continue  # dead before the first update: the initialisation's doing
        because.append(f"{code}" + (f" from step {f.step}" if f.step is not None else ""))
        linked.append(code)
    factor = max(3.0, first.value / HEALTHY_FIRST) if first is not None and first.value > FIRST_TOO_BIG else 10.0
    how, change = lr_change(e, min(factor, 1000.0))
    return Cause(
        "lr_too_high", "error" if score >= 0.7 else "warning", min(0.95, 0.3 + score),
        "The learning rate is too high: each update changes the weights by a large part of their size",
        because, f"Lower the learning rate {how} (or pick it with mg.lr_find(model, ...)); add "
        "gradient clipping (clip_grad_norm_(params, 1.0)) if spikes remain.",
        change, linked,
    )


@cause_rule("lr_too_low")
def lr_too_low(e: Evidence) -> Cause | None:
    """Tiny updates all along and a loss that barely moves, with gradients that do flow."""
    typical = e.typical_update()
    if typical is None or typical.value >= TYPICAL_TOO_SMALL:
        return _creeping(e)
    if (e.has("vanishing_gradients") or e.has("saturated_activations") or e.has("dead_units")
            or e.deep_squash()):
        return None  # no gradient reaches the weights: the model's doing, not the step size
    stuck = [c for c in ("loss_plateau", "underfitting", "update_ratio_low") if e.has(c)]
    if not stuck:
        return None
    because = [f"median update/weight ratio {fmt(typical.value)} from step {typical.step} "
               "(healthy ~1e-3)"]
    because += [f"{c} from step {e.by_code[c].step}" for c in stuck]
    lr, key = e.lr
    factor = min(1000.0, max(3.0, 1e-3 / typical.value))
    if lr is not None:
        new = _nice(lr * factor)
        how = f"about {fmt(_nice(factor))}x, from {fmt(lr)} to ~{new:g}"
        change: dict[str, float] | None = {key: new} if key else None
    else:
        how, change = f"about {fmt(_nice(factor))}x", None
    return Cause(
        "lr_too_low", "warning", 0.8 if len(stuck) > 1 else 0.65,
        "The learning rate is too low: the weights barely move, so the loss cannot fall", because,
        f"Raise the learning rate {how}, or run mg.lr_find(model, ...) to pick it from the loss curve.",
        change, stuck,
    )


@cause_rule("missing_zero_grad")
def missing_zero_grad(e: Evidence) -> Cause | None:
    """The next backward pass found the last step's gradient still in p.grad."""
    stale = e.signals.get("stale_grad")
    growth = e.grad_growth()
    linked = [c for c in ("loss_oscillation", "exploding_gradients", "loss_divergence", "dead_units",
                          "update_ratio_high") if e.has(c)]
    if isinstance(stale, dict) and stale.get("checked"):
        n, k = int(stale.get("stale") or 0), int(stale["checked"])
        if n == 0 or n < 0.5 * k:
            return None
        because = [f"at {n} of {k} checked steps the next backward pass started from the gradient "
                   f"the optimizer had just used (first at step {stale.get('first_step')}, "
                   f"parameter {stale.get('param')})"]
        conf = 0.95
    elif growth is not None and growth[0].value >= 20 and not e.has("nan_inf"):
        because = []
        conf = 0.5
    elif growth is not None and growth[0].value >= 0.5 and e.has("loss_oscillation") and not stale:
        # Without hooks (NumPy): the loss swings, yet the gradient never shrinks.
        because = [f"the gradient norm did not shrink ({fmt(growth[1])} -> {fmt(growth[2])}) "
                   "while the loss swung around its floor"]
        conf = 0.4
    else:
        return None
    if growth is not None and growth[0].value >= 5:
        because.append(f"gradient norm grew steadily {fmt(growth[0].value)}x (median "
                       f"{fmt(growth[1])} -> {fmt(growth[2])} by step {growth[0].step})")
    because += [f"{c} from step {e.by_code[c].step}" for c in linked]
    return Cause(
        "missing_zero_grad", "error" if conf >= 0.5 else "warning", conf,
        "optimizer.zero_grad() is missing: every step adds its gradient to all the previous ones",
        because, "Call optimizer.zero_grad() once per step, before loss.backward() (or right after "
        "optimizer.step()). When accumulating over micro-batches, zero after each optimizer step.",
        None, linked,
    )


@cause_rule("parameters_not_training")
def parameters_not_training(e: Evidence) -> Cause | None:
    """Trainable parameters left out of the optimizer, or that never receive a gradient."""
    s = e.signals
    missing = list(s.get("not_in_optimizer") or [])
    recorded = int(s.get("recorded_steps") or 0)
    no_grad = [n for n, k in (s.get("no_grad_params") or {}).items() if recorded and k >= recorded]
    because, linked = [], []
    if missing:
        because.append(f"{len(missing)} trainable parameter(s) are not in the optimizer: "
                       f"{', '.join(missing[:4])}")
    if no_grad:
        because.append(f"{len(no_grad)} trainable parameter(s) got no gradient at any of "
                       f"{recorded} recorded steps: {', '.join(no_grad[:4])}")
    if e.has("unchanged_parameters"):
        f = e.by_code["unchanged_parameters"]
        because.append(f"unchanged_parameters: {f.evidence.get('count')} parameter(s) never change "
                       f"from step {f.step}")
        linked.append("unchanged_parameters")
    if not because:
        return None
    names = (missing or no_grad or list(e.ev("unchanged_parameters", "parameters", [])))[:4]
    what = ("Pass them to the optimizer (torch.optim.Adam(model.parameters())), and build the "
            "optimizer after the last layer change" if missing or linked else
            "Check that they are used in forward() and not detached (.detach(), .data, torch.no_grad)")
    return Cause(
        "parameters_not_training", "error" if missing else "warning",
        0.95 if missing else (0.8 if linked else 0.6),
        f"Trainable parameters are never updated: {', '.join(names)}", because,
        what + "; set requires_grad=False on parameters meant to stay fixed.", None, linked,
    )


@cause_rule("numerical_instability")
def numerical_instability(e: Evidence) -> Cause | None:
    """NaN/Inf that did not grow out of a diverging loss or exploding gradients."""
    if not e.has("nan_inf"):
        return None
    f = e.by_code["nan_inf"]
    grew = e.has("loss_divergence") or e.has("exploding_gradients")
    first = e.early_update()
    big = first is not None and first.value > FIRST_TOO_BIG
    where = f.evidence.get("module") or f.evidence.get("first_series")
    because = [f"nan_inf at step {f.step}" + (f" in {where}" if where else "")]
    if not grew and not big:
        because.append("no loss growth or gradient explosion came before it")
    return Cause(
        "numerical_instability", "error", 0.45 if (grew or big) else 0.9,
        "A computation produced NaN/Inf (log of 0, exp overflow or division by ~0)", because,
        "Use the stable fused forms (F.cross_entropy / log_softmax instead of log(softmax(x)), "
        "BCEWithLogitsLoss instead of sigmoid + BCELoss), add a small eps to log(), sqrt() and "
        "every divisor (x / (std + 1e-5)), and check the inputs for NaN.", None, ["nan_inf"],
    )


def _creeping(e: Evidence) -> Cause | None:
    """Without update ratios: a loss that falls at nearly every step, but barely, with a gradient
    that does not shrink (far from converged, just slow)."""
    mono, growth = e.monotone_fraction(), e.grad_growth()
    if not e.has("loss_plateau") or mono is None or mono < 0.9 or growth is None:
        return None
    if not 0.5 <= growth[0].value <= 2:
        return None
    f = e.by_code["loss_plateau"]
    lr, key = e.lr
    factor = 10.0
    how = f"about 10x, from {fmt(lr)} to ~{_nice(lr * factor):g}" if lr else "about 10x"
    change = {key: _nice(lr * factor)} if lr and key else None
    return Cause(
        "lr_too_low", "warning", 0.6,
        "The learning rate is too low: the loss falls at every step, but by almost nothing", (
            f"the loss fell at {fmt(100 * mono)}% of the steps, yet only "
            f"{fmt(100 * float(f.evidence.get('drop_fraction', 0)))}% in all (loss_plateau)",
            f"the gradient norm stayed at {fmt(growth[1])} -> {fmt(growth[2])}: far from a minimum",
        ),
        f"Raise the learning rate {how}, or run mg.lr_find(model, ...) to pick it from the loss curve.",
        change, ["loss_plateau"],
    )
