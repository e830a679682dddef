"""Cause rules of the data and the loss wiring: inputs, targets, labels, batches, evaluation."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ._cause import Cause, cause_rule, fmt
from ._evidence import Evidence
from ._signal import ratio, tail_median

UNSCALED_STD = 10.0
MIXED_SCALES = 1e3
SYMPTOMS_OF_SCALE = ("bad_initial_loss", "loss_divergence", "exploding_gradients", "dead_units",
                     "loss_oscillation", "saturated_activations", "update_ratio_high")


@cause_rule("unscaled_inputs")
def unscaled_inputs(e: Evidence) -> Cause | None:
    """The first layer sees raw values far from unit scale, or features of very different scales."""
    x = e.input_scale()
    if x is None:
        return None
    std, mean, big = float(x.get("std") or 0), float(x.get("mean") or 0), float(x.get("abs_max") or 0)
    hi, lo = float(x.get("col_std_max") or 0), float(x.get("col_std_min") or 0)
    because = []
    if std > UNSCALED_STD or abs(mean) > UNSCALED_STD:
        where = "the data report's features have" if x.get("source") else "the model's input has"
        when = "" if x.get("step") is None else f" at step {x.get('step')}"
        because.append(f"{where} mean {fmt(mean)} and std {fmt(std)} (max |x| {fmt(big)}){when}; "
                       "standardised inputs have mean 0, std 1")
    spread = ratio(hi, lo)
    if spread is not None and spread > MIXED_SCALES and hi > 1:
        because.append(f"its features' std ranges from {fmt(lo)} to {fmt(hi)} ({fmt(spread)}x)")
    if not because:
        return None
    linked = [c for c in SYMPTOMS_OF_SCALE if e.has(c)]
    because += [f"{c} from step {e.by_code[c].step}" for c in linked]
    return Cause(
        "unscaled_inputs", "warning", 0.85 if linked else 0.6,
        "The inputs are not scaled: the first layer gets raw values far from unit scale", because,
        "Standardise every input feature with the training set's statistics: x = (x - mean) / "
        "(std + 1e-8) (sklearn StandardScaler, or transforms.Normalize for images), and apply "
        "the same to validation and test data.", None, linked,
    )


def _broadcast(a: list[int], b: list[int]) -> list[int] | None:
    out = []
    for x, y in zip(reversed([1] * (len(b) - len(a)) + a), reversed([1] * (len(a) - len(b)) + b)):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return list(reversed(out))


@cause_rule("target_shape_mismatch")
def target_shape_mismatch(e: Evidence) -> Cause | None:
    """The loss module compared a prediction and a target of different shapes (broadcast)."""
    loss = e.signals.get("loss")
    mm = loss.get("shape_mismatch") if isinstance(loss, Mapping) else None
    if not isinstance(mm, Mapping):
        return None
    a, b = list(mm.get("input") or []), list(mm.get("target") or [])
    both = _broadcast(a, b)
    because = [f"{loss.get('module')} got a prediction of shape {tuple(a)} and a target of shape "
               f"{tuple(b)}" + (f", which broadcast to {tuple(both)}" if both else "")]
    linked = [c for c in ("underfitting", "loss_plateau") if e.has(c)]
    because += [f"{c} from step {e.by_code[c].step}" for c in linked]
    call = ("loss_fn(out.squeeze(-1), target)" if len(a) == len(b) + 1 and a[-1:] == [1]
            else "loss_fn(out, target.view_as(out))")
    return Cause(
        "target_shape_mismatch", "error", 0.95,
        f"Prediction {tuple(a)} and target {tuple(b)} have different shapes: the loss compares "
        "every prediction with every target", because,
        f"Make prediction and target the same shape before the loss: {call}; PyTorch only "
        "warns about this broadcast.", None, linked,
    )


def _looks_like_probs(r: Mapping[str, Any]) -> bool:
    dev = r.get("row_sum_dev")
    return (r.get("input_min", -1) >= 0 and r.get("input_max", 2) <= 1 and dev is not None
            and dev < 1e-3)


def _in_unit(r: Mapping[str, Any]) -> bool:
    return r.get("input_min", -1) >= 0 and r.get("input_max", 2) <= 1


@cause_rule("loss_output_mismatch")
def loss_output_mismatch(e: Evidence) -> Cause | None:
    """Probabilities where the loss expects logits (or log-probabilities), or the reverse."""
    loss = e.signals.get("loss")
    recs = [r for r in (loss.get("records") or []) if isinstance(r, Mapping)] if isinstance(loss, Mapping) else []
    kind = str(loss.get("module")) if isinstance(loss, Mapping) else ""
    why, fix = None, ""
    if recs and kind == "CrossEntropyLoss" and all(_looks_like_probs(r) for r in recs):
        why = (f"every one of {len(recs)} recorded inputs of CrossEntropyLoss is a probability "
               f"row (values in [{fmt(recs[0]['input_min'])}, {fmt(recs[0]['input_max'])}], rows sum "
               "to 1): softmax was applied before a loss that applies log_softmax itself")
        fix = "Remove the final Softmax from the model and feed raw logits to CrossEntropyLoss"
    elif recs and kind == "BCEWithLogitsLoss" and all(_in_unit(r) for r in recs):
        why = ("every recorded input of BCEWithLogitsLoss lies in [0, 1]: sigmoid was applied "
               "before a loss that applies it again")
        fix = "Remove the final Sigmoid and feed raw logits to BCEWithLogitsLoss"
    elif recs and kind == "NLLLoss" and any(r.get("input_max", 0) > 0 for r in recs):
        why = (f"NLLLoss got positive inputs (max {fmt(max(r['input_max'] for r in recs))}): it "
               "expects log-probabilities (log_softmax output, all <= 0)")
        fix = "Apply log_softmax before NLLLoss, or use CrossEntropyLoss on raw logits"
    elif (recs and kind in ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss") and e.h.num_classes
          and all(r.get("target_integral") and 2 <= (r.get("target_levels") or 0) <= e.h.num_classes
                  for r in recs)):
        why = (f"{kind} (a regression loss) is fed class indices as targets "
               f"({recs[0].get('target_levels')} distinct integer values)")
        fix = "Use CrossEntropyLoss on (batch, classes) logits with the class indices as targets"
    else:
        why, fix = _softmax_floor(e)
    if why is None:
        return None
    linked = [c for c in ("underfitting", "loss_plateau") if e.has(c)]
    return Cause(
        "loss_output_mismatch", "error", 0.9 if recs else 0.7,
        "The loss gets the wrong kind of output: probabilities where it expects logits (or the reverse)",
        [why] + [f"{c} from step {e.by_code[c].step}" for c in linked], fix + ".", None, linked,
    )


def _softmax_floor(e: Evidence) -> tuple[str | None, str]:
    """Without the loss module: a final Softmax and a loss that never gets under its floor."""
    mods = list(e.modules.values())
    c = e.h.num_classes
    if not mods or mods[-1] != "Softmax" or c is None or e.loss.size < 20:
        return None, ""
    floor = math.log(1 + (c - 1) / math.e)  # cross-entropy of softmax(p) at its most confident
    low = float(np.min(e.loss))
    if low < 0.97 * floor:
        return None, ""
    return (f"the model ends in Softmax and the loss never fell below {fmt(low)}, the floor "
            f"log(1 + (C-1)/e) = {fmt(floor)} of cross-entropy applied to probabilities",
            "Remove the final Softmax and feed raw logits to CrossEntropyLoss")


def _optimisation_healthy(e: Evidence) -> bool:
    first, typical = e.early_update(), e.typical_update()
    if first is not None and first.value > 0.3:
        return False
    if typical is not None and typical.value < 1e-4:
        return False
    stale = e.signals.get("stale_grad")
    if isinstance(stale, Mapping) and stale.get("stale"):
        return False
    blocked = ["vanishing_gradients", "dead_units", "saturated_activations", "nan_inf",
               "exploding_gradients", "loss_divergence", "unchanged_parameters"]
    if e.signals.get("framework") != "sklearn":  # sklearn's first partial_fit epoch is no init
        blocked.append("bad_initial_loss")
    if e.deep_squash() or e.never_trained():
        return False
    return not any(e.has(c) for c in blocked) and not e.signals.get("not_in_optimizer")


@cause_rule("label_noise")
def label_noise(e: Evidence) -> Cause | None:
    """The model learns nothing beyond the label distribution although optimisation is healthy."""
    frac, late = e.loss_end_fraction(), e.late_drop()
    if frac is None or not _optimisation_healthy(e) or e.h.num_classes is None:
        return None
    because = []
    if frac >= 0.75 and (late is None or late <= 0.1):
        because.append(f"the training loss ends at {fmt(100 * frac)}% of log({e.h.num_classes}) "
                       "(a uniform guess) and has stopped falling, while updates stay healthy")
    vmin = _val_min_fraction(e)
    if e.has("overfitting") and vmin is not None and vmin >= 0.9:
        because.append(f"the validation loss never fell below {fmt(100 * vmin)}% of a uniform "
                       "guess while the training loss fell: the model memorises, it does not generalise")
    if not because:
        return None
    linked = [c for c in ("underfitting", "loss_plateau", "overfitting") if e.has(c)]
    shown = e.typical_update() is not None  # healthy updates measured, not just assumed
    small = e.capacity_limit()  # a model too small or linear fails the same way
    if small is not None:
        because.append(f"but {small}: too little capacity looks the same")
    return Cause(
        "label_noise", "error" if shown and small is None else "warning",
        0.4 if small is not None else (0.8 if shown else 0.5),
        "The labels do not match the inputs: the model cannot learn anything but the class frequencies",
        because + [f"{c} from step {e.by_code[c].step}" for c in linked],
        "Check that inputs and labels are paired correctly (a shuffle, sort or filter applied to "
        "only one of them looks exactly like this) and look at a few examples with their labels; "
        "mg.check_data(train, target=...) reports label problems.", None, linked,
    )


def _val_min_fraction(e: Evidence) -> float | None:
    vc = e.h.val_loss()
    if vc is None or e.baseline is None or not len(vc.finite()):
        return None
    return ratio(float(np.min(vc.finite().values)), e.baseline)


@cause_rule("overfitting")
def overfitting(e: Evidence) -> Cause | None:
    """Validation loss rises while the training loss keeps falling (and generalised before)."""
    vmin = _val_min_fraction(e)
    if vmin is not None and vmin >= 0.9:
        return None  # never generalised at all: label_noise
    if not e.has("overfitting"):
        return _gap(e)
    f = e.by_code["overfitting"]
    ev = f.evidence
    because = [f"validation loss lowest at step {ev.get('val_min_step')} ({fmt(ev.get('val_min', 0))}), "
               f"then up {fmt(100 * ev.get('val_rise', 0))}% to {fmt(ev.get('val_end', 0))}",
               f"the training loss kept falling to {fmt(ev.get('train_end', 0))}"]
    return Cause(
        "overfitting", "warning", 0.85, "The model overfits: it memorises the training set", because,
        f"Keep the model from step {ev.get('val_min_step')} (early stopping), add regularisation "
        "(weight decay ~1e-4, dropout 0.2-0.5, data augmentation), get more training data, or use "
        "a smaller model.", None, ["overfitting"],
    )


@cause_rule("eval_mode_missing")
def eval_mode_missing(e: Evidence) -> Cause | None:
    """Forward passes under no_grad with dropout/batch norm still in training mode."""
    ev = e.signals.get("eval_mode")
    if not isinstance(ev, Mapping) or not ev.get("no_grad_forwards_in_train_mode"):
        return None
    mods = ", ".join(ev.get("train_mode_modules") or [])
    n = int(ev["no_grad_forwards_in_train_mode"])
    bn = "BatchNorm" in mods
    return Cause(
        "eval_mode_missing", "error" if bn else "warning", 0.9,
        "Validation runs in training mode: model.eval() is missing", (
            f"{n} forward pass(es) under torch.no_grad() while model.training was True, first at "
            f"step {ev.get('first_step')}",
            f"the model has {mods}, which behave differently in training mode"
            + (" (batch norm also updated its running statistics on the validation data)" if bn else ""),
        ),
        "Call model.eval() before validating or predicting and model.train() before the next "
        "training step (torch.no_grad() does not switch modes).", None, (),
    )


def _expected_levels(classes: int, batch: int) -> float:
    return classes * (1 - (1 - 1 / classes) ** batch)


@cause_rule("unshuffled_data")
def unshuffled_data(e: Evidence) -> Cause | None:
    """Batches hold far fewer classes than random batches would, or the loss repeats every epoch."""
    loss = e.signals.get("loss")
    recs = [r for r in (loss.get("records") or []) if isinstance(r, Mapping)] if isinstance(loss, Mapping) else []
    c = e.h.num_classes
    because = []
    if recs and c and str(loss.get("module")) in ("CrossEntropyLoss", "NLLLoss"):
        seen = [r.get("target_levels") for r in recs if r.get("target_levels")]
        batch = int(recs[0].get("target_shape", [0])[0] or 0)
        if seen and batch >= 2 * c:
            med, want = float(np.median(seen)), _expected_levels(c, batch)
            if med <= 0.4 * want:
                because.append(f"the training batches hold a median of {fmt(med)} distinct labels; "
                               f"shuffled batches of {batch} would hold ~{fmt(want)} of {c}")
    if not because:
        return None
    linked = [x for x in ("loss_oscillation",) if e.has(x)]
    return Cause(
        "unshuffled_data", "warning", 0.9,
        "The training data is not shuffled: batches come ordered by label",
        because + [f"{x} from step {e.by_code[x].step}" for x in linked],
        "Shuffle the training set every epoch (DataLoader(..., shuffle=True), or a new "
        "torch.randperm per epoch).", None, linked,
    )


GAP = 5.0


def _gap(e: Evidence) -> Cause | None:
    """The validation loss stopped improving long ago while the training loss fell far below it."""
    vc, tc = e.h.val_loss(), e.h.loss()
    if vc is None or tc is None or len(vc.finite()) < 5 or len(tc.finite()) < 20:
        return None
    v, t = vc.finite(), tc.finite()
    i = int(np.argmin(v.values))
    if i > 0.9 * (len(v) - 1):
        return None  # still improving late in the run
    vmin, vend = float(v.values[i]), float(np.median(v.values[-max(2, len(v) // 5):]))
    at_min = t.values[t.steps <= v.steps[i]]
    if not at_min.size:
        return None
    t_at = float(np.median(at_min[-max(1, at_min.size // 10):]))
    t_end = tail_median(t.values, 0.1)
    gap, fell = ratio(vend, t_end), ratio(t_at - t_end, abs(t_at))
    if gap is None or fell is None or gap < GAP or fell < 0.2 or vend < vmin:
        return None
    return Cause(
        "overfitting", "warning", 0.7, "The model overfits: it memorises the training set", (
            f"validation loss lowest at step {int(v.steps[i])} ({fmt(vmin)}), no better since "
            f"({fmt(vend)} at the end)",
            f"the training loss fell {fmt(100 * fell)}% more, to {fmt(t_end)}: "
            f"{fmt(gap)}x below the validation loss",
        ),
        f"Keep the model from step {int(v.steps[i])} (early stopping), add regularisation "
        "(weight decay ~1e-4, dropout 0.2-0.5, data augmentation), get more training data, or use "
        "a smaller model.", None, (),
    )
