"""Checks that run on the caller's thread, before anything is buffered.

A value the store would refuse must be refused here, with a one-line message,
and not later in the background writer, where one bad record used to fail every
flush of the run.
"""

from __future__ import annotations

import json
import numbers
from typing import Any

import numpy as np

from ..core import BadInputError, BadTypeError, is_tensor

# Steps are stored as signed 64-bit integers; one past the last step must fit too.
STEP_MIN = -(2**63)
STEP_MAX = 2**63 - 2
MAX_NAME_CHARS = 1000
MAX_BINS = 1_000_000


def check_text(what: str, text: Any, allow_empty: bool = False) -> str:
    """``text`` as a string the store can hold (UTF-8, no NUL), else BadInputError/BadTypeError."""
    if not isinstance(text, str):
        raise BadTypeError(f"{what} must be a string. Got {_short(text)} ({type(text).__name__}).")
    if not text and not allow_empty:
        raise BadInputError(f"{what} must be a non-empty string. Got ''.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadInputError(
            f"{what} {_short(text)} holds a character UTF-8 cannot encode (a lone surrogate "
            f"at position {exc.start}); decode the text it came from with errors='replace'."
        ) from None
    if "\x00" in text:
        raise BadInputError(f"{what} {_short(text)} holds a NUL character (\\x00); remove it.")
    return text


def check_name(what: str, name: Any) -> str:
    """A tag or artifact name: non-empty text of at most MAX_NAME_CHARS characters."""
    check_text(what, name)
    if len(name) > MAX_NAME_CHARS:
        raise BadInputError(
            f"{what} is {len(name)} characters long; at most {MAX_NAME_CHARS} are allowed."
        )
    return str(name)


def check_step(step: Any) -> int:
    """``step`` as an int that fits the store's 64-bit steps."""
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        if (is_tensor(step) or isinstance(step, np.ndarray)) and _is_int_scalar(step):
            return check_step(int(step))
        raise BadTypeError(f"The 'step' argument must be an int. Got {type(step).__name__}.")
    value = int(step)
    if not STEP_MIN <= value <= STEP_MAX:
        raise BadInputError(
            f"The 'step' argument must fit a signed 64-bit integer "
            f"({STEP_MIN} to {STEP_MAX}). Got {_short(value)}."
        )
    return value


def _is_int_scalar(x: Any) -> bool:
    try:
        return bool(int(x) == x)
    except (TypeError, ValueError, RuntimeError):
        return False


def check_bins(bins: Any) -> int:
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or not 1 <= int(bins) <= MAX_BINS:
        raise BadInputError(
            f"The 'bins' argument of log_histogram must be an int from 1 to {MAX_BINS}. "
            f"Got {_short(bins)}."
        )
    return int(bins)


def check_json(what: str, value: Any, default: Any = None) -> str:
    """``value`` as JSON text (the way the writer will store it), else BadTypeError."""
    try:
        return json.dumps(value, allow_nan=True, default=default)
    except (TypeError, ValueError, RecursionError) as exc:
        raise BadTypeError(
            f"{what} cannot be stored as JSON ({exc}). Use plain numbers, strings, lists and dicts."
        ) from None


def overflow_error(key: str, value: Any) -> BadInputError:
    return BadInputError(
        f"Run.log value for {key!r} does not fit a float64 (got {_short(value)}); "
        "log it scaled or as its logarithm."
    )


def _short(x: Any, limit: int = 60) -> str:
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) > 10**limit:
        return f"an int of about {int(x.bit_length() * 0.30103) + 1} digits"
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."
