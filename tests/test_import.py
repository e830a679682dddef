"""`import modelglass` stays light, and every package's __all__ is honest."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

HEAVY = ["torch", "optuna", "plotly", "fastapi", "sklearn", "pandas", "starlette", "scipy"]


def test_import_loads_no_heavy_package() -> None:
    code = (
        "import sys, modelglass as mg\n"
        "mg.init, mg.open_store, mg.Finding\n"
        f"print(','.join(sorted(set({HEAVY!r}) & set(sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize(
    "package",
    ["modelglass", "modelglass.core", "modelglass.store", "modelglass.track", "modelglass.viz",
     "modelglass.report", "modelglass.demo"],
)
def test_all_names_exist(package: str) -> None:
    mod = importlib.import_module(package)
    assert mod.__all__, package
    for name in mod.__all__:
        assert getattr(mod, name, None) is not None, f"{package}.{name} is in __all__ but missing"
