"""The learning-rate range test: raise the rate exponentially, watch the loss, suggest a rate."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from ..core import (
    BadInputError,
    BadTypeError,
    Finding,
    Result,
    Severity,
    format_number,
    in_range,
    positive_int,
    positive_number,
    sort_findings,
)
from ..core import progress_bar
from ._lr_torch import torch_sweep


@dataclass(frozen=True)
class LRFinderResult(Result):
    """What the range test saw.

    Attributes:
        lrs: The rates tried, in order.
        losses: The loss at each rate.
        smoothed: The exponentially smoothed (bias-corrected) loss.
        suggestion: The rate at the steepest descent of the smoothed curve; None when the
            loss never fell (the ``lr_no_descent`` finding says what to try instead).
        alternatives: Suggested rates by rule: ``steepest``, ``valley``, ``minimum/10``
            (all None when the loss never fell).
        stopped_at: The rate where the loss blew up (None if the sweep reached ``end``).
        kind: ``torch`` or ``function``.
        findings: Notes on the sweep.
    """

    TITLE = "Learning-rate range test"
    FIGURE_KINDS = ("loss",)

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float | None
    alternatives: Mapping[str, float | None]
    stopped_at: float | None
    kind: str
    findings: tuple[Finding, ...] = field(default=())

    def _to_dict_body(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "suggestion": self.suggestion,
            "alternatives": dict(self.alternatives),
            "stopped_at": self.stopped_at,
            "lrs": self.lrs,
            "losses": self.losses,
            "smoothed": self.smoothed,
        }

    def _figure(self, kind: str) -> Any:
        """``loss``: loss against learning rate (log axis) with the suggested rates marked."""
        from ..viz import lr_find_figure

        return lr_find_figure(self)

    def _text_body(self) -> str:
        tried = f"{len(self.lrs)} rates from {format_number(float(self.lrs[0]))}" if len(self.lrs) else "no rates"
        if len(self.lrs):
            tried += f" to {format_number(float(self.lrs[-1]))}"
        if self.suggestion is None:
            return f"{tried}; no suggestion."
        return f"{tried}; suggested learning rate {format_number(self.suggestion)}."


def lr_find(
    model: Any,
    loss_fn: Callable[..., Any] | None = None,
    data: Any = None,
    optimizer_cls: Any = None,
    *,
    start: float = 1e-7,
    end: float = 10.0,
    steps: int = 100,
    optimizer_kwargs: Mapping[str, Any] | None = None,
    smooth: float | None = None,
    diverge: float = 4.0,
    progress: bool = True,
) -> LRFinderResult:
    """Run a learning-rate range test.

    For PyTorch, ``model`` is trained one batch per rate while the rate rises
    exponentially from ``start`` to ``end``; the sweep stops when the smoothed loss
    exceeds ``diverge`` times its best. The model, the optimizer (when an
    instance is passed) and the RNG are restored exactly afterwards.

    For plain NumPy code, pass a function of the learning rate as ``model`` and
    nothing else: ``f(lr)`` returns the loss after a short training at that rate
    from the same start (for the seed's linear regression: a few steps of
    ``theta -= lr * grad``).

    Args:
        model: A ``torch.nn.Module``, or ``f(lr) -> loss``.
        loss_fn: ``loss_fn(output, target)`` (PyTorch only).
        data: Batches of ``(inputs, targets)`` (a DataLoader) or one ``(X, y)`` pair.
        optimizer_cls: An optimizer class (default SGD) or an optimizer instance.
        start: First rate.
        end: Last rate.
        steps: Number of rates.
        optimizer_kwargs: Extra arguments for ``optimizer_cls``.
        smooth: Smoothing factor of the loss (default 0.98 for PyTorch, 0.5 for a function).
        diverge: Stop when the smoothed loss exceeds this multiple of its best.
        progress: Show a progress bar of the rates (on a terminal or in a notebook only).
    """
    _check_range(start, end, steps, diverge)
    if smooth is not None:
        in_range(smooth, "smooth", "lr_find", 0.0, 1.0, high_open=True)
    lrs = np.geomspace(start, end, steps)
    with progress_bar("lr_find: rates", steps, progress) as bar:
        return _sweep(model, loss_fn, data, optimizer_cls, optimizer_kwargs, lrs, smooth, diverge, steps, bar)


def _sweep(model: Any, loss_fn: Any, data: Any, optimizer_cls: Any, optimizer_kwargs: Any, lrs: np.ndarray,
           smooth: float | None, diverge: float, steps: int, bar: Any) -> LRFinderResult:
    def stop(ls: list[float], beta: float) -> bool:
        bar.advance()
        return _should_stop(ls, beta, diverge)

    if _is_module(model):
        if loss_fn is None or data is None:
            raise BadInputError("lr_find on a PyTorch model needs loss_fn and data ((X, y) or batches).")
        beta = 0.98 if smooth is None else smooth
        losses = torch_sweep(model, loss_fn, data, optimizer_cls, optimizer_kwargs or {}, lrs,
                             lambda ls: stop(ls, beta))
        kind = "torch"
    elif callable(model) and loss_fn is None and data is None:
        beta = 0.5 if smooth is None else smooth
        losses = _function_sweep(model, lrs, lambda ls: stop(ls, beta))
        kind = "function"
    else:
        raise BadTypeError(
            "lr_find expects a torch.nn.Module with loss_fn and data, or a function f(lr) -> loss "
            f"alone. Got {type(model).__name__}" + (" with loss_fn/data." if loss_fn or data is not None else ".")
        )
    return _analyse(lrs[: len(losses)], np.asarray(losses, dtype=np.float64), beta, diverge, steps, kind)


def _function_sweep(fn: Callable[[float], Any], lrs: np.ndarray, stop: Callable[[list[float]], bool]) -> list[float]:
    losses: list[float] = []
    for lr in lrs:
        try:
            value = float(fn(float(lr)))
        except (FloatingPointError, OverflowError):
            value = math.inf
        except (TypeError, ValueError) as exc:
            if not losses:
                raise BadInputError(f"The function given to lr_find failed at lr={lr:.3g}: {exc}") from exc
            raise
        losses.append(value)
        if stop(losses):
            break
    return losses


def smooth_losses(losses: np.ndarray, beta: float) -> np.ndarray:
    """Exponential moving average with bias correction (as in the range-test literature)."""
    out = np.empty(len(losses))
    avg = 0.0
    for i, v in enumerate(losses):
        avg = beta * avg + (1 - beta) * v
        out[i] = avg / (1 - beta ** (i + 1))
    return out


def _should_stop(losses: list[float], beta: float, diverge: float) -> bool:
    last = losses[-1]
    if not math.isfinite(last):
        return True
    if len(losses) < 2:
        return False
    sm = smooth_losses(np.asarray(losses), beta)
    best = float(np.min(sm))
    return best > 0 and bool(sm[-1] > diverge * best)


def _analyse(lrs: np.ndarray, losses: np.ndarray, beta: float, diverge: float, steps: int, kind: str) -> LRFinderResult:
    finite = np.isfinite(losses)
    stopped_at = float(lrs[-1]) if len(losses) < steps or not finite.all() else None
    lrs_f, sm = lrs[finite], smooth_losses(losses[finite], beta)
    alternatives = suggestions(lrs_f, sm)
    findings = _findings(lrs_f, sm, stopped_at, alternatives)
    if any(f.code == "lr_no_descent" for f in findings):
        # A rate read off a curve that never fell is noise: withhold every rule's answer.
        alternatives = dict.fromkeys(alternatives)
    shown = np.full(len(losses), np.nan)
    shown[finite] = sm
    return LRFinderResult(lrs, losses, shown, alternatives["steepest"], alternatives,
                          stopped_at, kind, findings)


def suggestions(lrs: np.ndarray, smoothed: np.ndarray) -> dict[str, float | None]:
    """Suggested rates by rule: ``steepest``, ``valley`` and ``minimum/10``."""
    if len(lrs) < 3:
        return {"steepest": None, "valley": None, "minimum/10": None}
    # The last points near the blow-up and the very first ones are noise for this purpose.
    upto = int(np.argmin(smoothed)) + 1
    grads = np.gradient(smoothed, np.log10(lrs))
    lo = min(len(lrs) // 20, max(upto - 2, 0))
    window = grads[lo:max(upto, lo + 1)]
    steepest = float(lrs[lo + int(np.argmin(window))]) if window.size else None
    return {"steepest": steepest, "valley": _valley(lrs, smoothed), "minimum/10": float(lrs[upto - 1] / 10)}


def _valley(lrs: np.ndarray, smoothed: np.ndarray) -> float | None:
    """Two thirds down the longest stretch over which the smoothed loss keeps falling."""
    best_start, best_len, run_start = 0, 0, 0
    for i in range(1, len(smoothed) + 1):
        if i == len(smoothed) or smoothed[i] >= smoothed[i - 1]:
            if i - run_start > best_len:
                best_start, best_len = run_start, i - run_start
            run_start = i
    if best_len < 2:
        return None
    return float(lrs[best_start + (2 * (best_len - 1)) // 3])


def _findings(lrs: np.ndarray, sm: np.ndarray, stopped_at: float | None, alt: Mapping[str, Any]) -> tuple[Finding, ...]:
    out: list[Finding] = []
    no_descent = _no_descent(lrs, sm, alt)
    if no_descent is not None:
        out.append(no_descent)
    if stopped_at is None and len(lrs):
        out.append(Finding(
            "lr_no_divergence", Severity.INFO,
            f"The loss did not blow up up to lr={lrs[-1]:.3g}; larger rates may still work.",
            {"end": float(lrs[-1])}, "Raise 'end' to see where training becomes unstable.",
            source="lr_find",
        ))
    if no_descent is None and alt.get("steepest") is not None:
        out.append(Finding(
            "lr_suggested", Severity.INFO,
            f"Suggested learning rate: {alt['steepest']:.3g} (steepest descent of the loss).",
            {k: v for k, v in alt.items()},
            "Start training at this rate; 'valley' and 'minimum/10' are more cautious choices.",
            source="lr_find",
        ))
    return tuple(sort_findings(out))


def _no_descent(lrs: np.ndarray, sm: np.ndarray, alt: Mapping[str, Any]) -> Finding | None:
    """A warning when the smoothed loss never fell by 5%: then no rate is suggested."""
    if len(sm) < 3:
        return None
    drop = (sm[0] - np.min(sm)) / max(abs(sm[0]), 1e-12)
    if drop >= 0.05:
        return None
    rose = bool(sm[-1] > sm[0] * 1.05 + 1e-12)
    what = ("The loss rose from the first rate on: lower 'start' (by 100x or more) so the sweep "
            "begins where training is stable, and " if rose else
            "The loss stayed flat: raise 'end' if the rates were all too small, and ")
    return Finding(
        "lr_no_descent", Severity.WARNING,
        "The loss never fell by more than 5% at any rate tried, so no learning rate is suggested.",
        {"first_loss": float(sm[0]), "best_loss": float(np.min(sm)), "last_loss": float(sm[-1]),
         "relative_drop": float(drop), "rates": [float(lrs[0]), float(lrs[-1])],
         "withheld": {k: v for k, v in alt.items()}},
        what + "check that the model can learn at all: labels that match the inputs, a loss that "
        "suits the output, parameters that are not frozen or detached.",
        source="lr_find",
    )


def _check_range(start: Any, end: Any, steps: Any, diverge: Any) -> None:
    positive_number(start, "start", "lr_find")
    positive_number(end, "end", "lr_find")
    if not start < end:
        raise BadInputError(f"lr_find needs start < end. Got start={start!r}, end={end!r}.")
    positive_int(steps, "steps", "lr_find", minimum=5)
    in_range(diverge, "diverge", "lr_find", 1, low_open=True)


def _is_module(model: Any) -> bool:
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)
