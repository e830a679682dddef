"""Importing the tune and landscape packages loads none of their heavy dependencies."""

from __future__ import annotations

import subprocess
import sys


def test_packages_import_without_optuna_torch_sklearn_plotly() -> None:
    code = (
        "import sys, modelglass as mg, modelglass.tune, modelglass.landscape\n"
        "assert callable(mg.tune) and callable(mg.landscape)\n"
        "heavy = {'torch', 'optuna', 'plotly', 'sklearn', 'pandas', 'scipy'}\n"
        "print(','.join(sorted(heavy & set(sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
