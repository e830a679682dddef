"""Figures of the landscape results: the line through the model, and gradcheck's two kinds."""

from __future__ import annotations

import numpy as np
import pytest

import modelglass as mg
from modelglass.viz import ERROR_FLOOR, gradcheck_data, landscape_line


def _bowl(th: np.ndarray) -> float:
    return float((th[0] - 1.0) ** 2 + 3.0 * (th[1] + 0.5) ** 2)


def test_line_on_a_plane_is_the_slice_through_the_model() -> None:
    r = mg.landscape(np.array([0.2, 0.4]), _bowl, steps=21, span=1.0)
    x, losses = landscape_line(r)
    row = int(np.argmin(np.abs(r.y - 0.4)))
    assert np.array_equal(losses, r.losses[row]) and losses.shape == r.x.shape
    # Every point on that line is the loss with theta_1 held at the model's value.
    assert losses[3] == pytest.approx(_bowl(np.array([r.x[3], r.y[row]])))
    fig = r.figure("line")
    assert fig.data[0].y.shape == r.x.shape and "theta_1 = 0.4" in fig.layout.title.text
    assert fig.data[1].name == "model" and fig.data[1].y[0] == pytest.approx(r.center_loss)


def test_default_figure_is_a_contour_on_a_plane_and_a_line_in_1d() -> None:
    plane = mg.landscape(np.array([0.2, 0.4]), _bowl, steps=9)
    assert plane.figure().data[0].type == "contour"
    line = mg.landscape(np.array([0.2, 0.4, 0.0]), lambda th: _bowl(th) + th[2] ** 2, kind="1d", steps=9)
    assert line.y is None
    fig = line.figure()
    assert fig.data[0].type == "scatter" and len(fig.data[0].y) == len(line.x)


def test_gradcheck_figures_show_the_planted_sign_error() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([np.ones(40), rng.uniform(0, 2, 40)])
    y = X @ np.array([3.0, 2.0])
    mse = lambda th: float(np.mean((X @ th - y) ** 2))  # noqa: E731
    good = lambda th: 2 * X.T @ (X @ th - y) / len(y)  # noqa: E731
    flipped = lambda th: good(th) * np.array([-1.0, 1.0])  # noqa: E731
    ok, bad = mg.gradcheck(mse, good, np.zeros(2)), mg.gradcheck(mse, flipped, np.zeros(2))
    d_ok, d_bad = gradcheck_data(ok), gradcheck_data(bad)
    assert d_ok.verdicts == ("good",) and ERROR_FLOOR <= d_ok.rel_errors[0] <= 1e-7
    assert d_bad.verdicts == ("wrong",) and d_bad.rel_errors[0] > 0.1
    # The scatter: right entries sit on the diagonal, the flipped intercept is its mirror image.
    assert np.allclose(d_ok.analytic[0], d_ok.numerical[0], rtol=1e-6)
    assert d_bad.analytic[0][0] == pytest.approx(-d_bad.numerical[0][0], rel=1e-6)
    assert d_bad.analytic[0][1] == pytest.approx(d_bad.numerical[0][1], rel=1e-6)
    errors, points = bad.figure("errors"), bad.figure("gradients")
    assert errors.layout.xaxis.type == "log" and list(errors.data[0].y) == ["theta"]
    assert [a.text for a in errors.layout.annotations] == ["good", "suspicious", "likely wrong", "wrong"]
    assert points.data[0].name == "theta" and points.data[-1].name == "analytic = numerical"
    assert bad.figure().layout.title.text == errors.layout.title.text  # 'errors' is the default
