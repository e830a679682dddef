"""Turning arrays into chunk rows and back."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from . import _codec
from ._backend import Backend, ChunkRow, HistogramRow

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
    chunks: Sequence[tuple[int, bytes, bytes, bytes]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate encoded chunks into (steps, values, times)."""
    if not chunks:
        empty_i = np.empty(0, dtype=np.int64)
        return empty_i, np.empty(0), np.empty(0)
    if len(chunks) == 1:
        n, s, v, t = chunks[0]
        return _codec.decode_steps(s, n), _codec.decode_values(v), _codec.decode_times(t)
    # Decode straight into the result arrays: no per-chunk temporaries to concatenate.
    total = sum(c[0] for c in chunks)
    steps = np.empty(total, dtype=np.int64)
    values = np.empty(total, dtype=np.float64)
    times = np.empty(total, dtype=np.float64)
    lo = 0
    for n, s, v, t in chunks:
        hi = lo + n
        _codec.decode_steps(s, n, steps[lo:hi])
        values[lo:hi] = _codec.decode_values(v)
        _codec.decode_times(t, times[lo:hi])
        lo = hi
    return steps, values, times


def compact(backend: Backend, run_id: str) -> None:
    """Merge the many small chunks a long, slow run leaves into few large ones."""
    by_tag: dict[str, list[int]] = {}
    for c in backend.chunk_stats(run_id):
        by_tag.setdefault(c.tag, []).append(c.n)
    for tag, sizes in by_tag.items():
        if len(sizes) <= 4 or sum(sizes) / len(sizes) > MAX_CHUNK / 8:
            continue
        steps, values, times = decode_chunks(backend.chunks(run_id, tag))
        backend.replace_chunks(run_id, tag, make_chunks(run_id, tag, 0, steps, values, times))


def histogram_row(run_id: str, tag: str, step: int, time: float, h: Any) -> HistogramRow:
    """Encode a histogram (anything with edges, counts, min, max, mean, std, count,
    nan_count, inf_count) as a row to store."""
    return HistogramRow(
        run_id, tag, step, time,
        _codec.encode_array(np.asarray(h.edges, dtype=np.float64)),
        _codec.encode_array(np.asarray(h.counts, dtype=np.int64)),
        h.min, h.max, h.mean, h.std, h.count, h.nan_count, h.inf_count,
    )
