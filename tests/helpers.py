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
