"""A diverging run: tensors with Inf and finite values near the float32 limit still get histograms."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import modelglass as mg  # noqa: E402
from modelglass.probes.torch._tensors import histograms  # noqa: E402


def test_histogram_of_inf_and_huge_finite_values():
    x = torch.tensor([float("inf"), -3e38, 3e38, 0.0, float("nan")], dtype=torch.float32)
    (h,) = histograms([x], 8)
    assert (h.count, h.nan_count, h.inf_count) == (3, 1, 1)
    assert int(h.counts.sum()) == 3 and h.counts[0] == 1 and h.counts[-1] == 1
    assert h.min == pytest.approx(-3e38, rel=1e-6) and h.max == pytest.approx(3e38, rel=1e-6)


def test_watch_records_a_weight_that_blew_up_without_crashing_training(tmp_path):
    model = torch.nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[float("inf"), -3e38, 3e38]]))
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    with mg.init("w", store=tmp_path / "s") as run:
        run.watch(model, optimizer=opt, every=1, on_error="ignore")
        model(torch.ones(2, 3)).sum().backward()
        opt.step()
    reader = mg.open_store(tmp_path / "s")
    h = reader.histograms(reader.runs()[0].id, "weights/weight").histograms[0]
    assert (h.count, h.inf_count) == (2, 1)
