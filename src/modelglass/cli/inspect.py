"""``modelglass inspect``: a model's layers, shapes, parameters, FLOPs and static findings.

The model comes from ``FILE.py:FACTORY`` (the file is imported and the factory
called with no arguments), a saved ``torch.export`` program (``.pt2``) or a
whole pickled module (``.pt``/``.pth``; loading a pickle runs code from it, so
only load files you trust).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

from ..core import BadInputError, require
from ._output import emit_json

_DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="FILE.py:FACTORY, a .pt2 exported program, or a pickled module")
    parser.add_argument("--input-shape", action="append", default=None, metavar="1,3,32,32",
                        help="shape of one example input (random values); repeat for several inputs")
    parser.add_argument("--input-dtype", default="float32", choices=_DTYPES,
                        help="dtype of the example inputs (int64 draws token ids below 2)")
    parser.add_argument("--graph", default="auto", choices=("auto", "fx", "export", "calls", "none"),
                        help="how to build the graph (auto: fx, then export, then call order)")
    parser.add_argument("--json", action="store_true", help="print the inspection as JSON")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a finding of severity error exists")


def run(args: argparse.Namespace) -> int:
    torch = require("torch", "inspecting a PyTorch model")
    from ..core import Severity
    from ..inspect import inspect

    model = load_model(args.target)
    example = _example_input(torch, args.input_shape, args.input_dtype)
    graph: Any = {"auto": True, "none": False}.get(args.graph, args.graph)
    result = inspect(model, example, graph=graph)
    if args.json:
        emit_json(result.to_dict())
    else:
        sys.stdout.write(result.to_text())
    if args.check and any(f.severity >= Severity.ERROR for f in result.findings):
        return 1
    return 0


def load_model(target: str) -> Any:
    """Build or load the model named by ``target``."""
    torch = require("torch", "inspecting a PyTorch model")
    path_part, factory = target, ""
    if ".py:" in target:
        path_part, _, factory = target.rpartition(":")
    path = Path(path_part)
    if not path.exists():
        raise BadInputError(f"{path}: no such file. Give FILE.py:FACTORY, a .pt2 file or a pickled module.")
    if path.suffix == ".py":
        return _from_factory(torch, path, factory)
    if path.suffix == ".pt2":
        try:
            return torch.export.load(str(path)).module()
        except Exception as exc:  # noqa: BLE001 - any load failure is bad input
            raise BadInputError(f"{path}: cannot load it as a torch.export program: {_one_line(exc)}") from exc
    try:
        obj = torch.load(str(path), map_location="cpu", weights_only=False)
    except Exception as exc:  # noqa: BLE001
        raise BadInputError(f"{path}: cannot load it with torch.load: {_one_line(exc)}") from exc
    if not isinstance(obj, torch.nn.Module):
        raise BadInputError(
            f"{path}: holds a {type(obj).__name__}, not a whole nn.Module (a state_dict has no "
            "structure). Save the module with torch.save(model, path), or give FILE.py:FACTORY."
        )
    return obj


def _from_factory(torch: Any, path: Path, factory: str) -> Any:
    if not factory:
        raise BadInputError(f"{path}: say which function builds the model: {path}:FACTORY.")
    spec = importlib.util.spec_from_file_location(f"_modelglass_user_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise BadInputError(f"{path}: cannot be imported as a Python file.")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the user's file failed: report it in one line
        raise BadInputError(f"{path}: importing it failed: {_one_line(exc)}") from exc
    fn = getattr(module, factory, None)
    if not callable(fn):
        raise BadInputError(f"{path}: has no function {factory!r}.")
    try:
        model = fn()
    except Exception as exc:  # noqa: BLE001
        raise BadInputError(f"{path}:{factory}() failed: {_one_line(exc)}") from exc
    if not isinstance(model, torch.nn.Module):
        raise BadInputError(f"{path}:{factory}() returned a {type(model).__name__}, not an nn.Module.")
    return model


def _example_input(torch: Any, shapes: list[str] | None, dtype: str) -> Any:
    if not shapes:
        return None
    tensors = []
    gen = torch.Generator().manual_seed(0)
    for text in shapes:
        try:
            shape = [int(d) for d in text.replace("x", ",").split(",") if d.strip()]
        except ValueError:
            raise BadInputError(f"--input-shape: {text!r} is not a list of integers like 1,3,32,32.") from None
        if not shape or any(d < 1 for d in shape):
            raise BadInputError(f"--input-shape: {text!r} must be positive integers like 1,3,32,32.")
        dt = getattr(torch, dtype)
        if dt.is_floating_point:
            tensors.append(torch.randn(shape, generator=gen).to(dt))
        else:
            tensors.append(torch.randint(0, 2, shape, generator=gen, dtype=dt))
    return tensors[0] if len(tensors) == 1 else tuple(tensors)


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:400]
