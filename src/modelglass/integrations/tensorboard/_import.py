"""Import a folder of TensorBoard logs into a store: one modelglass run per run folder.

Every point is kept (no sampling). Each run remembers, in its ``tensorboard``
artifact, how far each event file was read; that state is written in the same
transaction as the points, so a re-import continues where the last one stopped
and nothing is stored twice.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ...core import BadInputError, iter_progress
from ...store import ArtifactRow, Backend, EventRow, WriteBatch, histogram_row, make_chunks, open_backend
from ._parse import Parsed, parse_chunk
from ._records import read_windows

STATE_ARTIFACT = "tensorboard"
STATE_VERSION = 1
DEFAULT_PROJECT = "tensorboard"
# Keras's TensorBoard callback writes one run as two folders; their tags get these prefixes.
KERAS_SPLITS = {"train": "train/", "validation": "val/"}
# While following, a run that gets nothing new for this long is finished again.
LIVE_QUIET_S = 60.0
_ID_ALPHABET = "0123456789abcdefghijkmnopqrstuvwxyz"


@dataclass(frozen=True)
class RunSource:
    """One modelglass run: its name and the folders (with tag prefixes) it reads."""

    name: str
    folders: tuple[tuple[str, str], ...]  # (absolute folder, tag prefix)


@dataclass(frozen=True)
class ImportedRun:
    """What one import pass added to one run."""

    run_id: str
    name: str
    created: bool
    points: int
    series: int
    histograms: int
    texts: int
    skipped_records: int
    skipped_values: dict[str, int] = field(default_factory=dict)
    last_time: float | None = None  # the latest wall time read so far

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "name": self.name, "created": self.created,
            "points": self.points, "series": self.series, "histograms": self.histograms,
            "texts": self.texts, "skipped_records": self.skipped_records,
            "skipped_values": dict(self.skipped_values), "last_time": self.last_time,
        }


def is_event_file(name: str) -> bool:
    return "tfevents" in name and not name.endswith((".tmp", ".lock"))


def find_runs(logdir: str) -> list[RunSource]:
    """Run folders under ``logdir`` (folders that hold ``*tfevents*`` files), by name.

    A ``train``/``validation`` folder (Keras) joins its parent's run; its tags are
    stored as ``train/<tag>`` and ``val/<tag>``.
    """
    root = os.path.abspath(logdir)
    base = os.path.basename(root.rstrip(os.sep)) or root
    runs: dict[str, list[tuple[str, str]]] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        if not any(is_event_file(f) for f in files):
            continue
        rel = os.path.relpath(folder, root)
        prefix = ""
        leaf = os.path.basename(folder)
        if leaf in KERAS_SPLITS and rel != ".":
            prefix, rel = KERAS_SPLITS[leaf], os.path.dirname(rel) or "."
        name = base if rel == "." else rel.replace(os.sep, "/")
        runs.setdefault(name, []).append((folder, prefix))
    return [RunSource(n, tuple(f)) for n, f in sorted(runs.items())]


class TensorBoardImporter:
    """Imports ``logdir`` into a store, again and again (``follow`` keeps going).

    Args:
        logdir: A folder of TensorBoard logs.
        store: Store path or URL (default: ``MODELGLASS_STORE``, else ``./mglogs``).
        project: Project of the imported runs (default ``tensorboard``).
    """

    def __init__(self, logdir: str | os.PathLike[str], store: Any = None, project: str | None = None):
        logdir = os.fspath(logdir)
        if not os.path.isdir(logdir):
            raise BadInputError(
                f"The TensorBoard log folder {logdir!r} does not exist or is not a folder. "
                "Pass the folder you give `tensorboard --logdir`."
            )
        if project is not None and (not isinstance(project, str) or not project.strip()):
            raise BadInputError(f"The 'project' argument must be a non-empty string. Got {project!r}.")
        self.logdir = os.path.abspath(logdir)
        self.project = project or DEFAULT_PROJECT
        self._backend: Backend = open_backend(store, create=True)
        self._known: dict[str, str] | None = None  # run name -> run id
        self.window = 64 << 20  # bytes of a file read at once

    @property
    def store(self) -> str:
        return self._backend.location

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> "TensorBoardImporter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def import_once(self, require_runs: bool = True, progress: bool = False) -> list[ImportedRun]:
        """Read what is new in every event file; one transaction per run (``progress``: a bar of runs)."""
        sources = find_runs(self.logdir)
        if not sources and require_runs:
            raise BadInputError(
                f"{self.logdir} holds no TensorBoard event files (*tfevents*), in it or in its "
                "subfolders. Pass the folder you give `tensorboard --logdir`."
            )
        return [self._write_run(*self._read_run(self._plan(src)))
                for src in iter_progress(sources, "tensorboard import: runs", progress=progress)]

    def follow(
        self,
        interval: float = 2.0,
        stop: Callable[[], bool] = lambda: False,
        on_pass: Callable[[list[ImportedRun]], None] | None = None,
        importer_pass: Callable[[], list[ImportedRun]] | None = None,
        quiet: float = LIVE_QUIET_S,
    ) -> None:
        """Keep importing what training adds, every ``interval`` seconds, until ``stop()``.

        While it follows, a run whose files grew is ``running`` (its heartbeat beats
        each pass); one that got nothing new for ``quiet`` seconds, or every run when
        following stops, is ``finished`` again. ``on_pass`` gets what each pass added;
        ``importer_pass`` replaces the pass itself (the CLI wraps it to print warnings).
        """
        live: dict[str, tuple[float, float | None]] = {}  # run id -> (last growth, last wall time)
        try:
            while True:
                deadline = time.monotonic() + interval
                while time.monotonic() < deadline:
                    if stop():
                        return
                    time.sleep(min(0.2, interval))
                done = importer_pass() if importer_pass else self.import_once(require_runs=False)
                self._beat(done, live, quiet)
                if on_pass is not None:
                    on_pass(done)
        finally:
            self._beat([], live, -1.0)

    def _beat(self, done: list[ImportedRun], live: dict[str, tuple[float, float | None]],
              quiet: float) -> None:
        """Mark runs that grew as running, and runs quiet for ``quiet`` s as finished."""
        now, wall = time.monotonic(), time.time()
        for r in done:
            if r.points or r.histograms or r.texts:
                live[r.run_id] = (now, r.last_time)
        updates: dict[str, dict[str, Any]] = {}
        for run_id, (grew, last) in list(live.items()):
            if now - grew > quiet:
                updates[run_id] = {"status": "finished", "heartbeat": wall, "ended": last or wall}
                del live[run_id]
            else:
                updates[run_id] = {"status": "running", "heartbeat": wall, "ended": None}
        if updates:
            self._backend.write(WriteBatch(run_updates=updates))

    # -- one run ---------------------------------------------------------------
    def _existing(self) -> dict[str, str]:
        if self._known is None:
            self._known = self._scan()
        return self._known

    def _scan(self, name: str | None = None) -> dict[str, str]:
        """Runs of this project imported from this log folder (only ``name`` when given)."""
        found: dict[str, str] = {}
        for row in self._backend.runs():
            if row["project"] != self.project or (name is not None and row["name"] != name):
                continue
            art = self._backend.artifact(row["id"], STATE_ARTIFACT)
            if art is None:
                continue
            try:
                state = json.loads(art[1].decode())
            except ValueError:
                continue
            if state.get("logdir") == self.logdir:
                found[row["name"]] = row["id"]
        return found

    def _state(self, run_id: str) -> dict[str, Any]:
        found = self._backend.artifact(run_id, STATE_ARTIFACT)
        return json.loads(found[1].decode()) if found else {}

    def _plan(self, src: RunSource) -> tuple[RunSource, str | None, dict[str, Any]]:
        run_id = self._existing().get(src.name)
        return src, run_id, ({} if run_id is None else self._state(run_id))

    def _read_run(
        self, plan: tuple[RunSource, str | None, dict[str, Any]]
    ) -> tuple[RunSource, str | None, dict[str, Any], Parsed, dict[str, int], dict[str, str], int]:
        """Read and parse what is new in one run's files."""
        src, run_id, state = plan
        offsets: dict[str, int] = dict(state.get("files", {}))
        plugins: dict[str, str] = dict(state.get("plugins", {}))
        parsed = Parsed()
        skipped = 0
        for folder, prefix in src.folders:
            for name in sorted(f for f in os.listdir(folder) if is_event_file(f)):
                path = os.path.join(folder, name)
                key = os.path.relpath(path, self.logdir).replace(os.sep, "/")
                start = int(offsets.get(key, 0))
                try:
                    for chunk in read_windows(path, start, self.window):
                        parse_chunk(chunk, prefix, plugins, parsed)
                        offsets[key] = chunk.end
                        skipped += len(chunk.skipped)
                except OSError as exc:
                    raise BadInputError(f"Cannot read the event file {path}: {exc.strerror or exc}.") from exc
        return src, run_id, state, parsed, offsets, plugins, skipped

    def _write_run(
        self, src: RunSource, run_id: str | None, state: dict[str, Any], parsed: Parsed,
        offsets: dict[str, int], plugins: dict[str, str], skipped: int,
    ) -> ImportedRun:
        if self._changed_since_planned(src.name, run_id, state):
            # Another importer (say `ui --tensorboard` beside `import --follow`) wrote this
            # run since it was planned: drop what was read; the next pass continues.
            self._known = None
            return ImportedRun(run_id or "", src.name, False, 0, 0, 0, 0, 0)
        created = run_id is None
        if run_id is None:
            run_id = self._create(src.name, parsed)
            self._existing()[src.name] = run_id
        scalars = parsed.scalars()
        ended = self._write(run_id, created, parsed, scalars, state, offsets, plugins)
        return ImportedRun(
            run_id, src.name, created, sum(len(s[0]) for s in scalars.values()), len(scalars),
            len(parsed.histograms), len(parsed.texts), skipped, dict(parsed.skipped), ended,
        )

    def _changed_since_planned(self, name: str, run_id: str | None, state: dict[str, Any]) -> bool:
        if run_id is None:
            return bool(self._scan(name))
        return self._state(run_id).get("imported") != state.get("imported")

    def _create(self, name: str, parsed: Parsed) -> str:
        run_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
        started = parsed.first_time if parsed.first_time is not None else time.time()
        self._backend.create_run({
            "id": run_id, "project": self.project, "name": name, "status": "finished",
            "config": json.dumps(parsed.hparams, default=str), "summary": "{}",
            "started": started, "ended": parsed.last_time or started, "heartbeat": None,
            "host": socket.gethostname(), "pid": None, "study": None, "schema_version": 1,
        })
        return run_id

    def _write(
        self, run_id: str, created: bool, parsed: Parsed,
        scalars: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], state: dict[str, Any],
        offsets: dict[str, int], plugins: dict[str, str],
    ) -> float | None:
        """Write one run's new points and import state in one transaction; returns its end."""
        batch = WriteBatch()
        for tag, (steps, values, times) in scalars.items():
            seq = 0 if created else self._backend.next_seq(run_id, tag)
            batch.chunks.extend(make_chunks(run_id, tag, seq, steps, values, times))
        batch.histograms.extend(
            histogram_row(run_id, tag, step, t, h) for tag, step, t, h in parsed.histograms
        )
        batch.events.extend(
            EventRow(run_id, t, step, "info", text,
                     json.dumps({"tag": tag, "source": "tensorboard", "kind": "text"}))
            for t, step, tag, text in parsed.texts
        )
        seen = [float(x) for x in (parsed.last_time, state.get("ended")) if x is not None]
        ended = max(seen) if seen else None
        hparams = {**state.get("hparams", {}), **parsed.hparams}
        new_state = {
            "schema_version": STATE_VERSION, "logdir": self.logdir, "files": offsets,
            "plugins": plugins, "hparams": hparams, "ended": ended, "imported": time.time(),
        }
        batch.artifacts.append(ArtifactRow(
            run_id, STATE_ARTIFACT, "json", json.dumps(new_state).encode(), time.time()))
        update: dict[str, Any] = {}
        if ended is not None and not created:
            update["ended"] = ended
        if parsed.hparams and not created:
            update["config"] = hparams
        if update:
            batch.run_updates[run_id] = update
        self._backend.write(batch)
        return ended


def import_tensorboard(
    logdir: str | os.PathLike[str], store: Any = None, project: str | None = None, progress: bool = True
) -> list[str]:
    """Import a folder of TensorBoard logs; returns the run ids, one per run folder.

    Every scalar (``simple_value`` and TF2 scalar tensors), histogram (``HistogramProto``
    and TF2 ``[k, 3]`` tensors), text summary (as an event) and the hparams (as the
    run's config) is kept, with its step and wall time. Importing the same folder
    again adds only what was written since.

    Args:
        logdir: The folder given to ``tensorboard --logdir``.
        store: Store path or URL (default: ``MODELGLASS_STORE``, else ``./mglogs``).
        project: Project of the imported runs (default ``tensorboard``).
        progress: Show a progress bar of the run folders (on a terminal or in a notebook only).

    Raises:
        BadInputError: ``logdir`` is not a folder, holds no event files, or a file
            cannot be read.
    """
    with TensorBoardImporter(logdir, store, project) as imp:
        return [r.run_id for r in imp.import_once(progress=progress)]
