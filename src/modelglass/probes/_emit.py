"""Write probe records into a run without moving the user's step counter.

``run.log(values, step=s)`` advances the run's implicit step to ``s + 1``; a
probe logging on its own schedule must not shift the steps of the user's own
``run.log`` calls, so the counter is put back afterwards. Histograms computed on
the device arrive as finished statistics and go in without a second pass.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..track import HistogramData


def log_scalars(run: Any, values: Mapping[str, float], step: int) -> None:
    """``run.log(values, step=step)`` that leaves ``run.step`` where the user had it."""
    if not values:
        return
    run.log(values, step=step, advance=False)


def log_histogram_data(run: Any, tag: str, hist: HistogramData, step: int) -> None:
    """Store an already computed histogram."""
    run.log_histogram_data(tag, hist, int(step))


def hist_from_stats(mn: float, mx: float, mean: float, std: float, n_finite: int,
                    nan_count: int, numel: int, counts: np.ndarray) -> HistogramData:
    """Build HistogramData from device-computed statistics (edges as ``compute_histogram``)."""
    inf_count = int(numel - n_finite - nan_count)
    if n_finite == 0:
        nan = float("nan")
        return HistogramData(np.zeros(0), np.zeros(0, dtype=np.int64), nan, nan, nan, nan, 0,
                             int(nan_count), inf_count)
    if mx == mn:
        return HistogramData(np.array([mn - 0.5, mx + 0.5]), np.array([n_finite], dtype=np.int64),
                             mn, mx, mean, std, int(n_finite), int(nan_count), inf_count)
    edges = np.linspace(mn, mx, counts.size + 1)
    return HistogramData(edges, counts.astype(np.int64), mn, mx, mean, std, int(n_finite),
                         int(nan_count), inf_count)
