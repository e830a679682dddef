"""The registry of data checks: each check is one function with a stable code, in one file."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..core import BadInputError, BadTypeError, Finding, Severity

SOURCE = "data"
#: At most this many example rows (or pairs) go into a finding's evidence.
MAX_EXAMPLES = 20


class SkipCheck(Exception):
    """Raised by a check that cannot run on this data; the message says why."""


@dataclass
class CheckOutput:
    """What one check found.

    Attributes:
        findings: Findings of this check (often one, sometimes none).
        rows: Flagged row positions (0-based) of train, uncapped.
        scores: One score per flagged row; higher means more suspicious.
        extra: More per-row columns for ``DataReport.rows`` (e.g. given/suggested label).
        details: JSON-able data for figures and ``to_dict()`` (e.g. drift scores per column).
        side: Which set ``rows`` index: ``train`` (default) or ``test``.
    """

    findings: list[Finding] = field(default_factory=list)
    rows: Any = None
    scores: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    details: Any = None
    side: str = "train"


@dataclass(frozen=True)
class Check:
    """A registered check: its code, what it needs and its options (the function's keyword defaults)."""

    code: str
    fn: Callable[..., CheckOutput]
    summary: str
    needs_target: bool = False
    needs_test: bool = False
    default: bool = True

    @property
    def options(self) -> dict[str, Any]:
        params = list(inspect.signature(self.fn).parameters.values())[1:]
        return {p.name: p.default for p in params}


CHECKS: dict[str, Check] = {}


def register(
    code: str, summary: str, *, needs_target: bool = False, needs_test: bool = False
) -> Callable[[Callable[..., CheckOutput]], Callable[..., CheckOutput]]:
    """Register ``fn(ctx, **options) -> CheckOutput`` as the check ``code``."""

    def deco(fn: Callable[..., CheckOutput]) -> Callable[..., CheckOutput]:
        CHECKS[code] = Check(code, fn, summary, needs_target, needs_test)
        return fn

    return deco


def resolve_checks(checks: Any) -> list[tuple[Check, dict[str, Any]]]:
    """Which checks to run, with their options.

    ``None``: every check with its defaults. A list of codes: only those. A dict
    ``{code: options}``: every check, with ``options`` (a dict) overriding the
    defaults of ``code``; ``False`` turns a check off, ``True`` keeps its defaults.
    An unknown code or option raises :class:`BadInputError`.
    """
    from . import checks as _load_all  # noqa: F401  registers every check

    if checks is None:
        return [(c, {}) for c in CHECKS.values()]
    if isinstance(checks, str):
        checks = [checks]
    if isinstance(checks, Mapping):
        chosen = []
        for code in checks:
            _known(code)
        for code, check in CHECKS.items():
            opt = checks.get(code, True)
            if opt is False:
                continue
            if opt is True or opt is None:
                opt = {}
            if not isinstance(opt, Mapping):
                raise BadTypeError(
                    f"checks[{code!r}] must be a dict of options, True or False. Got {type(opt).__name__}."
                )
            chosen.append((check, _validate_options(check, dict(opt))))
        return chosen
    try:
        codes = list(checks)
    except TypeError:
        raise BadTypeError(
            f"checks must be None, a list of check codes or a dict {{code: options}}. Got {type(checks).__name__}."
        ) from None
    return [(_known(code), {}) for code in codes]


def _known(code: Any) -> Check:
    if code not in CHECKS:
        raise BadInputError(
            f"Unknown data check {code!r}. Known checks: {', '.join(sorted(CHECKS))}."
        )
    return CHECKS[code]


def _validate_options(check: Check, opts: dict[str, Any]) -> dict[str, Any]:
    allowed = check.options
    for name in opts:
        if name not in allowed:
            valid = ", ".join(sorted(allowed)) or "none"
            raise BadInputError(
                f"Unknown option {name!r} for data check {check.code!r}. Its options are: {valid}."
            )
    return opts


def finding(
    code: str,
    severity: Severity | str,
    title: str,
    evidence: Mapping[str, Any],
    suggestion: str,
) -> Finding:
    """A Finding from the data checks (``source='data'``)."""
    return Finding(code, Severity.parse(severity), title, dict(evidence), suggestion, source=SOURCE)


def examples(rows: Any) -> list[int]:
    """The first ``MAX_EXAMPLES`` row positions as plain ints."""
    return [int(r) for r in list(rows[:MAX_EXAMPLES])]


def row_evidence(rows: Any) -> dict[str, Any]:
    """The ``rows`` (first examples) and ``n_rows`` (how many) evidence keys of a row check."""
    return {"rows": examples(rows), "n_rows": int(len(rows))}


def named(columns: Any, k: int = 5) -> str:
    """The first ``k`` column names for a finding's title, comma-separated."""
    return ", ".join(str(c) for c in list(columns)[:k])
