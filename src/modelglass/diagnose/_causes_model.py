"""Cause rules of the model: its initialisation, its depth, its capacity."""

from __future__ import annotations

import numpy as np

from ._cause import Cause, cause_rule, fmt
from ._evidence import SQUASH_LAYERS, Evidence

DEEP = 4


def _first_record(e: Evidence) -> int | None:
    um = e.update_matrix
    if um is not None:
        return int(um[0][0])
    c = e.h.curve("grad_norm") if "grad_norm" in e.h.tags else None
    return int(c.steps[0]) if c is not None and len(c) else None


@cause_rule("bad_initialization")
def bad_initialization(e: Evidence) -> Cause | None:
    """Dead or saturated from the first record, or a first loss far above log(C)."""
    if e.signals.get("framework") == "sklearn":
        return None  # scikit-learn initialises its own models
    start = _first_record(e)
    because, linked = [], []
    dead = e.by_code.get("dead_units")
    if dead is not None and int(dead.severity) and start is not None and (dead.step or 0) <= start:
        because.append(f"dead_units: {fmt(100 * dead.evidence.get('dead_fraction', 0))}% of "
                       f"{dead.evidence.get('module')} never fire from step {dead.step}, before any update")
        linked.append("dead_units")
    sat = e.by_code.get("saturated_activations")
    deep = e.count_modules(SQUASH_LAYERS) >= DEEP
    if sat is not None and int(sat.severity) and not deep and start is not None and (sat.step or 0) <= start:
        because.append(f"saturated_activations: {fmt(100 * sat.evidence.get('saturated_fraction', 0))}% "
                       f"of {sat.evidence.get('module')} saturated from step {sat.step}")
        linked.append("saturated_activations")
    x = e.input_scale()
    scaled = x is None or float(x.get("std") or 0) <= 10
    if e.has("bad_initial_loss") and scaled:
        f = e.by_code["bad_initial_loss"]
        because.append(f"bad_initial_loss: the loss at step {f.step} is "
                       f"{fmt(f.evidence.get('times_expected', 0))}x log({f.evidence.get('num_classes')})")
        linked.append("bad_initial_loss")
    if not because:
        return None
    linked += [c for c in ("loss_plateau", "underfitting", "vanishing_gradients") if e.has(c)]
    because += [f"{c} from step {e.by_code[c].step}" for c in linked[len(because):]]
    return Cause(
        "bad_initialization", "error" if "dead_units" in linked else "warning", 0.85,
        "The model starts broken: its initialisation leaves units dead, saturated or confidently wrong",
        because, "Use PyTorch's default (Kaiming/He for ReLU, Xavier for tanh) initialisation, set "
        "biases to 0 (not negative), and scale the last layer down so the first loss is near log(C).",
        None, linked,
    )


@cause_rule("saturating_deep_network")
def saturating_deep_network(e: Evidence) -> Cause | None:
    """Many sigmoid/tanh layers without normalisation: the gradient vanishes on its way back."""
    n = e.deep_squash()
    if not n:
        return None
    linked = [c for c in ("vanishing_gradients", "saturated_activations") if e.has(c)]
    stuck = [c for c in ("loss_plateau", "underfitting") if e.has(c)]
    if not linked and not stuck:
        return None
    because = [f"{n} sigmoid/tanh layers and no normalisation layer"]
    v = e.by_code.get("vanishing_gradients")
    if v is not None:
        because.append(f"vanishing_gradients: the first layer gets {fmt(v.evidence.get('ratio', 0))}x "
                       f"the last layer's gradient from step {v.step}")
    if "saturated_activations" in linked:
        because.append(f"saturated_activations from step {e.by_code['saturated_activations'].step}")
    more = stuck
    typical = e.typical_update()
    if typical is not None and typical.value < 1e-4:
        because.append(f"median update/weight ratio {fmt(typical.value)}: the gradient that "
                       "reaches the weights is tiny")
    because += [f"{c} from step {e.by_code[c].step}" for c in more]
    return Cause(
        "saturating_deep_network", "error", 0.9 if linked else 0.75,
        f"The network is too deep for its {n} saturating activations: almost no gradient reaches "
        "the first layers", because,
        "Use ReLU/GELU in the hidden layers (with Kaiming initialisation), add BatchNorm/LayerNorm "
        "after each linear layer or residual connections, or use fewer layers.", None, linked + more,
    )


@cause_rule("not_enough_capacity")
def not_enough_capacity(e: Evidence) -> Cause | None:
    """Healthy updates, the loss has flattened, yet it stays far above what a model can reach."""
    from ._causes_data import _optimisation_healthy

    frac, late = e.loss_end_fraction(), e.late_drop()
    small = e.capacity_limit()
    if frac is None and e.baseline is None:
        return _converged_high(e)
    top = 10.0 if small is not None else 0.85
    if frac is None or late is None or not (0.3 <= frac < top) or late > 0.1:
        return None
    if not _optimisation_healthy(e) or e.has("overfitting") or e.signals.get("eval_mode", {}).get(
            "no_grad_forwards_in_train_mode"):
        return None
    typical = e.typical_update()
    if typical is None and small is None:
        return None  # without update ratios healthy optimisation is not shown, only assumed
    because = [f"the training loss flattened at {fmt(100 * frac)}% of the trivial baseline "
               f"(it fell only {fmt(100 * max(late, 0))}% over the last quarter)"]
    if typical is not None:
        because.append(f"updates are healthy (median update/weight ratio {fmt(typical.value)})")
    because.append("no overfitting: the model cannot even fit the training set")
    if small is not None:
        because.insert(0, small)
    # A regression's or a binary task's noise floor is unknown: a high loss may be the data's,
    # so there it is only worth a look.
    sure = e.h.num_classes is not None and (small is not None or e.h.num_classes >= 3)
    return Cause(
        "not_enough_capacity", "warning" if sure else "info", 0.75 if small else 0.55,
        "The model is too small for the task: optimisation works, yet the training loss stays high",
        because, "Make the model larger (2-4x wider hidden layers, or one more layer) and check "
        "again; if the loss does not improve, look at the data and features instead.", None,
        [c for c in ("loss_plateau", "underfitting") if e.has(c)],
    )


def _converged_high(e: Evidence) -> Cause | None:
    """A regression without a baseline: the gradient vanished (converged), the loss stayed high."""
    growth = e.grad_growth()
    v = e.loss
    if growth is None or v.size < 20 or not v[0] > 0 or growth[0].value > 1e-3:
        return None
    if e.has("nan_inf") or e.has("vanishing_gradients") or e.deep_squash():
        return None
    kept = float(np.median(v[-max(1, v.size // 10):]) / v[0])
    if kept < 0.2:
        return None
    return Cause(
        "not_enough_capacity", "warning", 0.5,
        "The model is too simple for the data: it converged, yet the loss stays high", (
            f"the gradient norm fell {fmt(1 / max(growth[0].value, 1e-300))}x to {fmt(growth[2])} "
            f"by step {growth[0].step}: training converged",
            f"the loss stayed at {fmt(100 * kept)}% of its start ({fmt(float(v[0]))} -> "
            f"{fmt(float(np.median(v[-max(1, v.size // 10):])))})",
        ),
        "Give the model more capacity (more features such as x**2, a nonlinear model, wider or "
        "deeper layers) and check again.", None, (),
    )
