"""The result of ``mg.inspect``: rows per layer, per-parameter statistics, graph, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core import Finding, Result

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Inspection(Result):
    """What ``mg.inspect`` saw.

    Attributes:
        framework: ``torch``, ``sklearn`` or ``numpy``.
        model_type: Class name of the model.
        layers: One dict per module call (torch) or estimator (sklearn) or array (numpy).
        parameters: Statistics of every parameter tensor.
        findings: Static findings, worst first.
        total_params: Distinct parameter values (a shared tensor counts once).
        trainable_params: Of those, the ones that require a gradient.
        param_bytes: Memory the parameters take.
        total_flops: FLOPs of one forward pass on the example input (None without one).
        graph: ``{"method", "nodes", "edges"}``; method is fx, export, calls or none.
        modules: The module tree with the parameters each module holds itself.
        notes: Remarks, e.g. where the counts differ from torchinfo's.
    """

    TITLE = "Model inspection"
    SCHEMA_VERSION = SCHEMA_VERSION
    FIGURE_KINDS = ("sunburst", "treemap")

    framework: str
    model_type: str
    layers: list[dict[str, Any]]
    parameters: list[dict[str, Any]]
    findings: tuple[Finding, ...]
    total_params: int
    trainable_params: int
    param_bytes: int = 0
    total_flops: int | None = None
    graph: dict[str, Any] = field(default_factory=lambda: {"method": "none", "nodes": [], "edges": []})
    modules: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def _to_dict_body(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "model_type": self.model_type,
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "param_bytes": self.param_bytes,
            "total_flops": self.total_flops,
            "layers": self.layers,
            "graph": self.graph,
            "parameters": self.parameters,
            "modules": self.modules,
            "notes": self.notes,
        }

    def table(self) -> Any:
        """A ``rich`` table of the layers with totals in its caption."""
        from rich.table import Table

        t = Table(title=f"{self.model_type} ({self.framework})", caption=self._caption())
        for col, justify in (("Layer", "left"), ("Type", "left"), ("Input shape", "left"),
                             ("Output shape", "left"), ("Params", "right"), ("FLOPs", "right")):
            t.add_column(col, justify=justify)  # type: ignore[arg-type]
        for row in self.layers:
            indent = "  " * int(row.get("depth") or 0)
            t.add_row(indent + (row["name"] or "<root>"), row["type"], _fmt_shape(row.get("input_shape")),
                      _fmt_shape(row.get("output_shape")), _fmt_int(row.get("params")),
                      _fmt_int(row.get("flops")))
        return t

    def to_text(self, width: int = 120) -> str:
        """The table and the findings as plain text."""
        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, force_terminal=False)
        with console.capture() as cap:
            console.print(self.table())
            for f in self.findings:
                console.print(f"[{f.severity}] {f.code}: {f.title}", markup=False, highlight=False)
        return cap.get()

    def __str__(self) -> str:
        return self.to_text()

    def _card_title(self) -> str:
        return f"Model inspection: {self.model_type} ({self.framework})"

    def _text_body(self) -> str:
        from rich.console import Console

        table = self.table()
        table.title = None  # the card and the text already start with the model's name
        console = Console(width=120, color_system=None, force_terminal=False)
        with console.capture() as cap:
            console.print(table)
        return cap.get().rstrip()

    def _figure(self, kind: str) -> Any:
        """A plotly sunburst (the default) or treemap of the parameters by module."""
        from ..viz import compute_param_tree, draw_param_tree

        return draw_param_tree(compute_param_tree(self.to_dict()), kind=kind)

    def _caption(self) -> str:
        parts = [f"total params {self.total_params:,}", f"trainable {self.trainable_params:,}"]
        if self.param_bytes:
            parts.append(f"{self.param_bytes / 2**20:.2f} MiB")
        if self.total_flops is not None:
            parts.append(f"FLOPs {self.total_flops:,}")
        return " | ".join(parts)


def _fmt_shape(shape: Any) -> str:
    if shape is None:
        return "-"
    if shape and isinstance(shape[0], list):
        return ", ".join(_fmt_shape(s) for s in shape)
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _fmt_int(n: Any) -> str:
    return "-" if n is None else f"{int(n):,}"
