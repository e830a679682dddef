"""The Run: cheap logging calls on the training thread, persisted by a background writer."""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import json
import math
import numbers
import os
import secrets
import socket
import sys
import threading
import time
import weakref
from typing import Any, Iterator, Mapping, cast

import numpy as np

from ..core import BadInputError, BadTypeError, StoreError, is_tensor
from ..store import ArtifactRow, EventRow, compact, histogram_row, open_backend
from ._histogram import DEFAULT_BINS, HistogramData, compute_histogram
from ._validate import (
    STEP_MAX, STEP_MIN, check_bins, check_json, check_name, check_step, check_text, overflow_error,
)
from ._spool import Spool
from ._writer import ARTIFACT, EVENT, HISTOGRAM, UPDATE, Writer, new_column, replay_orphans

_current: contextvars.ContextVar["Run | None"] = contextvars.ContextVar(
    "modelglass_current_run", default=None
)
_active: "weakref.WeakSet[Run]" = weakref.WeakSet()
_FAST_TYPES = (float, int)
_now = time.time
_ID_ALPHABET = "0123456789abcdefghijkmnopqrstuvwxyz"
_NO_KEY = object()


def current_run() -> "Run | None":
    """The run of the innermost ``with mg.init(...)`` block, if any."""
    return _current.get()


class Summary(dict[str, Any]):
    """``run.summary``: a dict whose changes are persisted on the next flush."""

    def __init__(self, run: "Run") -> None:
        super().__init__()
        self._run = run

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def update(self, *args: Any, **kwargs: Any) -> None:
        new = {check_text("A summary key", k): _plain(v) for k, v in dict(*args, **kwargs).items()}
        # Checked as the writer will store it, so that one bad value fails here.
        check_json("run.summary", {**self, **new}, default=str)
        self._run._check_open()
        for k, v in new.items():
            super().__setitem__(k, v)
        self._run._queue_update(summary=dict(self))


class Run:
    """One training run. Create it with :func:`modelglass.init`."""

    def __init__(
        self,
        project: str,
        name: str | None = None,
        config: Mapping[str, Any] | None = None,
        store: str | os.PathLike[str] | None = None,
        flush_interval: float = 1.0,
        study: str | None = None,
    ) -> None:
        if not isinstance(project, str) or not project.strip():
            raise BadInputError(
                f"The 'project' argument of mg.init must be a non-empty string. Got {project!r}."
            )
        check_name("The 'project' argument of mg.init", project)
        if name is not None:
            check_name("The 'name' argument of mg.init", name)
        if study is not None:
            check_name("The 'study' argument of mg.init", study)
        if flush_interval <= 0:
            raise BadInputError(
                f"The 'flush_interval' argument of mg.init must be > 0. Got {flush_interval!r}."
            )
        self._backend = open_backend(store, create=True)
        self.id = _new_id()
        self.project = project
        self.config = _plain_config(config)
        self.started = time.time()
        self.status = "running"
        self.summary = Summary(self)
        self._step = 0
        self._finished = False
        self._token: contextvars.Token[Run | None] | None = None
        self._watchers: list[Any] = []
        # Without a name the store picks <project>-<n>, unique among simultaneous inits.
        self.name = self._backend.create_run(
            {
                "id": self.id, "project": project, "name": name, "status": "running",
                "config": json.dumps(self.config, default=str), "summary": "{}",
                "started": self.started, "ended": None, "heartbeat": self.started,
                "host": socket.gethostname(), "pid": os.getpid(), "study": study,
                "schema_version": 1,
            }
        )
        spool = None
        if getattr(self._backend, "spools", False):
            # A server store: spool to a local file during an outage, and first write
            # what runs of dead processes left spooled.
            replay_orphans(self._backend, skip=self.id)
            spool = Spool(self._backend.location, self.id)
        self._writer = Writer(self._backend, self.id, flush_interval, spool)
        self._queue = self._writer.queue
        # Bound methods: `with lock:` costs about twice as much per call.
        self._acquire, self._release = self._writer.lock.acquire, self._writer.lock.release
        self._columns = self._writer.columns
        _active.add(self)

    def __repr__(self) -> str:
        return f"Run(id={self.id!r}, project={self.project!r}, name={self.name!r}, status={self.status!r})"

    @property
    def store(self) -> str:
        """Where this run is stored."""
        return self._backend.location

    @property
    def step(self) -> int:
        """The step the next ``log`` without ``step=`` will use."""
        return self._step

    # -- logging ---------------------------------------------------------------
    def log(self, values: Mapping[str, Any], step: int | None = None, advance: bool = True) -> None:
        """Log scalar values at ``step`` (default: one past the last step).

        Values may be Python or NumPy numbers, 0-d arrays or 0-d tensors. NaN and
        Inf are stored as they are. ``advance=False`` leaves the implicit step
        where it was (probes that log on their own schedule use it).
        """
        if self._finished:
            self._check_open()
        if step is None:
            step = self._step
        elif type(step) is not int or not STEP_MIN <= step <= STEP_MAX:
            step = check_step(step)
        try:
            for v in values.values():
                if type(v) is not float and type(v) is not int:
                    values = _coerce(values)
                    break
        except AttributeError:
            values = _coerce(values)  # not a mapping: raises a clear TypeError
        t = _now()
        columns = self._columns
        k = v = _NO_KEY
        self._acquire()
        try:
            for k, v in values.items():
                c = columns.get(k)
                if c is None:
                    c = columns[k] = new_column()
                    check_name("A Run.log key", k)
                # The value first: it is the append that can fail (an int too large
                # for a double), and then nothing of this key was buffered.
                c[4](v)
                c[3](step)
                c[5](t)
        except BaseException as exc:
            _rollback(columns, values, k)
            if isinstance(exc, OverflowError):
                raise overflow_error(str(k), v) from None
            raise
        finally:
            self._release()
        if advance:
            self._step = step + 1

    def log_histogram(
        self, tag: str, values: Any, step: int | None = None, bins: int = DEFAULT_BINS
    ) -> None:
        """Store a histogram (edges, counts, min/max/mean/std, NaN/Inf counts) of ``values``."""
        self._check_open()
        check_name("A histogram tag", tag)
        bins = check_bins(bins)
        step = max(self._step - 1, 0) if step is None else check_step(step)
        self.log_histogram_data(tag, compute_histogram(values, bins), step)

    def log_histogram_data(self, tag: str, h: HistogramData, step: int) -> None:
        """Store a histogram already computed (e.g. on a GPU by a probe)."""
        self._check_open()
        tag = check_name("A histogram tag", str(tag) if not isinstance(tag, str) else tag)
        self._queue.append(
            (HISTOGRAM, histogram_row(self.id, tag, check_step(step), time.time(), h))
        )

    def log_artifact(self, name: str, obj: Any) -> None:
        """Store a named blob: bytes as they are, anything else as JSON (``to_dict()`` if it has one)."""
        self._check_open()
        check_name("An artifact name", name)
        if isinstance(obj, (bytes, bytearray, memoryview)):
            kind, data = "bytes", bytes(obj)
        else:
            if hasattr(obj, "to_dict") and callable(obj.to_dict):
                obj = obj.to_dict()
            try:
                kind, data = "json", json.dumps(obj, default=_json_default).encode()
            except (TypeError, ValueError) as exc:
                # No pickle: a store may be shared, and unpickling runs code.
                raise BadTypeError(
                    f"Artifact {name!r} cannot be stored as JSON ({exc}). Pass bytes, or "
                    "a dict/list of plain values."
                ) from None
        self._queue.append((ARTIFACT, ArtifactRow(self.id, name, kind, data, time.time())))

    def log_event(self, message: str, level: str = "info", step: int | None = None, **data: Any) -> None:
        """Add a line to the run's event log (shown by the dashboard)."""
        self._check_open()
        check_text("An event message", message, allow_empty=True)
        check_name("An event level", level)
        step = None if step is None else check_step(step)
        text = check_json("The data of an event", data, default=str)
        self._queue.append((EVENT, EventRow(self.id, time.time(), step, level, message, text)))

    def log_data_report(self, report: Any) -> None:
        """Attach a data-check report (``mg.check_data``) to the run."""
        self.log_artifact("data_report", report)

    def log_model(self, model: Any, example_input: Any = None, **kwargs: Any) -> Any:
        """Inspect ``model`` (``mg.inspect``) and store the inspection as the artifact ``model``."""
        from ..inspect import inspect as _inspect  # the public convenience; lives above track

        result = _inspect(model, example_input, **kwargs)
        self.log_artifact("model", result)
        return result

    def watch(self, model: Any, optimizer: Any = None, every: int = 50, **kwargs: Any) -> Any:
        """Record weights, gradients and activations of a PyTorch model while it trains."""
        from ..probes.torch import watch as _watch  # lives above track: frameworks

        watcher = _watch(self, model, optimizer=optimizer, every=every, **kwargs)
        self._watchers.append(watcher)
        return watcher

    def unwatch(self) -> None:
        """Remove every hook that ``watch`` added."""
        while self._watchers:
            self._watchers.pop().remove()

    def show(self, every: float = 2.0, tags: list[str] | None = None,
             dashboard: str | bool | None = None) -> Any:
        """Show this run's charts: live in a Jupyter notebook, last values in a terminal.

        In a notebook a background thread (not the training thread) redraws the charts
        from the store every ``every`` seconds while the run is running; the dashboard's
        page for the run is embedded when one runs (``dashboard=URL``, the environment
        variable ``MODELGLASS_UI_URL``, or ``modelglass ui`` on its default port;
        ``dashboard=False`` never embeds it).

        Returns:
            The notebook's live view (``.update()``, ``.stop()``), or None in a terminal.
        """
        from ..core import in_notebook
        from ._show import LiveView, print_last_values

        if not (isinstance(every, (int, float)) and every > 0):
            raise BadInputError(f"The 'every' argument of Run.show must be a positive number of seconds. Got {every!r}.")
        if not in_notebook():
            if self.status == "running":
                self.flush()
            print_last_values(self)
            return None
        if self.status == "running":
            self.flush()
        return LiveView(self, every, tags, dashboard).start()

    def update_config(self, values: Mapping[str, Any]) -> None:
        """Add to the run's config after it started (e.g. define-by-run hyperparameters)."""
        self._check_open()
        self.config.update(_plain_config(values))
        self._queue_update(config=dict(self.config))

    @contextlib.contextmanager
    def activate(self) -> Iterator["Run"]:
        """Make this the current run (``mg.current_run()``) without finishing it on exit."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    def _queue_update(self, **fields: Any) -> None:
        self._queue.append((UPDATE, fields))

    def _check_open(self) -> None:
        if self._finished:
            raise BadInputError(
                f"Run {self.name!r} ({self.id}) is finished; nothing more can be logged to it. "
                "Start a new run with mg.init(...)."
            )

    # -- lifecycle -------------------------------------------------------------
    def flush(self) -> None:
        """Block until everything logged so far is durable."""
        if self._finished:
            return  # finish() flushed everything and closed the store
        # Raises when something could not be made durable (a spool file is durable).
        self._writer.drain()

    def finish(self, status: str = "finished") -> None:
        """Flush, mark the run ``finished`` (or ``failed``) and stop the writer."""
        if self._finished:
            return
        if status not in ("finished", "failed"):
            raise BadInputError(
                f"Run.finish(status=...) must be 'finished' or 'failed'. Got {status!r}."
            )
        self._finished = True
        try:
            self.unwatch()
        finally:
            self.status = status
            self._queue_update(status=status, ended=time.time())
            _active.discard(self)
            try:
                self._writer.close()
            except Exception as exc:
                unsent = self._writer.unsent()
                self._backend.close()
                raise StoreError(
                    f"Run {self.name!r} ({self.id}) could not write everything it logged: "
                    f"{' '.join(str(exc).split())} Not written: {unsent}."
                ) from exc
            try:
                compact(self._backend, self.id)
            finally:
                self._backend.close()

    def __enter__(self) -> "Run":
        self._token = _current.set(self)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None
        self.finish("failed" if exc_type is not None else "finished")


def init(
    project: str = "default",
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    store: str | os.PathLike[str] | None = None,
    flush_interval: float = 1.0,
    study: str | None = None,
) -> Run:
    """Start a run. Use it as a context manager or call ``run.finish()``.

    Args:
        project: Groups runs in the store and the dashboard.
        name: A readable name; default ``<project>-<n>``.
        config: Hyperparameters and settings (JSON-able).
        store: Directory or URL; else env ``MODELGLASS_STORE``, else ``./mglogs``.
        flush_interval: Seconds between background writes.
    """
    return Run(project, name, config, store, flush_interval, study)


def _new_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))


def _rollback(columns: dict[str, tuple[Any, ...]], values: Mapping[str, Any], failed: Any) -> None:
    """Undo the appends of one ``Run.log`` call up to the key that failed (lock held)."""
    for k in values:
        c = columns.get(k)
        if k == failed:
            # Its value append is the one that failed; a column created for it is empty.
            if c is not None and not c[0] and not c[1]:
                del columns[k]
            return
        if c is not None:
            for buf in c[:3]:
                buf.pop()
            if not c[0]:
                del columns[k]


def _coerce(values: Mapping[str, Any]) -> dict[str, float]:
    if not isinstance(values, Mapping):
        raise BadTypeError(
            f"Run.log expects a dict of name -> number. Got {type(values).__name__}."
        )
    out = {}
    for k, v in values.items():
        if not isinstance(k, str):
            raise BadTypeError(f"Run.log keys must be strings. Got {k!r} ({type(k).__name__}).")
        out[k] = _number(k, v)
    return out


def _number(key: str, v: Any) -> float | int:
    if type(v) in _FAST_TYPES:
        return cast("float | int", v)
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, numbers.Real):
        return float(v)
    if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "fiub":
        return float(v)
    if is_tensor(v) and v.dim() == 0:
        return float(v.item())
    if hasattr(v, "__array__"):
        # TensorFlow and JAX scalars (e.g. a Keras metric's result) convert through NumPy.
        a = np.asarray(v)
        if a.ndim == 0 and a.dtype.kind in "fiub":
            return float(a)
    shape = getattr(v, "shape", None)
    what = f"{type(v).__name__} of shape {tuple(shape)}" if shape is not None else type(v).__name__
    raise BadTypeError(
        f"Run.log value for {key!r} must be a number (float, int, NumPy scalar, 0-d array or "
        f"0-d tensor). Got {what}. Log arrays with run.log_histogram."
    )


def _plain(value: Any) -> Any:
    if isinstance(value, (np.generic,)):
        return value.item()
    if is_tensor(value) and value.dim() == 0:
        return value.item()
    return value


def _plain_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    if config is None:
        return {}
    if hasattr(config, "items"):
        text = json.dumps({str(k): v for k, v in config.items()}, default=_json_default)
        plain: dict[str, Any] = json.loads(text)
        return plain
    if hasattr(config, "__dict__"):  # argparse.Namespace and the like
        return _plain_config(vars(config))
    raise BadTypeError(f"mg.init(config=...) must be a dict. Got {type(config).__name__}.")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return str(obj)


# -- interpreter exit ------------------------------------------------------------
_exc_seen = threading.Event()
_prev_hook = sys.excepthook


def _hook(exc_type: Any, exc: Any, tb: Any) -> None:
    _exc_seen.set()
    _prev_hook(exc_type, exc, tb)


sys.excepthook = _hook


@atexit.register
def _finish_all() -> None:
    for run in list(_active):
        try:
            run.finish("failed" if _exc_seen.is_set() else "finished")
        except Exception:  # noqa: BLE001 - at exit, keep finishing the others
            pass
