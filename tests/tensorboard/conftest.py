"""Helpers for the TensorBoard tests: the reference reader, and ways to damage a file."""

from __future__ import annotations

import os
import struct

import pytest

pytest.importorskip("tensorboard")
pytest.importorskip("google_crc32c")

ALL = {"scalars": 0, "histograms": 0, "tensors": 0, "images": 0, "audio": 0,
       "compressedHistograms": 0}


@pytest.fixture
def tb():
    """The helpers below, for the tests of this folder."""
    return _Helpers


def accumulate(folder):
    """TensorBoard's own loader, keeping everything (size guidance 0)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder), size_guidance=ALL)
    acc.Reload()
    return acc


def event_files(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if "tfevents" in f)


def record_offsets(path):
    """(offset, length) of every record of a TFRecord file."""
    with open(path, "rb") as fh:
        data = fh.read()
    out, pos = [], 0
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from("<Q", data, pos)
        out.append((pos, length))
        pos += 12 + length + 4
    return out


class _Helpers:
    accumulate = staticmethod(accumulate)
    event_files = staticmethod(event_files)
    record_offsets = staticmethod(record_offsets)
