"""Argument validators: one sentence for every bad argument, the value returned when good."""

from __future__ import annotations

import math

import pytest

import modelglass as mg
from modelglass.core import (
    BadInputError,
    BadTypeError,
    callable_arg,
    finite,
    in_range,
    one_of,
    positive_int,
    positive_number,
)


def test_good_values_come_back_converted() -> None:
    assert positive_int(3, "n", "f") == 3 and positive_int(None, "n", "f", allow_none=True) is None
    assert finite(-2, "x", "f") == -2.0 and isinstance(finite(-2, "x", "f"), float)
    assert positive_number(0.5, "x", "f") == 0.5
    assert in_range(0.0, "s", "f", 0, 1, high_open=True) == 0.0
    assert one_of("fx", "graph", "f", (True, "fx")) == "fx"
    assert callable_arg(len, "fn", "f") is len


@pytest.mark.parametrize("call, message", [
    (lambda: positive_int(0, "every", "Run.watch"),
     "The 'every' argument of Run.watch must be a positive int. Got 0 instead."),
    (lambda: positive_int(True, "steps", "lr_find", minimum=5),
     "The 'steps' argument of lr_find must be an int >= 5. Got True instead."),
    (lambda: positive_int(2.0, "n_trials", "mg.tune", allow_none=True),
     "The 'n_trials' argument of mg.tune must be a positive int or None. Got 2.0 instead."),
    (lambda: finite(math.nan, "x", "f"), "The 'x' argument of f must be a finite number. Got nan instead."),
    (lambda: positive_number(-1, "span", "landscape"),
     "The 'span' argument of landscape must be a positive number. Got -1 instead."),
    (lambda: in_range(1.0, "smooth", "lr_find", 0, 1, high_open=True),
     "The 'smooth' argument of lr_find must be a number in [0, 1). Got 1.0 instead."),
    (lambda: in_range(1, "diverge", "lr_find", 1, low_open=True),
     "The 'diverge' argument of lr_find must be a number > 1. Got 1 instead."),
    (lambda: one_of(1, "graph", "mg.inspect", (True, False, "fx")),
     "The 'graph' argument of mg.inspect must be one of True, False, 'fx'. Got 1 instead."),
    (lambda: one_of("x" * 200, "kind", "f", ("a",)), "Got '" + "x" * 76 + "... instead."),
])
def test_bad_values_say_expected_and_got(call, message) -> None:
    with pytest.raises(BadInputError) as err:
        call()
    assert str(err.value) == message if message.startswith("The") else message in str(err.value)
    assert isinstance(err.value, ValueError)  # a bad argument is a ValueError for callers that catch that


def test_not_callable_is_a_type_error() -> None:
    with pytest.raises(BadTypeError, match="The 'objective' argument of mg.tune must be a function f.*Got int"):
        callable_arg(3, "objective", "mg.tune", "a function f(trial) -> float")


def test_public_functions_use_the_one_sentence() -> None:
    with pytest.raises(BadInputError, match=r"^The 'steps' argument of lr_find must be an int >= 5\. Got 2 instead\.$"):
        mg.lr_find(lambda lr: lr, steps=2)
    with pytest.raises(BadInputError, match=r"^The 'direction' argument of mg.tune must be one of 'minimize', 'maximize'"):
        mg.tune(lambda t: 0.0, n_trials=1, direction="up")
    with pytest.raises(BadInputError, match=r"^The 'eps' argument of gradcheck must be a number in \(0, 1\)"):
        mg.gradcheck(lambda t: 0.0, lambda t: t, [1.0], eps=2.0)
    with pytest.raises(BadInputError, match=r"^The 'graph' argument of mg.inspect must be one of True, False"):
        mg.inspect({"w": [1.0]}, graph="dot")


def test_wrong_kinds_of_tune_arguments_use_the_sentence() -> None:
    pytest.importorskip("optuna")
    with pytest.raises(BadInputError, match=r"^The 'space' argument of mg.tune must be a dict of name .*Got \[1, 2\] instead\.$"):
        mg.tune(lambda t: 0.0, n_trials=1, space=[1, 2])
    torch = pytest.importorskip("torch")
    with pytest.raises(BadTypeError, match=r"^The 'optimizer_cls' argument of lr_find must be a torch.optim.Optimizer "
                                           r"class or instance\. Got str instead\.$"):
        mg.lr_find(torch.nn.Linear(2, 1), torch.nn.functional.mse_loss, (torch.zeros(4, 2), torch.zeros(4, 1)),
                   optimizer_cls="sgd")
