"""`import modelglass` stays light, and every package's __all__ is honest."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

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


ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept() -> None:
    """DESIGN's layer table and the private-module rule, as `make lint` checks them."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    out = subprocess.run([str(exe), "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-3000:]
    assert "0 broken" in out.stdout


def _ignored_imports() -> list[tuple[str, str]]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    pairs = []
    for contract in config["contracts"]:
        for rule in contract.get("ignore_imports", []):
            importer, imported = (part.strip() for part in rule.split("->"))
            pairs.append((importer, imported))
    return pairs


def _imports_of(path: Path, package: list[str]) -> list[tuple[str, bool]]:
    """(module imported, whether the import sits inside a function) for every import in a file."""
    tree = ast.parse(path.read_text())
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(child) for child in ast.walk(node) if child is not node)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [module] + [f"{module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.extend((name, id(node) in inside) for name in names)
    return found


def test_every_allowed_upward_import_is_lazy() -> None:
    """The exceptions in the contract are allowed only inside the call that needs them."""
    pairs = [(a, b) for a, b in _ignored_imports() if a != "modelglass.__main__"]
    assert len(pairs) >= 10
    for importer, imported in pairs:
        parts = importer.split(".")
        path = ROOT / "src" / Path(*parts).with_suffix(".py")
        if not path.exists():
            path = ROOT / "src" / Path(*parts) / "__init__.py"
        hits = [lazy for name, lazy in _imports_of(path, parts[:-1]) if name == imported]
        assert hits, f"{importer} no longer imports {imported}: drop it from [tool.importlinter]"
        assert all(hits), f"{importer} imports {imported} at module level; import it inside the call"


def test_import_leaves_the_exception_hook_and_the_first_run_installs_it(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "before = sys.excepthook\n"
        "import modelglass as mg\n"
        "assert sys.excepthook is before, 'import changed sys.excepthook'\n"
        f"run = mg.init('hook', store={str(tmp_path)!r})\n"
        "assert sys.excepthook is not before, 'init did not install the hook'\n"
        "raise RuntimeError('boom')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1 and "RuntimeError: boom" in out.stderr, out.stderr
    import modelglass as mg

    runs = mg.open_store(tmp_path).runs()
    assert [r.status for r in runs] == ["failed"]
