"""Progress bars for long operations (trials, sweep steps, grid rows, folds, pages).

One helper for every analysis: :func:`progress_bar` (a context manager with
``advance()``) and :func:`iter_progress` (wraps a loop). A bar is drawn with
``rich`` on stderr when stderr is a terminal or the code runs in a Jupyter
kernel; otherwise, or with ``progress=False``, nothing is printed and the
helpers cost a function call. Never call them on the training thread's hot path
(``Run.log``): they are for the analyses' own loops.

``rich`` is imported only when a bar is actually shown, so ``import modelglass``
stays light. In a notebook the bar is an HTML output updated in place (rich's own
notebook display would need ipywidgets).
"""

from __future__ import annotations

import html
import threading
import time
from typing import Any, Iterable, Iterator, TypeVar

T = TypeVar("T")

# rich draws one live display at a time; a second would raise, so only the outermost bar draws.
_lock = threading.Lock()
_active: "ProgressBar | None" = None


class ProgressBar:
    """A bar with ``advance()``; does nothing when it is not shown."""

    def __init__(self, description: str, total: int | None, show: bool, console: Any = None) -> None:
        self.description = description
        self.total = total
        self.count = 0
        self._bar: Any = None
        self._task: Any = None
        self._owner = False
        self._parent: ProgressBar | None = None
        if show:
            self._start(console)

    @property
    def shown(self) -> bool:
        """True when a bar is drawn."""
        return self._bar is not None

    def _start(self, console: Any) -> None:
        global _active
        with _lock:
            if _active is not None:  # a bar inside a bar: the outer one shows it in its description
                self._parent = _active
                return
            _active = self
        self._owner = True
        con = console or _console()
        if con.is_jupyter:
            # rich's own notebook display needs ipywidgets; an HTML output updated in place does not.
            self._bar = _NotebookBar(self.description, self.total)
            self._task = None
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn()]
        self._bar = Progress(*columns, console=con, transient=False)
        self._task = self._bar.add_task(self.description, total=self.total)
        self._bar.start()

    def advance(self, n: int = 1, description: str | None = None) -> None:
        """Count ``n`` more items done (optionally with a new description)."""
        self.count += n
        if self._parent is not None:
            self._parent._sub(f"{self.description} {self.count}/{self.total or '?'}")
        elif self._bar is not None:
            kwargs = {"description": description} if description else {}
            self._bar.update(self._task, advance=n, **kwargs)

    def close(self) -> None:
        """Stop drawing (idempotent)."""
        global _active
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if self._parent is not None:
            self._parent._sub(None)
            self._parent = None
        if self._owner:
            self._owner = False
            with _lock:
                _active = None

    def _sub(self, note: str | None) -> None:
        """Show what an inner loop is doing after this bar's own description."""
        if self._bar is not None:
            text = self.description if note is None else f"{self.description} › {note}"
            self._bar.update(self._task, description=text)

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class _NotebookBar:
    """A progress bar as one notebook output (an HTML ``<progress>``), redrawn at most 5 times a second."""

    def __init__(self, description: str, total: int | None) -> None:
        from IPython.display import HTML, display

        self.description, self.total, self.done = description, total, 0
        self._started = self._last = time.monotonic()
        self._handle = display(HTML(self._html()), display_id=True)

    def _html(self) -> str:
        elapsed = time.monotonic() - self._started
        value = f"value='{self.done}' max='{self.total}'" if self.total else ""
        count = f"{self.done}/{self.total}" if self.total else f"{self.done}"
        return (f"<div class='mg-progress' style='font-family:system-ui,sans-serif;font-size:13px'>"
                f"<b>{html.escape(self.description)}</b> <progress {value} style='width:320px'></progress> "
                f"{count} <span style='color:#667'>{elapsed:.1f} s</span></div>")

    def update(self, _task: Any, advance: int = 0, description: str | None = None) -> None:
        self.done += advance
        if description:
            self.description = description
        now = time.monotonic()
        if now - self._last >= 0.2 or (self.total and self.done >= self.total):
            self._last = now
            self._redraw()

    def _redraw(self) -> None:
        from IPython.display import HTML

        self._handle.update(HTML(self._html()))

    def stop(self) -> None:
        self._redraw()


def should_show(progress: bool | None = True, console: Any = None) -> bool:
    """Whether a bar would be drawn: ``progress`` is not False and the output is a terminal or notebook."""
    if progress is False:
        return False
    con = console if console is not None else _console()
    return bool(con.is_terminal or con.is_jupyter)


def progress_bar(description: str, total: int | None = None, progress: bool | None = True,
                 console: Any = None) -> ProgressBar:
    """A :class:`ProgressBar`, shown only on a terminal or in a notebook (and never with ``progress=False``).

    Args:
        description: What is counted, e.g. ``"trials"``.
        total: How many items there will be (None: unknown).
        progress: False turns the bar off; True/None shows it where output is a terminal or notebook.
        console: A ``rich.console.Console`` to draw on (tests force a terminal with it).
    """
    if progress is False:
        return ProgressBar(description, total, show=False)
    return ProgressBar(description, total, show=should_show(progress, console), console=console)


def iter_progress(items: Iterable[T], description: str, total: int | None = None,
                  progress: bool | None = True, console: Any = None) -> Iterator[T]:
    """Yield from ``items``, advancing a bar after each one (see :func:`progress_bar`)."""
    if progress is False:
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress_bar(description, total, progress, console) as bar:
        for item in items:
            yield item
            bar.advance()


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
