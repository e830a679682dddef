"""Compact encoding of series chunks: a chunk is three arrays packed into blobs.

Steps are int64. An arithmetic progression (the common case: 0, 1, 2, ...) is
stored as its start and stride in 16 bytes; anything else as zlib-compressed
deltas. Values are raw little-endian float64 so NaN/Inf and every bit survive.
Wall times are microseconds: the first as int64, then the deltas as int32
(4 bytes a point, decoded by one cumulative sum; no inflate on the read path),
or int64 deltas when two points are more than ~35 minutes apart.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

_RANGE = b"R"
_DELTA = b"D"
_ZLIB_LEVEL = 1


def encode_steps(steps: np.ndarray) -> bytes:
    steps = np.ascontiguousarray(steps, dtype="<i8")
    n = steps.size
    if n == 0:
        return _RANGE + struct.pack("<qq", 0, 1)
    stride = int(steps[1] - steps[0]) if n > 1 else 1
    start = int(steps[0])
    if n == 1 or (np.diff(steps) == stride).all():
        return _RANGE + struct.pack("<qq", start, stride)
    return _DELTA + zlib.compress(_delta(steps).tobytes(), _ZLIB_LEVEL)


def decode_steps(blob: bytes, n: int, out: np.ndarray | None = None) -> np.ndarray:
    """Decode ``n`` steps, into ``out`` (an int64 array of length n) when given."""
    out = np.empty(n, dtype=np.int64) if out is None else out
    tag, body = blob[:1], blob[1:]
    if tag == _RANGE:
        start, stride = struct.unpack("<qq", body)
        out[:] = np.arange(n, dtype=np.int64)
        if stride != 1:
            out *= stride
        if start:
            out += start
        return out
    np.cumsum(np.frombuffer(zlib.decompress(body), dtype="<i8"), out=out)
    return out


def encode_values(values: np.ndarray) -> bytes:
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


def decode_values(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f8")


def encode_times(times: np.ndarray) -> bytes:
    micros = np.round(np.asarray(times, dtype=np.float64) * 1e6).astype("<i8")
    if micros.size == 0:
        return b"E"
    deltas = np.diff(micros)
    head = struct.pack("<q", int(micros[0]))
    if deltas.size == 0 or (np.abs(deltas).max() < 2**31):
        return b"4" + head + deltas.astype("<i4").tobytes()
    return b"8" + head + deltas.tobytes()


def decode_times(blob: bytes, out: np.ndarray | None = None) -> np.ndarray:
    """Decode wall times in seconds, into ``out`` (a float64 array) when given."""
    width = blob[:1]
    if width == b"E":
        return np.empty(0) if out is None else out
    (first,) = struct.unpack("<q", blob[1:9])
    deltas = np.frombuffer(blob[9:], dtype="<i4" if width == b"4" else "<i8")
    micros = np.empty(deltas.size + 1, dtype=np.int64)
    micros[0] = first
    np.cumsum(deltas, out=micros[1:], dtype=np.int64)
    micros[1:] += first
    if out is None:
        return micros * 1e-6
    np.multiply(micros, 1e-6, out=out)
    return out


def _delta(a: np.ndarray) -> np.ndarray:
    out = np.empty_like(a)
    if a.size:
        out[0] = a[0]
        np.subtract(a[1:], a[:-1], out=out[1:])
    return out


def encode_array(a: np.ndarray) -> bytes:
    """Any 1-d numeric array: dtype string, then raw bytes (used for histograms)."""
    a = np.ascontiguousarray(a)
    dt: bytes = a.dtype.str.encode()
    data: bytes = a.tobytes()
    return struct.pack("<B", len(dt)) + dt + data


def decode_array(blob: bytes) -> np.ndarray:
    k = blob[0]
    dt = blob[1 : 1 + k].decode()
    return np.frombuffer(blob[1 + k :], dtype=dt)
