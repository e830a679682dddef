"""Compact encoding of series chunks: a chunk is three arrays packed into blobs.

Steps are int64. An arithmetic progression (the common case: 0, 1, 2, ...) is
stored as its start and stride in 16 bytes; anything else as zlib-compressed
deltas. Values are raw little-endian float64 so NaN/Inf and every bit survive.
Wall times are int64 microseconds, delta-encoded and zlib-compressed: a tight
training loop logs with small, repetitive deltas that compress to ~1 byte.
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


def decode_steps(blob: bytes, n: int) -> np.ndarray:
    tag, body = blob[:1], blob[1:]
    if tag == _RANGE:
        start, stride = struct.unpack("<qq", body)
        return start + stride * np.arange(n, dtype=np.int64)
    return np.cumsum(np.frombuffer(zlib.decompress(body), dtype="<i8"))


def encode_values(values: np.ndarray) -> bytes:
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


def decode_values(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f8")


def encode_times(times: np.ndarray) -> bytes:
    micros = np.round(np.asarray(times, dtype=np.float64) * 1e6).astype("<i8")
    return zlib.compress(_delta(micros).tobytes(), _ZLIB_LEVEL)


def decode_times(blob: bytes) -> np.ndarray:
    micros = np.cumsum(np.frombuffer(zlib.decompress(blob), dtype="<i8"))
    return micros * 1e-6


def _delta(a: np.ndarray) -> np.ndarray:
    out = np.empty_like(a)
    if a.size:
        out[0] = a[0]
        np.subtract(a[1:], a[:-1], out=out[1:])
    return out


def encode_array(a: np.ndarray) -> bytes:
    """Any 1-d numeric array: dtype string, then raw bytes (used for histograms)."""
    a = np.ascontiguousarray(a)
    dt = a.dtype.str.encode()
    return struct.pack("<B", len(dt)) + dt + a.tobytes()


def decode_array(blob: bytes) -> np.ndarray:
    k = blob[0]
    dt = blob[1 : 1 + k].decode()
    return np.frombuffer(blob[1 + k :], dtype=dt)
