"""What every probe does when something goes wrong: warn once, log an event, maybe raise.

Also the hook point for live diagnosis: ``modelglass.diagnose.live_rules(values,
step) -> list[Finding]`` is called on recorded steps when it exists.
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping

from ..core import BadInputError, Finding, Severity
from ._errors import TrainingError

ON_ERROR = ("warn", "raise", "ignore")


def check_on_error(on_error: str, where: str) -> str:
    if on_error not in ON_ERROR:
        raise BadInputError(
            f"The 'on_error' argument of {where} must be one of 'warn', 'raise', 'ignore'. "
            f"Got {on_error!r}."
        )
    return on_error


def nan_inf_finding(step: int, module: str, where: str, **evidence: Any) -> Finding:
    place = {"output": "output", "grad": "gradient", "weight": "values"}.get(where, where)
    return Finding(
        "nan_inf", Severity.ERROR,
        f"NaN/Inf first appeared at step {step} in the {place} of '{module or '<root>'}'",
        {"step": step, "module": module, "where": where, **evidence},
        "Lower the learning rate, clip gradients (torch.nn.utils.clip_grad_norm_), check the "
        "inputs for NaN, and look for log/sqrt/division of values that can reach zero in that module.",
        step, "probes",
    )


class LiveChecker:
    """Reports findings once per code; calls ``modelglass.diagnose.live_rules`` when present."""

    def __init__(self, run: Any, on_error: str, diagnose: bool) -> None:
        self.run = run
        self.on_error = on_error
        self.diagnose = diagnose
        self.seen: set[str] = set()
        self._rules: Any = None
        self._state: Any = None  # diagnose.LiveState: what the trend checks remember
        self._rules_loaded = False

    def report(self, finding: Finding, artifact: tuple[str, Any] | None = None) -> None:
        """Warn and log the first finding of each code; raise when asked to and it is an error."""
        if finding.code not in self.seen:
            self.seen.add(finding.code)
            if artifact is not None:
                self.run.log_artifact(*artifact)
            self.run.log_event(finding.title, level=str(finding.severity), step=finding.step,
                               finding=finding.to_dict())
            if self.on_error == "warn":
                warnings.warn(f"modelglass: {finding.title}. {finding.suggestion}", RuntimeWarning,
                              stacklevel=4)
        if self.on_error == "raise" and finding.severity >= Severity.ERROR:
            raise TrainingError(finding)

    def live(self, values: Mapping[str, float], step: int) -> None:
        """Run the live diagnosis rules, if the diagnose package provides them."""
        rules = self._load_rules()
        if rules is None:
            return
        try:
            if self._state is not None:
                found = list(rules(dict(values), step, self._state))
            else:
                found = list(rules(dict(values), step))
        except Exception as exc:  # noqa: BLE001 - a broken rule must not stop training
            self._rules = None
            warnings.warn(f"modelglass: live diagnosis disabled, it failed: {exc}", RuntimeWarning,
                          stacklevel=3)
            return
        for f in found:
            self.report(f)

    def _load_rules(self) -> Any:
        if not self.diagnose:
            return None
        if not self._rules_loaded:
            self._rules_loaded = True
            try:
                from .. import diagnose as _diagnose
            except ImportError:
                return None
            rules = getattr(_diagnose, "live_rules", None)
            self._rules = rules if callable(rules) else None
            state_cls = getattr(_diagnose, "LiveState", None)
            if self._rules is not None and callable(state_cls) and _takes_state(self._rules):
                self._state = state_cls()
        return self._rules


def _takes_state(fn: Any) -> bool:
    import inspect

    try:
        return "state" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
