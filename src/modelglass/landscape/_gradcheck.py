"""``mg.gradcheck``: compare an analytic gradient with centred finite differences."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

import numpy as np

from ..core import (
    BadInputError,
    BadTypeError,
    Finding,
    Result,
    Severity,
    format_number,
    in_range,
    jsonable,
    positive_int,
    require,
    sort_findings,
)

GOOD, SUSPICIOUS, WRONG = 1e-7, 1e-4, 1e-2
_SCALE_FIT = 1e-6  # residual below which the analytic gradient is a multiple of the numerical one


@dataclass(frozen=True)
class ParamCheck:
    """The check of one parameter (or of the whole vector, for NumPy)."""

    name: str
    rel_error: float
    verdict: str
    factor: float | None  # analytic = factor * numerical, when that fits and factor != 1
    n_checked: int
    n_total: int
    analytic: np.ndarray | None = field(default=None, repr=False, compare=False)
    numerical: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The check's numbers, with the checked entries of both gradients."""
        return jsonable(self.__dict__)


@dataclass(frozen=True)
class GradCheck(Result):
    """The outcome of :func:`modelglass.gradcheck`.

    Attributes:
        verdict: Worst verdict over the parameters: ``good``, ``suspicious``,
            ``likely_wrong``, ``scaled`` (a constant multiple) or ``wrong``.
        rel_error: Largest relative error.
        params: One check per parameter.
        message: The verdict in words.
        findings: ``gradcheck_wrong``, ``gradcheck_scaled`` or ``gradcheck_suspicious``.
    """

    TITLE = "Gradient check"
    FIGURE_KINDS = ("errors", "gradients")
    #: Upper relative-error bounds of the verdicts ``good``, ``suspicious`` and ``likely_wrong``.
    BANDS: ClassVar[tuple[tuple[str, float], ...]] = (
        ("good", GOOD), ("suspicious", SUSPICIOUS), ("likely_wrong", WRONG))

    verdict: str
    rel_error: float
    params: tuple[ParamCheck, ...]
    message: str
    findings: tuple[Finding, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.verdict == "good" or self.verdict == "suspicious"

    def _to_dict_body(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "passed": self.passed, "rel_error": self.rel_error,
                "message": self.message, "params": [p.to_dict() for p in self.params]}

    def _figure(self, kind: str) -> Any:
        """``errors``: relative error per parameter against the verdict bands;
        ``gradients``: analytic against numerical entries (on the diagonal when right)."""
        from ..viz import gradcheck_figure

        return gradcheck_figure(self, kind)

    def _text_body(self) -> str:
        lines = [f"{self.verdict}: {self.message}"]
        for p in self.params:
            lines.append(f"  {p.name:24s} relative error {format_number(p.rel_error, 2):>8s}  {p.verdict}"
                         f"  ({p.n_checked} of {p.n_total} entries)")
        return "\n".join(lines)


def gradcheck(
    f: Any,
    grad_f: Callable[..., Any] | None = None,
    theta: Any = None,
    *,
    loss_fn: Callable[[Any, Any], Any] | None = None,
    data: Any = None,
    eps: float = 1e-6,
    kinks: bool = False,
    max_per_param: int = 30,
    seed: int = 0,
) -> GradCheck:
    """Check a gradient against centred differences in float64.

    NumPy: ``gradcheck(f, grad_f, theta)`` with ``f(theta) -> float`` and
    ``grad_f(theta) -> array``. PyTorch: ``gradcheck(model, loss_fn=..., data=(X, y))``
    checks autograd for every parameter of a float64 copy of the model (the model
    itself is not touched), on up to ``max_per_param`` entries per parameter.

    Relative error bands: <= 1e-7 good; up to 1e-4 suspicious unless the
    function has kinks (ReLU, abs; pass ``kinks=True`` to accept that); up to
    1e-2 likely wrong; above, wrong. An analytic gradient that is a constant
    multiple of the numerical one is reported as such: "off by a constant
    factor 0.5" is harmless for convergence but changes the effective learning rate.
    """
    in_range(eps, "eps", "gradcheck", 0, 1, low_open=True, high_open=True)
    positive_int(max_per_param, "max_per_param", "gradcheck")
    torch_mod = _torch_module(f)
    if torch_mod is not None:
        if loss_fn is None and callable(grad_f):
            loss_fn, data = grad_f, theta if data is None else data
        if loss_fn is None or data is None:
            raise BadInputError("gradcheck of a PyTorch model needs loss_fn and data=(X, y).")
        checks = _torch_checks(torch_mod, f, loss_fn, data, eps, kinks, max_per_param, seed)
    else:
        if not callable(f) or not callable(grad_f) or theta is None:
            raise BadTypeError("gradcheck expects f(theta), grad_f(theta) and theta (or a torch model).")
        checks = [_numpy_check(f, grad_f, np.asarray(theta, dtype=np.float64), eps, kinks)]
    return _summarise(tuple(checks), kinks)


def _numpy_check(f: Callable[..., Any], grad_f: Callable[..., Any], theta: np.ndarray, eps: float, kinks: bool) -> ParamCheck:
    analytic = np.asarray(grad_f(theta.copy()), dtype=np.float64)
    if analytic.shape != theta.shape:
        raise BadInputError(f"grad_f returned shape {analytic.shape}; theta has shape {theta.shape}.")
    numeric = np.empty_like(theta).ravel()
    flat = theta.ravel()
    for i in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[i] += eps
        minus[i] -= eps
        numeric[i] = (float(f(plus.reshape(theta.shape))) - float(f(minus.reshape(theta.shape)))) / (2 * eps)
    return compare("theta", analytic.ravel(), numeric, flat.size, kinks)


def compare(name: str, analytic: np.ndarray, numeric: np.ndarray, n_total: int, kinks: bool) -> ParamCheck:
    """Relative error ``|a - n| / max(|a| + |n|, tiny)`` and whether ``a`` is a multiple of ``n``."""
    diff = float(np.linalg.norm(analytic - numeric))
    denom = float(np.linalg.norm(analytic) + np.linalg.norm(numeric))
    rel = diff / denom if denom > 1e-300 else 0.0
    factor = None
    nn = float(numeric @ numeric)
    if nn > 0 and rel > GOOD:
        c = float(analytic @ numeric) / nn
        resid = float(np.linalg.norm(analytic - c * numeric)) / max(float(np.linalg.norm(analytic)), 1e-300)
        if resid < _SCALE_FIT and abs(c - 1) > 1e-3:
            factor = c
    return ParamCheck(name, rel, _verdict(rel, factor, kinks), factor, int(analytic.size), int(n_total),
                      np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64))


def _verdict(rel: float, factor: float | None, kinks: bool) -> str:
    if factor is not None:
        return "scaled" if factor > 0 else "wrong"
    if rel <= GOOD or (kinks and rel <= SUSPICIOUS):
        return "good"
    if rel <= SUSPICIOUS:
        return "suspicious"
    return "likely_wrong" if rel <= WRONG else "wrong"


_ORDER = {"good": 0, "suspicious": 1, "scaled": 2, "likely_wrong": 3, "wrong": 4}


def _summarise(checks: tuple[ParamCheck, ...], kinks: bool) -> GradCheck:
    worst = max(checks, key=lambda c: (_ORDER[c.verdict], c.rel_error))
    rel = max(c.rel_error for c in checks)
    msg = _message(worst)
    findings: list[Finding] = []
    bad = [c for c in checks if c.verdict in ("wrong", "likely_wrong")]
    scaled = [c for c in checks if c.verdict == "scaled"]
    if bad:
        findings.append(Finding(
            "gradcheck_wrong", Severity.ERROR, _wrong_title(bad),
            {"params": {c.name: c.rel_error for c in bad}, "factor": bad[0].factor},
            "Re-derive the gradient of the loss you actually compute; a sign error makes gradient "
            "descent climb instead of descend.", source="gradcheck"))
    if scaled:
        findings.append(Finding(
            "gradcheck_scaled", Severity.WARNING, f"The gradient is {_message(scaled[0])}",
            {"params": {c.name: c.factor for c in scaled}},
            "Harmless for convergence, but the effective learning rate is the factor times yours; "
            "check whether the loss or the gradient has the intended constant.", source="gradcheck"))
    sus = [c for c in checks if c.verdict == "suspicious"]
    if sus and not kinks:
        findings.append(Finding(
            "gradcheck_suspicious", Severity.INFO,
            f"The gradient differs from the numerical one by a relative {sus[0].rel_error:.2g}.",
            {"params": {c.name: c.rel_error for c in sus}},
            "Fine if the function has kinks (ReLU, abs, max); otherwise look for a small error.",
            source="gradcheck"))
    return GradCheck(worst.verdict, rel, checks, msg, tuple(sort_findings(findings)))


def _wrong_title(bad: list[ParamCheck]) -> str:
    first = bad[0]
    if first.factor is not None:
        return f"The gradient is {_message(first)}."
    names = ", ".join(c.name for c in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
    worst = max(c.rel_error for c in bad)
    return f"The gradient is wrong for {names} (relative error up to {worst:.2g})."


def _message(c: ParamCheck) -> str:
    if c.factor is not None and c.factor > 0:
        return f"off by a constant factor {c.factor:.4g} (analytic = {c.factor:.4g} x numerical) for {c.name}"
    if c.factor is not None:
        return f"off by a constant factor {c.factor:.4g}: the sign is flipped for {c.name}"
    words = {"good": "matches the numerical gradient", "suspicious": "is close but not exact",
             "likely_wrong": "is probably wrong", "wrong": "is wrong"}[c.verdict]
    return f"{c.name}: the gradient {words} (relative error {c.rel_error:.2g})"


def _torch_module(f: Any) -> Any:
    import sys

    torch = sys.modules.get("torch")
    return torch if torch is not None and isinstance(f, torch.nn.Module) else None


def _torch_checks(torch: Any, model: Any, loss_fn: Any, data: Any, eps: float, kinks: bool,
                  max_per_param: int, seed: int) -> list[ParamCheck]:
    require("torch", "gradcheck")
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise BadInputError("gradcheck needs data=(X, y) for a PyTorch model.")
    m = copy.deepcopy(model).double()
    m.eval()
    x, y = (t.double() if hasattr(t, "is_floating_point") and t.is_floating_point() else t for t in data)
    params = [(n, p) for n, p in m.named_parameters() if p.requires_grad]
    if not params:
        raise BadInputError(f"{type(model).__name__} has no parameter with requires_grad=True to check.")
    m.zero_grad(set_to_none=True)
    loss_fn(m(x), y).backward()
    rng = np.random.default_rng(seed)
    out = []
    with torch.no_grad():
        for name, p in params:
            grad = p.grad.detach().reshape(-1).numpy().copy() if p.grad is not None else np.zeros(p.numel())
            idx = np.arange(p.numel()) if p.numel() <= max_per_param else rng.choice(p.numel(), max_per_param, replace=False)
            flat = p.view(-1)
            numeric = np.empty(len(idx))
            for k, i in enumerate(idx):
                old = float(flat[i])
                flat[i] = old + eps
                up = float(loss_fn(m(x), y))
                flat[i] = old - eps
                down = float(loss_fn(m(x), y))
                flat[i] = old
                numeric[k] = (up - down) / (2 * eps)
            out.append(compare(name, grad[idx], numeric, p.numel(), kinks))
    return out
