"""Causes: the bug behind the findings, with the chain of evidence and what to change.

Findings are symptoms (the loss plateaued, units died); a :class:`Cause` is what the
user changes (the learning rate is too high). Each cause rule is a small function
registered with :func:`cause_rule`; it reads the run's history, its findings and the
signals ``watch`` recorded, and returns a Cause or None. Adding one touches one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..core import Finding, Severity, format_number

CAUSES_SCHEMA_VERSION = 1

# The stable cause codes (the contract of issue #11), and what each means and changes.
CAUSE_CODES: dict[str, tuple[str, str]] = {
    "lr_too_high": ("updates are so large that the loss spikes, units die or the run diverges",
                    "lower the learning rate (the prescription says how far)"),
    "lr_too_low": ("updates are so small that the loss barely moves",
                   "raise the learning rate, or run mg.lr_find"),
    "missing_zero_grad": ("gradients of past steps keep adding up: optimizer.zero_grad() is missing",
                          "call optimizer.zero_grad() before each backward pass"),
    "unscaled_inputs": ("raw inputs far from unit scale reach the first layer",
                        "standardise the inputs (mean 0, std 1 per feature)"),
    "target_shape_mismatch": ("the loss broadcasts prediction and target of different shapes",
                              "make prediction and target the same shape (squeeze/view)"),
    "loss_output_mismatch": ("the loss gets probabilities where it expects logits (or the reverse)",
                             "feed raw logits to CrossEntropyLoss/BCEWithLogitsLoss; drop the softmax"),
    "label_noise": ("labels do not match the inputs (shuffled, misaligned, many wrong)",
                    "check how inputs and labels are paired and loaded"),
    "bad_initialization": ("the model starts broken: dead, saturated or confidently wrong at step 0",
                           "use the default (He/Xavier) initialisation, zero biases, a small last layer"),
    "saturating_deep_network": ("a deep sigmoid/tanh network without normalisation passes no gradient back",
                                "use ReLU/GELU, normalisation layers or residual connections"),
    "not_enough_capacity": ("optimisation is healthy, yet the training loss stays high",
                            "use a wider or deeper model"),
    "overfitting": ("the validation loss rises while the training loss keeps falling",
                    "stop early, regularise, or get more data"),
    "parameters_not_training": ("trainable parameters the optimizer never updates",
                                "pass every trainable parameter to the optimizer"),
    "eval_mode_missing": ("validation runs with dropout/batch norm still in training mode",
                          "call model.eval() before validating, model.train() after"),
    "unshuffled_data": ("batches are ordered by label: the loss repeats a pattern every epoch",
                        "shuffle the training data every epoch (DataLoader(shuffle=True))"),
    "numerical_instability": ("NaN/Inf from log(0), exp overflow or division by ~0",
                              "use log_softmax/cross_entropy, add eps to log/sqrt/divisors"),
}


@dataclass(frozen=True)
class Cause:
    """A bug behind a run's findings.

    Attributes:
        code: Stable id, one of :data:`CAUSE_CODES`.
        severity: ``warning`` or ``error``; ``info`` for "worth a look", which never counts
            against a healthy run.
        confidence: 0-1, how sure the rule is.
        title: One sentence naming the bug in the user's terms.
        because: The chain of evidence in causal order; each sentence names a finding code
            or a measured signal with its number and step.
        prescription: What to change, concretely (with a number where one can be computed).
        change: The config change, e.g. ``{"lr": 0.003}``, when the run's config has the key.
        findings: The codes of the symptom findings this cause explains.
    """

    code: str
    severity: Severity
    confidence: float
    title: str
    because: tuple[str, ...]
    prescription: str
    change: dict[str, Any] | None = None
    findings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.code not in CAUSE_CODES:
            raise ValueError(f"Unknown cause code {self.code!r}; known: {', '.join(CAUSE_CODES)}.")
        object.__setattr__(self, "severity", Severity.parse(self.severity))
        object.__setattr__(self, "confidence", round(min(1.0, max(0.0, float(self.confidence))), 3))
        object.__setattr__(self, "because", tuple(self.because))
        object.__setattr__(self, "findings", tuple(dict.fromkeys(self.findings)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, stable keys (the dashboard reads them)."""
        return {"code": self.code, "severity": str(self.severity), "confidence": self.confidence,
                "title": self.title, "because": list(self.because),
                "prescription": self.prescription,
                "change": None if self.change is None else dict(self.change),
                "findings": list(self.findings)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Cause":
        """Rebuild a cause stored with :meth:`to_dict`."""
        return cls(data["code"], data["severity"], data.get("confidence", 0.0), data.get("title", ""),
                   tuple(data.get("because") or ()), data.get("prescription", ""),
                   data.get("change"), tuple(data.get("findings") or ()))

    def chain(self) -> str:
        """The evidence as one line: ``a -> b -> c``."""
        return " -> ".join(self.because)


CauseCheck = Callable[[Any], "Cause | None"]
CAUSE_RULES: dict[str, CauseCheck] = {}


def cause_rule(code: str) -> Callable[[CauseCheck], CauseCheck]:
    """Register ``fn(ctx) -> Cause | None`` as the rule for the cause ``code`` (decorator)."""

    def deco(fn: CauseCheck) -> CauseCheck:
        if code not in CAUSE_CODES:
            raise RuntimeError(f"cause rule for an unknown code {code!r}")
        if code in CAUSE_RULES:
            raise RuntimeError(f"cause rule {code!r} is registered twice")
        CAUSE_RULES[code] = fn
        return fn

    return deco


def rank(causes: list[Cause]) -> tuple[Cause, ...]:
    """Most likely first: by severity, then confidence; info causes last."""
    return tuple(sorted(causes, key=lambda c: (-int(c.severity), -c.confidence, c.code)))


def fmt(x: float) -> str:
    """A number in a sentence: 4 significant digits."""
    return format_number(float(x))


def link(findings: list[Finding], causes: tuple[Cause, ...]) -> dict[str, str]:
    """Finding code -> the code of the most likely cause that explains it."""
    out: dict[str, str] = {}
    for c in causes:
        for code in c.findings:
            out.setdefault(code, c.code)
    return {f.code: out[f.code] for f in findings if f.code in out}
