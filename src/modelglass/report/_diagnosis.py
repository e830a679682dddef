"""The diagnosis of a run as report HTML: verdict, the causes (most likely first), the findings."""

from __future__ import annotations

from typing import Any, Iterable

from ..core import Finding, ModelglassError, Severity, format_number
from ._html import esc


def diagnosis_html(reader: Any, info: Any) -> str:
    """``mg.diagnose`` of one run as a block of HTML; a run that cannot be diagnosed says why."""
    from ..diagnose import diagnose

    try:
        diag = diagnose(info.id, store=reader)
    except ModelglassError as exc:
        return f"<h3>{esc(info.name)}</h3><p>Not diagnosed: {esc(exc)}</p>"
    except Exception as exc:  # noqa: BLE001 - a failing rule must not cost the user the whole report
        return (f"<h3>{esc(info.name)}</h3><p>Not diagnosed: modelglass failed ({esc(type(exc).__name__)}: "
                f"{esc(exc)}); please report it. The series below are complete.</p>")
    out = result_html(info.name, diag.verdict, diag.summary, getattr(diag, "causes", None), diag.findings)
    for source, found in (getattr(diag, "related", None) or {}).items():
        if found:  # what the data check / model inspection stored with the run found
            out += f"<h4>Findings of the {esc(source)} check stored with the run</h4>" + findings_html(list(found))
    return out


def result_html(name: str, verdict: str, summary: str, causes: Iterable[Any] | None,
                findings: Iterable[Finding]) -> str:
    """Verdict badge, summary, causes (when the diagnosis has them) and the findings table."""
    cls = {"healthy": "ok", "ok": "ok"}.get(verdict, verdict)
    parts = [f"<h3>{esc(name)} <span class='badge badge-{esc(cls)}'>{esc(verdict)}</span></h3>"]
    if summary:
        parts.append(f"<p>{esc(summary)}</p>")
    causes = list(causes or ())
    if causes:
        parts.append(causes_html(causes))
    parts.append(findings_html(list(findings)))
    return "<div class='diag'>" + "".join(parts) + "</div>"


def causes_html(causes: list[Any]) -> str:
    """The causes as an ordered list, the most likely first, each with its evidence and fix."""
    items = []
    for i, c in enumerate(causes):
        because = "".join(f"<li>{esc(b)}</li>" for b in getattr(c, "because", ()))
        conf = getattr(c, "confidence", None)
        conf_txt = "" if conf is None else f" <small>(confidence {format_number(float(conf), 2)})</small>"
        top = " class='top-cause'" if i == 0 else ""
        items.append(
            f"<li{top}><b>{esc(getattr(c, 'title', c))}</b> <code>{esc(getattr(c, 'code', ''))}</code>{conf_txt}"
            + (f"<ul class='because'>{because}</ul>" if because else "")
            + f"<p class='fix'>What to change: {esc(getattr(c, 'prescription', ''))}</p></li>"
        )
    return "<h4>Causes, most likely first</h4><ol class='causes'>" + "".join(items) + "</ol>"


def findings_html(findings: list[Finding]) -> str:
    """Warnings and errors in a table; notes (``info``) folded below it, so problems come first."""
    problems = [f for f in findings if f.severity >= Severity.WARNING]
    notes = [f for f in findings if f.severity < Severity.WARNING]
    out = _findings_table(problems) if problems else "<p>No warnings or errors: nothing looks wrong.</p>"
    if notes:
        out += (f"<details><summary>{len(notes)} note(s) (info)</summary>{_findings_table(notes)}</details>")
    return out


def _findings_table(findings: list[Finding]) -> str:
    rows = []
    for f in findings:
        sev = esc(str(f.severity))
        rows.append(
            f"<tr class='finding'><td class='sev-{sev}'>{sev}</td><td><code>{esc(f.code)}</code></td>"
            f"<td>{esc(f.title)}</td><td>{esc(evidence_text(f))}</td><td>{esc(f.suggestion)}</td></tr>"
        )
    return ("<table class='findings'><thead><tr><th>severity</th><th>code</th><th>what</th><th>evidence</th>"
            "<th>what to try</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def evidence_text(f: Finding) -> str:
    """``key=value`` pairs with 4 significant digits (never 16-digit floats), step first."""
    items = ([("step", f.step)] if f.step is not None else []) + list(dict(f.evidence).items())
    return ", ".join(f"{k}={_value(v)}" for k, v in items[:8])


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in list(v.items())[:5]) + "}"
    if isinstance(v, (list, tuple)):
        shown = ", ".join(_value(x) for x in list(v)[:5])
        return f"[{shown}{', …' if len(v) > 5 else ''}]"
    return format_number(v)
