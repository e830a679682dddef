"""Shapes and parameter counts agree with torchinfo's summary wherever torchinfo is right."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torchinfo = pytest.importorskip("torchinfo")

import modelglass as mg  # noqa: E402

ARCH_NAMES = ["cnn", "lstm", "mlp", "tied", "transformer", "unused"]


def _first(shape):
    """torchinfo reports the first tensor of a tuple output (an LSTM's ``out``)."""
    return shape[0] if shape and isinstance(shape[0], list) else shape


def _torchinfo_rows(model, x):
    s = torchinfo.summary(model, input_data=x, verbose=0, depth=10)
    return s, [row for row in s.summary_list if row.is_leaf_layer and row.executed]


@pytest.mark.parametrize("arch", ARCH_NAMES)
def test_leaf_shapes_and_counts_match_torchinfo(arch, architectures):
    build, make_input = architectures[arch]
    torch.manual_seed(0)
    model, x = build(), make_input()
    result = mg.inspect(model, x, graph=False)
    summary, ti_rows = _torchinfo_rows(model, x)
    by_call = [r for r in result.layers if r["type"] != type(model).__name__ or r["name"]]
    leaves = {r["name"].rpartition(".")[2] + "/" + r["type"]: r for r in by_call}
    assert ti_rows, "torchinfo saw no leaf layers"
    for ti in ti_rows:
        row = leaves[f"{ti.var_name}/{ti.class_name}"]
        assert row["output_shape"] is not None
        assert _first(row["output_shape"]) == ti.output_size, ti.var_name
        if ti.input_size:  # torchinfo leaves it empty for keyword-only calls
            assert _first(row["input_shape"]) == ti.input_size, ti.var_name
        assert row["params"] == ti.num_params, ti.var_name
        assert row["trainable_params"] == ti.trainable_params, ti.var_name
    assert result.to_dict()["layers"][0]["output_shape"] == summary.summary_list[0].output_size
    if arch == "tied":
        # torchinfo counts the tied matrix once per module that holds it; model.parameters() once.
        assert result.total_params == sum(p.numel() for p in model.parameters())
        assert summary.total_params == result.total_params + model.emb.weight.numel()
        assert any("torchinfo" in n for n in result.notes)
    else:
        assert result.total_params == summary.total_params
        assert result.trainable_params == summary.trainable_params


def test_flops_count_attention_and_functional_ops(architectures):
    torch.manual_seed(0)
    model = architectures["transformer"][0]()
    result = mg.inspect(model, torch.randn(2, 7, 16), graph=False)
    attn = [r for r in result.layers if r["type"] == "MultiheadAttention"]
    linear1 = [r for r in result.layers if r["name"].endswith("linear1")][0]
    # Q/K/V and output projections: 4 * 2*B*T*E*E; scores and weighted sum: 2 * 2*B*T*T*E.
    b, t, e = 2, 7, 16
    assert attn[0]["flops"] == 4 * 2 * b * t * e * e + 2 * 2 * b * t * t * e
    assert linear1["flops"] == 2 * b * t * 16 * 32
    assert result.total_flops == sum(r["flops"] for r in result.layers if r["depth"] == 1)


def test_lstm_flops_are_estimated_where_the_counter_sees_none(architectures):
    model = architectures["lstm"][0]()
    result = mg.inspect(model, torch.randn(2, 5, 8), graph=False)
    lstm = next(r for r in result.layers if r["type"] == "LSTM")
    assert lstm["flops"] == 2 * 4 * 16 * (8 + 16) * 2 * 5
