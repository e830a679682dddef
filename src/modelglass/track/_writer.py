"""The background writer: drains the run's queue and persists it in batches.

The training thread only appends tuples to a ``collections.deque`` (atomic under
the GIL, no lock); this thread pops them, groups scalars per tag into arrays and
writes one transaction per flush interval.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Any

import numpy as np

from ..store import Backend, WriteBatch, make_chunks

log = logging.getLogger("modelglass")

SCALARS, HISTOGRAM, ARTIFACT, EVENT, UPDATE = range(5)


class Writer:
    """Owns the queue of one run and the thread that persists it."""

    def __init__(self, backend: Backend, run_id: str, interval: float = 1.0) -> None:
        self.backend = backend
        self.run_id = run_id
        self.interval = interval
        self.queue: collections.deque[tuple[Any, ...]] = collections.deque()
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
            batch = self._build(items)
            batch.run_updates.setdefault(self.run_id, {})["heartbeat"] = time.time()
            try:
                self.backend.write(batch)
            except BaseException:
                # Put the items back at the front so that nothing logged is lost.
                q.extendleft(reversed(items))
                raise
            return n

    def _build(self, items: list[tuple[Any, ...]]) -> WriteBatch:
        batch = WriteBatch()
        cols: dict[str, tuple[list[int], list[float], list[float]]] = {}
        for item in items:
            kind = item[0]
            if kind == SCALARS:
                _, step, t, values = item
                for k, v in values.items():
                    c = cols.get(k)
                    if c is None:
                        c = cols[k] = ([], [], [])
                    c[0].append(step)
                    c[1].append(v)
                    c[2].append(t)
            elif kind == HISTOGRAM:
                batch.histograms.append(item[1])
            elif kind == ARTIFACT:
                batch.artifacts.append(item[1])
            elif kind == EVENT:
                batch.events.append(item[1])
            elif kind == UPDATE:
                batch.run_updates.setdefault(self.run_id, {}).update(item[1])
        for tag, (steps, values, times) in cols.items():
            seq = self._seq.get(tag, 0)
            rows = make_chunks(
                self.run_id, tag, seq,
                np.array(steps, dtype=np.int64),
                np.array(values, dtype=np.float64),
                np.array(times, dtype=np.float64),
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
