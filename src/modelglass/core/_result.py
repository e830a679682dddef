"""The one contract every analysis result follows.

A result is a frozen dataclass that mixes in :class:`Result`. It has ``findings``
(a tuple, worst first), and the mixin gives it the rest of the contract:

- ``ok``: no finding at ``error``;
- ``to_dict()``: ``schema_version``, ``result`` (the type's name), ``ok``,
  ``findings``, then the fields the result adds through ``_to_dict_body()``;
- ``figure(kind=None)``: one of ``FIGURE_KINDS`` (the first is the default), an
  unknown kind is a :class:`BadInputError` naming the valid ones;
- ``text()`` / ``__str__``: the plain-text summary a terminal prints;
- ``show()``: prints the text in a terminal, displays the card in a notebook;
- ``_repr_html_()``: a compact card (title, verdict, findings, first figure).

A subclass sets ``TITLE``, ``SCHEMA_VERSION`` and ``FIGURE_KINDS`` and implements
``_to_dict_body()`` and ``_figure(kind)``; ``_text_body()`` and ``_card_title()``
are optional.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar

from ._errors import BadInputError
from ._findings import Finding, Severity, jsonable, worst_severity
from ._validate import one_of

# Whether this process has already put plotly.js into a notebook output: the
# first card carries it inline (offline), later cards reuse it.
_PLOTLYJS_SENT = False


def format_number(value: Any, digits: int = 4) -> str:
    """A number as a person reads it: 4 significant digits, no 16-digit floats."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
            return format_number(value.item(), digits)
        return str(value)
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    return f"{value:.{digits}g}"


def check_kind(kind: str | None, kinds: tuple[str, ...], owner: str) -> str:
    """Resolve ``figure(kind=...)``: None is the first kind; anything unknown is bad input."""
    if not kinds:
        raise BadInputError(f"{owner} has no figure.")
    if kind is None:
        return kinds[0]
    return one_of(kind, "kind", f"{owner}.figure", kinds)


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where display() shows HTML), False in a terminal."""
    import sys

    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:  # noqa: BLE001 - an IPython we do not understand is not a notebook
        return False
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def figure_html(fig: Any) -> str:
    """A plotly figure as an HTML fragment; plotly.js inline once per process (offline)."""
    global _PLOTLYJS_SENT
    include = not _PLOTLYJS_SENT
    out = fig.to_html(full_html=False, include_plotlyjs=include, config={"displaylogo": False})
    _PLOTLYJS_SENT = True
    return str(out)


def findings_table_html(findings: tuple[Finding, ...] | list[Finding], limit: int = 10) -> str:
    """The findings as an escaped HTML table: severity, code, title, suggestion."""
    if not findings:
        return "<p>No findings.</p>"
    rows = []
    for f in list(findings)[:limit]:
        rows.append(
            "<tr><td class='mg-sev mg-{s}'>{s}</td><td><code>{c}</code></td><td>{t}</td><td>{g}</td></tr>".format(
                s=html.escape(str(f.severity)), c=html.escape(f.code),
                t=html.escape(f.title), g=html.escape(f.suggestion),
            )
        )
    more = len(findings) - limit
    tail = f"<p>… and {more} more.</p>" if more > 0 else ""
    return (
        "<table class='mg-findings'><thead><tr><th>severity</th><th>code</th><th>what</th>"
        "<th>what to try</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>" + tail
    )


_CARD_STYLE = (
    "<style>.mg-card{font-family:system-ui,sans-serif;border:1px solid #ccd;border-radius:6px;"
    "padding:10px 14px;max-width:1100px}.mg-card h3{margin:0 0 6px}.mg-verdict{display:inline-block;"
    "padding:1px 8px;border-radius:10px;color:#fff;font-size:90%}.mg-v-ok{background:#2a7d3b}"
    ".mg-v-warning{background:#b36b00}.mg-v-error{background:#b3261e}.mg-findings{border-collapse:"
    "collapse;font-size:90%}.mg-findings td,.mg-findings th{border-bottom:1px solid #e3e3ea;padding:"
    "3px 8px;text-align:left;vertical-align:top}.mg-error{color:#b3261e}.mg-warning{color:#b36b00}"
    "</style>"
)


class Result:
    """Mixin for analysis results (frozen dataclasses with a ``findings`` tuple)."""

    TITLE: ClassVar[str] = "Result"
    SCHEMA_VERSION: ClassVar[int] = 1
    FIGURE_KINDS: ClassVar[tuple[str, ...]] = ()

    findings: tuple[Finding, ...]

    def __post_init__(self) -> None:
        # Any iterable of findings becomes a tuple, worst first; within one severity the
        # analysis's own order (by step, by importance) is kept: the sort is stable.
        ordered = tuple(sorted(self.findings, key=lambda f: -int(f.severity)))
        object.__setattr__(self, "findings", ordered)

    # -- the contract -----------------------------------------------------------------
    @property
    def ok(self) -> bool:
        """True when no finding is an ``error``."""
        return all(f.severity < Severity.ERROR for f in self.findings)

    @property
    def status(self) -> str:
        """``ok``, ``warning`` or ``error``: the worst finding's severity (info counts as ok)."""
        worst = worst_severity(self.findings)
        if worst is None or worst == Severity.INFO:
            return "ok"
        return str(worst)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict with stable keys and the result's ``schema_version``."""
        head = {
            "schema_version": self.SCHEMA_VERSION,
            "result": type(self).__name__,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
        }
        body = self._to_dict_body()
        out: dict[str, Any] = jsonable({**head, **{k: v for k, v in body.items() if k not in head}})
        return out

    def figure(self, kind: str | None = None) -> Any:
        """A plotly ``Figure`` of one of ``FIGURE_KINDS`` (the first when ``kind`` is None)."""
        return self._figure(check_kind(kind, self.FIGURE_KINDS, type(self).__name__))

    def text(self) -> str:
        """The plain-text summary: title, verdict, findings."""
        lines = [f"{self._card_title()} [{self.status}]"]
        body = self._text_body()
        if body:
            lines.append(body)
        for f in self.findings:
            lines.append(f"  {f.severity!s:7s} {f.code}: {f.title}")
            if f.suggestion:
                lines.append(f"          -> {f.suggestion}")
        return "\n".join(lines)

    def show(self) -> None:
        """Print the summary in a terminal; display the card (with its figure) in a notebook."""
        if in_notebook():
            from IPython.display import HTML, display

            display(HTML(self._repr_html_()))  # type: ignore[no-untyped-call]
        else:
            print(self.text())

    def _repr_html_(self) -> str:
        status = self.status
        parts = [
            _CARD_STYLE,
            "<div class='mg-card'>",
            f"<h3>{html.escape(self._card_title())} "
            f"<span class='mg-verdict mg-v-{status}'>{html.escape(status)}</span></h3>",
        ]
        body = self._text_body()
        if body:
            parts.append(f"<pre style='white-space:pre-wrap'>{html.escape(body)}</pre>")
        parts.append(findings_table_html(self.findings))
        if self.FIGURE_KINDS:
            try:
                parts.append(figure_html(self.figure()))
            except Exception as exc:  # noqa: BLE001 - a card without its figure beats no card
                parts.append(f"<p><i>No figure: {html.escape(str(exc))}</i></p>")
        parts.append("</div>")
        return "".join(parts)

    # -- what a result fills in ---------------------------------------------------------
    def _to_dict_body(self) -> dict[str, Any]:
        return {}

    def _figure(self, kind: str) -> Any:
        raise BadInputError(f"{type(self).__name__} has no figure.")

    def _text_body(self) -> str:
        return ""

    def _card_title(self) -> str:
        return self.TITLE

    def __str__(self) -> str:
        return self.text()
