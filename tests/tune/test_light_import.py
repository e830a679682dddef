"""The tune and landscape packages import light, and their __all__ is exactly their public names."""

from __future__ import annotations

import importlib
import subprocess
import sys
from types import ModuleType

import pytest


def test_packages_import_without_optuna_torch_sklearn_plotly() -> None:
    code = (
        "import sys, modelglass as mg, modelglass.tune, modelglass.landscape\n"
        "assert callable(mg.tune) and callable(mg.landscape)\n"
        "heavy = {'torch', 'optuna', 'plotly', 'sklearn', 'pandas', 'scipy'}\n"
        "print(','.join(sorted(heavy & set(sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("package", ["modelglass.tune", "modelglass.landscape"])
def test_all_lists_exactly_the_public_names_the_package_defines(package: str) -> None:
    mod = importlib.import_module(package)
    # Names the package defines itself; helpers it imports from elsewhere are not its API.
    defined = {n for n, v in vars(mod).items() if not n.startswith("_")
               and not isinstance(v, ModuleType) and getattr(v, "__module__", package).startswith(package)}
    assert mod.__all__ == sorted(defined)
