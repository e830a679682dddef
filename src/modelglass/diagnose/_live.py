"""Cheap online checks that ``run.watch(..., diagnose=True)`` calls while the model trains.

Each call costs a few float comparisons: no arrays, no store reads. A check fires at
most once per :class:`LiveState` (one state per watched run).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..core import Finding, format_number
from ._history import DERIVED_PREFIXES, TRAIN_LOSS_TAGS
from ._registry import make, num, resolve_thresholds

# Values seen before a baseline is taken, and how long a condition must hold before it
# fires: an `error` here can stop training (on_error="raise"), so it must not be a blip.
# The gradient baseline is short because a too-high learning rate blows up within ~10 steps;
# the 1000x margin absorbs its noise.
LOSS_WARMUP = 10
GRAD_WARMUP = 5
SUSTAIN = 10
EMA_ALPHA = 0.1


@dataclass
class _Trend:
    """A baseline (median of the first ``warmup`` values), then how long a condition has held."""

    warmup: int
    head: list[float] = field(default_factory=list)
    base: float | None = None
    over: int = 0

    def baseline(self, v: float) -> float | None:
        """The baseline once it exists; before that, None, and ``v`` goes into the warm-up."""
        if self.base is not None:
            return self.base
        self.head.append(v)
        if len(self.head) >= self.warmup:
            self.base = statistics.median(self.head)
        return None

    def held(self, condition: bool) -> int:
        """Count consecutive calls on which ``condition`` held (0 when it breaks)."""
        self.over = self.over + 1 if condition else 0
        return self.over


@dataclass
class LiveState:
    """What the live checks remember between calls. Create one per watched run.

    Args:
        thresholds: Overrides as for :func:`modelglass.diagnose.diagnose`.
        loss_tag: The training-loss key in ``values`` (default: ``loss``, then ``train/loss``).
    """

    thresholds: Mapping[str, Any] | None = None
    loss_tag: str | None = None
    fired: set[str] = field(default_factory=set)
    _params: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    _loss: _Trend = field(default_factory=lambda: _Trend(LOSS_WARMUP), repr=False)
    _loss_ema: float | None = None
    _grad: _Trend = field(default_factory=lambda: _Trend(GRAD_WARMUP), repr=False)

    def __post_init__(self) -> None:
        self._params = resolve_thresholds(self.thresholds)


def live_rules(values: Mapping[str, Any], step: int, state: LiveState | None = None) -> list[Finding]:
    """Check one step's values; return the findings that fire for the first time.

    Without a ``state`` only the memoryless check runs (``nan_inf``, on every call that
    sees a NaN/Inf); pass one :class:`LiveState` per run to get the trend checks and
    at-most-once firing.

    Args:
        values: Scalar values of this step by series name (``loss``, ``grad_norm``,
            ``grad_norm/<param>``...). Non-numbers are ignored.
        step: The training step.
        state: The run's :class:`LiveState`, or None.

    Returns:
        New findings (``nan_inf``, ``loss_divergence``, ``exploding_gradients``), usually none.
    """
    out: list[Finding] = []
    fired: set[str] = state.fired if state is not None else set()
    for key, raw in values.items():
        try:
            v = float(raw)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(v) and not str(key).startswith(DERIVED_PREFIXES):
            _fire(out, fired, "nan_inf", f"{key} became {v} at step {step}",
                  {"first_step": step, "first_series": key, "value": str(v)}, step,
                  "Lower the learning rate or clip gradients, and guard log()/division in the loss.")
    if state is None:
        return out
    loss_key = state.loss_tag or next((t for t in TRAIN_LOSS_TAGS if t in values), None)
    if loss_key is not None and loss_key in values:
        _check_loss(out, state, _as_float(values[loss_key]), step)
    if "grad_norm" in values:
        _check_grad(out, state, _as_float(values["grad_norm"]), step)
    return out


def _as_float(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _check_loss(out: list[Finding], state: LiveState, v: float, step: int) -> None:
    if not math.isfinite(v) or "loss_divergence" in state.fired:
        return
    trend = state._loss
    base = trend.baseline(v)
    if base is None:
        return
    prev = base if state._loss_ema is None else state._loss_ema
    ema = prev + EMA_ALPHA * (v - prev)
    state._loss_ema = ema
    factor = state._params["loss_divergence"]["factor"]
    if trend.held(ema - base > (factor - 1) * abs(base) > 0) >= SUSTAIN:
        _fire(out, state.fired, "loss_divergence", f"The loss grew to {format_number(ema)} from {format_number(base)}",
              {"start_loss": num(base), "smoothed_loss": num(ema), "step": step}, step,
              "The learning rate is most likely too high: divide it by 3-10 and retry.")


def _check_grad(out: list[Finding], state: LiveState, v: float, step: int) -> None:
    if not math.isfinite(v) or "exploding_gradients" in state.fired:
        return
    trend = state._grad
    base = trend.baseline(v)
    if base is None:
        return
    growth = state._params["exploding_gradients"]["growth"]
    if trend.held(base > 0 and v > growth * base) >= 2:
        _fire(out, state.fired, "exploding_gradients",
              f"The gradient norm reached {format_number(v)}, {format_number(v / base)}x its start",
              {"initial_norm": num(base), "norm": num(v), "step": step}, step,
              "Clip gradients (torch.nn.utils.clip_grad_norm_) and lower the learning rate.")


def _fire(out: list[Finding], fired: set[str], code: str, title: str, ev: dict, step: int,
          suggestion: str) -> None:
    if code in fired:
        return
    fired.add(code)
    out.append(make(code, title, ev, suggestion, step))
