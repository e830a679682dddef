"""Argument validators: the sentence "The 'x' argument of f must be ... Got ... instead." lives here.

Each validator takes the value, the argument's name and the function that owns it
(``"mg.tune"``, ``"lr_find"``), returns the value (converted where that is the
point, e.g. to ``float``), and raises :class:`BadInputError` (or
:class:`BadTypeError` for something that is not callable) with one line that says
what was expected, what came, and so how to fix it. The idea follows
scikit-learn's parameter validation: write the rule once, name it at each use.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, TypeVar

from ._errors import BadInputError, BadTypeError

T = TypeVar("T")


def argument_error(name: str, owner: str, expected: str, value: Any) -> BadInputError:
    """The error for an argument that is not what ``expected`` says (for rules of their own)."""
    return BadInputError(f"The {name!r} argument of {owner} must be {expected}. Got {_shown(value)} instead.")


def argument_type_error(name: str, owner: str, expected: str, value: Any) -> BadTypeError:
    """The error for an argument of the wrong kind: names the type that came."""
    return BadTypeError(f"The {name!r} argument of {owner} must be {expected}. Got {type(value).__name__} instead.")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def positive_int(value: Any, name: str, owner: str, *, minimum: int = 1, allow_none: bool = False) -> Any:
    """An int ``>= minimum`` (1 by default); None passes through when ``allow_none``."""
    if value is None and allow_none:
        return None
    if not _is_int(value) or value < minimum:
        expected = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise argument_error(name, owner, expected + (" or None" if allow_none else ""), value)
    return int(value)


def finite(value: Any, name: str, owner: str) -> float:
    """A real number that is neither NaN nor infinite."""
    if not _is_real(value) or not math.isfinite(value):
        raise argument_error(name, owner, "a finite number", value)
    return float(value)


def positive_number(value: Any, name: str, owner: str, *, allow_none: bool = False) -> Any:
    """A finite number > 0; None passes through when ``allow_none``."""
    if value is None and allow_none:
        return None
    if not _is_real(value) or not math.isfinite(value) or value <= 0:
        raise argument_error(name, owner, "a positive number" + (" or None" if allow_none else ""), value)
    return float(value)


def in_range(value: Any, name: str, owner: str, low: float | None = None, high: float | None = None,
             *, low_open: bool = False, high_open: bool = False) -> float:
    """A finite number between ``low`` and ``high``; ``*_open`` excludes that end.

    One bound may be None: ``in_range(d, "diverge", "lr_find", 1, low_open=True)`` is "> 1".
    """
    ok = _is_real(value) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise argument_error(name, owner, _range_words(low, high, low_open, high_open), value)
    return float(value)


def _range_words(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"a number in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"a number {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"a number {'<' if high_open else '<='} {high:g}"
    return "a finite number"


def one_of(value: T, name: str, owner: str, choices: Iterable[Any]) -> T:
    """One of ``choices`` (compared with ``==``; True is not taken for 1)."""
    options = tuple(choices)
    if not any(_same(value, c) for c in options):
        raise argument_error(name, owner, "one of " + ", ".join(map(repr, options)), value)
    return value


def _same(value: Any, choice: Any) -> bool:
    if isinstance(value, bool) != isinstance(choice, bool):
        return False
    try:
        return bool(value == choice)
    except (TypeError, ValueError):  # an array compared with a string
        return False


def callable_arg(value: T, name: str, owner: str, expected: str = "callable") -> T:
    """Something callable; ``expected`` says what kind (``"a function f(trial) -> float"``)."""
    if not callable(value):
        raise argument_type_error(name, owner, expected, value)
    return value
