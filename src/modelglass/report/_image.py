"""Figures out as files: PNG/SVG/PDF through kaleido and a Chrome or Chromium already installed.

kaleido (v1) renders plotly figures in a headless Chrome it finds on ``PATH`` or at the
environment variable ``BROWSER_PATH``. :func:`find_browser` looks in the usual places
(Debian's ``/usr/bin/chromium`` included) and sets ``BROWSER_PATH`` for the process, so
afterwards a plain ``result.figure().write_image("x.png")`` works offline as well.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from ..core import BadInputError, MissingDependencyError

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
          "/snap/bin/chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
_FORMATS = ("png", "jpg", "jpeg", "webp", "svg", "pdf")


def find_browser() -> str:
    """The Chrome/Chromium kaleido will use; sets ``BROWSER_PATH``. Raises when there is none."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        if Path(env).is_file() and os.access(env, os.X_OK):
            return env
        raise MissingDependencyError(
            f"BROWSER_PATH={env!r} is not an executable file. Point it at Chrome or Chromium, "
            "or unset it to let modelglass look for one."
        )
    found = next((p for p in map(shutil.which, _NAMES) if p), None)
    found = found or next((p for p in _PATHS if Path(p).is_file() and os.access(p, os.X_OK)), None)
    if found is None:
        raise MissingDependencyError(
            "Writing a figure as an image needs Chrome or Chromium, and none was found (looked for "
            f"{', '.join(_NAMES)} on PATH). Install one (e.g. apt-get install chromium) or set "
            "BROWSER_PATH=/path/to/chrome; write_html needs no browser."
        )
    os.environ["BROWSER_PATH"] = found
    return found


def save_figure(fig: Any, path: str | os.PathLike[str], width: int = 1000, height: int = 600,
                scale: float = 1.0) -> Path:
    """Write a plotly figure to ``path``: ``.html`` (offline, plotly.js inline) or an image.

    Images (png, jpg, webp, svg, pdf) are rendered by kaleido in the machine's own Chrome or
    Chromium, with no network access.
    """
    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt == "html":
        fig.write_html(str(out), include_plotlyjs=True, config={"displaylogo": False})
        return out.resolve()
    if fmt not in _FORMATS:
        raise BadInputError(
            f"Cannot write a figure as {out.suffix or 'a file without extension'!r}: use one of "
            f".html, {', '.join('.' + f for f in _FORMATS)}."
        )
    try:
        import kaleido  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            'Writing a figure as an image needs kaleido. Run: pip install "modelglass[images]"'
        ) from exc
    find_browser()
    if not out.parent.is_dir():
        raise BadInputError(f"Cannot write {str(out)!r}: the folder {str(out.parent)!r} does not exist.")
    fig.write_image(str(out), format=fmt, width=width, height=height, scale=scale)
    return out.resolve()
