"""Rules on gradients and updates: exploding, vanishing, unchanged weights, update ratios."""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from ..core import Finding, format_number
from ._history import ScalarSeries, History
from ._registry import NotEnoughData, make, num, rule
from ._signal import longest_run, ratio, running_median

NO_LAYERS = "no per-layer gradient norms (grad_norm/<param>); record them with run.watch"


def trained_weights(h: History) -> dict[str, ScalarSeries]:
    """Gradient-norm series of weight matrices that receive a gradient, in forward order."""
    out = {}
    for name, c in h.with_prefix("grad_norm/").items():
        f = c.finite()
        if h.is_weight_matrix(name) and len(f) and np.any(f.values > 0):
            out[name] = f
    return out


def _first_last(h: History, min_records: int) -> tuple[str, str, np.ndarray, np.ndarray, np.ndarray]:
    """First and last trained weight, with their gradient norms at shared steps."""
    layers = trained_weights(h)
    if len(layers) < 2:
        raise NotEnoughData(NO_LAYERS if not layers else "gradient norms of fewer than two weight layers")
    names = list(layers)
    a, b = layers[names[0]], layers[names[-1]]
    steps, ia, ib = np.intersect1d(a.steps, b.steps, return_indices=True)
    if steps.size < min_records:
        raise NotEnoughData(f"only {steps.size} shared records of layer gradient norms; "
                            f"at least {min_records} are needed")
    return names[0], names[-1], steps, a.values[ia], b.values[ib]


def _ratios(fa: np.ndarray, fb: np.ndarray) -> np.ndarray:
    ok = fb > 1e-30
    return fa[ok] / fb[ok]


def global_grad_norm(h: History) -> ScalarSeries:
    """``grad_norm``, or the root of the summed squares of the per-parameter norms."""
    if "grad_norm" in h.tags:
        return h.curve("grad_norm")
    per = h.with_prefix("grad_norm/")
    if not per:
        raise NotEnoughData("no gradient norms (grad_norm); record them with run.watch")
    steps = np.unique(np.concatenate([c.steps for c in per.values()]))
    sq = np.zeros(steps.size)
    for c in per.values():
        idx = np.searchsorted(steps, c.steps)
        sq[idx] += np.square(c.values)
    return ScalarSeries("grad_norm", steps, np.sqrt(sq))


@rule("exploding_gradients", "error", "optimisation", {
    "growth": (1000.0, "the global gradient norm rises above this many times its median over "
                       "the first 10% of steps"),
    "layer_ratio": (70.0, "or the first/last-layer gradient-norm ratio (median over records) "
                          "exceeds this (AutoTrainer, Zhang et al. 2021)"),
    "min_records": (3, "records needed to judge the layer ratio"),
})
def exploding_gradients(h: History, p: Mapping[str, float]) -> list[Finding]:
    """Gradients grow by orders of magnitude, or the first layer's dwarf the last's."""
    out: list[Finding] = []
    g = global_grad_norm(h)
    f = g.finite()
    if len(f) >= 3:
        head = float(np.median(f.values[: max(1, len(f) // 10)]))
        smooth = running_median(f.values, 3)
        if len(f) < len(g) and len(f):  # blew up to NaN/Inf: the last finite values count
            smooth = np.maximum(smooth, np.concatenate([smooth[:-1], f.values[-1:]]))
        peak_i = int(np.argmax(smooth))
        growth = ratio(float(smooth[peak_i]), head)
        if growth is not None and growth > p["growth"]:
            over = np.flatnonzero(smooth > p["growth"] * head)
            step = int(f.steps[over[0]])
            ev = {"initial_norm": num(head), "peak_norm": num(float(smooth[peak_i])),
                  "peak_step": int(f.steps[peak_i]), "growth": num(growth), "first_step_over": step}
            out.append(_finding(f"The gradient norm grew {format_number(growth)}x from its start", ev, step))
    try:
        first, last, steps, fa, fb = _first_last(h, int(p["min_records"]))
    except NotEnoughData:
        if out or len(f) >= 3:
            return out
        raise
    r = _ratios(fa, fb)
    med = float(np.median(r)) if r.size else 0.0
    if r.size >= p["min_records"] and med > p["layer_ratio"]:
        ev = {"first_layer": first, "last_layer": last, "ratio": num(med),
              "first_norm": num(float(np.median(fa))), "last_norm": num(float(np.median(fb)))}
        out.append(_finding(f"The first layer's gradients are {format_number(med)}x the last layer's",
                            ev, int(steps[0])))
    return out


def _finding(title: str, ev: dict, step: int) -> Finding:
    return make(
        "exploding_gradients", title, ev,
        "Clip gradients (torch.nn.utils.clip_grad_norm_(params, 1.0)), lower the learning rate, "
        "scale the inputs to unit variance, and use a normalisation layer or a smaller "
        "initialisation in deep or recurrent networks.",
        step,
    )


@rule("vanishing_gradients", "warning", "model", {
    "ratio": (1e-3, "the first/last-layer gradient-norm ratio (median over records) is below "
                    "this (AutoTrainer)"),
    "first_norm": (1e-4, "and the first layer's gradient norm is below this (AutoTrainer)"),
    "min_records": (3, "records needed to judge"),
})
def vanishing_gradients(h: History, p: Mapping[str, float]) -> list[Finding]:
    """Early-layer gradients are orders of magnitude below late layers'."""
    first, last, steps, fa, fb = _first_last(h, int(p["min_records"]))
    r = _ratios(fa, fb)
    if r.size < p["min_records"]:
        return []
    med_r, med_a = float(np.median(r)), float(np.median(fa))
    if med_r >= p["ratio"] or med_a >= p["first_norm"]:
        return []
    ev = {"first_layer": first, "last_layer": last, "ratio": num(med_r),
          "first_norm": num(med_a), "last_norm": num(float(np.median(fb))), "records": int(r.size)}
    return [make(
        "vanishing_gradients",
        f"Gradients vanish: the first layer gets {format_number(med_r)}x the last layer's", ev,
        "Early layers barely learn. Use ReLU/GELU instead of sigmoid/tanh in hidden layers, "
        "He/Kaiming initialisation, normalisation layers (BatchNorm/LayerNorm) or residual "
        "connections, or a shallower network.",
        int(steps[0]),
    )]


@rule("unchanged_parameters", "warning", "optimisation", {
    "min_records": (5, "records of a parameter needed to judge (DeepDiagnosis uses the last 5)"),
    "rel_tol": (1e-9, "its norm varies by at most this fraction across all records"),
    "min_grad_ratio": (1e-3, "and its gradient norm (median) is at least this fraction of the "
                             "largest layer's: a weight that only gets a vanishing gradient is "
                             "vanishing_gradients, not a missing optimizer entry"),
})
def unchanged_parameters(h: History, p: Mapping[str, float]) -> list[Finding]:
    """Trainable weights that receive gradients but never change (left out of the optimizer?)."""
    weights = h.with_prefix("weight_norm/")
    if not weights:
        raise NotEnoughData("no weight norms (weight_norm/<param>); record them with run.watch")
    grads = h.with_prefix("grad_norm/")
    medians = {n: float(np.median(g.finite().values)) for n, g in grads.items() if len(g.finite())}
    top_grad = max(medians.values(), default=0.0)
    stuck, judged = [], 0
    first_step: int | None = None
    for name, w in weights.items():
        wf = w.finite()
        g = grads.get(name)
        if len(wf) < p["min_records"] or g is None or not np.any(g.finite().values > 0):
            continue
        judged += 1
        top = float(np.max(np.abs(wf.values)))
        if medians.get(name, 0.0) < p["min_grad_ratio"] * top_grad:
            continue
        if float(np.ptp(wf.values)) <= p["rel_tol"] * top:
            stuck.append(name)
            first_step = int(wf.steps[0]) if first_step is None else min(first_step, int(wf.steps[0]))
    if not judged:
        raise NotEnoughData(f"no parameter has {int(p['min_records'])} records of weight and gradient norms")
    if not stuck:
        return []
    ev = {"parameters": stuck[:20], "count": len(stuck), "judged": judged}
    return [make(
        "unchanged_parameters",
        f"{len(stuck)} parameter(s) receive gradients but never change: {', '.join(stuck[:3])}", ev,
        "Pass every trainable parameter to the optimizer (optimizer = Adam(model.parameters())), "
        "or add the missing ones with optimizer.add_param_group. If they are meant to stay "
        "fixed, set requires_grad=False so they are not computed at all.",
        first_step,
    )]


def _update_matrix(h: History) -> tuple[np.ndarray, np.ndarray, list[str]]:
    ratios = h.with_prefix("update_ratio/")
    if not ratios:
        raise NotEnoughData("no update ratios (update_ratio/<param>); record them with run.watch")
    grads, weights = h.with_prefix("grad_norm/"), h.with_prefix("weight_norm/")
    keep = {}
    for name, c in ratios.items():
        if not h.is_weight_matrix(name):
            continue
        g = grads.get(name)
        if grads and (g is None or not np.any(g.finite().values > 0)):
            continue  # frozen or unused: no gradient, so no update is expected
        w = weights.get(name)
        if w is not None and len(w) and not abs(float(w.values[0])) > 0:
            continue  # starts at zero: any update is infinitely large relative to it
        keep[name] = c
    if not keep:
        raise NotEnoughData("no update ratios of trained weight matrices")
    steps = np.unique(np.concatenate([c.steps for c in keep.values()]))
    m = np.full((steps.size, len(keep)), np.nan)
    for j, c in enumerate(keep.values()):
        m[np.searchsorted(steps, c.steps), j] = np.where(np.isfinite(c.values), c.values, np.nan)
    return steps, m, list(keep)


def _update_rule(h: History, p: Mapping[str, float], high: bool) -> list[Finding]:
    steps, m, names = _update_matrix(h)
    rows = ~np.all(np.isnan(m), axis=1)
    steps, m = steps[rows], m[rows]
    if steps.size < p["min_records"]:
        raise NotEnoughData(f"only {steps.size} records of update ratios; {int(p['min_records'])} are needed")
    med = np.nanmedian(m, axis=1)
    mask = med > p["limit"] if high else med < p["limit"]
    need = max(int(p["min_records"]), int(math.ceil(p["window"] * steps.size)))
    length, start = longest_run(mask)
    if length < need or (not high and _converged_before(h, int(steps[start]), p["converged_drop"])):
        return []
    seg = med[start:start + length]
    per_param = np.nanmedian(m[start:start + length], axis=0)
    order = np.argsort(per_param)[::-1] if high else np.argsort(per_param)
    worst = [names[i] for i in order[:5] if np.isfinite(per_param[i])]
    code = "update_ratio_high" if high else "update_ratio_low"
    value = float(np.median(seg))
    ev = {"median_ratio": num(value), "limit": p["limit"], "from_step": int(steps[start]),
          "to_step": int(steps[start + length - 1]), "records": int(length), "parameters": worst}
    if high:
        text = ("Weights change by more than a tenth of their size per step: lower the learning "
                "rate (the healthy update/weight ratio is about 1e-3, CS231n).")
    else:
        text = ("Weights barely move: raise the learning rate (the healthy update/weight ratio "
                "is about 1e-3, CS231n), and check that the optimizer steps every iteration.")
    return [make(code, f"The update/weight ratio stays at {format_number(value)} for {length} records", ev,
                 text, int(steps[start]))]


def _converged_before(h: History, step: int, drop: float) -> bool:
    """True when the loss had already fallen by ``drop`` of its start: small steps are convergence."""
    c = h.loss()
    if c is None:
        return False
    f = c.finite()
    if len(f) < 2 or step <= int(f.steps[0]):
        return False
    start = float(np.median(f.values[: max(1, min(50, len(f) // 20))]))
    upto = f.values[f.steps <= step]
    now = float(np.median(upto[-max(1, upto.size // 10):]))
    fell = ratio(start - now, abs(start))
    return fell is not None and fell >= drop


_UPDATE_PARAMS = {
    "window": (0.25, "the condition holds over this fraction of the records in a row"),
    "min_records": (5, "and over at least this many records"),
}


@rule("update_ratio_high", "warning", "optimisation",
      {"limit": (1e-1, "the median update/weight ratio of weight matrices stays above this "
                       "(healthy is ~1e-3, CS231n)"), **_UPDATE_PARAMS})
def update_ratio_high(h: History, p: Mapping[str, float]) -> list[Finding]:
    """Weight matrices change by a large fraction of their size every step."""
    return _update_rule(h, p, high=True)


@rule("update_ratio_low", "warning", "optimisation",
      {"limit": (1e-7, "the median update/weight ratio of weight matrices stays below this "
                       "(healthy is ~1e-3, CS231n)"),
       "converged_drop": (0.5, "not judged from a step where the loss had already fallen by this "
                               "fraction of its start: a converged run takes tiny steps"),
       **_UPDATE_PARAMS})
def update_ratio_low(h: History, p: Mapping[str, float]) -> list[Finding]:
    """Weight matrices barely change from step to step."""
    return _update_rule(h, p, high=False)
