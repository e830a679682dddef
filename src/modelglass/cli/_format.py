"""Plain-text tables and JSON for the CLI (deterministic, so tests compare them)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Sequence



def emit_json(obj: Any) -> None:
    """Kept for the commands that import it here; :mod:`._output` is the one way."""
    from ._output import emit_json as emit

    emit(obj)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    print(format_table(headers, rows))


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return f"{v:.6g}"
    return str(v).replace("\n", " ")


def when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def add_store_argument(parser: Any) -> None:
    parser.add_argument(
        "--store",
        default=None,
        help="store directory or URL (default: $MODELGLASS_STORE or ./mglogs)",
    )
