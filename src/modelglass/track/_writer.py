"""The background writer: drains the run's queue and persists it in batches.

Scalars go column-wise into per-tag ``array.array`` buffers under a short lock:
appending a C double allocates no Python object the garbage collector tracks,
and the writer turns a buffer into a NumPy array without a per-value loop.
Histograms, artifacts and events go through a ``collections.deque``. The writer
swaps the scalar buffers, pops the queue and writes one transaction per flush.
"""

from __future__ import annotations

import collections
import logging
from array import array
import threading
import time
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ..store import Backend, EventRow, StoreUnavailableError, WriteBatch, make_chunks
from ._spool import Spool, orphans, replay_file

log = logging.getLogger("modelglass")

HISTOGRAM, ARTIFACT, EVENT, UPDATE = range(4)


def new_column() -> tuple[Any, ...]:
    """Steps, values and wall times of one tag since the last flush, and their appends.

    The bound ``append`` methods are kept so that ``Run.log`` skips three attribute
    lookups per value.
    """
    steps, values, times = array("q"), array("d"), array("d")
    return steps, values, times, steps.append, values.append, times.append


class _BatchWriter:
    """Writes batches of one run, isolating the records a store refuses."""

    backend: Backend
    run_id: str
    refused: int

    def _write_batch(self, batch: WriteBatch) -> None:
        """Write ``batch``; a record the store refuses is dropped and reported, the rest
        written. Raises ``_Unsent`` with what is left when the store is unavailable."""
        try:
            self.backend.write(batch)
            return
        except StoreUnavailableError as exc:
            raise _Unsent(exc, batch) from None
        except Exception:  # noqa: BLE001 - a record the store refuses: find it, keep the rest
            pass
        pieces = list(_split(batch))
        for i, (what, piece) in enumerate(pieces):
            try:
                self.backend.write(piece)
            except StoreUnavailableError as exc:
                raise _Unsent(exc, _merge(p for _, p in pieces[i:])) from None
            except Exception as exc:  # noqa: BLE001 - reported on the run, the rest goes on
                self._report(what, exc)

    def _report(self, what: str, exc: Exception) -> None:
        self.refused += 1
        text = " ".join(f"{type(exc).__name__}: {exc}".split())
        message = f"modelglass dropped {what}: the store refused it ({text})"
        if self.refused == 1:
            log.warning("run %s: %s (further refusals go to the run's events)", self.run_id,
                        message)
        safe = message.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\x00")
        event = EventRow(self.run_id, time.time(), None, "error", safe, "{}")
        try:
            self.backend.write(WriteBatch(events=[event]))
        except Exception:  # noqa: BLE001 - the warning above already said it
            pass


class Writer(_BatchWriter):
    """Owns the queue of one run and the thread that persists it.

    A batch the store cannot take now (a full disk, a server restarting) goes to a
    backlog: the run's spool file when the store is a server (``spool``), else
    memory. The backlog is written first, in order, once the store answers again;
    until then the writer retries with a growing delay.
    """

    def __init__(
        self, backend: Backend, run_id: str, interval: float = 1.0, spool: Spool | None = None
    ) -> None:
        self.backend = backend
        self.run_id = run_id
        self.interval = interval
        self.queue: collections.deque[tuple[Any, ...]] = collections.deque()
        self.lock = threading.Lock()  # guards ``columns``
        # One dict for the life of the run (Run.log keeps a reference): the writer
        # empties it under the lock instead of replacing it.
        self.columns: dict[str, tuple[Any, ...]] = {}
        self._seq: dict[str, int] = {}
        self._drain_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self.error: BaseException | None = None
        self.refused = 0  # records the store refused (reported as error events)
        self.backlog: Spool | MemoryBacklog = spool if spool is not None else MemoryBacklog()
        self._retry_at = 0.0
        self._delay = 0.0
        self._thread = threading.Thread(
            target=self._loop, name=f"modelglass-writer-{run_id}", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.drain(force=False)
            except BaseException as exc:  # noqa: BLE001 - kept and re-raised on flush/finish
                self.error = exc

    def drain(self, force: bool = True) -> int:
        """Persist everything queued so far. Returns how many values and records it took.

        Raises the store's error when something is left in a memory backlog (a
        spool file is durable: a flush that spooled returns). ``force=False`` (the
        background loop) waits out the retry delay instead of trying the store.
        """
        with self._drain_lock:
            q = self.queue
            n = len(q)
            items = [q.popleft() for _ in range(n)]
            with self.lock:
                columns = dict(self.columns)
                self.columns.clear()
            count = n + sum(len(c[0]) for c in columns.values())
            batch = self._build(items, columns)
            batch.run_updates.setdefault(self.run_id, {})["heartbeat"] = time.time()
            self._send(batch, force)
            if self.backlog.pending and isinstance(self.backlog, MemoryBacklog):
                raise self.error or StoreUnavailableError("The store cannot be written.")
            return count

    def _send(self, batch: WriteBatch, force: bool) -> None:
        backlog = self.backlog
        try:
            if backlog.pending:
                if not force and time.monotonic() < self._retry_at:
                    self._keep(batch)
                    return
                try:
                    backlog.replay(self._write_batch)
                except _Unsent as unsent:  # the backlog keeps its own batches, in order
                    self._keep(batch)
                    self._failed(unsent.error)
                    return
                self._recovered()
            try:
                self._write_batch(batch)
            except _Unsent as unsent:
                self._keep(unsent.batch)
                self._failed(unsent.error)
            else:
                self._recovered()
        except BaseException:
            self._keep(batch)  # e.g. KeyboardInterrupt during flush: keep it, let it through
            raise

    def _keep(self, batch: WriteBatch) -> None:
        updates = set(batch.run_updates.get(self.run_id, {})) - {"heartbeat"}
        if batch.chunks or batch.histograms or batch.artifacts or batch.events or updates:
            self.backlog.append(batch)

    def _failed(self, exc: BaseException) -> None:
        first = self.error is None
        self.error = exc
        self._delay = min(max(2 * self._delay, self.interval, 0.25), 30.0)
        self._retry_at = time.monotonic() + self._delay
        if first:
            where = (f"spooled to {self.backlog.path}" if isinstance(self.backlog, Spool)
                     else "kept in memory")
            log.warning("modelglass cannot write run %s now (%s); what it logs is %s and "
                        "written when the store answers again", self.run_id, exc, where)

    def _recovered(self) -> None:
        if self.error is not None:
            log.warning("modelglass: the store of run %s answers again; the backlog is written",
                        self.run_id)
        self.error = None
        self._delay = 0.0

    def _build(self, items: list[tuple[Any, ...]], columns: dict[str, tuple[Any, ...]]) -> WriteBatch:
        batch = WriteBatch()
        for item in items:
            kind = item[0]
            if kind == HISTOGRAM:
                batch.histograms.append(item[1])
            elif kind == ARTIFACT:
                batch.artifacts.append(item[1])
            elif kind == EVENT:
                batch.events.append(item[1])
            elif kind == UPDATE:
                batch.run_updates.setdefault(self.run_id, {}).update(item[1])
        for tag, (steps, values, times, *_appends) in columns.items():
            if not steps:
                continue
            seq = self._seq.get(tag, 0)
            rows = make_chunks(
                self.run_id, tag, seq,
                np.frombuffer(steps, dtype=np.int64),
                np.frombuffer(values, dtype=np.float64),
                np.frombuffer(times, dtype=np.float64),
            )
            self._seq[tag] = seq + len(rows)
            batch.chunks.extend(rows)
        return batch

    def wake(self) -> None:
        self._wake.set()

    def unsent(self) -> str:
        """What is not written yet, in words (for an error that gives up)."""
        with self.lock:
            values = sum(len(c[0]) for c in self.columns.values())
        values += self.backlog.values
        where = (f"; they are kept in {self.backlog.path} and written by the next mg.init on "
                 "this store" if isinstance(self.backlog, Spool) and self.backlog.pending else "")
        return (f"{values} values and {self.backlog.pending} flushes not written, "
                f"{len(self.queue)} records queued{where}")

    # How long finish() keeps retrying a store that is away before it gives up.
    finish_wait = 15.0

    def close(self) -> None:
        """Stop the thread after a last drain; retry an unavailable store for ``finish_wait`` s."""
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=max(10.0, 3 * self.interval))
        deadline = time.monotonic() + self.finish_wait
        try:
            while True:
                try:
                    self.drain(force=True)
                except StoreUnavailableError:
                    pass
                if not self.backlog.pending:
                    return
                if time.monotonic() > deadline:
                    raise self.error or StoreUnavailableError("The store cannot be written.")
                time.sleep(min(max(self._delay, 0.2), 2.0))
        finally:
            if isinstance(self.backlog, Spool):
                self.backlog.close()


class _Unsent(Exception):
    """The store is unavailable; ``batch`` is what is left to write."""

    def __init__(self, error: BaseException, batch: WriteBatch) -> None:
        super().__init__(str(error))
        self.error = error
        self.batch = batch


class MemoryBacklog:
    """Batches kept in memory while a local store cannot take them (a full disk)."""

    path = None

    def __init__(self) -> None:
        self.batches: list[WriteBatch] = []

    @property
    def pending(self) -> int:
        return len(self.batches)

    @property
    def values(self) -> int:
        return sum(c.n for b in self.batches for c in b.chunks)

    def append(self, batch: WriteBatch) -> None:
        self.batches.append(batch)

    def replay(self, write: Callable[[WriteBatch], None]) -> None:
        while self.batches:
            try:
                write(self.batches[0])
            except _Unsent as unsent:
                self.batches[0] = unsent.batch  # only what is left of it
                raise
            self.batches.pop(0)


def _split(batch: WriteBatch) -> Iterator[tuple[str, WriteBatch]]:
    """One batch per record (per series for chunks), each described in words."""
    by_tag: dict[str, list[Any]] = {}
    for c in batch.chunks:
        by_tag.setdefault(c.tag, []).append(c)
    for tag, rows in by_tag.items():
        yield f"series {tag!a}", WriteBatch(chunks=rows)
    for h in batch.histograms:
        yield f"histogram {h.tag!a} at step {h.step}", WriteBatch(histograms=[h])
    for a in batch.artifacts:
        yield f"artifact {a.name!a}", WriteBatch(artifacts=[a])
    for e in batch.events:
        yield f"event {e.message[:60]!a}", WriteBatch(events=[e])
    for run_id, fields in batch.run_updates.items():
        yield f"run update of {', '.join(sorted(fields))}", WriteBatch(run_updates={run_id: fields})


def _merge(batches: Iterable[WriteBatch]) -> WriteBatch:
    out = WriteBatch()
    for b in batches:
        out.chunks += b.chunks
        out.histograms += b.histograms
        out.artifacts += b.artifacts
        out.events += b.events
        for run_id, fields in b.run_updates.items():
            out.run_updates.setdefault(run_id, {}).update(fields)
    return out


class _Replayer(_BatchWriter):
    """Writes an orphan spool file's batches with the writer's isolation of refused records."""

    def __init__(self, backend: Backend, run_id: str) -> None:
        self.backend, self.run_id, self.refused = backend, run_id, 0

    def write(self, batch: WriteBatch) -> None:
        try:
            self._write_batch(batch)
        except _Unsent as unsent:
            raise unsent.error from None


def replay_orphans(backend: Backend, skip: str) -> int:
    """Write the spool files that dead processes left for this store. Returns how many."""
    done = 0
    for run_id, fh in orphans(backend.location, skip=skip):
        try:
            replay_file(fh, _Replayer(backend, run_id).write)
        except StoreUnavailableError:
            return done  # still away: the next init tries again
        done += 1
        log.warning("modelglass wrote what run %s had spooled before its process ended", run_id)
    return done
