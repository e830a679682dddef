"""Inspect a PyTorch nn.Module: layers in call order, parameters, graph, static findings."""

from __future__ import annotations

from typing import Any

from ..core import sort_findings
from ._forward import Call, record_forward
from ._graph import build_graph
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
    named, aliases, owner = _param_names(model)
    stats = {n: param_stats(n, p, owner[id(p)], p.requires_grad, _fan_in(model, owner[id(p)], n),
                            _checks_init(model, owner[id(p)]))
             for n, p in named}
    record = record_forward(model, example_input) if example_input is not None else None
    calls = record.calls if record else []
    ctx = TorchContext(model, named, aliases, owner, stats, record, optimizer, loss_fn)
    findings = sort_findings(f for rule in RULES for f in rule(ctx))
    args, kwargs = split_example_input(example_input) if example_input is not None else ((), {})
    g = build_graph(model, args, kwargs, calls, graph)
    total = sum(p.numel() for _, p in named)
    notes = []
    if any(len(v) > 1 for v in aliases.values()):
        dup = sum(p.numel() * (len(aliases[id(p)]) - 1) for _, p in named)
        notes.append(f"Shared parameters are counted once ({total:,}); torchinfo counts them "
                     f"once per holder ({total + dup:,}).")
    return Inspection(
        framework="torch",
        model_type=type(model).__name__,
        layers=[_row(model, c) for c in calls] if record else _static_rows(model),
        parameters=list(stats.values()),
        findings=findings,
        total_params=total,
        trainable_params=sum(p.numel() for _, p in named if p.requires_grad),
        param_bytes=sum(p.numel() * p.element_size() for _, p in named),
        total_flops=record.total_flops if record else None,
        graph=g,
        modules=_module_tree(model, named, owner),
        notes=notes,
    )


def _param_names(model: Any) -> tuple[list[tuple[str, Any]], dict[int, list[str]], dict[int, str]]:
    aliases: dict[int, list[str]] = {}
    owner: dict[int, str] = {}
    named: list[tuple[str, Any]] = []
    for mod_name, mod in model.named_modules(remove_duplicate=False):
        for pname, p in mod.named_parameters(recurse=False):
            full = f"{mod_name}.{pname}" if mod_name else pname
            if id(p) not in owner:
                owner[id(p)] = mod_name
                named.append((full, p))
                aliases[id(p)] = [full]
            elif full not in aliases[id(p)]:
                aliases[id(p)].append(full)
    return named, aliases, owner


def _module(model: Any, name: str) -> Any:
    return model.get_submodule(name) if name else model


def _fan_in(model: Any, module_name: str, param_name: str) -> int | None:
    """RNN weights are initialised from the hidden size, not the fan-in."""
    import torch.nn as nn

    m = _module(model, module_name)
    if isinstance(m, nn.RNNBase) and param_name.rpartition(".")[2].startswith("weight_"):
        return int(m.hidden_size)
    return None


def _checks_init(model: Any, module_name: str) -> bool:
    """Embeddings are N(0, 1) by convention: no fan-in scale applies."""
    import torch.nn as nn

    return not isinstance(_module(model, module_name), (nn.Embedding, nn.EmbeddingBag))


def _row(model: Any, c: Call) -> dict[str, Any]:
    return {
        "name": c.name, "type": c.type, "depth": c.depth,
        "input_shape": c.input_shape, "output_shape": c.output_shape,
        **_param_counts(c.module), "flops": c.flops, "completed": c.done,
    }


def _static_rows(model: Any) -> list[dict[str, Any]]:
    return [{
        "name": name, "type": type(m).__name__, "depth": name.count(".") + (1 if name else 0),
        "input_shape": None, "output_shape": None,
        **_param_counts(m), "flops": None, "completed": False,
    } for name, m in model.named_modules()]


def _param_counts(module: Any) -> dict[str, int]:
    """Parameters of a module and its children, each shared tensor counted once."""
    params = {id(p): p for p in module.parameters()}.values()
    return {"params": sum(p.numel() for p in params),
            "trainable_params": sum(p.numel() for p in params if p.requires_grad)}


def _module_tree(model: Any, named: list[tuple[str, Any]], owner: dict[int, str]) -> list[dict[str, Any]]:
    own: dict[str, int] = {}
    for _, p in named:
        own[owner[id(p)]] = own.get(owner[id(p)], 0) + p.numel()
    return [{"name": n, "type": type(m).__name__, "own_params": own.get(n, 0)}
            for n, m in model.named_modules()]
