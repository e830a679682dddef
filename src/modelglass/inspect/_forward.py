"""One recorded forward pass: every module call with shapes and FLOPs, then a backward.

The model is put in eval mode (so BatchNorm statistics and dropout RNG stay
untouched), every parameter temporarily requires a gradient so that a backward
from the example output shows which parameters take part, and everything is
restored in ``finally``, also when the model fails on the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core import BadInputError, model_as_found
from ..probes import tensors_in
from ._affine import affine_family, is_transparent_module, make_tracker
from ._shapes import shape_of, split_example_input


@dataclass
class Call:
    """One call of one module."""

    name: str
    type: str
    depth: int
    input_shape: Any = None
    output_shape: Any = None
    flops: int = 0
    module: Any = None
    done: bool = False


@dataclass
class ForwardRecord:
    calls: list[Call] = field(default_factory=list)
    total_flops: int = 0
    used_param_ids: set[int] | None = None  # None: no backward was possible
    affine_pairs: list[tuple[str, str]] = field(default_factory=list)
    last_leaf: Call | None = None
    output_is_last_leaf: bool = False


def record_forward(model: Any, example_input: Any) -> ForwardRecord:
    """Run ``model`` once on ``example_input`` with hooks, leaving it as found."""
    import torch

    args, kwargs = split_example_input(example_input)
    names = {id(m): n for n, m in model.named_modules()}
    rec = ForwardRecord()
    stack: list[Call] = []
    counter = _flop_counter()
    tracker = make_tracker()
    start_flops: dict[int, int] = {}
    extra = [0]  # FLOPs that FlopCounterMode does not see (fused RNN kernels)

    def now() -> int:
        return int(counter.total) + extra[0]
    leaf_outputs: dict[int, tuple[Call, Any]] = {}  # the output is kept so its id stays unique

    def pre(module: Any, m_args: Any, m_kwargs: Any) -> None:
        call = Call(names.get(id(module), "?"), type(module).__name__, len(stack),
                    shape_of((m_args, m_kwargs)), module=module)
        rec.calls.append(call)
        start_flops[id(call)] = now()
        stack.append(call)
        family = affine_family(module)
        if family and m_args:
            tag = tracker.lookup(m_args[0])
            if tag is not None and tag[1] == family:
                rec.affine_pairs.append((tag[0], call.name))

    def post(module: Any, m_args: Any, m_kwargs: Any, output: Any) -> None:
        call = stack.pop()
        call.output_shape = shape_of(output)
        start = start_flops.pop(id(call))
        if now() == start and m_args:
            extra[0] += rnn_flops(module, m_args[0])
        call.flops = now() - start
        call.done = True
        family = affine_family(module)
        if family:
            tracker.tag(output, call.name, family)
        elif is_transparent_module(module) and m_args:
            tag = tracker.lookup(m_args[0])
            if tag is not None:
                tracker.tag(output, *tag)
        if not any(True for _ in module.children()):
            rec.last_leaf = call
            leaf_outputs[id(output)] = (call, output)

    params = list({id(p): p for p in model.parameters()}.values())
    handles = []
    try:
        for m in model.modules():
            handles.append(m.register_forward_pre_hook(pre, with_kwargs=True))
            handles.append(m.register_forward_hook(post, with_kwargs=True))
        # Every parameter requires a gradient inside, to see which ones the output reaches.
        with model_as_found(model, training=False, requires_grad=True), torch.enable_grad():
            try:
                with counter, tracker:
                    output = model(*args, **kwargs)
            except Exception as exc:
                raise _failure(stack, exc) from exc
            rec.total_flops = now()
            rec.affine_pairs = list(dict.fromkeys(rec.affine_pairs))
            rec.output_is_last_leaf = rec.last_leaf is not None and any(
                leaf_outputs.get(id(t), (None,))[0] is rec.last_leaf for t in [output, *tensors_in(output)]
            )
            rec.used_param_ids = _params_reached(output, params)
    finally:
        for h in handles:
            h.remove()
    return rec


def _flop_counter() -> Any:
    """A dispatch mode that adds up FLOPs with torch's own formulas (``torch.utils.flop_counter``).

    Leaner than ``FlopCounterMode``: one total, no per-module tracking (the forward hooks
    above attribute FLOPs to modules), so no backward hooks on every module output.
    """
    import torch
    from torch.utils import flop_counter
    from torch.utils._python_dispatch import TorchDispatchMode

    registry = {**flop_counter.flop_registry,
                **{op: flop_counter.shape_wrapper(f) for op, f in _extra_flop_formulas().items()}}
    skip = {getattr(torch.ops.aten, name).default for name in ("size", "stride", "numel", "dim",
                                                               "storage_offset", "is_contiguous")}

    class FlopCount(TorchDispatchMode):
        total = 0

        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            kwargs = kwargs or {}
            if func in skip or isinstance(func, torch._ops.HigherOrderOperator):
                return NotImplemented
            formula = registry.get(func._overloadpacket)
            if formula is None and func is not torch.ops.prim.device.default:
                with self:  # a composite op: count the ops it is made of
                    r = func.decompose(*args, **kwargs)
                    if r is not NotImplemented:
                        return r
            out = func(*args, **kwargs)
            if formula is not None:
                self.total += formula(*args, **kwargs, out_val=out)
            return out

    return FlopCount()


def _extra_flop_formulas() -> dict[Any, Any]:
    """Attention kernels that torch's flop counter has no formula for (the CPU flash kernel)."""
    import torch
    from torch.utils import flop_counter

    def sdpa(q: Any, k: Any, v: Any, *args: Any, out_shape: Any = None, **kwargs: Any) -> int:
        return int(flop_counter.sdpa_flop_count(q, k, v))

    ops = {}
    for name in ("_scaled_dot_product_flash_attention_for_cpu",):
        op = getattr(torch.ops.aten, name, None)
        if op is not None and hasattr(flop_counter, "sdpa_flop_count"):
            ops[op] = sdpa
    return ops


def _params_reached(output: Any, params: list[Any]) -> set[int] | None:
    """Ids of the parameters that a gradient from the output would reach.

    Walks the autograd graph from the output back to its leaves (no backward pass:
    that would cost as much as the forward again); a parameter is reached when its
    gradient accumulator is in the graph.
    """
    outs = [t for t in tensors_in(output) if t.requires_grad and (t.is_floating_point() or t.is_complex())]
    trainable = {id(p) for p in params if p.requires_grad}
    if not outs or not trainable:
        return None
    reached: set[int] = set()
    seen: set[Any] = set()
    todo = [t.grad_fn for t in outs if t.grad_fn is not None]
    reached.update(id(t) for t in outs if t.grad_fn is None and id(t) in trainable)
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        leaf = getattr(fn, "variable", None)  # AccumulateGrad holds the leaf tensor
        if leaf is not None and id(leaf) in trainable:
            reached.add(id(leaf))
        todo.extend(nxt for nxt, _ in fn.next_functions if nxt is not None and nxt not in seen)
    return reached


def _failure(stack: list[Call], exc: Exception) -> BadInputError:
    if not stack:
        return BadInputError(f"The model failed on example_input before any module ran: {exc}")
    call = stack[-1]
    where = call.name or "<root>"
    return BadInputError(
        f"The model failed in module '{where}' ({call.type}) on input shapes "
        f"{call.input_shape}: {type(exc).__name__}: {exc}. Check that example_input has the "
        "shape and dtype the model expects."
    )


def rnn_flops(module: Any, x: Any) -> int:
    """Matmul FLOPs of an nn.RNN/LSTM/GRU call, which runs as one fused op FlopCounterMode skips."""
    import torch.nn as nn

    if not isinstance(module, nn.RNNBase):
        return 0
    data = getattr(x, "data", x) if not hasattr(x, "dim") else x
    if not hasattr(data, "dim"):
        return 0
    if hasattr(x, "batch_sizes") or data.dim() == 2:  # PackedSequence: every row is one (time, batch) position
        positions = int(data.shape[0])
    else:
        positions = int(data.shape[0]) * int(data.shape[1])
    gates = {"LSTM": 4, "GRU": 3}.get(module.mode, 1)
    dirs = 2 if module.bidirectional else 1
    hidden = module.hidden_size
    out = module.proj_size or hidden
    total = 0
    for layer in range(module.num_layers):
        inp = module.input_size if layer == 0 else out * dirs
        per_step = 2 * gates * hidden * (inp + out)
        if module.proj_size:
            per_step += 2 * hidden * module.proj_size
        total += dirs * positions * per_step
    return total
