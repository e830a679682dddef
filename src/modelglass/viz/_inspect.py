"""Figures for ``mg.inspect``: parameters by module as a sunburst or treemap.

Compute, then draw: :func:`compute_param_tree` turns ``Inspection.to_dict()``
into a frozen :class:`ParamTree`; :func:`draw_param_tree` renders it with plotly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..core import one_of

ROOT_ID = "<root>"


@dataclass(frozen=True)
class ParamTree:
    """One node per module: ``values`` are the parameters each module holds itself.

    ``totals`` add the values of every descendant, so ``totals[0]`` (the root) is
    the model's parameter count, each shared tensor counted once.
    """

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    parents: tuple[str, ...]
    types: tuple[str, ...]
    values: tuple[int, ...]
    totals: tuple[int, ...]
    title: str


def compute_param_tree(inspection: Mapping[str, Any]) -> ParamTree:
    """The module tree of an inspection (``Inspection.to_dict()``) with parameter counts."""
    modules = list(inspection.get("modules") or [])
    if not modules or modules[0]["name"] != "":
        modules.insert(0, {"name": "", "type": inspection.get("model_type", ""), "own_params": 0})
    ids = [m["name"] or ROOT_ID for m in modules]
    known = set(ids)
    parents = []
    for m in modules:
        name = m["name"]
        parent = name.rpartition(".")[0] if "." in name else ("" if name else None)
        while parent and parent not in known:
            parent = parent.rpartition(".")[0]
        parents.append("" if parent is None else (parent or ROOT_ID))
    values = [int(m.get("own_params") or 0) for m in modules]
    totals = dict.fromkeys(ids, 0)
    for i in range(len(ids) - 1, -1, -1):  # children come after their parents
        totals[ids[i]] += values[i]
        if parents[i]:
            totals[parents[i]] += totals[ids[i]]
    labels = [(m["name"].rpartition(".")[2] or inspection.get("model_type", ROOT_ID)) for m in modules]
    total = inspection.get("total_params", totals[ROOT_ID])
    return ParamTree(
        ids=tuple(ids), labels=tuple(labels), parents=tuple(parents),
        types=tuple(str(m.get("type", "")) for m in modules), values=tuple(values),
        totals=tuple(totals[i] for i in ids),
        title=f"{inspection.get('model_type', 'model')}: {int(total):,} parameters by module",
    )


def draw_param_tree(tree: ParamTree, kind: str = "sunburst") -> Any:
    """Draw a :class:`ParamTree` as a plotly ``sunburst`` or ``treemap``."""
    import plotly.graph_objects as go

    one_of(kind, "kind", "draw_param_tree", ("sunburst", "treemap"))
    trace = go.Sunburst if kind == "sunburst" else go.Treemap
    fig = go.Figure(trace(
        ids=list(tree.ids), labels=list(tree.labels), parents=list(tree.parents),
        values=list(tree.totals), branchvalues="total",
        customdata=list(zip(tree.types, tree.values)),
        hovertemplate="%{id}<br>%{customdata[0]}<br>%{value:,} params "
                      "(%{customdata[1]:,} its own)<extra></extra>",
    ))
    fig.update_layout(title=tree.title, margin={"t": 40, "l": 0, "r": 0, "b": 0})
    return fig
