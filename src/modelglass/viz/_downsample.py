"""Downsampling that keeps spikes: the minimum and the maximum of every bucket.

A chart cannot show more points than it has pixels, so long series are reduced
before they are drawn. Random sampling (TensorBoard keeps a reservoir of 1,000
points) can drop the one step where the loss spiked; picking the lowest and the
highest point of each bucket of consecutive points never does, so the drawn
line reaches every extreme and the y-axis range stays true.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import BadInputError

DEFAULT_MAX_POINTS = 2000


@dataclass(frozen=True)
class Downsampled:
    """The kept points of a series.

    Attributes:
        index: Positions of the kept points in the original arrays, increasing.
        total: Length of the original series.
        nonfinite: How many original values were NaN or +/-Inf.
        first_nonfinite: Position of the first NaN/Inf value, or None.
    """

    index: np.ndarray
    total: int
    nonfinite: int
    first_nonfinite: int | None

    @property
    def reduced(self) -> bool:
        return int(self.index.size) < self.total


def minmax_index(values: np.ndarray, max_points: int = DEFAULT_MAX_POINTS) -> Downsampled:
    """Positions of the points to draw: first, last, and each bucket's min and max.

    NaN/Inf values are never chosen as a bucket's extreme unless the whole bucket
    is non-finite, in which case one of them is kept so the gap stays visible.

    Args:
        values: The series values, in logged order.
        max_points: Upper bound on the number of kept points (at least 4).

    Returns:
        The kept positions and counts of non-finite values.
    """
    if max_points < 4:
        raise BadInputError(f"max_points must be at least 4. Got {max_points!r}.")
    y = np.asarray(values, dtype=np.float64)
    n = int(y.size)
    finite = np.isfinite(y)
    bad = n - int(np.count_nonzero(finite))
    first_bad = None if bad == 0 else int(np.argmin(finite))
    if n <= max_points:
        return Downsampled(np.arange(n, dtype=np.int64), n, bad, first_bad)
    buckets = (max_points - 2) // 2
    width = -(-n // buckets)  # ceil
    pad = buckets * width - n
    lo_src = np.where(finite, y, np.inf)
    hi_src = np.where(finite, y, -np.inf)
    if pad:
        lo_src = np.concatenate([lo_src, np.full(pad, np.inf)])
        hi_src = np.concatenate([hi_src, np.full(pad, -np.inf)])
    offsets = np.arange(buckets, dtype=np.int64) * width
    lo = offsets + np.argmin(lo_src.reshape(buckets, width), axis=1)
    hi = offsets + np.argmax(hi_src.reshape(buckets, width), axis=1)
    keep = np.concatenate([[0, n - 1], lo, hi])
    keep = keep[keep < n]
    return Downsampled(np.unique(keep), n, bad, first_bad)


def downsample(
    x: np.ndarray, y: np.ndarray, max_points: int = DEFAULT_MAX_POINTS
) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` reduced to at most ``max_points`` points, every bucket's extremes kept."""
    x = np.asarray(x)
    y = np.asarray(y)
    if x.shape != y.shape:
        raise BadInputError(
            f"downsample needs x and y of the same length. Got {x.shape} and {y.shape}."
        )
    kept = minmax_index(y, max_points)
    return x[kept.index], y[kept.index]
