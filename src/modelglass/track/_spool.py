"""A local spool for a store server that is away (a PostgreSQL restart, a network cut).

While the server cannot be reached, each flush appends its batch, as one JSON line,
to ``<cache>/modelglass/spool/<store>/<run id>.jsonl`` and fsyncs it. When the
server is back the batches are written in the order they were spooled and the
file is removed. A process that died with a spool left behind is replayed by the
next ``mg.init`` on the same store. The owner holds an exclusive ``flock`` on its
file, so a replay never races a live writer.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from ..store import ArtifactRow, ChunkRow, EventRow, HistogramRow, WriteBatch

_ROWS = {"chunks": ChunkRow, "histograms": HistogramRow, "artifacts": ArtifactRow, "events": EventRow}


def spool_root() -> Path:
    """``$XDG_CACHE_HOME/modelglass/spool`` (default ``~/.cache/modelglass/spool``)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "modelglass" / "spool"


def store_dir(location: str) -> Path:
    """The spool folder of one store (by its location, which never holds a password)."""
    return spool_root() / hashlib.sha256(location.encode()).hexdigest()[:16]


class Spool:
    """The spool file of one run; created on the first batch that cannot be sent."""

    def __init__(self, location: str, run_id: str) -> None:
        self.path = store_dir(location) / f"{run_id}.jsonl"
        self._fh: IO[bytes] | None = None
        self.pending = 0  # batches in the file
        self.values = 0  # scalar values in them

    def append(self, batch: WriteBatch) -> None:
        fh = self._open()
        fh.seek(0, os.SEEK_END)
        fh.write(encode(batch) + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
        self.pending += 1
        self.values += sum(c.n for c in batch.chunks)

    def replay(self, write: Callable[[WriteBatch], None]) -> None:
        """Write every spooled batch in order; on a failure keep the rest and re-raise."""
        if not self.pending:
            return
        fh = self._open()
        try:
            _write_in_order(fh, write)
        except _Stopped as stop:
            self.pending = len(stop.left)
            self.values = sum(sum(c.n for c in decode(x).chunks) for x in stop.left)
            raise stop.error from None
        _rewrite(fh, [])
        self.pending = self.values = 0

    def close(self) -> None:
        """Release the file; remove it when nothing is left in it."""
        if self._fh is None:
            return
        if not self.pending:
            self.path.unlink(missing_ok=True)
        self._fh.close()  # releases the lock
        self._fh = None

    def _open(self) -> IO[bytes]:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path, "a+b")  # noqa: SIM115 - held (and locked) for the run's life
            _lock(fh, blocking=True)
            self._fh = fh
        return self._fh


def orphans(location: str, skip: str | None = None) -> Iterator[tuple[str, IO[bytes]]]:
    """Spool files of runs whose process is gone (their lock is free), each locked for us."""
    folder = store_dir(location)
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.jsonl")):
        run_id = path.stem
        if run_id == skip:
            continue
        with open(path, "r+b") as fh:
            if _lock(fh, blocking=False):  # else its run is alive and replays it itself
                yield run_id, fh


def replay_file(fh: IO[bytes], write: Callable[[WriteBatch], None]) -> None:
    """Replay an orphan spool file; remove it when every batch is written."""
    try:
        _write_in_order(fh, write)
    except _Stopped as stop:
        raise stop.error from None
    os.unlink(fh.name)


class _Stopped(Exception):
    """A replay stopped at a batch the store refused: ``left`` is what stays spooled."""

    def __init__(self, left: list[bytes], error: BaseException) -> None:
        super().__init__(len(left))
        self.left, self.error = left, error


def _write_in_order(fh: IO[bytes], write: Callable[[WriteBatch], None]) -> None:
    """Write every spooled batch in order; on a failure keep the rest in the file (raises _Stopped)."""
    fh.seek(0)
    lines = fh.read().splitlines()
    for i, line in enumerate(lines):
        try:
            write(decode(line))
        except BaseException as exc:
            _rewrite(fh, lines[i:])
            raise _Stopped(lines[i:], exc) from exc


def encode(batch: WriteBatch) -> bytes:
    out: dict[str, Any] = {"run_updates": batch.run_updates}
    for name in _ROWS:
        out[name] = [
            {k: _b64(v) for k, v in dataclasses.asdict(row).items()} for row in getattr(batch, name)
        ]
    return json.dumps(out, allow_nan=True, separators=(",", ":")).encode()


def decode(line: bytes) -> WriteBatch:
    data = json.loads(line)
    batch = WriteBatch(run_updates=data["run_updates"])
    for name, cls in _ROWS.items():
        rows = [cls(**{k: _unb64(v) for k, v in row.items()}) for row in data[name]]
        setattr(batch, name, rows)
    return batch


def _b64(v: Any) -> Any:
    return {"b64": base64.b64encode(v).decode()} if isinstance(v, bytes) else v


def _unb64(v: Any) -> Any:
    return base64.b64decode(v["b64"]) if isinstance(v, dict) and "b64" in v else v


def _rewrite(fh: IO[bytes], lines: list[bytes]) -> None:
    fh.seek(0)
    fh.truncate()
    fh.write(b"".join(line + b"\n" for line in lines))
    fh.flush()
    os.fsync(fh.fileno())


def _lock(fh: IO[bytes], blocking: bool) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: one process per spool file is assumed
        return True
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True
