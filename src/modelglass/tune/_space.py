"""A declared search space: ``{"lr": (1e-5, 1e-1, "log"), "layers": [1, 2, 3]}``."""

from __future__ import annotations

import math
from typing import Any, Mapping

from ..core import BadInputError, argument_error


def parse_space(space: Mapping[str, Any] | None) -> dict[str, Any]:
    """Turn a space mapping into Optuna distributions, checking every range.

    Accepted values per name:
        ``(low, high)``: a float range (an int range when both ends are ints);
        ``(low, high, "log")``: the same on a log scale;
        ``(low, high, step)``: a stepped range;
        a list: a categorical choice;
        an Optuna distribution object.

    Raises:
        BadInputError: an empty range, a log range that is not positive, an empty
            list, or a value of another kind.
    """
    if space is None:
        return {}
    if not isinstance(space, Mapping):
        expected = "a dict of name -> (low, high), (low, high, 'log') or [choices]"
        raise argument_error("space", "mg.tune", expected, space)
    from optuna import distributions as dist

    out: dict[str, Any] = {}
    for name, spec in space.items():
        if isinstance(spec, dist.BaseDistribution):
            out[name] = spec
        elif isinstance(spec, list):
            if not spec:
                raise BadInputError(f"The space entry {name!r} is an empty list. Give at least one choice.")
            out[name] = dist.CategoricalDistribution(spec)
        elif isinstance(spec, tuple) and len(spec) in (2, 3):
            out[name] = _range(name, spec, dist)
        else:
            raise BadInputError(
                f"The space entry {name!r} must be (low, high), (low, high, 'log'), "
                f"(low, high, step) or a list of choices. Got {spec!r}."
            )
    return out


def _range(name: str, spec: tuple[Any, ...], dist: Any) -> Any:
    low, high = spec[0], spec[1]
    extra = spec[2] if len(spec) == 3 else None
    for v in (low, high):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise BadInputError(f"The space entry {name!r} needs finite numbers. Got {spec!r}.")
    if not low < high:
        raise BadInputError(
            f"The space entry {name!r} has an empty range: low={low!r} must be below "
            f"high={high!r}. Swap or widen the bounds."
        )
    log = extra == "log"
    if extra is not None and not log and (isinstance(extra, bool) or not isinstance(extra, (int, float)) or extra <= 0):
        raise BadInputError(
            f"The third item of the space entry {name!r} must be 'log' or a positive step. Got {extra!r}."
        )
    if log and low <= 0:
        raise BadInputError(f"The log range {name!r} must have low > 0. Got low={low!r}.")
    step = None if extra is None or log else extra
    if isinstance(low, int) and isinstance(high, int) and (step is None or isinstance(step, int)):
        return dist.IntDistribution(low, high, log=log, step=step or 1)
    return dist.FloatDistribution(float(low), float(high), log=log, step=step)


def suggest_all(trial: Any, space: Mapping[str, Any]) -> dict[str, Any]:
    """Ask ``trial`` for a value of every entry of a parsed space."""
    out = {}
    for name, d in space.items():
        kind = type(d).__name__
        if kind == "CategoricalDistribution":
            out[name] = trial.suggest_categorical(name, d.choices)
        elif kind == "IntDistribution":
            out[name] = trial.suggest_int(name, d.low, d.high, step=d.step, log=d.log)
        else:
            out[name] = trial.suggest_float(name, d.low, d.high, step=d.step, log=d.log)
    return out


def describe_distribution(d: Any) -> dict[str, Any]:
    """A JSON-able description of an Optuna distribution."""
    kind = type(d).__name__
    if kind == "CategoricalDistribution":
        return {"type": "categorical", "choices": list(d.choices)}
    return {
        "type": "int" if kind == "IntDistribution" else "float",
        "low": d.low,
        "high": d.high,
        "log": bool(d.log),
        "step": d.step,
    }
