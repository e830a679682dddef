"""PyTorch scenarios with one planted fault each."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ._common import diabetes, digits, scenario
from ._scenarios_torch import _tensors, adam, mlp, train


@scenario("t_high_lr", "torch", "loss_divergence", "SGD with lr=5 on a LeakyReLU MLP")
def t_high_lr(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 128, 64, 10], act=nn.LeakyReLU, seed=seed)
    return train(store, "t_high_lr", m, torch.optim.SGD(m.parameters(), lr=5.0), 3, seed=seed)


def _log_softmax_naive(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return -torch.log(torch.softmax(out, dim=1)).gather(1, t[:, None]).mean()


@scenario("t_log0", "torch", "nan_inf", "log(softmax(x)) by hand: log(0) = -inf")
def t_log0(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 128, 10], seed=seed)
    return train(store, "t_log0", m, torch.optim.SGD(m.parameters(), lr=2.0), 3,
                 loss_fn=_log_softmax_naive, seed=seed)


@scenario("t_deep_sigmoid", "torch", "vanishing_gradients", "ten sigmoid layers")
def t_deep_sigmoid(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64] + [32] * 10 + [10], act=nn.Sigmoid, seed=seed)
    return train(store, "t_deep_sigmoid", m, torch.optim.SGD(m.parameters(), lr=0.1), 3, seed=seed)


@scenario("t_dead_relu", "torch", "dead_units", "hidden biases initialised at -4")
def t_dead_relu(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 64, 64, 10], seed=seed)
    for layer in (m[0], m[2]):
        nn.init.constant_(layer.bias, -4.0)
    return train(store, "t_dead_relu", m, adam(m), 4, seed=seed)


@scenario("t_tanh_huge_init", "torch", "saturated_activations", "tanh MLP, weights 30x too large")
def t_tanh_huge_init(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 64, 64, 10], act=nn.Tanh, seed=seed)
    with torch.no_grad():
        for layer in (m[0], m[2]):
            layer.weight.mul_(30.0)
    return train(store, "t_tanh_huge_init", m, torch.optim.SGD(m.parameters(), lr=0.01), 4, seed=seed)


@scenario("t_left_out", "torch", "unchanged_parameters", "the middle layer is not in the optimizer")
def t_left_out(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 64, 64, 10], seed=seed)
    params = list(m[0].parameters()) + list(m[4].parameters())
    return train(store, "t_left_out", m, torch.optim.Adam(params, lr=1e-3), 4, seed=seed)


@scenario("t_shuffled_labels", "torch", "underfitting", "labels shuffled: nothing to learn")
def t_shuffled_labels(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    X, y, Xv, yv = _tensors(digits())
    y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(4 + seed))]
    m = mlp([64, 32, 10], seed=seed)
    return train(store, "t_shuffled_labels", m, adam(m), 4, data=[X, y, Xv, yv], seed=seed)


@scenario("t_overfit", "torch", "overfitting", "60 training rows, a 512-wide MLP, 120 epochs")
def t_overfit(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 512, 512, 10], seed=seed)
    return train(store, "t_overfit", m, adam(m), 120, batch=60, n_train=60, every=5, seed=seed)


@scenario("t_adam_1e7", "torch", "loss_plateau", "Adam with lr=1e-7")
def t_adam_1e7(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 128, 64, 10], seed=seed)
    return train(store, "t_adam_1e7", m, adam(m, 1e-7), 4, seed=seed)


@scenario("t_sgd_lr_tiny", "torch", "update_ratio_low", "SGD with lr=1e-6")
def t_sgd_lr_tiny(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 128, 64, 10], seed=seed)
    return train(store, "t_sgd_lr_tiny", m, torch.optim.SGD(m.parameters(), lr=1e-6), 4, seed=seed)


@scenario("t_adamw_high", "torch", "update_ratio_high", "AdamW with lr=0.3 and weight_decay=1.0")
def t_adamw_high(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 128, 64, 10], act=nn.LeakyReLU, seed=seed)
    opt = torch.optim.AdamW(m.parameters(), lr=0.3, weight_decay=1.0)
    return train(store, "t_adamw_high", m, opt, 4, seed=seed)


@scenario("t_bad_init", "torch", "bad_initial_loss", "last layer initialised 50x too large")
def t_bad_init(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    m = mlp([64, 64, 10], seed=seed)
    with torch.no_grad():
        m[2].weight.mul_(50.0)
    return train(store, "t_bad_init", m, adam(m), 3, seed=seed)


@scenario("t_exploding", "torch", "exploding_gradients", "deep regression MLP, SGD lr=0.3 momentum 0.9")
def t_exploding(store: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    data = _tensors(diabetes(), regression=True)
    m = mlp([10, 64, 64, 64, 1], seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.3, momentum=0.9)
    return train(store, "t_exploding", m, opt, 10, data=data, loss_fn=_mse, baseline_loss=1.0, seed=seed)


def _mse(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return nn.functional.mse_loss(out.squeeze(1), t)
