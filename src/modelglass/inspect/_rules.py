"""Static findings about a PyTorch model: one small function per code, listed in RULES."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..core import Finding, Severity

INIT_SCALE_FACTOR = 10.0
HIGH_DROPOUT = 0.5
_SOURCE = "inspect"


@dataclass
class TorchContext:
    """What the rules look at."""

    model: Any
    named: list[tuple[str, Any]]  # distinct parameters, first name
    aliases: dict[int, list[str]]  # id(param) -> every name it has
    owner: dict[int, str]  # id(param) -> module name that holds it first
    stats: dict[str, dict[str, Any]]  # param name -> statistics
    record: Any = None  # ForwardRecord, when an example input was given
    optimizer: Any = None
    loss_fn: Any = None


def _f(code: str, severity: Severity, title: str, evidence: dict[str, Any], suggestion: str) -> Finding:
    return Finding(code, severity, title, evidence, suggestion, None, _SOURCE)


def unused_module(ctx: TorchContext) -> list[Finding]:
    if ctx.record is None or ctx.record.used_param_ids is None:
        return []
    called = {c.name for c in ctx.record.calls}
    unused_by_module: dict[str, int] = {}
    for _name, p in ctx.named:
        if id(p) not in ctx.record.used_param_ids:
            mod = ctx.owner[id(p)]
            unused_by_module[mod] = unused_by_module.get(mod, 0) + p.numel()
    out = []
    for mod in _topmost(unused_by_module, ctx.model, ctx.record.used_param_ids):
        count = sum(n for m, n in unused_by_module.items() if m == mod or m.startswith(mod + "."))
        out.append(_f(
            "unused_module", Severity.WARNING,
            f"Module '{mod}' takes no part in the forward pass: no gradient reaches its parameters",
            {"module": mod, "params": count, "called": mod in called},
            "Remove the module, or use it in forward(); unused parameters still cost memory, "
            "and optimizers with weight decay keep changing them.",
        ))
    return out


def _topmost(unused: dict[str, int], model: Any, used: set[int]) -> list[str]:
    """The highest modules all of whose parameters are unused."""
    modules = dict(model.named_modules())
    fully = {name for name in modules if name in unused or any(k.startswith(name + ".") for k in unused)}
    fully = {n for n in fully if n and all(id(p) not in used for p in modules[n].parameters())}
    return sorted(n for n in fully if not any(n.startswith(o + ".") for o in fully if o != n))


def params_not_in_optimizer(ctx: TorchContext) -> list[Finding]:
    if ctx.optimizer is None:
        return []
    in_opt = {id(p) for g in ctx.optimizer.param_groups for p in g["params"]}
    missing = [(n, p) for n, p in ctx.named if p.requires_grad and id(p) not in in_opt]
    if not missing:
        return []
    return [_f(
        "params_not_in_optimizer", Severity.ERROR,
        f"{len(missing)} trainable parameter tensor(s) are not updated by the optimizer",
        {"count": len(missing), "params": sum(p.numel() for _, p in missing),
         "names": [n for n, _ in missing[:20]], "module": ctx.owner[id(missing[0][1])]},
        "Build the optimizer from model.parameters() after adding every layer, or freeze "
        "these parameters with requires_grad_(False) if they should not train.",
    )]


def frozen_parameters(ctx: TorchContext) -> list[Finding]:
    frozen = [(n, p) for n, p in ctx.named if not p.requires_grad]
    if not frozen:
        return []
    modules = sorted({ctx.owner[id(p)] for _, p in frozen})
    return [_f(
        "frozen_parameters", Severity.INFO,
        f"{len(frozen)} parameter tensor(s) are frozen (requires_grad=False)",
        {"count": len(frozen), "params": sum(p.numel() for _, p in frozen),
         "names": [n for n, _ in frozen[:20]], "module": modules[0], "modules": modules[:20]},
        "Fine when intended (fine-tuning); otherwise call requires_grad_(True) on them.",
    )]


def shared_parameters(ctx: TorchContext) -> list[Finding]:
    out = []
    for names in ctx.aliases.values():
        if len(names) > 1:
            out.append(_f(
                "shared_parameters", Severity.INFO,
                f"One parameter tensor is shared by {len(names)} names: {', '.join(names)}",
                {"names": names, "module": names[0].rpartition(".")[0]},
                "Fine for tied weights. modelglass counts it once, as model.parameters() "
                "does; torchinfo counts it once per module that holds it.",
            ))
    return out


def missing_nonlinearity(ctx: TorchContext) -> list[Finding]:
    if ctx.record is None:
        return []
    return [_f(
        "missing_nonlinearity", Severity.WARNING,
        f"'{a}' feeds '{b}' with no non-linearity between: the two collapse into one affine map",
        {"module": b, "previous": a},
        "Put an activation (ReLU, GELU...) between them, or merge them into one layer.",
    ) for a, b in ctx.record.affine_pairs]


def double_softmax(ctx: TorchContext) -> list[Finding]:
    import torch.nn as nn
    import torch.nn.functional as F

    rec = ctx.record
    if ctx.loss_fn is None or rec is None or rec.last_leaf is None or not rec.output_is_last_leaf:
        return []
    last = rec.last_leaf.module
    loss = ctx.loss_fn
    applies_softmax = isinstance(loss, nn.CrossEntropyLoss) or loss is F.cross_entropy
    applies_sigmoid = isinstance(loss, nn.BCEWithLogitsLoss) or loss is F.binary_cross_entropy_with_logits
    if applies_softmax and isinstance(last, (nn.Softmax, nn.LogSoftmax)):
        what, fix = "softmax", "Remove the final Softmax/LogSoftmax and feed logits to CrossEntropyLoss, or keep LogSoftmax with NLLLoss."
    elif applies_sigmoid and isinstance(last, nn.Sigmoid):
        what, fix = "sigmoid", "Remove the final Sigmoid and feed logits to BCEWithLogitsLoss, or use BCELoss."
    else:
        return []
    loss_name = type(loss).__name__ if isinstance(loss, nn.Module) else getattr(loss, "__name__", str(loss))
    return [_f(
        "double_softmax", Severity.ERROR,
        f"The model ends in {type(last).__name__} and {loss_name} applies {what} again",
        {"module": rec.last_leaf.name, "loss": loss_name},
        fix,
    )]


def high_dropout(ctx: TorchContext) -> list[Finding]:
    import torch.nn as nn

    out = []
    for name, m in ctx.model.named_modules():
        if isinstance(m, nn.modules.dropout._DropoutNd) and float(m.p) > HIGH_DROPOUT:
            out.append(_f(
                "high_dropout", Severity.WARNING, f"Dropout '{name}' drops {m.p:.0%} of its inputs",
                {"module": name, "p": float(m.p)},
                "Dropout above 0.5 usually slows learning more than it regularises; try 0.1-0.5.",
            ))
    return out


def init_scale(ctx: TorchContext) -> list[Finding]:
    out = []
    for name, s in ctx.stats.items():
        ratio = s.get("std_ratio")
        if ratio is None or s["numel"] < 16 or s["nan_count"] or s["inf_count"]:
            continue
        if ratio > INIT_SCALE_FACTOR or ratio < 1.0 / INIT_SCALE_FACTOR:
            out.append(_f(
                "init_scale", Severity.WARNING,
                f"'{name}' has std {s['std']:.3g}, {ratio:.3g}x the {s['expected_std']:.3g} expected for its fan-in",
                {"module": s["module"], "param": name, "std": s["std"],
                 "expected_std": s["expected_std"], "ratio": ratio},
                "Re-initialise it with the layer's default (reset_parameters()) or "
                "nn.init.kaiming_normal_/xavier_normal_; a scale 10x off makes signals "
                "explode or vanish through the layers.",
            ))
    return out


def nan_parameters(ctx: TorchContext) -> list[Finding]:
    return [_f(
        "nan_parameters", Severity.ERROR, f"'{name}' holds {s['nan_count']} NaN and {s['inf_count']} Inf values",
        {"module": s["module"], "param": name, "nan_count": s["nan_count"], "inf_count": s["inf_count"]},
        "Reload a checkpoint from before the divergence; lower the learning rate or clip gradients.",
    ) for name, s in ctx.stats.items() if s["nan_count"] or s["inf_count"]]


RULES: list[Callable[[TorchContext], list[Finding]]] = [
    nan_parameters, params_not_in_optimizer, double_softmax, unused_module,
    missing_nonlinearity, high_dropout, init_scale, shared_parameters, frozen_parameters,
]
