"""Rules on activations: dead ReLU units and saturated tanh/sigmoid units."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..core import Finding
from ._history import ScalarSeries, History
from ._registry import NotEnoughData, make, num, rule

_RELU = ("relu", "relu6", "rrelu", "hardtanh", "threshold")
_SQUASH = ("tanh", "sigmoid", "hardsigmoid", "hardtanh", "softsign", "logsigmoid")


def _late(c: ScalarSeries) -> np.ndarray:
    """The finite values of the second half of the records (what persisted)."""
    v = c.finite().values
    return v[v.size // 2:] if v.size >= 2 else v


def _kind(h: History, module: str, kinds: tuple[str, ...]) -> bool | None:
    t = h.module_type(module)
    return None if t is None else t.lower() in kinds


@rule("dead_units", "warning", "model", {
    "fraction": (0.7, "at least this fraction of a layer's units were never positive over the "
                      "recorded batches (AutoTrainer's dying-ReLU threshold)"),
})
def dead_units(h: History, p: Mapping[str, float]) -> list[Finding]:
    """In some layer, most units never fire (dying ReLU)."""
    dead = h.with_prefix("act/dead_fraction/")
    if not dead:
        _no_series(h, _RELU_TYPES, "dead-unit fractions (act/dead_fraction/<module>)", "ReLU")
        return []
    zeros = h.with_prefix("act/zero_fraction/")
    hits = []
    for module, c in dead.items():
        v = _late(c)
        if v.size == 0:
            continue
        relu = _kind(h, module, _RELU)
        z = zeros.get(module)
        # A Linear/Conv output is never exactly zero, so "never positive" there is only a sign;
        # a dead ReLU unit also outputs zeros. Without the module type, ask the zeros to agree.
        if relu is False or (relu is None and z is not None and np.median(_late(z)) < 0.9 * p["fraction"]):
            continue
        frac = float(np.median(v))
        if frac >= p["fraction"]:
            hits.append((module, frac, _first_step_over(c, p["fraction"])))
    return _layer_finding(
        "dead_units", "dead_fraction", hits, "{pct}% of the units in {module} never fire",
        "These ReLU units output zero for every input, so no gradient reaches their weights. "
        "Lower the learning rate, initialise biases at zero or slightly positive (not "
        "negative), use He initialisation, or switch to LeakyReLU/GELU.",
    )


@rule("saturated_activations", "warning", "model", {
    "fraction": (0.6, "at least this fraction of a tanh/sigmoid layer's outputs are saturated "
                      "(|tanh| > 0.99, sigmoid < 0.01 or > 0.99; DeepDiagnosis's saturation check)"),
})
def saturated_activations(h: History, p: Mapping[str, float]) -> list[Finding]:
    """Tanh/sigmoid units are mostly saturated, so their gradients are ~0."""
    sat = h.with_prefix("act/saturated_fraction/")
    if not sat:
        _no_series(h, _SQUASH_TYPES, "saturation fractions (act/saturated_fraction/<module>)",
                   "tanh/sigmoid")
        return []
    modules = list(sat)
    # A sigmoid at the very end is the model's prediction: confident outputs are not a fault.
    if modules and _is_output(h, modules[-1]):
        modules = modules[:-1]
    hits = []
    for module in modules:
        if _kind(h, module, _SQUASH) is False:
            continue
        v = _late(sat[module])
        if v.size and float(np.median(v)) >= p["fraction"]:
            hits.append((module, float(np.median(v)), _first_step_over(sat[module], p["fraction"])))
    return _layer_finding(
        "saturated_activations", "saturated_fraction", hits,
        "{pct}% of the outputs of {module} are saturated",
        "Saturated tanh/sigmoid units pass almost no gradient. Initialise with a smaller scale "
        "(Xavier/Glorot for tanh), normalise the inputs, add normalisation layers before the "
        "activation, or use ReLU/GELU in hidden layers.",
    )


_RELU_TYPES = ("ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU",
               "Mish", "Hardswish")
_SQUASH_TYPES = ("Tanh", "Sigmoid", "Hardsigmoid", "Hardtanh", "Softsign", "LogSigmoid")


def _no_series(h: History, kinds: tuple[str, ...], what: str, name: str) -> None:
    """No activation series: nothing to judge when watch saw no such layer; else say why."""
    watch = h.artifacts.get("watch")
    if isinstance(watch, Mapping):
        mods = watch.get("modules")
        types = set(mods.values()) if isinstance(mods, Mapping) else set()
        if not types & set(kinds):
            return  # the model has no such activation: there is nothing to judge
        if watch.get("activations"):
            return  # recorded, yet no such series: the layers never ran on a recorded step
        raise NotEnoughData(f"no {what}: run.watch was called with activations=False")
    raise NotEnoughData(f"no {what}: this run was not recorded by run.watch, which records them "
                        f"for {name} layers")


def _is_output(h: History, module: str) -> bool:
    watch = h.artifacts.get("watch")
    if not isinstance(watch, Mapping):
        return False
    last = watch.get("output_module")
    if isinstance(last, str):
        return last == module
    mods = watch.get("modules")
    names = list(mods) if isinstance(mods, Mapping) else [
        m.get("name") if isinstance(m, Mapping) else m for m in mods or []]
    return bool(names) and names[-1] == module


def _first_step_over(c: ScalarSeries, level: float) -> int:
    """The first step whose finite value reaches ``level`` (the first step when none does)."""
    f = c.finite()
    over = np.flatnonzero(f.values >= level)
    return int(f.steps[over[0]]) if over.size else int(f.steps[0])


def _layer_finding(code: str, key: str, hits: list[tuple[str, float, int]], title: str,
                   suggestion: str) -> list[Finding]:
    """One finding for the layers in ``hits`` (module, fraction, first step), worst named first."""
    if not hits:
        return []
    module, frac, step = max(hits, key=lambda t: t[1])
    ev = {"module": module, key: num(frac), "first_step": step,
          "modules": {m: num(fr) for m, fr, _ in sorted(hits, key=lambda t: -t[1])}}
    return [make(code, title.format(pct=round(100 * frac), module=module), ev, suggestion,
                 min(s for _, _, s in hits))]
