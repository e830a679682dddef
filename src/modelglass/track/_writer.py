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

from ..store import Backend, WriteBatch, make_chunks

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
                self.error = exc
                log.error("modelglass could not write run %s: %s", self.run_id, exc)
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
            batch = self._build(items, columns)
            batch.run_updates.setdefault(self.run_id, {})["heartbeat"] = time.time()
            try:
                self.backend.write(batch)
            except BaseException:
                # Put everything back so that nothing logged is lost.
                q.extendleft(reversed(items))
                self._restore(columns)
                raise
            return n + sum(len(c[0]) for c in columns.values())

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

    def close(self) -> None:
        """Stop the thread after a last drain."""
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=max(10.0, 3 * self.interval))
        self.drain()
