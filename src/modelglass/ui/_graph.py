"""Shapes for the model view: parameters as a tree, and the graph laid out in layers."""

from __future__ import annotations

import math
from typing import Any, Mapping

MAX_GRAPH_NODES = 400


def param_tree(inspection: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Parameter counts by module as ``ids/labels/parents/values`` for a treemap or sunburst.

    Built from the per-parameter list (``layers.0.weight`` -> ``layers`` > ``0`` >
    ``weight``) so that every tensor is counted once; values of a module are the
    sum of its parameters (plotly ``branchvalues="total"``).
    """
    sizes: dict[str, float] = {}
    for p in inspection.get("parameters") or []:
        if not isinstance(p, Mapping) or not p.get("name"):
            continue
        n = _numel(p)
        if n:
            sizes[str(p["name"])] = n
    if not sizes:  # no parameter list: fall back to the module rows
        for layer in inspection.get("layers") or []:
            if isinstance(layer, Mapping) and layer.get("name") and layer.get("params"):
                sizes[str(layer["name"])] = float(layer["params"])
    total: dict[str, float] = {}
    for name, n in sizes.items():
        parts = name.split(".")
        for k in range(1, len(parts) + 1):
            key = ".".join(parts[:k])
            total[key] = total.get(key, 0.0) + n
    ids = ["(model)"] + sorted(total)
    types = {str(layer.get("name")): str(layer.get("type") or "")
             for layer in inspection.get("layers") or [] if isinstance(layer, Mapping)}
    return {
        "ids": ids,
        "labels": ["model"] + [_tree_label(k, types.get(k)) for k in ids[1:]],
        "parents": [""] + [k.rsplit(".", 1)[0] if "." in k else "(model)" for k in ids[1:]],
        "values": [sum(sizes.values())] + [total[k] for k in ids[1:]],
    }


def _tree_label(key: str, kind: str | None) -> str:
    short = key.rsplit(".", 1)[-1]
    return f"{short}: {kind}" if kind else short


def _numel(p: Mapping[str, Any]) -> float:
    for key in ("numel", "size", "count", "params"):
        v = p.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    shape = p.get("shape")
    if isinstance(shape, list) and all(isinstance(s, int) for s in shape):
        return float(math.prod(shape))
    return 0.0


def graph_layout(graph: Mapping[str, Any]) -> dict[str, Any]:
    """Nodes placed in rows by their longest path from an input, edges as index pairs."""
    raw_nodes = list(graph.get("nodes") or [])[:MAX_GRAPH_NODES]
    nodes = [_node(n, i) for i, n in enumerate(raw_nodes)]
    index = {n["id"]: i for i, n in enumerate(nodes)}
    edges = []
    for e in graph.get("edges") or []:
        a, b = (_position(end, index, len(nodes)) for end in _ends(e))
        if a is not None and b is not None and a != b:
            edges.append((a, b))
    depth = [0] * len(nodes)
    # Nodes come in execution order, so one forward pass gives the longest path;
    # edges that point backwards (cycles) are ignored for placement.
    for _ in range(2):
        for a, b in edges:
            if a < b:
                depth[b] = max(depth[b], depth[a] + 1)
    # Top to bottom: depth down the page, side branches across it.
    rows: dict[int, int] = {}
    for i, n in enumerate(nodes):
        n["x"] = rows.get(depth[i], 0)
        n["y"] = -depth[i]
        rows[depth[i]] = rows.get(depth[i], 0) + 1
    return {"nodes": nodes, "edges": [list(e) for e in edges],
            "truncated": len(graph.get("nodes") or []) > MAX_GRAPH_NODES,
            "method": graph.get("method") or graph.get("source")}


def _position(end: str | None, index: dict[str, int], n: int) -> int | None:
    """A node's position from its id, or from a plain index when edges use positions."""
    if end is None:
        return None
    if end in index:
        return index[end]
    if end.isdigit() and int(end) < n:
        return int(end)
    return None


def _node(n: Any, i: int) -> dict[str, Any]:
    if isinstance(n, Mapping):
        ident = n.get("id", n.get("name", i))
        label = str(n.get("name") or n.get("target") or ident)
        kind = str(n.get("module_type") or n.get("type") or n.get("op") or n.get("kind") or "")
        if n.get("module_type"):  # a module call: say what the module is
            label = f"{label}: {n['module_type']}"
        return {"id": str(ident), "label": label, "type": kind, "op": str(n.get("op") or "")}
    return {"id": str(n), "label": str(n), "type": ""}


def _ends(e: Any) -> tuple[str | None, str | None]:
    if isinstance(e, Mapping):
        a = e.get("source", e.get("from", e.get("src")))
        b = e.get("target", e.get("to", e.get("dst")))
        return (None if a is None else str(a)), (None if b is None else str(b))
    if isinstance(e, (list, tuple)) and len(e) >= 2:
        return str(e[0]), str(e[1])
    return None, None
