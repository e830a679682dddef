"""The measured signals the cause rules weigh, each computed once per run.

A :class:`Evidence` wraps a run's :class:`History`, its findings and the ``signals``
artifact ``watch`` wrote, and offers the numbers the rules compare: the update/weight
ratio at the first records and later, loss spikes, steady gradient growth, the input
scale, the learning rate and where it lives in the config.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

import numpy as np

from ..core import Finding
from ._history import History
from ._signal import ratio, tail_median

HEALTHY_UPDATE = 1e-3  # update/weight ratio per step (CS231n's rule of thumb)
LR_KEYS = ("lr", "learning_rate", "learning-rate", "lr0", "eta", "alpha")
NORM_LAYERS = ("BatchNorm", "LayerNorm", "GroupNorm", "InstanceNorm", "RMSNorm")
SQUASH_LAYERS = ("Sigmoid", "Tanh", "Hardtanh", "Softsign", "Hardsigmoid")
LINEAR_ONLY = ("Sequential", "Linear", "Flatten", "Identity", "Dropout", "ModuleList", "Unflatten")


@dataclass(frozen=True)
class Point:
    """A measured number and the step where it was measured."""

    value: float
    step: int | None


@dataclass
class Evidence:
    """What the cause rules read (see the module docstring)."""

    h: History
    findings: list[Finding]
    by_code: dict[str, Finding] = field(init=False)

    def __post_init__(self) -> None:
        self.by_code = {}
        for f in self.findings:
            self.by_code.setdefault(f.code, f)

    def has(self, code: str, min_severity: int = 1) -> bool:
        f = self.by_code.get(code)
        return f is not None and int(f.severity) >= min_severity

    def ev(self, code: str, key: str, default: Any = None) -> Any:
        f = self.by_code.get(code)
        return default if f is None else f.evidence.get(key, default)

    # -- signals from watch ---------------------------------------------------------------
    @cached_property
    def signals(self) -> Mapping[str, Any]:
        s = self.h.artifacts.get("signals")
        return s if isinstance(s, Mapping) else {}

    @cached_property
    def modules(self) -> dict[str, str]:
        watch = self.h.artifacts.get("watch")
        mods = watch.get("modules") if isinstance(watch, Mapping) else None
        return {str(k): str(v) for k, v in mods.items()} if isinstance(mods, Mapping) else {}

    def count_modules(self, kinds: tuple[str, ...]) -> int:
        return sum(1 for t in self.modules.values() if any(t.startswith(k) for k in kinds))

    # -- the learning rate ------------------------------------------------------------------
    @cached_property
    def lr(self) -> tuple[float | None, str | None]:
        """The learning rate and its config key (None when the config has none)."""
        for key in LR_KEYS:
            v = self.h.config.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
                return float(v), key
        c = self.h.curve("lr") if "lr" in self.h.tags else None
        if c is not None and len(c.finite()):
            return float(c.finite().values[0]), None
        return None, None

    # -- the loss -----------------------------------------------------------------------------
    @cached_property
    def loss(self) -> np.ndarray:
        c = self.h.loss()
        return np.zeros(0) if c is None else c.finite_prefix().values

    @cached_property
    def loss_steps(self) -> np.ndarray:
        c = self.h.loss()
        return np.zeros(0, np.int64) if c is None else c.finite_prefix().steps

    @cached_property
    def baseline(self) -> float | None:
        if self.h.baseline is not None:
            return self.h.baseline
        if self.h.num_classes is not None:
            return math.log(self.h.num_classes)
        return None

    def loss_end_fraction(self) -> float | None:
        """The training loss at the end (median of the last 10%) over the trivial baseline."""
        if self.loss.size < 5 or self.baseline is None:
            return None
        return ratio(tail_median(self.loss, 0.1), self.baseline)

    def loss_spike(self) -> Point | None:
        """The largest early loss over the first loss: within the first 5% of steps (at least 10)."""
        v = self.loss
        if v.size < 5 or not v[0] > 0:
            return None
        n = max(10, v.size // 20)
        i = int(np.argmax(v[:n]))
        return Point(float(v[i] / v[0]), int(self.loss_steps[i]))

    def late_drop(self, frac: float = 0.25) -> float | None:
        """How much the loss still fell over the last ``frac`` of the run (fraction of its level)."""
        v = self.loss
        if v.size < 20:
            return None
        k = max(3, int(v.size * frac))
        a, b = float(np.median(v[-2 * k:-k])), float(np.median(v[-k:]))
        return ratio(a - b, abs(a))

    # -- updates, weights, gradients -------------------------------------------------------------
    def _weight_series(self, prefix: str) -> dict[str, Any]:
        return {n: c.finite() for n, c in self.h.with_prefix(prefix).items()
                if self.h.is_weight_matrix(n) and len(c.finite())}

    @cached_property
    def update_matrix(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Steps and the median update/weight ratio over weight matrices at each record."""
        series = self._weight_series("update_ratio/")
        grads = self._weight_series("grad_norm/")
        weights = self._weight_series("weight_norm/")
        # A weight that starts at zero (a NumPy theta) makes any update infinitely large
        # relative to it: its early ratios say nothing about the learning rate.
        keep = [c for n, c in series.items() if (n not in grads or np.any(grads[n].values > 0))
                and (n not in weights or abs(float(weights[n].values[0])) > 1e-8)]
        keep = [c for c in keep if np.any(c.values > 0)]
        if not keep:
            return None
        steps = np.unique(np.concatenate([c.steps for c in keep]))
        m = np.full((steps.size, len(keep)), np.nan)
        for j, c in enumerate(keep):
            m[np.searchsorted(steps, c.steps), j] = c.values
        with np.errstate(all="ignore"):
            return steps, np.nanmedian(m, axis=1)

    def early_update(self, records: int = 3) -> Point | None:
        """The largest median update/weight ratio among the first ``records`` records."""
        um = self.update_matrix
        if um is None:
            return None
        steps, med = um
        head = med[:records]
        if not np.any(np.isfinite(head)):
            return None
        i = int(np.nanargmax(head))
        return Point(float(head[i]), int(steps[i]))

    def typical_update(self) -> Point | None:
        """The median update/weight ratio over all records (and the first step)."""
        um = self.update_matrix
        if um is None or not np.any(np.isfinite(um[1])):
            return None
        return Point(float(np.nanmedian(um[1])), int(um[0][0]))

    def weight_growth(self) -> Point | None:
        """The median over weight matrices of last/first weight norm (and the last step)."""
        rows = [(c.values[-1] / c.values[0], int(c.steps[-1]))
                for c in self._weight_series("weight_norm/").values() if len(c) >= 2 and c.values[0] > 0]
        if not rows:
            return None
        return Point(float(np.median([r for r, _ in rows])), max(s for _, s in rows))

    def grad_growth(self) -> tuple[Point, float, float] | None:
        """Steady growth of the global gradient norm: (late/early median, early, late)."""
        if "grad_norm" not in self.h.tags:
            return None
        c = self.h.curve("grad_norm").finite()
        if len(c) < 20:
            return None
        k = max(3, len(c) // 10)
        early, late = float(np.median(c.values[:k])), float(np.median(c.values[-k:]))
        g = ratio(late, early)
        return None if g is None else (Point(g, int(c.steps[-1])), early, late)

    def input_scale(self) -> Mapping[str, Any] | None:
        """The raw input scale: what watch/the sklearn probe saw, else the data report's columns."""
        rows = self.signals.get("inputs")
        if isinstance(rows, list) and rows and isinstance(rows[0], Mapping):
            return rows[0]
        return _report_scale(self.h.artifacts.get("data_report"))

    # -- the model's shape ---------------------------------------------------------------
    def deep_squash(self) -> int:
        """The number of sigmoid/tanh layers when there are 4 or more and no normalisation (else 0)."""
        n = self.count_modules(SQUASH_LAYERS)
        return n if n >= 4 and not self.count_modules(NORM_LAYERS) else 0

    def capacity_limit(self) -> str | None:
        """Why the model may be too small: a bottleneck narrower than the classes, or a linear model."""
        if self.signals.get("linear") is True:
            return f"the model is linear ({self.signals.get('estimator')})"
        types = [t for name, t in self.modules.items() if name]
        if types and all(t in LINEAR_ONLY for t in types):
            return "the model is linear (no nonlinearity between its layers)"
        narrow = self.bottleneck()
        if narrow is not None:
            return f"layer {narrow[0]} has {narrow[1]} units, fewer than the {self.h.num_classes} classes"
        return None

    def bottleneck(self) -> tuple[str, int] | None:
        """The narrowest hidden layer when it is narrower than the number of classes."""
        c = self.h.num_classes
        watch = self.h.artifacts.get("watch")
        shapes = watch.get("param_shapes") if isinstance(watch, Mapping) else None
        if not c or not isinstance(shapes, Mapping):
            return None
        widths = []
        for n, s in shapes.items():
            if not (isinstance(s, list) and len(s) == 2):
                continue
            last = n.rsplit(".", 1)[-1]
            if last.startswith("weight_hh"):  # a recurrent layer: (gates * hidden, hidden)
                widths.append((n.rsplit(".", 1)[0], int(s[1])))
            elif last == "weight":
                widths.append((n.rsplit(".", 1)[0], int(s[0])))
        hidden = widths[:-1]
        if not hidden:
            return None
        name, w = min(hidden, key=lambda t: t[1])
        return (name, w) if w < c else None

    def never_trained(self) -> list[str]:
        """Trainable parameters left out of the optimizer or without a gradient at every record."""
        s = self.signals
        recorded = int(s.get("recorded_steps") or 0)
        no_grad = [n for n, k in (s.get("no_grad_params") or {}).items() if recorded and k >= recorded]
        return list(s.get("not_in_optimizer") or []) + no_grad

    def monotone_fraction(self) -> float | None:
        """The fraction of steps on which the loss fell (a full-batch loss that creeps down: ~1)."""
        v = self.loss
        if v.size < 20:
            return None
        return float(np.mean(np.diff(v) < 0))


def _report_scale(report: Any) -> dict[str, Any] | None:
    """The input scale from a stored data report: its numeric feature columns' means and stds."""
    cols = report.get("columns") if isinstance(report, Mapping) else None
    if not isinstance(cols, Mapping):
        return None
    means, stds, tops = [], [], []
    for c in cols.values():
        if (isinstance(c, Mapping) and c.get("kind") == "numeric" and c.get("role") == "feature"
                and all(isinstance(c.get(k), (int, float)) for k in ("mean", "std", "min", "max"))):
            means.append(float(c["mean"]))
            stds.append(float(c["std"]))
            tops.append(max(abs(float(c["min"])), abs(float(c["max"]))))
    if not means:
        return None
    m, sd = np.asarray(means), np.asarray(stds)
    pos = sd[sd > 0]
    # The pooled std of all values: within-column variance plus the spread of the column means.
    pooled = float(np.sqrt(np.mean(sd ** 2) + np.var(m)))
    return {"step": None, "source": "data report", "mean": float(np.mean(m)), "std": pooled,
            "abs_max": float(max(tops)), "col_std_max": float(sd.max()),
            "col_std_min": float(pos.min()) if pos.size else 0.0, "shape": [None, len(means)]}
