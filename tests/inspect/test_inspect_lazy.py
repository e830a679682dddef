"""The graph is traced only when asked for, quietly; lazy and TorchScript modules do not crash inspect."""

from __future__ import annotations

import json

import pytest

import modelglass as mg

torch = pytest.importorskip("torch")
nn = torch.nn


class DataDependent(nn.Module):
    """fx and torch.export both fail on the branch on a tensor's value."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x) if x.sum().item() > 0 else self.fc(x) * 2


def test_the_graph_is_traced_on_first_read_and_then_kept(monkeypatch) -> None:
    import modelglass.inspect._graph as graph_module

    traced = []
    real = graph_module._first_graph
    monkeypatch.setattr(graph_module, "_first_graph", lambda *a: traced.append(1) or real(*a))
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    result = mg.inspect(model, torch.randn(2, 3))
    assert traced == [] and result.total_params == 26 and len(result.layers) == 4
    assert result.graph["method"] == "fx"
    assert [e for e in result.graph["edges"] if e[1] == "output"] == [["_2", "output"]]
    assert json.loads(json.dumps(result.to_dict()))["graph"]["method"] == "fx"
    assert traced == [1]


def test_a_failing_export_prints_nothing_and_its_error_is_kept(capfd) -> None:
    model, x = DataDependent(), torch.randn(2, 4)
    rng = torch.get_rng_state()
    g = mg.inspect(model, x).graph
    assert g["method"] == "calls"
    assert set(g["errors"]) == {"fx", "export"}
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert torch.equal(torch.get_rng_state(), rng)


def test_lazy_linear_counts_what_is_initialised_and_says_what_is_not() -> None:
    model = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.Linear(8, 2))
    for example in (None, torch.randn(3, 5)):
        result = mg.inspect(model, example)
        assert result.total_params == 8 * 2 + 2
        f = next(f for f in result.findings if f.code == "uninitialized_parameters")
        assert f.evidence["parameters"] == ["0.weight", "0.bias"] and f.evidence["modules"] == ["0"]
        assert "forward pass" in f.suggestion
    assert isinstance(model[0].weight, nn.parameter.UninitializedParameter)  # left as found
    model(torch.randn(3, 5))
    after = mg.inspect(model, torch.randn(3, 5))
    assert after.total_params == 5 * 8 + 8 + 18
    assert "uninitialized_parameters" not in [f.code for f in after.findings]


def test_a_torchscript_module_is_counted_and_the_missing_shapes_are_a_finding() -> None:
    scripted = torch.jit.script(nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2)))
    result = mg.inspect(scripted, torch.randn(3, 5))
    assert result.total_params == 5 * 8 + 8 + 8 * 2 + 2
    assert [row["type"] for row in result.layers] == ["Sequential", "Linear", "ReLU", "Linear"]
    assert [f.code for f in result.findings] == ["scripted_module"]
    assert result.graph["method"] == "none"


def test_parameter_statistics_from_torch_match_numpy_float64() -> None:
    from modelglass.inspect._params import param_stats

    g = torch.Generator().manual_seed(0)
    w = torch.randn(64, 32, generator=g) * 0.1 + 0.02
    w[0, :5] = 0.0
    bad = w.clone()
    bad[1, 0], bad[2, 0], bad[3, 0] = float("nan"), float("inf"), float("-inf")
    centred = torch.randn(256, 128, generator=g) * 0.05  # mean ~0: the E[x^2] - mean^2 path
    for tensor in (w, bad, torch.zeros(0, 3), w.half(), centred, torch.ones(8)):
        ours, ref = param_stats("w", tensor), param_stats("w", tensor.double().numpy())
        for key in ("numel", "nan_count", "inf_count", "shape"):
            assert ours[key] == ref[key], key
        for key in ("mean", "std", "min", "max", "norm", "zero_fraction", "std_ratio"):
            if ref[key] is None or ref[key] != ref[key]:  # None or NaN on both sides
                assert ours[key] is None or ours[key] != ours[key], key
            else:
                assert ours[key] == pytest.approx(ref[key], rel=1e-5, abs=1e-7), key
