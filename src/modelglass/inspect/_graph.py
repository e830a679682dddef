"""The model's graph: torch.fx first, torch.export where fx cannot trace, else call order."""

from __future__ import annotations

from typing import Any

from ..core import model_as_found

GRAPH_METHODS = ("fx", "export", "calls")


def build_graph(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                calls: list[Any], method: str | bool = True) -> dict[str, Any]:
    """``{"method", "nodes", "edges", "errors"}``; ``method`` True tries fx, export, calls."""
    if method is False or method is None:
        return {"method": "none", "nodes": [], "edges": [], "errors": {}}
    order = list(GRAPH_METHODS) if method is True else [str(method)]
    errors: dict[str, str] = {}
    for how in order:
        try:
            if how == "fx":
                nodes, edges = _from_fx(model)
            elif how == "export":
                if not calls:
                    raise ValueError("torch.export needs example_input")
                nodes, edges = _from_export(model, args, kwargs)
            else:
                nodes, edges = _from_calls(calls)
        except Exception as exc:  # noqa: BLE001 - any tracing failure means: try the next way
            errors[how] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            continue
        return {"method": how, "nodes": nodes, "edges": edges, "errors": errors}
    return {"method": "none", "nodes": [], "edges": [], "errors": errors}


def _from_fx(model: Any) -> tuple[list[dict[str, Any]], list[list[str]]]:
    import torch.fx

    gm = torch.fx.symbolic_trace(model)
    modules = dict(gm.named_modules())
    return _nodes_edges(gm.graph, modules)


def _from_export(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[list[dict[str, Any]], list[list[str]]]:
    import torch

    with model_as_found(model, training=False):
        ep = torch.export.export(model, args, kwargs, strict=False)
    return _nodes_edges(ep.graph, {})


def _nodes_edges(graph: Any, modules: dict[str, Any]) -> tuple[list[dict[str, Any]], list[list[str]]]:
    nodes, edges = [], []
    for node in graph.nodes:
        target = node.target if isinstance(node.target, str) else getattr(
            node.target, "__name__", str(node.target))
        entry = {"id": node.name, "op": node.op, "target": str(target)}
        if node.op == "call_module" and node.target in modules:
            entry["module_type"] = type(modules[node.target]).__name__
        nodes.append(entry)
        for src in node.all_input_nodes:
            edges.append([src.name, node.name])
    return nodes, edges


def _from_calls(calls: list[Any]) -> tuple[list[dict[str, Any]], list[list[str]]]:
    if not calls:
        raise ValueError("no forward pass was recorded (give example_input)")
    leaves = [c for c in calls if c.module is not None and not any(True for _ in c.module.children())]
    nodes = [{"id": c.name or "<root>", "op": "call_module", "target": c.name, "module_type": c.type}
             for c in leaves]
    uniq, seen = [], set()
    for n in nodes:
        if n["id"] not in seen:
            seen.add(n["id"])
            uniq.append(n)
    edges = [[a["id"], b["id"]] for a, b in zip(nodes, nodes[1:]) if a["id"] != b["id"]]
    return uniq, edges
