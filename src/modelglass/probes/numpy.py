"""The NumPy probe: log named weight arrays and their gradients with ``watch``'s series names.

The seed's gradient-descent loop gets the same views as a watched PyTorch model
with one line per step::

    probe = ArrayProbe(run)
    for step in range(epochs):
        grad = X.T @ (X @ theta - y) / m
        probe.log({"theta": theta}, {"theta": grad})
        theta -= alpha * grad
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..core import BadTypeError, is_tensor
from ..track import compute_histogram
from ._emit import log_histogram_data, log_scalars
from ._live import LiveChecker, check_on_error, check_positive_int, nan_inf_finding

__all__ = ["ArrayProbe", "log_arrays"]


class ArrayProbe:
    """Logs ``weight_norm/``, ``grad_norm/``, ``update_ratio/`` and ``grad_norm`` for named arrays.

    Args:
        run: The run to log into.
        every: Per-array series and histograms every this many steps; ``grad_norm``
            (the global norm) every step.
        histograms: Also store ``weights/<name>`` and ``grads/<name>`` histograms.
        on_error: ``"warn"``, ``"raise"`` or ``"ignore"`` when NaN/Inf first appears.
    """

    def __init__(self, run: Any, every: int = 1, histograms: bool = False, on_error: str = "warn") -> None:
        check_positive_int(every, "every", "ArrayProbe")
        self.run, self.every, self.histograms = run, every, histograms
        self.checker = LiveChecker(run, check_on_error(on_error, "ArrayProbe"), diagnose=False)
        self.step = int(getattr(run, "step", 0))
        self._start = self.step
        self._prev: tuple[int, dict[str, np.ndarray]] | None = None

    def log(self, weights: Mapping[str, Any], grads: Mapping[str, Any] | None = None,
            step: int | None = None) -> None:
        """Record one step. Call it before the update, with the gradients of this step."""
        step = self.step if step is None else int(step)
        w = {k: _array(k, v) for k, v in weights.items()}
        g = {k: _array(k, v) for k, v in (grads or {}).items()}
        if self._prev:  # the arrays now hold the update made after the last recorded step
            prev_step, prev = self._prev
            # ||w|| = 0 (a zero start) has no meaningful ratio: nothing is logged for it.
            log_scalars(self.run, {
                f"update_ratio/{k}": float(np.linalg.norm(w[k] - a)) / float(np.linalg.norm(a))
                for k, a in prev.items() if k in w and w[k].shape == a.shape and np.any(a)
            }, prev_step)
            self._prev = None
        values: dict[str, float] = {}
        if g:
            values["grad_norm"] = float(np.sqrt(sum(float(np.vdot(a, a)) for a in g.values())))
        if (step - self._start) % self.every == 0:
            values.update({f"weight_norm/{k}": float(np.linalg.norm(a)) for k, a in w.items()})
            values.update({f"grad_norm/{k}": float(np.linalg.norm(a)) for k, a in g.items()})
            if self.histograms:
                for tag, arrays in (("weights", w), ("grads", g)):
                    for k, a in arrays.items():
                        log_histogram_data(self.run, f"{tag}/{k}", compute_histogram(a), step)
            # A copy, since the caller updates the arrays in place after this call.
            self._prev = (step, {k: a.copy() for k, a in w.items()})
        log_scalars(self.run, values, step)
        self.step = step + 1
        self._check_finite(step, w, g)

    def _check_finite(self, step: int, w: dict[str, np.ndarray], g: dict[str, np.ndarray]) -> None:
        for where, arrays in (("weight", w), ("grad", g)):
            for name, a in arrays.items():
                if not np.isfinite(a).all():
                    finding = nan_inf_finding(step, name, where)
                    self.checker.report(finding, ("nonfinite", {"step": step, "module": name, "where": where}))
                    return


def _array(name: str, value: Any) -> np.ndarray:
    if is_tensor(value):
        value = value.detach().cpu().numpy()
    a = np.asarray(value)
    if a.dtype.kind not in "fiu":
        raise BadTypeError(f"ArrayProbe.log expects numeric arrays. Got {name!r} of dtype {a.dtype}.")
    return a.astype(np.float64, copy=False)


def log_arrays(run: Any, weights: Mapping[str, Any], grads: Mapping[str, Any] | None = None,
               step: int | None = None, histograms: bool = False) -> None:
    """Log one step of named arrays without keeping state (no ``update_ratio``)."""
    probe = ArrayProbe(run, every=1, histograms=histograms)
    probe.log(weights, grads, step)
