"""TFRecord framing of TensorBoard event files, read and written with a C crc32c.

A record is ``uint64 length``, ``masked crc32c(length)``, the payload, then
``masked crc32c(payload)``, all little-endian. The payload is an ``Event``
protobuf. A file still being written may end inside a record: reading stops
before it and reports the offset to continue from.
"""

from __future__ import annotations

import os
import struct
import warnings
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator

import numpy as np

from ...core import require
from ._fast import check_crcs, gather, padded

_HEADER = struct.Struct("<QI")
_U64 = struct.Struct("<Q")
_FOOTER = struct.Struct("<I")
_MASK_DELTA = 0xA282EAD8


class TensorBoardWarning(UserWarning):
    """A record of a TensorBoard file was skipped (corrupt); the import went on."""


def _crc32c() -> Any:
    return require("google_crc32c", "reading TensorBoard event files").value


def masked_crc(data: bytes, crc: Any = None) -> int:
    """TFRecord's masked crc32c of ``data``."""
    c = int((crc or _crc32c())(data))
    return (((c >> 15) | (c << 17)) + _MASK_DELTA) & 0xFFFFFFFF


@dataclass
class Chunk:
    """Complete records of one file from ``start``; ``end`` is where to continue.

    ``data`` holds the bytes read; record ``i``'s payload is
    ``data[starts[i] : starts[i] + lengths[i]]``.
    """

    path: str
    start: int
    end: int
    data: bytes = b""
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    skipped: list[int] = field(default_factory=list)
    u8: np.ndarray = field(default_factory=lambda: np.zeros(64, np.uint8))  # data, padded

    @property
    def payloads(self) -> list[bytes]:
        d = self.data
        return [d[s : s + n] for s, n in zip(self.starts.tolist(), self.lengths.tolist())]


def read_records(path: str, offset: int = 0, max_bytes: int | None = None) -> Chunk:
    """Every complete record of ``path`` from byte ``offset`` (within ``max_bytes``).

    A record whose payload CRC does not match is skipped with one warning naming
    the file and offset. A header whose own CRC does not match cannot say where the
    next record starts: the reader looks for the next valid record after it. An
    incomplete record at the end stays unread (``Chunk.end`` points at it).
    """
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read() if max_bytes is None else fh.read(max_bytes)
    crc = _crc32c()
    out = Chunk(path, offset, offset, data)
    n = len(data)
    u8 = padded(data)
    walker = _Walker(data, u8)
    heads: list[np.ndarray] = []
    pos = 0
    while True:
        walked, pos = walker.walk(pos)
        bad_at = None
        if walked.size:
            ok = check_crcs(data, u8, walked, np.full(walked.size, 8, np.int64),
                            _le_u32(gather(u8, walked + 8, 4)), crc)
            if not ok.all():
                i = int(np.argmin(ok))
                bad_at = int(walked[i])
                walked = walked[:i]
        heads.append(walked)
        if bad_at is None and n - pos >= 12 and masked_crc(data[pos : pos + 8], crc) != _HEADER.unpack_from(
            data, pos
        )[1]:
            bad_at = pos  # a corrupt length that points past the end is not a record in progress
        if bad_at is None:
            break
        _warn(path, offset + bad_at, "its length field is corrupt")
        out.skipped.append(offset + bad_at)
        nxt = _resync(data, bad_at + 1, crc)
        if nxt is None:
            pos = n  # nothing valid follows yet; a later import looks again from there
            break
        pos = nxt
    hs = np.concatenate(heads) if len(heads) > 1 else heads[0]
    lengths = _le_u64(gather(u8, hs, 8)).astype(np.int64)
    starts = hs + 12
    good = check_crcs(data, u8, starts, lengths, _le_u32(gather(u8, starts + lengths, 4)), crc)
    if not good.all():
        for h in hs[~good].tolist():
            _warn(path, offset + h, "its data does not match its CRC")
            out.skipped.append(offset + h)
        starts, lengths = starts[good], lengths[good]
    out.starts, out.lengths, out.end, out.u8 = starts, lengths, offset + pos, u8
    out.skipped.sort()
    return out


def read_windows(path: str, offset: int, window: int = 64 << 20) -> Iterator[Chunk]:
    """``read_records`` over ``path`` from ``offset``, ``window`` bytes at a time.

    A large file is never held in memory whole; a record larger than the window is
    read with a window of its own size.
    """
    size = os.path.getsize(path)
    while offset < size:
        chunk = read_records(path, offset, window)
        if chunk.end == offset and size - offset > window:
            chunk = read_records(path, offset)  # one record larger than the window
        yield chunk
        if chunk.end == offset:
            return  # an incomplete record: wait for the writer
        offset = chunk.end


class _Walker:
    """Finds where records start by following their length fields.

    Python follows one length at a time (~0.4 µs a record). Vectorised: every
    offset whose payload would start with byte 0x09 (an Event's ``wall_time``
    field, present in every event a writer makes) is a candidate; each
    candidate's length gives the next one, and the chain of records from a start
    is listed by pointer doubling (log2 of its length steps over all candidates).
    Records that are no candidates are stepped over in Python. Only the length
    fields are trusted here; the caller checks the CRCs.
    """

    def __init__(self, data: bytes, u8: np.ndarray) -> None:
        self.data = data
        n = self.n = len(data)
        cand = np.flatnonzero(u8[12:n] == 0x09) if n > 12 else np.zeros(0, np.int64)
        lengths = _le_u64(gather(u8, cand, 8))
        ends = cand + 16 + np.minimum(lengths, np.uint64(n + 1)).astype(np.int64)
        m = cand.size
        j = np.searchsorted(cand, ends)
        hit = (j < m) & (cand[np.minimum(j, max(m - 1, 0))] == ends) if m else np.zeros(0, bool)
        self.cand, self.ends = cand, ends
        self.next = np.append(np.where(hit, j, m), m)  # m: the chain stops

    def walk(self, pos: int) -> tuple[np.ndarray, int]:
        out: list[np.ndarray] = []
        single: list[int] = []
        n, cand = self.n, self.cand
        unpack = _U64.unpack_from
        while n - pos >= 12:
            i = int(np.searchsorted(cand, pos))
            if i < cand.size and cand[i] == pos:
                chain = self._chain(i)
                if self.ends[chain[-1]] > n:
                    chain = chain[:-1]  # its record is not complete yet
                    if chain.size == 0:
                        break
                if single:
                    out.append(np.array(single, dtype=np.int64))
                    single = []
                out.append(cand[chain])
                pos = int(self.ends[chain[-1]])
                continue
            end = pos + 16 + unpack(self.data, pos)[0]
            if end > n:
                break
            single.append(pos)
            pos = end
        if single:
            out.append(np.array(single, dtype=np.int64))
        walked = np.concatenate(out) if out else np.zeros(0, np.int64)
        return walked, pos

    def _chain(self, i: int) -> np.ndarray:
        m = self.cand.size
        nodes = np.array([i], dtype=np.int64)
        jump = self.next
        while True:
            more = jump[nodes]
            stop = more == m
            if stop.any():
                return np.concatenate([nodes, more[~stop]])
            nodes = np.concatenate([nodes, more])
            jump = jump[jump]


def _le_u32(rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows).view("<u4").reshape(-1)


def _le_u64(rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows).view("<u8").reshape(-1)


def _resync(data: bytes, start: int, crc: Any) -> int | None:
    """The next offset where a whole record with valid CRCs starts, if any."""
    n = len(data)
    for p in range(start, n - 11):
        length, len_crc = _HEADER.unpack_from(data, p)
        if masked_crc(data[p : p + 8], crc) != len_crc:
            continue
        end = p + 12 + length + 4
        if end <= n and masked_crc(data[p + 12 : p + 12 + length], crc) == _FOOTER.unpack_from(
            data, p + 12 + length
        )[0]:
            return p
    return None


def _warn(path: str, offset: int, why: str) -> None:
    warnings.warn(
        f"Skipped a corrupt record of {path} at byte offset {offset}: {why}.",
        TensorBoardWarning,
        stacklevel=3,
    )


def write_records(fh: BinaryIO, payloads: Iterator[bytes] | list[bytes]) -> int:
    """Write ``payloads`` as framed records; returns the bytes written."""
    crc = _crc32c()
    total = 0
    parts = []
    for p in payloads:
        head = struct.pack("<Q", len(p))
        parts.append(head + struct.pack("<I", masked_crc(head, crc)) + p
                     + struct.pack("<I", masked_crc(p, crc)))
        total += len(parts[-1])
        if len(parts) >= 4096:
            fh.write(b"".join(parts))
            parts.clear()
    fh.write(b"".join(parts))
    return total
