"""PyTorch scenarios (CPU, about a second each) on load_digits and load_diabetes."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from ._common import diabetes, digits, new_run, scenario
from ._recorder import Recorder

try:  # the real probe once it is there; MODELGLASS_SUITE_RECORDER=1 forces the stand-in
    import os

    from modelglass.probes.torch import watch as _watch  # noqa: F401

    USE_WATCH = os.environ.get("MODELGLASS_SUITE_RECORDER") != "1"
except ImportError:  # pragma: no cover
    USE_WATCH = False


def _tensors(data: tuple[np.ndarray, ...], regression: bool = False) -> list[torch.Tensor]:
    X, y, Xv, yv = data
    conv = (lambda a: torch.tensor(a, dtype=torch.float32)) if regression else torch.tensor
    return [torch.tensor(X), conv(y), torch.tensor(Xv), conv(yv)]


def train(
    store: str,
    name: str,
    model: nn.Module,
    opt: torch.optim.Optimizer,
    epochs: int,
    batch: int = 32,
    data: list[torch.Tensor] | None = None,
    loss_fn: Callable[..., torch.Tensor] | None = None,
    seed: int = 0,
    every: int = 10,
    n_train: int | None = None,
    sched: Any = None,
    **config: Any,
) -> tuple[str, dict[str, Any]]:
    """Train with minibatches, log ``loss`` each step and ``val/loss`` each epoch."""
    X, y, Xv, yv = data if data is not None else _tensors(digits())
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    loss_fn = loss_fn or nn.functional.cross_entropy
    run = new_run(store, name, **config)
    rec = _recorder(run, model, opt, every)
    g = torch.Generator().manual_seed(seed)
    stop = False
    step = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the live diagnosis warns on planted faults
        for _ in range(epochs):
            model.train()
            for idx in torch.randperm(len(X), generator=g).split(batch):
                loss = loss_fn(model(X[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                run.log({"loss": loss.item()}, step=step)
                rec.optimizer_step() if isinstance(rec, Recorder) else opt.step()
                step += 1
                if sched is not None:
                    sched.step()
                if not torch.isfinite(loss):
                    stop = True
                    break
            model.eval()
            with torch.no_grad():
                run.log({"val/loss": loss_fn(model(Xv), yv).item()}, step=step - 1)
            if stop:
                break
    if isinstance(rec, Recorder):
        rec.close()
    run.finish()
    return run.id, {}


def _recorder(run: Any, model: nn.Module, opt: torch.optim.Optimizer, every: int) -> Any:
    """``run.watch`` from the probes; the suite's own stand-in when they are not installed."""
    if USE_WATCH:
        return run.watch(model, opt, every=every)
    return Recorder(run, model, opt, every)


def mlp(sizes: list[int], act: type[nn.Module] = nn.ReLU, seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(a, b), act()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def adam(model: nn.Module, lr: float = 1e-3, **kw: Any) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=lr, **kw)


# -- healthy -----------------------------------------------------------------------
@scenario("t_mlp_digits", "torch", None, "well-tuned MLP on digits")
def t_mlp_digits(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 128, 64, 10], seed=seed)
    return train(store, "t_mlp_digits", m, adam(m), 8, seed=seed)


class _CNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                                  nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(16 * 16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x.view(-1, 1, 8, 8)).flatten(1))


@scenario("t_cnn_digits", "torch", None, "small CNN on digits")
def t_cnn_digits(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    torch.manual_seed(seed)
    m = _CNN()
    return train(store, "t_cnn_digits", m, adam(m, 2e-3), 6, seed=seed)


@scenario("t_diabetes_mlp", "torch", None, "regression MLP on diabetes")
def t_diabetes_mlp(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([10, 32, 1], seed=seed)
    data = _tensors(diabetes(), regression=True)
    mse = lambda out, t: nn.functional.mse_loss(out.squeeze(1), t)  # noqa: E731
    return train(store, "t_diabetes_mlp", m, adam(m, 3e-3, weight_decay=1e-3), 40, data=data,
                 loss_fn=mse, baseline_loss=1.0, seed=seed)


@scenario("t_small_batch", "torch", None, "noisy but fine: batches of 4 with SGD")
def t_small_batch(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 64, 10], seed=seed)
    return train(store, "t_small_batch", m, torch.optim.SGD(m.parameters(), lr=0.02), 3, batch=4, every=25, seed=seed)


@scenario("t_converged_jitter", "torch", None, "converged; the minibatch loss keeps jittering")
def t_converged_jitter(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 64, 10], seed=seed)
    return train(store, "t_converged_jitter", m, torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9),
                 20, batch=16, every=25, seed=seed)


@scenario("t_frozen_backbone", "torch", None, "fine-tuning: frozen backbone, new head")
def t_frozen_backbone(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    X, y, _, _ = _tensors(digits())
    m = mlp([64, 128, 64, 10], seed=seed)
    opt = adam(m)
    for idx in torch.randperm(len(X), generator=torch.Generator().manual_seed(1 + seed)).split(32):
        opt.zero_grad()
        nn.functional.cross_entropy(m(X[idx]), y[idx]).backward()
        opt.step()
    for p in m[:4].parameters():
        p.requires_grad_(False)
    m[4].reset_parameters()
    return train(store, "t_frozen_backbone", m, adam(m[4]), 4, seed=seed)


@scenario("t_val_gap", "torch", None, "validation loss steadily above the training loss")
def t_val_gap(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    X, y, Xv, yv = _tensors(digits())
    Xv = Xv + 0.8 * torch.randn(Xv.shape, generator=torch.Generator().manual_seed(2 + seed))
    m = mlp([64, 64, 10], seed=seed)
    return train(store, "t_val_gap", m, adam(m, 1e-3, weight_decay=1e-3), 6, data=[X, y, Xv, yv], seed=seed)


@scenario("t_tanh_xavier", "torch", None, "tanh MLP with Xavier initialisation")
def t_tanh_xavier(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 64, 64, 10], act=nn.Tanh, seed=seed)
    for layer in m:
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return train(store, "t_tanh_xavier", m, adam(m), 6, seed=seed)


@scenario("t_cosine_to_zero", "torch", None, "SGD+momentum, cosine schedule down to zero")
def t_cosine_to_zero(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 64, 10], seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=38 * 6)
    return train(store, "t_cosine_to_zero", m, opt, 6, sched=sched, seed=seed)


@scenario("t_deep_relu", "torch", None, "eight ReLU layers with He initialisation")
def t_deep_relu(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64] + [48] * 7 + [10], seed=seed)
    for layer in m:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
    return train(store, "t_deep_relu", m, adam(m), 5, seed=seed)


@scenario("t_sigmoid_output", "torch", None, "binary classifier ending in a sigmoid (confident outputs)")
def t_sigmoid_output(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    X, y, Xv, yv = _tensors(digits())
    data = [X, (y >= 5).float().unsqueeze(1), Xv, (yv >= 5).float().unsqueeze(1)]
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1), nn.Sigmoid())
    return train(store, "t_sigmoid_output", m, adam(m), 8, data=data,
                 loss_fn=nn.functional.binary_cross_entropy, seed=seed)


@scenario("t_warmup_momentum", "torch", None, "SGD+momentum with a linear warm-up")
def t_warmup_momentum(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 96, 10], seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 50))
    return train(store, "t_warmup_momentum", m, opt, 5, sched=sched, seed=seed)


@scenario("t_bn_dropout", "torch", None, "MLP with BatchNorm and dropout")
def t_bn_dropout(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3),
                      nn.Linear(128, 10))
    return train(store, "t_bn_dropout", m, adam(m), 5, seed=seed)


@scenario("t_noisy_labels", "torch", None, "20% of the labels wrong: the loss stays high but falls")
def t_noisy_labels(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    X, y, Xv, yv = _tensors(digits())
    g = torch.Generator().manual_seed(6 + seed)
    flip = torch.rand(len(y), generator=g) < 0.2
    y = torch.where(flip, torch.randint(0, 10, y.shape, generator=g), y)
    m = mlp([64, 64, 10], seed=seed)
    return train(store, "t_noisy_labels", m, adam(m), 5, data=[X, y, Xv, yv], seed=seed)
