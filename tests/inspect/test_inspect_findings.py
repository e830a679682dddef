"""Each static finding fires on a model built to trigger it and stays silent on clean models."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import modelglass as mg  # noqa: E402


def codes(result):
    return [f.code for f in result.findings]


def clean_mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 4))


def clean_cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 8, 3),
                         nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 2))


@pytest.mark.parametrize("name", ["mlp", "cnn", "transformer", "lstm"])
def test_clean_models_have_no_findings(name, architectures):
    torch.manual_seed(0)
    builders = {"mlp": (clean_mlp, torch.randn(2, 8)), "cnn": (clean_cnn, torch.randn(2, 3, 8, 8))}
    if name in builders:
        build, x = builders[name]
    else:
        build, make = architectures[name]
        x = make()
    model = build()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    result = mg.inspect(model, x, optimizer=opt, loss_fn=nn.CrossEntropyLoss(), graph=False)
    assert codes(result) == []


def test_unused_module_uses_gradients_not_calls(architectures):
    model = architectures["unused"][0]()
    result = mg.inspect(model, torch.randn(2, 4), graph=False)
    found = {f.evidence["module"]: f for f in result.findings if f.code == "unused_module"}
    assert set(found) == {"spare", "head"}  # head reported once, not per child
    assert found["head"].evidence["params"] == 4 * 2 + 2 + 2 * 2 + 2
    # MultiheadAttention uses out_proj's weights without calling it: not unused.
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.randn(1, 3, 8)
    assert "unused_module" not in codes(mg.inspect(mha, (x, x, x), graph=False))


def test_params_not_in_optimizer():
    model = clean_mlp()
    opt = torch.optim.SGD(model[0].parameters(), lr=0.1)
    result = mg.inspect(model, torch.randn(2, 8), optimizer=opt, graph=False)
    f = next(f for f in result.findings if f.code == "params_not_in_optimizer")
    assert str(f.severity) == "error"
    assert f.evidence["names"] == ["3.weight", "3.bias"]
    assert f.evidence["module"] == "3"


def test_frozen_and_shared_parameters(architectures):
    model = clean_mlp()
    model[0].requires_grad_(False)
    result = mg.inspect(model, torch.randn(2, 8), graph=False)
    frozen = next(f for f in result.findings if f.code == "frozen_parameters")
    assert frozen.evidence["names"] == ["0.weight", "0.bias"] and str(frozen.severity) == "info"
    assert result.trainable_params == result.total_params - (8 * 16 + 16)
    tied = mg.inspect(architectures["tied"][0](), torch.randint(0, 50, (2, 3)), graph=False)
    shared = next(f for f in tied.findings if f.code == "shared_parameters")
    assert shared.evidence["names"] == ["emb.weight", "out.weight"]


def test_missing_nonlinearity_sees_through_dropout_and_flatten_but_not_activations():
    stacked = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 2))
    f = next(f for f in mg.inspect(stacked, torch.randn(2, 4), graph=False).findings
             if f.code == "missing_nonlinearity")
    assert (f.evidence["previous"], f.evidence["module"]) == ("0", "2")
    convs = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Conv2d(4, 4, 3), nn.ReLU())
    assert "missing_nonlinearity" in codes(mg.inspect(convs, torch.randn(1, 3, 8, 8), graph=False))

    class Functional(nn.Module):  # the activation is a function call, not a module
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 8), nn.Linear(8, 2)

        def forward(self, x):
            return self.b(torch.tanh(self.a(x)).view(2, 8))

    assert "missing_nonlinearity" not in codes(mg.inspect(Functional(), torch.randn(2, 4), graph=False))
    conv_bn = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Conv2d(4, 4, 3))
    assert "missing_nonlinearity" not in codes(mg.inspect(conv_bn, torch.randn(1, 3, 8, 8), graph=False))


def test_double_softmax_needs_the_loss():
    model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=-1))
    x = torch.randn(2, 4)
    assert "double_softmax" not in codes(mg.inspect(model, x, graph=False))
    f = next(f for f in mg.inspect(model, x, loss_fn=nn.CrossEntropyLoss(), graph=False).findings
             if f.code == "double_softmax")
    assert f.evidence == {"module": "1", "loss": "CrossEntropyLoss"}
    log_model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=-1))
    assert "double_softmax" not in codes(mg.inspect(log_model, x, loss_fn=nn.NLLLoss(), graph=False))
    assert "double_softmax" in codes(mg.inspect(log_model, x, loss_fn=torch.nn.functional.cross_entropy, graph=False))


def test_high_dropout_init_scale_and_nan_parameters():
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.7), nn.Linear(64, 2))
    with torch.no_grad():
        model[0].weight.mul_(100.0)
        model[3].bias[0] = float("nan")
    result = mg.inspect(model, torch.randn(2, 64), graph=False)
    by_code = {f.code: f for f in result.findings}
    assert by_code["high_dropout"].evidence == {"module": "2", "p": 0.7}
    assert by_code["init_scale"].evidence["param"] == "0.weight"
    assert by_code["init_scale"].evidence["ratio"] > 10
    assert by_code["nan_parameters"].evidence["nan_count"] == 1
    assert result.findings[0].code == "nan_parameters"  # worst first


def test_parameter_statistics_include_the_expected_init_std():
    model = nn.Linear(100, 10)
    with torch.no_grad():
        model.weight.zero_()
        model.weight[0, :50] = 1.0
    stats = {p["name"]: p for p in mg.inspect(model).parameters}
    w = stats["weight"]
    assert w["shape"] == [10, 100] and w["zero_fraction"] == pytest.approx(0.95)
    assert w["expected_std"] == pytest.approx(0.1) and w["max"] == 1.0 and w["norm"] == pytest.approx(50 ** 0.5)
    assert stats["bias"]["expected_std"] is None
