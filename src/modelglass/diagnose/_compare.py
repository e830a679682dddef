"""Diagnoses of several runs side by side: one row per run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core import format_number, jsonable
from ._diagnosis import Diagnosis

COMPARISON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class DiagnosisComparison:
    """The diagnoses of several runs, in the order given.

    Attributes:
        diagnoses: One :class:`Diagnosis` per run.
    """

    diagnoses: tuple[Diagnosis, ...]

    def rows(self) -> list[dict[str, Any]]:
        """One JSON-able row per run: verdict, top cause, confidence and the key numbers."""
        return [_row(d) for d in self.diagnoses]

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"schema_version": COMPARISON_SCHEMA_VERSION, "runs": self.rows()})

    def text(self) -> str:
        """A table: run, verdict, top cause (confidence), loss start -> end, the first evidence."""
        head = ("run", "verdict", "top cause", "conf", "loss", "evidence")
        body = []
        for r in self.rows():
            loss = (f"{format_number(r['start_loss'])} -> {format_number(r['end_loss'])}"
                    if r["start_loss"] is not None and r["end_loss"] is not None else "-")
            conf = "-" if r["confidence"] is None else format_number(r["confidence"], 2)
            body.append((r["run_name"], r["verdict"], r["top_cause"] or "-", conf, loss,
                         _clip(r["evidence"] or r["top_finding"] or "")))
        widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
        lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip()
                 for row in (head, *body)]
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.diagnoses)

    def __getitem__(self, i: int) -> Diagnosis:
        return self.diagnoses[i]

    def __str__(self) -> str:
        return self.text()


def _clip(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _row(d: Diagnosis) -> dict[str, Any]:
    top = d.top_cause
    serious = top is not None and int(top.severity) >= 1
    loss = d.history.loss()
    start = end = None
    if loss is not None and len(loss.finite()):
        v = loss.finite().values
        start, end = float(v[0]), float(v[-max(1, v.size // 10):].mean())
    worst = next((f for f in d.findings if int(f.severity) >= 1), None)
    return {
        "run_id": d.run_id, "run_name": d.run_name, "verdict": d.verdict,
        "top_cause": top.code if serious else None,
        "confidence": top.confidence if serious else None,
        "evidence": top.because[0] if serious and top.because else None,
        "change": top.change if serious else None,
        "causes": [c.code for c in d.causes if int(c.severity) >= 1],
        "findings": d.codes("warning"),
        "top_finding": None if worst is None else f"{worst.code}: {worst.title}",
        "start_loss": start, "end_loss": end,
    }
