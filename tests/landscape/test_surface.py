"""mg.landscape: filter-normalised planes, PCA trajectories, the seed's exact surface."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError
from modelglass.landscape._directions import random_directions
from modelglass.viz._landscape import landscape_view

mse = torch.nn.functional.mse_loss


def _data(n: int = 200):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 5, generator=g)
    return X, (X[:, :1] * 2 - X[:, 1:2] ** 2)


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(),
                               torch.nn.Linear(16, 1))


def _naive(model, d1, d2, a, b, X, y):
    m = copy.deepcopy(model)
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.add_(a * d1[name] + b * d2[name])
        return float(mse(m(X), y))


def test_centre_equals_model_loss_and_points_match_a_naive_copy() -> None:
    X, y = _data()
    model = _mlp()
    r = mg.landscape(model, mse, (X, y), steps=9, span=0.5)
    assert r.method == "mlp" and r.directions == "filter" and r.losses.shape == (9, 9)
    assert r.losses[4, 4] == pytest.approx(r.center_loss, rel=1e-5)
    assert r.center_loss == pytest.approx(float(mse(model(X), y).detach()), rel=1e-6)
    d1, d2 = random_directions(torch, {n: p.detach() for n, p in model.named_parameters()}, 2, "filter", True, 0)
    for i, j in [(0, 0), (2, 7), (8, 3)]:
        assert r.losses[i, j] == pytest.approx(_naive(model, d1, d2, r.x[j], r.y[i], X, y), rel=1e-4)


class Residual(torch.nn.Module):
    """Not a plain Sequential: evaluated with functional_call under vmap."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.a = torch.nn.Linear(5, 8)
        self.b = torch.nn.Linear(8, 5)
        self.head = torch.nn.Linear(5, 1)

    def forward(self, x):
        return self.head(x + self.b(torch.tanh(self.a(x))))


@pytest.mark.parametrize("batch_points", [None, 1, 7])
def test_every_evaluation_path_gives_the_same_surface(batch_points) -> None:
    X, y = _data()
    model = _mlp()
    fast = mg.landscape(model, mse, (X, y), steps=7, batch_points=batch_points)
    traced = mg.landscape(model, mse, (X, y), steps=7, batch_points=batch_points, method="vmap")
    looped = mg.landscape(model, mse, (X, y), steps=7, method="loop")
    assert (fast.method, traced.method, looped.method) == ("mlp", "vmap", "loop")
    np.testing.assert_allclose(fast.losses, traced.losses, rtol=1e-4)
    np.testing.assert_allclose(fast.losses, looped.losses, rtol=1e-4)
    res = mg.landscape(Residual(), mse, (X, y), steps=5)
    assert res.method == "vmap" and res.losses[2, 2] == pytest.approx(res.center_loss, rel=1e-5)


def test_filter_normalisation_and_zeroed_biases() -> None:
    model = _mlp()
    params = {n: p.detach() for n, p in model.named_parameters()}
    [d] = random_directions(torch, params, 1, "filter", True, seed=3)
    w = params["2.weight"]
    assert torch.allclose(d["2.weight"].norm(dim=1), w.norm(dim=1), rtol=1e-5)
    assert torch.count_nonzero(d["2.bias"]) == 0
    [d_keep] = random_directions(torch, params, 1, "filter", False, seed=3)
    assert torch.count_nonzero(d_keep["2.bias"]) > 0


def test_model_is_left_as_it_was_and_batches_agree_with_one_pair() -> None:
    X, y = _data()
    model = _mlp()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    whole = mg.landscape(model, mse, (X, y), kind="1d", steps=7, batch_points=3)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64)
    batched = mg.landscape(model, mse, loader, kind="1d", steps=7)
    assert model.training
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    assert whole.losses.shape == (7,) and whole.y is None
    np.testing.assert_allclose(whole.losses, batched.losses, rtol=1e-5)
    assert whole.losses[3] == pytest.approx(whole.center_loss, rel=1e-5)


class Branchy(torch.nn.Module):
    """Data-dependent control flow: vmap cannot trace it, the loop fallback must."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = torch.nn.Linear(5, 1)

    def forward(self, x):
        out = self.lin(x)
        return out * 2 if out.sum().item() > 1e9 else out


def test_falls_back_to_a_loop_when_vmap_cannot_trace() -> None:
    X, y = _data(50)
    r = mg.landscape(Branchy(), mse, (X, y), steps=5)
    assert r.method == "loop"
    assert r.losses[2, 2] == pytest.approx(r.center_loss, rel=1e-5)


def test_trajectory_by_pca() -> None:
    X, y = _data()
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    ckpts = []
    for step in range(40):
        if step % 4 == 0:
            ckpts.append({k: v.detach().clone() for k, v in model.named_parameters()})
        opt.zero_grad()
        mse(model(X), y).backward()
        opt.step()
    r = mg.landscape(model, mse, (X, y), steps=11, trajectory=ckpts)
    assert r.directions == "pca" and r.x_label == "PC1"
    assert r.trajectory.shape == (10, 2) and len(r.trajectory_losses) == 10
    assert 0.5 < sum(r.explained_variance) <= 1.0 + 1e-9
    assert r.explained_variance[0] >= r.explained_variance[1]
    # The grid covers the path and the centre (0, 0) is a grid point with the model's loss.
    assert r.x.min() <= r.trajectory[:, 0].min() and r.x.max() >= r.trajectory[:, 0].max()
    i, j = int(np.where(r.y == 0.0)[0][0]), int(np.where(r.x == 0.0)[0][0])
    assert r.losses[i, j] == pytest.approx(r.center_loss, rel=1e-5)
    # Training went downhill: the start of the path is higher than its end.
    assert r.trajectory_losses[0] > r.trajectory_losses[-1]
    fig = r.figure()
    assert [t.name for t in fig.data[1:]] == ["trajectory", "model"]


def test_seed_exact_surface_with_the_gradient_descent_path() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2, 100)
    y = 2 * x + 3 + rng.normal(0, 0.5, 100)
    X = np.column_stack([np.ones(100), x])
    J = lambda th: float(np.mean((X @ th - y) ** 2))  # noqa: E731
    theta, path = np.zeros(2), [np.zeros(2)]
    for _ in range(200):
        theta = theta - 0.1 * X.T @ (X @ theta - y) / 100
        path.append(theta.copy())
    r = mg.landscape(theta, J, steps=31, trajectory=np.array(path))
    assert r.kind == "exact" and r.method == "numpy" and (r.x_label, r.y_label) == ("theta_0", "theta_1")
    assert r.losses[5, 7] == pytest.approx(J(np.array([r.x[7], r.y[5]])))
    assert r.center_loss == pytest.approx(J(theta))
    assert r.trajectory_losses[0] == pytest.approx(J(np.zeros(2)))
    assert r.x.min() <= 0.0 <= r.x.max()  # the path's start is on the grid
    opt = np.linalg.lstsq(X, y, rcond=None)[0]
    i, j = np.unravel_index(np.argmin(r.losses), r.losses.shape)
    assert abs(r.x[j] - opt[0]) < 2 * (r.x[1] - r.x[0]) and abs(r.y[i] - opt[1]) < 2 * (r.y[1] - r.y[0])
    view = landscape_view(r)
    assert view.log_scale  # J spans decades between the start and the optimum
    assert np.allclose(10 ** view.z, r.losses)
    fig = r.figure("surface")
    assert fig.data[0].type == "surface"


def test_not_at_minimum_finding() -> None:
    J = lambda th: float((th[0] - 1.0) ** 2 + (th[1] - 1.0) ** 2)  # noqa: E731
    r = mg.landscape(np.array([0.0, 0.0]), J, steps=21, span=2.0)
    f = next(f for f in r.findings if f.code == "landscape_not_at_minimum")
    assert f.evidence["center_loss"] == pytest.approx(2.0) and f.evidence["lowest_loss"] < 0.05


def test_bad_input() -> None:
    X, y = _data(20)
    model = _mlp()
    with pytest.raises(BadInputError, match="shape"):
        mg.landscape(model, mse, (X[:, :3], y))
    with pytest.raises(BadInputError, match="steps"):
        mg.landscape(model, mse, (X, y), steps=2)
    with pytest.raises(BadInputError, match="kind"):
        mg.landscape(model, mse, (X, y), kind="3d")
    with pytest.raises(BadInputError, match="needs data"):
        mg.landscape(model, mse)
    with pytest.raises(BadTypeError, match="nn.Module"):
        mg.landscape("model", mse, (X, y))
    with pytest.raises(BadInputError, match="directions"):
        mg.landscape(model, mse, (X, y), directions="pca-ish")


def test_package_is_callable() -> None:
    import modelglass.landscape as pkg

    r = pkg(np.array([1.0, 2.0]), lambda th: float(th @ th), steps=5)
    assert r.kind == "exact" and r.center == (1.0, 2.0) and r.center_loss == 5.0
    # Row i is theta_1 = y[i], column j is theta_0 = x[j]: the loss is x^2 + y^2 everywhere.
    np.testing.assert_allclose(r.losses, r.x[None, :] ** 2 + r.y[:, None] ** 2)


def test_trajectory_from_a_run_series_and_checkpoints(store_dir) -> None:
    from modelglass.landscape import run_trajectory

    X, y = _data(100)
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    with mg.init(project="traj", store=store_dir) as run:
        for step in range(6):
            run.log({"theta_0": float(step), "theta_1": 2.0 * step}, step=step)
            run.log_artifact(f"checkpoint/{step}", {k: v.detach().numpy() for k, v in model.named_parameters()})
            opt.zero_grad()
            mse(model(X), y).backward()
            opt.step()
    with mg.open_store(store_dir) as reader:
        path = run_trajectory(reader, run.id, tags=("theta_0", "theta_1"))
        np.testing.assert_allclose(path, [[s, 2.0 * s] for s in range(6)])
        ckpts = run_trajectory(reader, run.id)
    assert len(ckpts) == 6 and set(ckpts[0]) == {n for n, _ in model.named_parameters()}
    r = mg.landscape(model, mse, (X, y), steps=7, trajectory=ckpts)
    assert r.directions == "pca" and r.trajectory.shape == (6, 2)
    # Gradient descent walks downhill toward the final model at the centre of the plane.
    dist = np.linalg.norm(r.trajectory, axis=1)
    assert dist[-1] < dist[0] and r.trajectory_losses[-1] < r.trajectory_losses[0]
    assert r.x.min() <= r.trajectory[:, 0].min() and r.trajectory[:, 0].max() <= r.x.max()
    assert 0 < sum(r.explained_variance) <= 1 + 1e-9
