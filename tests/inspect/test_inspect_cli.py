"""``modelglass inspect``: factory files, exported programs, pickled modules, bad input."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from modelglass.cli import main  # noqa: E402

FACTORY = """
import torch.nn as nn

def build():
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))

def broken():
    raise RuntimeError("no weights here")
"""


@pytest.fixture
def factory_file(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(FACTORY)
    return path


def test_factory_json(factory_file, capsys):
    assert main(["inspect", f"{factory_file}:build", "--input-shape", "1,3,8,8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total_params"] == 3 * 4 * 9 + 4 + 144 * 2 + 2
    assert [r["output_shape"] for r in out["layers"]] == [[1, 2], [1, 4, 6, 6], [1, 4, 6, 6], [1, 144], [1, 2]]
    assert out["graph"]["method"] == "fx"


def test_factory_table(factory_file, capsys):
    assert main(["inspect", f"{factory_file}:build", "--input-shape", "1,3,8,8"]) == 0
    text = capsys.readouterr().out
    assert "Conv2d" in text and "[1, 4, 6, 6]" in text and "total params 402" in text


def test_pickled_module_and_exported_program(tmp_path, capsys):
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 1))
    torch.save(model, tmp_path / "m.pt")
    assert main(["inspect", str(tmp_path / "m.pt"), "--input-shape", "2,3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_params"] == 26
    ep = torch.export.export(model, (torch.randn(2, 3),))
    torch.export.save(ep, tmp_path / "m.pt2")
    assert main(["inspect", str(tmp_path / "m.pt2"), "--input-shape", "2,3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total_params"] == 26 and out["layers"][0]["output_shape"] == [2, 1]


@pytest.mark.parametrize("args, message", [
    (["{f}:nope"], "has no function 'nope'"),
    (["{f}:broken"], "broken() failed: RuntimeError: no weights here"),
    (["{f}"], "say which function builds the model"),
    (["{f}:build", "--input-shape", "1,a"], "--input-shape"),
    (["{f}:build", "--input-shape", "1,3,2,2"], "failed in module '0' (Conv2d)"),
    (["missing.py:build"], "no such file"),
])
def test_bad_input_is_one_line_and_exit_2(factory_file, capsys, args, message):
    argv = ["inspect"] + [a.replace("{f}", str(factory_file)) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_state_dict_is_refused(tmp_path, capsys):
    torch.save(nn.Linear(2, 2).state_dict(), tmp_path / "w.pt")
    assert main(["inspect", str(tmp_path / "w.pt")]) == 2
    assert "not a whole nn.Module" in capsys.readouterr().err


def test_check_exits_1_on_error_findings(tmp_path, capsys):
    path = tmp_path / "nan.py"
    path.write_text("import torch, torch.nn as nn\n"
                    "def build():\n    m = nn.Linear(2, 2)\n"
                    "    with torch.no_grad():\n        m.bias[0] = float('nan')\n    return m\n")
    assert main(["inspect", f"{path}:build", "--check"]) == 1
    assert "nan_parameters" in capsys.readouterr().out
