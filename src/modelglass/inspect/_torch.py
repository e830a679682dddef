"""Inspect a PyTorch nn.Module: layers in call order, parameters, graph, static findings."""

from __future__ import annotations

from typing import Any

from ..core import Finding, sort_findings
from ._forward import Call, record_forward
from ._graph import LazyGraph, build_graph
from ._params import param_stats
from ._result import Inspection
from ._rules import RULES, TorchContext
from ._shapes import split_example_input


def inspect_torch(model: Any, example_input: Any = None, optimizer: Any = None,
                  loss_fn: Any = None, graph: Any = True) -> Inspection:
    """See :func:`modelglass.inspect.inspect`."""
    import torch

    rng = torch.get_rng_state()  # tracing may draw random numbers; the user's stream stays put
    try:
        return _inspect_torch(model, example_input, optimizer, loss_fn, graph)
    finally:
        torch.set_rng_state(rng)


def _inspect_torch(model: Any, example_input: Any, optimizer: Any, loss_fn: Any, graph: Any) -> Inspection:
    modules = dict(model.named_modules())  # ScriptModules have no get_submodule
    named, aliases, owner, lazy = _param_names(model)
    stats = {n: param_stats(n, p, owner[id(p)], p.requires_grad, _fan_in(modules, owner[id(p)], n),
                            _checks_init(modules, owner[id(p)]))
             for n, p in named}
    unseen = _unseen(model, lazy, example_input)
    record = record_forward(model, example_input) if example_input is not None and not unseen else None
    calls = record.calls if record else []
    ctx = TorchContext(model, named, aliases, owner, stats, record, optimizer, loss_fn)
    findings = sort_findings([*(f for rule in RULES for f in rule(ctx)), *unseen])
    total = sum(p.numel() for _, p in named)
    notes = []
    if any(len(v) > 1 for v in aliases.values()):
        dup = sum(p.numel() * (len(aliases[id(p)]) - 1) for _, p in named)
        notes.append(f"Shared parameters are counted once ({total:,}); torchinfo counts them "
                     f"once per holder ({total + dup:,}).")
    if lazy:
        notes.append(f"{len(lazy)} uninitialised parameters are not counted: "
                     + ", ".join(name for name, _ in lazy[:5]) + ("..." if len(lazy) > 5 else ""))
    return Inspection(
        framework="torch",
        model_type=type(model).__name__,
        layers=[_row(c) for c in calls] if record else _static_rows(model),
        parameters=list(stats.values()),
        findings=findings,
        total_params=total,
        trainable_params=sum(p.numel() for _, p in named if p.requires_grad),
        param_bytes=sum(p.numel() * p.element_size() for _, p in named),
        total_flops=record.total_flops if record else None,
        graph=_lazy_graph(model, example_input, calls, graph),
        modules=_module_tree(model, named, owner),
        notes=notes,
    )


def _lazy_graph(model: Any, example_input: Any, calls: list[Call], method: Any) -> dict[str, Any]:
    """The graph, traced only when ``.graph`` (or a view of it) is first read."""
    if method is False or method is None:
        return build_graph(model, (), {}, calls, False)
    args, kwargs = split_example_input(example_input) if example_input is not None else ((), {})

    def build() -> dict[str, Any]:
        import torch

        rng = torch.get_rng_state()
        try:
            return build_graph(model, args, kwargs, calls, method)
        finally:
            torch.set_rng_state(rng)

    return LazyGraph(builder=build)


def _unseen(model: Any, lazy: list[tuple[str, str]], example_input: Any) -> list[Finding]:
    """Findings for what inspect could not look at: lazy parameters, a TorchScript module."""
    import torch

    out = []
    if lazy:
        owners = sorted({owner for _, owner in lazy})
        out.append(Finding(
            code="uninitialized_parameters", severity="info", source="inspect",
            title=f"{len(lazy)} parameters are not initialised yet (lazy modules); they are not counted",
            evidence={"parameters": [name for name, _ in lazy], "modules": owners,
                      "forward_skipped": example_input is not None},
            suggestion="Run one forward pass on a real batch first (that initialises lazy modules, "
                       "e.g. nn.LazyLinear), then inspect the model again to see every count, shape and FLOP.",
        ))
    if isinstance(model, torch.jit.ScriptModule):
        out.append(Finding(
            code="scripted_module", severity="info", source="inspect",
            title="A TorchScript module: parameters are counted, but no layer shapes, FLOPs or graph",
            evidence={"model_type": type(model).__name__, "forward_skipped": example_input is not None},
            suggestion="Inspect the nn.Module before torch.jit.script to see shapes, FLOPs and the graph: "
                       "TorchScript modules take no forward hooks.",
        ))
    return out


def _param_names(
    model: Any,
) -> tuple[list[tuple[str, Any]], dict[int, list[str]], dict[int, str], list[tuple[str, str]]]:
    """Named distinct parameters, their aliases and owners; and (name, owner) of lazy ones."""
    from torch.nn.parameter import is_lazy

    aliases: dict[int, list[str]] = {}
    owner: dict[int, str] = {}
    named: list[tuple[str, Any]] = []
    lazy: list[tuple[str, str]] = []
    for mod_name, mod in model.named_modules(remove_duplicate=False):
        for pname, p in mod.named_parameters(recurse=False):
            full = f"{mod_name}.{pname}" if mod_name else pname
            if is_lazy(p):
                if all(full != name for name, _ in lazy):
                    lazy.append((full, mod_name))
            elif id(p) not in owner:
                owner[id(p)] = mod_name
                named.append((full, p))
                aliases[id(p)] = [full]
            elif full not in aliases[id(p)]:
                aliases[id(p)].append(full)
    return named, aliases, owner, lazy


def _fan_in(modules: dict[str, Any], module_name: str, param_name: str) -> int | None:
    """RNN weights are initialised from the hidden size, not the fan-in."""
    import torch.nn as nn

    m = modules[module_name]
    if isinstance(m, nn.RNNBase) and param_name.rpartition(".")[2].startswith("weight_"):
        return int(m.hidden_size)
    return None


def _checks_init(modules: dict[str, Any], module_name: str) -> bool:
    """Embeddings are N(0, 1) by convention: no fan-in scale applies."""
    import torch.nn as nn

    return not isinstance(modules[module_name], (nn.Embedding, nn.EmbeddingBag))


def _row(c: Call) -> dict[str, Any]:
    return {
        "name": c.name, "type": c.type, "depth": c.depth,
        "input_shape": c.input_shape, "output_shape": c.output_shape,
        **_param_counts(c.module), "flops": c.flops, "completed": c.done,
    }


def _static_rows(model: Any) -> list[dict[str, Any]]:
    return [{
        "name": name, "type": getattr(m, "original_name", None) or type(m).__name__, "depth": name.count(".") + (1 if name else 0),
        "input_shape": None, "output_shape": None,
        **_param_counts(m), "flops": None, "completed": False,
    } for name, m in model.named_modules()]


def _param_counts(module: Any) -> dict[str, int]:
    """Parameters of a module and its children, each shared tensor counted once."""
    from torch.nn.parameter import is_lazy

    params = {id(p): p for p in module.parameters() if not is_lazy(p)}.values()
    return {"params": sum(p.numel() for p in params),
            "trainable_params": sum(p.numel() for p in params if p.requires_grad)}


def _module_tree(model: Any, named: list[tuple[str, Any]], owner: dict[int, str]) -> list[dict[str, Any]]:
    own: dict[str, int] = {}
    for _, p in named:
        own[owner[id(p)]] = own.get(owner[id(p)], 0) + p.numel()
    return [{"name": n, "type": type(m).__name__, "own_params": own.get(n, 0)}
            for n, m in model.named_modules()]
