"""How every reporting command prints: ``--json`` one way, tables one way (rich).

``emit_json`` writes a result's ``to_dict()`` (or any JSON-able value) with the
keys in the order the result gives them (its stable head first), NaN and NumPy
values made plain. ``print_table`` draws a borderless rich table: a header line,
then one line per row, columns separated by spaces, so a person reads it and
``split()`` parses it. Off a terminal the width is wide enough that no cell wraps.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Iterable, Sequence

from ..core import Finding, jsonable

# Off a terminal (a pipe, a file, a test) rich would wrap at 80 columns; tables here
# size themselves to their content, so a wide limit only prevents wrapping.
_PIPE_WIDTH = 200


def emit_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON on stdout (a result: pass ``result.to_dict()``)."""
    sys.stdout.write(json.dumps(jsonable(obj), indent=2, sort_keys=False, default=str) + "\n")


def console() -> Any:
    """A rich console on the current stdout: colours on a terminal, plain text elsewhere."""
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(file=sys.stdout, width=None if tty else _PIPE_WIDTH, color_system="auto" if tty else None,
                   force_terminal=False, highlight=False, soft_wrap=False)


def make_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None,
               right: Sequence[str] = ()) -> Any:
    """A borderless rich table; the columns named in ``right`` are right-aligned (numbers)."""
    from rich.table import Table

    table = Table(title=title, box=None, show_edge=False, pad_edge=False, header_style="bold",
                  title_justify="left")
    for h in headers:
        table.add_column(h, justify="right" if h in right else "left", overflow="fold")
    for row in rows:
        table.add_row(*(cell(v) for v in row))
    return table


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None,
                right: Sequence[str] = ()) -> None:
    """Print :func:`make_table` on stdout (no trailing blanks on its lines)."""
    con = console()
    with con.capture() as cap:
        con.print(make_table(headers, rows, title=title, right=right))
    sys.stdout.write("\n".join(line.rstrip() for line in cap.get().splitlines()) + "\n")


def print_findings(findings: Iterable[Finding]) -> None:
    """One line per finding (``[severity] code: title``), its suggestion indented below."""
    for f in findings:
        sys.stdout.write(f"[{f.severity}] {f.code}: {f.title}\n")
        if f.suggestion:
            sys.stdout.write(f"    try: {f.suggestion}\n")


def cell(value: Any) -> str:
    """A table cell: None as ``-``, floats to 6 significant digits, one line."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value).replace("\n", " ")
