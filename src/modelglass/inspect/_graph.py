"""The model's graph: torch.fx first, torch.export where fx cannot trace, else call order."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from typing import Any, Callable, Iterator

from ..core import model_as_found

GRAPH_METHODS = ("fx", "export", "calls")


def build_graph(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                calls: list[Any], method: str | bool = True) -> dict[str, Any]:
    """``{"method", "nodes", "edges", "errors"}``; ``method`` True tries fx, export, calls."""
    if method is False or method is None:
        return {"method": "none", "nodes": [], "edges": [], "errors": {}}
    order = list(GRAPH_METHODS) if method is True else [str(method)]
    errors: dict[str, str] = {}
    with quiet_torch():
        return _first_graph(model, args, kwargs, calls, order, errors)


def _first_graph(model: Any, args: tuple[Any, ...], kwargs: dict[str, Any], calls: list[Any],
                 order: list[str], errors: dict[str, str]) -> dict[str, Any]:
    for how in order:
        try:
            if how == "fx":
                nodes, edges = _from_fx(model)
            elif how == "export":
                if not calls:
                    raise ValueError("torch.export needs a recorded forward pass on example_input")
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


@contextlib.contextmanager
def quiet_torch() -> Iterator[None]:
    """Keep what torch.export and torch.fx print (graphs, guards, warnings) off the user's terminal.

    Their failure is reported in the graph's ``errors`` instead.
    """
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
               if name == "torch" or name.startswith("torch.")]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.CRITICAL + 1)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


class LazyGraph(dict):  # type: ignore[type-arg]
    """The graph dict, built on first use: tracing costs more than the rest of ``inspect``.

    It is a real ``dict`` (``to_dict``, ``json`` and ``==`` see the built graph); the
    builder runs once, when a key, its length or its items are first asked for.
    """

    def __init__(self, items: Any = (), builder: Callable[[], dict[str, Any]] | None = None) -> None:
        super().__init__(items)
        self._builder = builder

    def _build(self) -> None:
        builder, self._builder = self._builder, None
        if builder is not None:
            dict.update(self, builder())

    @property
    def built(self) -> bool:
        """Whether the graph has been traced yet."""
        return self._builder is None

    def __getitem__(self, key: Any) -> Any:
        self._build()
        return dict.__getitem__(self, key)

    def __contains__(self, key: Any) -> bool:
        self._build()
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[Any]:
        self._build()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._build()
        return dict.__len__(self)

    def __eq__(self, other: Any) -> bool:
        self._build()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._build()
        return dict.__repr__(self)

    def get(self, key: Any, default: Any = None) -> Any:
        self._build()
        return dict.get(self, key, default)

    def keys(self) -> Any:
        self._build()
        return dict.keys(self)

    def values(self) -> Any:
        self._build()
        return dict.values(self)

    def items(self) -> Any:
        self._build()
        return dict.items(self)

    def copy(self) -> dict[str, Any]:
        self._build()
        return dict(dict.items(self))

    def __reduce__(self) -> Any:  # pickle and deepcopy get the built graph as a plain dict
        return (dict, (self.copy(),))


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
