"""What every probe does when something goes wrong: warn once, log an event, maybe raise.

Also the hook point for live diagnosis. Probes may not import an analysis, so the
checks that ``watch(..., diagnose=True)`` runs are registered from above with
:func:`set_live_rules`: as callables, or as ``"package.module:name"`` paths that are
imported on first use (so registering them costs ``import modelglass`` nothing).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Callable, Mapping, Union

from ..core import BadInputError, Finding, Severity
from ._errors import TrainingError

ON_ERROR = ("warn", "raise", "ignore")

LiveRules = Callable[[Mapping[str, float], int, Any], "list[Finding]"]
_Ref = Union[Callable[..., Any], str, None]
_registered: tuple[_Ref, _Ref] = (None, None)


def set_live_rules(rules: LiveRules | str | None, new_state: Callable[[], Any] | str | None = None) -> None:
    """Register the checks ``watch(..., diagnose=True)`` runs on each step.

    Args:
        rules: ``rules(values, step, state) -> list[Finding]``, or its
            ``"package.module:name"`` path (imported on the first watched step); None
            turns live diagnosis off.
        new_state: Makes the ``state`` a watched run hands to ``rules`` on every call
            (one per run), or its path. None: ``rules`` is called as ``rules(values, step)``.
    """
    global _registered
    _registered = (rules, new_state)


def _resolve(ref: _Ref) -> Any:
    if not isinstance(ref, str):
        return ref
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _live_rules() -> tuple[Callable[..., Any] | None, Callable[[], Any] | None]:
    """The registered ``(rules, new_state)``, paths imported; ``(None, None)`` when unset."""
    rules, new_state = (_resolve(r) for r in _registered)
    return rules, new_state


def check_positive_int(value: Any, arg: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadInputError(f"The {arg!r} argument of {where} must be a positive int. Got {value!r} instead.")
    return value


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
    """Reports findings once per code; runs the rules registered with :func:`set_live_rules`."""

    def __init__(self, run: Any, on_error: str, diagnose: bool) -> None:
        self.run = run
        self.on_error = on_error
        self.diagnose = diagnose
        self.seen: set[str] = set()
        self._rules: Any = None
        self._state: Any = None  # what the trend checks remember, one per watched run
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
        """Run the registered live diagnosis rules, if any."""
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
                rules, new_state = _live_rules()
            except (ImportError, AttributeError) as exc:
                warnings.warn(f"modelglass: live diagnosis unavailable: {exc}", RuntimeWarning, stacklevel=4)
                return None
            self._rules = rules if callable(rules) else None
            if self._rules is not None and callable(new_state):
                self._state = new_state()
        return self._rules
