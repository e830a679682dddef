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
     "modelglass.report", "modelglass.demo", "modelglass.inspect", "modelglass.probes",
     "modelglass.data", "modelglass.diagnose", "modelglass.tune", "modelglass.landscape",
     "modelglass.ui", "modelglass.cli"],
)
def test_all_names_exist(package: str) -> None:
    mod = importlib.import_module(package)
    assert mod.__all__, package
    for name in mod.__all__:
        assert getattr(mod, name, None) is not None, f"{package}.{name} is in __all__ but missing"


def test_analysis_packages_are_callable_like_their_function() -> None:
    import modelglass as mg
    import modelglass.diagnose  # noqa: F401 - after this import, mg.diagnose is the module
    import modelglass.inspect  # noqa: F401
    import modelglass.landscape  # noqa: F401
    import modelglass.tune  # noqa: F401

    for name in ("inspect", "diagnose", "tune", "landscape"):
        assert callable(getattr(mg, name)), name
    import numpy as np

    result = mg.inspect({"theta": np.array([1.0, 2.0])})
    assert result.to_dict()["total_params"] == 2


def test_no_module_imports_another_parts_private_modules() -> None:
    """`from ..part._private import x` across parts couples them to internals: use the part's __all__."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "src" / "modelglass"
    offenders = []
    for path in root.rglob("*.py"):
        part = path.relative_to(root).parts[0]
        for line in path.read_text().splitlines():
            m = re.match(r"\s*from \.\.+(\w+)\.(_\w+)", line)
            if m and m.group(1) != part:
                offenders.append(f"{path.relative_to(root)}: {line.strip()}")
    assert offenders == []
