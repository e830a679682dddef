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
MIN_POINTS = 8


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

    NaN/Inf values never stand in for a bucket's minimum or maximum; each bucket that
    holds one also keeps its first, so the drawn line breaks where the series did.

    Args:
        values: The series values, in logged order.
        max_points: Upper bound on the number of kept points (at least 8).

    Returns:
        The kept positions and counts of non-finite values.
    """
    if max_points < MIN_POINTS:
        raise BadInputError(f"max_points must be at least {MIN_POINTS}. Got {max_points!r}.")
    y = np.asarray(values, dtype=np.float64)
    n = int(y.size)
    finite = None
    bad, first_bad = 0, None
    # One cheap pass decides: a finite sum means every value is finite.
    if n and not np.isfinite(y.sum()):
        finite = np.isfinite(y)
        bad = n - int(np.count_nonzero(finite))
        first_bad = None if bad == 0 else int(np.argmin(finite))
    if n <= max_points:
        return Downsampled(np.arange(n, dtype=np.int64), n, bad, first_bad)
    # first + last + two (three with NaN) per bucket + three for the short tail <= max_points
    per = 3 if bad else 2
    buckets = (max_points - 2 - per) // per
    width = n // buckets
    body = buckets * width
    if bad:  # NaN/Inf never win a bucket's min or max: finite values do
        lo_src, hi_src = np.where(finite, y, np.inf), np.where(finite, y, -np.inf)
    else:
        lo_src = hi_src = y
    offsets = np.arange(buckets, dtype=np.int64) * width
    parts = [
        np.array([0, n - 1], dtype=np.int64),
        offsets + np.argmin(lo_src[:body].reshape(buckets, width), axis=1),
        offsets + np.argmax(hi_src[:body].reshape(buckets, width), axis=1),
    ]
    if bad:  # and each bucket that holds one keeps its first, so the line shows the gap
        holes = ~finite[:body].reshape(buckets, width)
        parts.append((offsets + np.argmax(holes, axis=1))[holes.any(axis=1)])
    if body < n:  # the tail bucket: fewer than `buckets` points
        tail = [body + int(np.argmin(lo_src[body:])), body + int(np.argmax(hi_src[body:]))]
        if bad and not finite[body:].all():
            tail.append(body + int(np.argmin(finite[body:])))
        parts.append(np.array(tail, dtype=np.int64))
    return Downsampled(np.unique(np.concatenate(parts)), n, bad, first_bad)


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
