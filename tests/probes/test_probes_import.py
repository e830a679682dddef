"""The inspect and probes packages import no heavy dependency, and their __all__ is honest."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


def test_importing_inspect_and_probes_stays_light():
    code = (
        "import sys, modelglass as mg\n"
        "import modelglass.inspect, modelglass.probes, modelglass.probes.numpy\n"
        "mg.inspect({'theta': [1.0, 2.0]})\n"
        "print(','.join(sorted({'torch', 'sklearn', 'plotly', 'pandas'} & set(sys.modules))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("package", ["modelglass.inspect", "modelglass.probes", "modelglass.probes.torch",
                                     "modelglass.probes.sklearn", "modelglass.probes.numpy"])
def test_all_names_exist(package):
    pytest.importorskip("torch")
    mod = importlib.import_module(package)
    for name in mod.__all__:
        assert getattr(mod, name, None) is not None, f"{package}.{name}"


def test_mg_inspect_is_callable_as_module_and_function():
    import modelglass as mg
    import modelglass.inspect

    assert mg.inspect({"w": [1.0]}).total_params == 1
    assert modelglass.inspect({"w": [1.0, 2.0]}).total_params == 2

