"""TFRecord framing of TensorBoard event files, read and written with a C crc32c.

A record is ``uint64 length``, ``masked crc32c(length)``, the payload, then
``masked crc32c(payload)``, all little-endian. The payload is an ``Event``
protobuf. A file still being written may end inside a record: reading stops
before it and reports the offset to continue from.
"""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator

from ...core import require

_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")
_MASK_DELTA = 0xA282EAD8


class TensorBoardWarning(UserWarning):
    """A record of a TensorBoard file was skipped (corrupt); the import went on."""


def _crc32c() -> Any:
    return require("google_crc32c", "reading TensorBoard event files").value


def masked_crc(data: bytes, crc: Any = None) -> int:
    """TFRecord's masked crc32c of ``data``."""
    c = (crc or _crc32c())(data)
    return (((c >> 15) | (c << 17)) + _MASK_DELTA) & 0xFFFFFFFF


@dataclass
class Chunk:
    """Complete records read from one file from ``start``; ``end`` is where to continue."""

    path: str
    start: int
    end: int
    payloads: list[bytes] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def read_records(path: str, offset: int = 0) -> Chunk:
    """Every complete record of ``path`` from byte ``offset``.

    A record whose payload CRC does not match is skipped with one warning naming
    the file and offset. A header whose own CRC does not match cannot say where the
    next record starts: the reader looks for the next valid record after it. An
    incomplete record at the end stays unread (``Chunk.end`` points at it).
    """
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    crc = _crc32c()
    out = Chunk(path, offset, offset)
    n = len(data)
    pos = 0
    unpack = _HEADER.unpack_from
    payloads = out.payloads
    while n - pos >= 12:
        length, len_crc = unpack(data, pos)
        if masked_crc(data[pos : pos + 8], crc) != len_crc:
            nxt = _resync(data, pos + 1, crc)
            _warn(path, offset + pos, "its length field is corrupt")
            out.skipped.append(offset + pos)
            if nxt is None:
                pos = n  # nothing valid follows yet; a later import looks again from there
                break
            pos = nxt
            continue
        end = pos + 12 + length + 4
        if end > n:
            break  # the writer has not finished this record: wait for it
        body = data[pos + 12 : pos + 12 + length]
        (body_crc,) = _FOOTER.unpack_from(data, pos + 12 + length)
        if masked_crc(body, crc) != body_crc:
            _warn(path, offset + pos, "its data does not match its CRC")
            out.skipped.append(offset + pos)
        else:
            payloads.append(body)
        pos = end
    out.end = offset + pos
    return out


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
