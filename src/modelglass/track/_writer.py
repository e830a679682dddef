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
from typing import Any

import numpy as np

from ..store import Backend, EventRow, StoreUnavailableError, WriteBatch, make_chunks

log = logging.getLogger("modelglass")

HISTOGRAM, ARTIFACT, EVENT, UPDATE = range(4)


def new_column() -> tuple[Any, ...]:
    """Steps, values and wall times of one tag since the last flush, and their appends.

    The bound ``append`` methods are kept so that ``Run.log`` skips three attribute
    lookups per value.
    """
    steps, values, times = array("q"), array("d"), array("d")
    return steps, values, times, steps.append, values.append, times.append


class Writer:
    """Owns the queue of one run and the thread that persists it."""

    def __init__(self, backend: Backend, run_id: str, interval: float = 1.0) -> None:
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
        self._thread = threading.Thread(
            target=self._loop, name=f"modelglass-writer-{run_id}", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.drain()
            except BaseException as exc:  # noqa: BLE001 - kept and re-raised on flush/finish
                if self.error is None or str(exc) != str(self.error):
                    log.error("modelglass could not write run %s: %s", self.run_id, exc)
                self.error = exc
                time.sleep(self.interval)

    def drain(self) -> int:
        """Persist everything queued so far. Returns how many queue items it wrote."""
        with self._drain_lock:
            q = self.queue
            n = len(q)
            items = [q.popleft() for _ in range(n)]
            with self.lock:
                columns = dict(self.columns)
                self.columns.clear()
            count = n + sum(len(c[0]) for c in columns.values())
            try:
                self._write(items, columns)
            except BaseException:
                # Put back what is not written so that nothing logged is lost.
                q.extendleft(reversed(items))
                self._restore(columns)
                raise
            return count

    def _write(self, items: list[tuple[Any, ...]], columns: dict[str, tuple[Any, ...]]) -> None:
        """Write ``items`` and ``columns``; on return both are empty, else they hold
        what is still unwritten."""
        batch = self._build(items, columns)
        batch.run_updates.setdefault(self.run_id, {})["heartbeat"] = time.time()
        try:
            self.backend.write(batch)
        except StoreUnavailableError:
            raise
        except Exception:  # noqa: BLE001 - a record the store refuses: find it, keep the rest
            self._isolate(items, columns)
        items.clear()
        columns.clear()

    def _isolate(self, items: list[tuple[Any, ...]], columns: dict[str, tuple[Any, ...]]) -> None:
        """Write one record (or one series) at a time; drop and report what the store refuses."""
        while items:
            self._write_one(_describe(items[0]), self._build(items[:1], {}))
            items.pop(0)
        for tag in list(columns):
            self._write_one(f"series {tag!a}", self._build([], {tag: columns[tag]}))
            del columns[tag]

    def _write_one(self, what: str, batch: WriteBatch) -> None:
        try:
            self.backend.write(batch)
        except StoreUnavailableError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported on the run, the rest goes on
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

    def _restore(self, columns: dict[str, tuple[Any, ...]]) -> None:
        with self.lock:
            for tag, old in columns.items():
                newer = self.columns.get(tag)
                if newer is not None:
                    for a, b in zip(old[:3], newer[:3]):
                        a.extend(b)
                self.columns[tag] = old

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
            tags = sum(1 for c in self.columns.values() if c[0])
        return f"{values} values of {tags} series and {len(self.queue)} other records"

    def close(self) -> None:
        """Stop the thread after a last drain."""
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=max(10.0, 3 * self.interval))
        self.drain()


def _describe(item: tuple[Any, ...]) -> str:
    kind, row = item[0], item[1]
    if kind == HISTOGRAM:
        return f"histogram {row.tag!a} at step {row.step}"
    if kind == ARTIFACT:
        return f"artifact {row.name!a}"
    if kind == EVENT:
        return f"event {row.message[:60]!a}"
    return f"run update of {', '.join(sorted(row))}"
