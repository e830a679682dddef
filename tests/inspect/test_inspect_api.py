"""The Inspection result, the graph, bad input, sklearn and NumPy models, the figure, log_model."""

from __future__ import annotations

import json

import numpy as np
import pytest

import modelglass as mg

torch = pytest.importorskip("torch")
nn = torch.nn


def test_to_dict_has_stable_keys_and_is_json():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    d = mg.inspect(model, torch.randn(2, 3)).to_dict()
    json.dumps(d)
    for key in ("total_params", "trainable_params", "total_flops", "layers", "graph", "parameters", "findings"):
        assert key in d
    assert set(d["layers"][1]) >= {"name", "type", "input_shape", "output_shape", "params",
                                    "trainable_params", "flops"}
    assert d["graph"]["method"] == "fx"
    assert d["graph"]["edges"] == [["input_1", "_0"], ["_0", "_1"], ["_1", "_2"], ["_2", "output"]]


def test_graph_falls_back_to_export_then_call_order():
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 3), nn.Linear(3, 3)

        def forward(self, x):
            if x.sum() > 0:  # data-dependent control flow: fx cannot trace it
                return self.a(x)
            return self.b(x)

    x = torch.ones(1, 3)
    g = mg.inspect(Branchy(), x, graph=True).graph
    assert g["method"] in ("export", "calls") and "fx" in g["errors"]
    calls = mg.inspect(Branchy(), x, graph="calls").graph
    assert calls["method"] == "calls" and [n["id"] for n in calls["nodes"]] == ["a"]


def test_non_tensor_outputs_and_keyword_inputs():
    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(3, 4)

        def forward(self, x, scale=1.0):
            h = self.body(x) * scale
            return {"logits": h, "aux": (h.sum(-1), [h[:, :2]])}

    result = mg.inspect(Heads(), {"x": torch.randn(2, 3), "scale": 2.0}, graph=False)
    assert result.layers[0]["output_shape"] == [[2, 4], [2], [2, 2]]
    assert result.layers[0]["input_shape"] == [2, 3]


def test_a_failing_model_names_the_module_and_leaves_no_hooks():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(5, 1))
    model.train()
    with pytest.raises(mg.ModelglassError, match=r"module '2' \(Linear\) on input shapes \[2, 4\]"):
        mg.inspect(model, torch.randn(2, 3))
    for m in model.modules():
        assert not m._forward_hooks and not m._forward_pre_hooks and m.training
    assert all(p.grad is None for p in model.parameters())


def test_inspect_leaves_the_model_as_found():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2))
    model[3].requires_grad_(False)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(8, 3)
    rng = torch.get_rng_state()
    mg.inspect(model, x)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # BatchNorm stats untouched
    assert torch.equal(rng, torch.get_rng_state())
    assert model.training and not model[3].weight.requires_grad and model[0].weight.requires_grad
    assert all(p.grad is None for p in model.parameters())


def test_bad_arguments():
    with pytest.raises(mg.ModelglassError, match="nn.Module, a scikit-learn estimator"):
        mg.inspect(42)
    with pytest.raises(ValueError, match="graph"):
        mg.inspect(nn.Linear(2, 2), graph="dot")


def test_sklearn_pipeline_tree_with_learned_state():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 3)), rng.integers(0, 2, 60)
    with pytest.warns(Warning):  # ConvergenceWarning: max_iter=1 on purpose
        pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1)).fit(X, y)
    result = mg.inspect(pipe)
    names = [r["name"] for r in result.layers]
    assert names == ["", "standardscaler", "logisticregression"]
    lr = result.layers[2]
    assert lr["hyperparameters"]["max_iter"] == 1
    assert lr["learned"]["coef_"]["shape"] == [1, 3] and lr["learned"]["n_features_in_"] == 3
    assert result.total_params == 4
    assert ["standardscaler", "logisticregression"] in result.graph["edges"]
    assert [f.code for f in result.findings] == ["not_converged"]
    unfitted = mg.inspect(make_pipeline(StandardScaler(), LogisticRegression()))
    assert unfitted.total_params == 0 and not unfitted.layers[2]["fitted"]


def test_numpy_dict_of_arrays():
    result = mg.inspect({"theta": np.array([1.0, np.nan, 0.0]), "W": np.ones((2, 4))})
    stats = {p["name"]: p for p in result.parameters}
    assert stats["theta"]["nan_count"] == 1 and stats["W"]["expected_std"] == pytest.approx(0.5)
    assert result.total_params == 11
    assert [f.code for f in result.findings] == ["nan_parameters"]


def test_figure_data_sums_parameters_by_module():
    from modelglass.viz._inspect import compute_param_tree, draw_param_tree

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            return self.head(self.enc(x))

    result = mg.inspect(Net())
    tree = compute_param_tree(result.to_dict())
    totals = dict(zip(tree.ids, tree.totals))
    parents = dict(zip(tree.ids, tree.parents))
    assert totals == {"<root>": 26, "enc": 16, "enc.0": 16, "enc.1": 0, "head": 10}
    assert parents["enc.0"] == "enc" and parents["head"] == "<root>" and parents["<root>"] == ""
    fig = result.figure(kind="treemap")
    assert fig.data[0].type == "treemap" and list(fig.data[0].values) == list(tree.totals)
    with pytest.raises(ValueError):
        draw_param_tree(tree, kind="pie")


def test_table_text_lists_layers_and_totals():
    text = mg.inspect(nn.Sequential(nn.Linear(3, 4), nn.ReLU()), torch.randn(2, 3)).to_text(width=100)
    assert "Linear" in text and "[2, 4]" in text and "total params 16" in text


def test_log_model_stores_the_inspection(tmp_path):
    with mg.init("t", store=tmp_path / "s") as run:
        run.log_model(nn.Linear(3, 2), torch.randn(1, 3))
    reader = mg.open_store(tmp_path / "s")
    stored = reader.artifact(reader.runs()[0].id, "model")
    assert stored["total_params"] == 8 and stored["layers"][0]["output_shape"] == [1, 2]
