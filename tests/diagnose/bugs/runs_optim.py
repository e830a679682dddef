"""Optimizer bugs: the learning rate far off, zero_grad forgotten, parameters the optimizer never sees."""

from __future__ import annotations

import torch
from torch import nn

from . import bug
from ._data import digits, waves
from ._loop import fit, tensors
from ._models import CNN, RNN, Encoder, mlp, rows

CLS10 = {"num_classes": 10}


# -- lr_too_high ---------------------------------------------------------------------
@bug("mlp_adam_lr_0.1", "lr_too_high", "MLP",
     note="64-128-128-10 ReLU MLP, Adam with lr=0.1 (100x the default): the issue's first trial")
def mlp_adam_lr_high(seed: int, store: str) -> str:
    m = mlp([64, 128, 128, 10], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=0.1)
    return fit(store, "mlp_adam_lr_0.1", m, opt, tensors(digits()), epochs=4, seed=seed, config=CLS10)


@bug("cnn_sgd_lr_2", "lr_too_high", "CNN", alternates=("numerical_instability",),
     note="CNN, SGD with momentum 0.9 and lr=2 (a learning rate copied from a batch-norm ResNet)")
def cnn_sgd_lr_high(seed: int, store: str) -> str:
    m = CNN(seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=2.0, momentum=0.9)
    return fit(store, "cnn_sgd_lr_2", m, opt, tensors(digits()), epochs=3, seed=seed, config=CLS10)


@bug("encoder_adam_lr_0.1", "lr_too_high", "transformer",
     note="a one-layer transformer encoder on digit rows, Adam lr=0.1 without warm-up")
def encoder_lr_high(seed: int, store: str) -> str:
    m = Encoder(8, 10, tokens=8, seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=0.1)
    return fit(store, "encoder_adam_lr_0.1", m, opt, tensors(digits()), epochs=3, seed=seed,
               inputs=rows, config=CLS10)


# -- lr_too_low ----------------------------------------------------------------------
@bug("mlp_sgd_lr_1e-5", "lr_too_low", "MLP", alternates=("not_enough_capacity",),
     note="MLP, plain SGD with lr=1e-5 (an Adam-sized rate given to SGD, then divided again)")
def mlp_sgd_lr_low(seed: int, store: str) -> str:
    m = mlp([64, 128, 64, 10], seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=1e-5)
    return fit(store, "mlp_sgd_lr_1e-5", m, opt, tensors(digits()), epochs=4, seed=seed, config=CLS10)


@bug("gru_adam_lr_1e-6", "lr_too_low", "LSTM/GRU", alternates=("not_enough_capacity",),
     note="GRU over digit rows, Adam with lr=1e-6 (a typo: 1e-6 for 1e-3)")
def gru_lr_low(seed: int, store: str) -> str:
    m = RNN(8, 10, cell="gru", seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-6)
    return fit(store, "gru_adam_lr_1e-6", m, opt, tensors(digits()), epochs=3, seed=seed,
               inputs=rows, config=CLS10)


# -- missing_zero_grad ---------------------------------------------------------------
@bug("mlp_adam_no_zero_grad", "missing_zero_grad", "MLP", alternates=("lr_too_high",),
     note="64-128-128-10 ReLU MLP with Adam, optimizer.zero_grad() forgotten: the issue's second trial")
def mlp_no_zero_grad(seed: int, store: str) -> str:
    m = mlp([64, 128, 128, 10], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_adam_no_zero_grad", m, opt, tensors(digits()), epochs=4, seed=seed,
               zero_grad="never", config=CLS10)


@bug("cnn_sgd_no_zero_grad", "missing_zero_grad", "CNN", alternates=("lr_too_high",),
     note="CNN, SGD momentum 0.9, zero_grad() forgotten")
def cnn_no_zero_grad(seed: int, store: str) -> str:
    m = CNN(seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    return fit(store, "cnn_sgd_no_zero_grad", m, opt, tensors(digits()), epochs=3, seed=seed,
               zero_grad="never", config=CLS10)


@bug("lstm_regression_no_zero_grad", "missing_zero_grad", "LSTM/GRU", alternates=("lr_too_high",),
     note="the healthy LSTM regression of a sine's frequency (Adam 3e-3) with zero_grad() forgotten: "
          "validation loss stays at the mean's instead of 0.1")
def lstm_no_zero_grad(seed: int, store: str) -> str:
    m = RNN(1, 1, cell="lstm", seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "lstm_regression_no_zero_grad", m, opt, tensors(waves(), regression=True),
               epochs=6, batch=32, seed=seed, zero_grad="never", criterion=_SqueezedMSE(),
               config={"task": "regression"})


class _SqueezedMSE(nn.Module):
    """MSE of a (N, 1) prediction against (N,) targets, shapes matched (correct)."""

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nn.functional.mse_loss(out.squeeze(1), target)


# -- parameters_not_training ---------------------------------------------------------
@bug("mlp_layer_left_out_of_optimizer", "parameters_not_training", "MLP",
     note="the optimizer built from the first and last layers only: the middle layer never moves")
def mlp_left_out(seed: int, store: str) -> str:
    m = mlp([64, 128, 64, 10], seed=seed)
    opt = torch.optim.Adam(list(m[0].parameters()) + list(m[4].parameters()), lr=1e-3)
    return fit(store, "mlp_layer_left_out_of_optimizer", m, opt, tensors(digits()), epochs=4,
               seed=seed, config=CLS10)


@bug("cnn_head_replaced_after_optimizer", "parameters_not_training", "CNN",
     note="the head swapped for a new nn.Linear after the optimizer was built: the optimizer updates the old one")
def cnn_head_replaced(seed: int, store: str) -> str:
    m = CNN(seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    m.head = nn.Linear(16 * 4 * 4, 10)  # "re-initialise the classifier" after creating the optimizer
    return fit(store, "cnn_head_replaced_after_optimizer", m, opt, tensors(digits()), epochs=3,
               seed=seed, config=CLS10)


@bug("cnn_features_detached", "parameters_not_training", "CNN",
     note="features .detach()-ed before the head (copied from a feature-extraction snippet): the conv body gets no gradient")
def cnn_detached(seed: int, store: str) -> str:
    m = CNN(detach_features=True, seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "cnn_features_detached", m, opt, tensors(digits()), epochs=3, seed=seed,
               config=CLS10)
