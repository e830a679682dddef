"""Turning arrays into chunk rows and back."""

from __future__ import annotations

import math

import numpy as np

from . import _codec
from ._backend import ChunkRow

MAX_CHUNK = 65536


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def make_chunks(
    run_id: str, tag: str, seq: int, steps: np.ndarray, values: np.ndarray, times: np.ndarray
) -> list[ChunkRow]:
    """Split a series segment into encoded chunks of at most ``MAX_CHUNK`` points."""
    rows = []
    for lo in range(0, len(steps), MAX_CHUNK):
        s = steps[lo : lo + MAX_CHUNK]
        v = values[lo : lo + MAX_CHUNK]
        t = times[lo : lo + MAX_CHUNK]
        finite = v[np.isfinite(v)]
        rows.append(
            ChunkRow(
                run_id=run_id,
                tag=tag,
                seq=seq,
                n=int(s.size),
                step_min=int(s.min()),
                step_max=int(s.max()),
                last_step=int(s[-1]),
                last_value=float(v[-1]),
                vmin=_finite_or_none(float(finite.min())) if finite.size else None,
                vmax=_finite_or_none(float(finite.max())) if finite.size else None,
                steps=_codec.encode_steps(s),
                vals=_codec.encode_values(v),
                times=_codec.encode_times(t),
            )
        )
        seq += 1
    return rows


def decode_chunks(
    chunks: list[tuple[int, bytes, bytes, bytes]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate encoded chunks into (steps, values, times)."""
    if not chunks:
        empty_i = np.empty(0, dtype=np.int64)
        return empty_i, np.empty(0), np.empty(0)
    steps = [_codec.decode_steps(s, n) for n, s, _, _ in chunks]
    values = [_codec.decode_values(v) for _, _, v, _ in chunks]
    times = [_codec.decode_times(t) for _, _, _, t in chunks]
    if len(chunks) == 1:
        return steps[0], values[0], times[0]
    return np.concatenate(steps), np.concatenate(values), np.concatenate(times)
