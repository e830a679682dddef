"""Helpers shared by tests (importable as `helpers`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def python_env() -> dict[str, str]:
    """Environment for child Python processes that import modelglass from src/."""
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("MODELGLASS_STORE", None)
    return env


PYTHON = sys.executable


def plotly_array(obj):
    """A plotly trace array as NumPy: plain lists, or Plotly 7's {"dtype", "bdata"} base64 form."""
    import base64

    import numpy as np

    if isinstance(obj, dict) and "bdata" in obj:
        a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
        shape = obj.get("shape")
        if shape:
            dims = [int(x) for x in str(shape).split(",")] if isinstance(shape, str) else list(shape)
            a = a.reshape(dims)
        return a
    return np.asarray(obj, dtype=float)
