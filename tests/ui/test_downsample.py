"""The spike-keeping downsampler and the histogram grid behind the dashboard's charts."""

from __future__ import annotations

import numpy as np
import pytest

from modelglass.core import BadInputError
from modelglass.track import compute_histogram
from modelglass.viz._downsample import downsample, minmax_index
from modelglass.viz._histmap import histmap_data


def test_a_single_step_spike_in_a_million_points_is_kept_at_its_height() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(1.0, 0.01, 1_000_000)
    y[654_321] = 1000.0
    y[123_456] = -500.0
    x = np.arange(y.size)
    xs, ys = downsample(x, y, 2000)
    assert len(ys) <= 2000
    assert ys.max() == 1000.0 and xs[ys.argmax()] == 654_321
    assert ys.min() == -500.0 and xs[ys.argmin()] == 123_456
    assert xs[0] == 0 and xs[-1] == y.size - 1
    assert np.all(np.diff(xs) > 0)


@pytest.mark.parametrize("n", [7, 2001, 2003, 9_999, 100_001])
def test_every_length_stays_under_the_bound_and_keeps_the_extremes(n: int) -> None:
    y = np.sin(np.arange(n) / 7.0)
    y[n // 3] = 9.0
    kept = minmax_index(y, 2000)
    assert kept.index.size <= 2000
    assert kept.total == n
    assert y[kept.index].max() == 9.0
    assert kept.reduced == (n > 2000)


def test_nan_values_are_counted_and_never_hide_the_real_extremes() -> None:
    y = np.linspace(0, 1, 50_000)
    y[100] = np.nan
    y[200] = np.inf
    y[40_000] = 7.0
    kept = minmax_index(y, 500)
    assert kept.nonfinite == 2 and kept.first_nonfinite == 100
    assert np.nanmax(np.where(np.isfinite(y[kept.index]), y[kept.index], np.nan)) == 7.0


def test_a_bucket_of_only_nan_keeps_one_nan_so_the_gap_shows() -> None:
    y = np.ones(10_000)
    y[5000:5200] = np.nan
    kept = minmax_index(y, 200)
    assert np.isnan(y[kept.index]).any()


def test_short_series_come_back_whole_and_bad_bounds_are_refused() -> None:
    assert minmax_index(np.arange(5.0), 10).index.tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(BadInputError, match="at least 8"):
        minmax_index(np.arange(5.0), 3)
    with pytest.raises(BadInputError, match="same length"):
        downsample(np.arange(3), np.arange(4.0))


class _H:
    def __init__(self, step: int, values: np.ndarray) -> None:
        d = compute_histogram(values, 32)
        self.step, self.edges, self.counts = step, d.edges, d.counts
        self.min, self.max, self.count = d.min, d.max, d.count
        self.nan_count, self.inf_count = d.nan_count, d.inf_count


def test_histograms_are_rebinned_onto_one_grid_keeping_their_mass() -> None:
    rng = np.random.default_rng(0)
    hs = [_H(0, rng.normal(0, 1, 5000)), _H(10, rng.normal(5, 0.1, 5000)), _H(20, np.full(100, 2.0))]
    hm = histmap_data("weights/w", hs, bins=40)
    share = np.array(hm.share)
    assert hm.steps == (0, 10, 20)
    assert np.allclose(share.sum(axis=1), 1.0)
    centers = np.array(hm.centers)
    assert abs(centers[share[1].argmax()] - 5.0) < 0.3  # the step-10 mass sits near 5
    assert abs(centers[share[2].argmax()] - 2.0) < (centers[1] - centers[0])  # constant tensor
    assert hm.to_dict()["ridge_steps"] == [0, 10, 20]


def test_many_histograms_are_thinned_evenly_and_empty_ones_give_an_empty_map() -> None:
    hs = [_H(s, np.arange(10.0) + s) for s in range(500)]
    hm = histmap_data("t", hs, max_steps=50)
    assert len(hm.steps) == 50 and hm.steps[0] == 0 and hm.steps[-1] == 499
    assert hm.total_steps == 500
    empty = histmap_data("t", [_H(0, np.array([np.nan]))])
    assert empty.steps == () and empty.nonfinite == ()


@pytest.mark.parametrize("max_points", [8, 9, 50, 2000])
def test_the_bound_holds_with_nan_everywhere(max_points: int) -> None:
    y = np.random.default_rng(3).normal(size=30_011)
    y[::7] = np.nan
    assert minmax_index(y, max_points).index.size <= max_points


def test_the_histogram_figure_draws_the_computed_grid() -> None:
    from modelglass.viz._histmap import draw_histmap

    rng = np.random.default_rng(0)
    hm = histmap_data("grads/w", [_H(s, rng.normal(0, 1 + s, 1000)) for s in range(5)], bins=20)
    fig = draw_histmap(hm)
    heat = fig.data[0]
    assert heat.type == "heatmap" and list(heat.x) == [0, 1, 2, 3, 4]
    assert np.asarray(heat.z).shape == (20, 5)
    assert len(fig.data) == 1 + len(hm.ridge_steps)
    assert "no finite values" in draw_histmap(histmap_data("t", [])).layout.title.text
