"""Model bugs: bad initial weights, deep saturating stacks, too little capacity, overfitting, eval() forgotten."""

from __future__ import annotations

import torch
from torch import nn

from . import bug
from ._data import circles, digits, waves
from ._loop import fit, tensors
from ._models import CNN, Encoder, RNN, mlp, rows

CLS10 = {"num_classes": 10}


# -- bad_initialization ---------------------------------------------------------------
@bug("mlp_weights_times_100", "bad_initialization", "MLP", alternates=("lr_too_high", "numerical_instability"),
     note="a custom init that scales every weight by 100: std ~7 instead of ~0.07 on 64 inputs")
def mlp_huge_init(seed: int, store: str) -> str:
    m = mlp([64, 128, 64, 10], seed=seed)
    with torch.no_grad():
        for layer in m:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(100.0)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_weights_times_100", m, opt, tensors(digits()), epochs=4, seed=seed, config=CLS10)


@bug("mlp_all_zero_init", "bad_initialization", "MLP", alternates=("parameters_not_training",),
     note="every weight and bias set to zero (nn.init.zeros_ on each layer): hidden units stay identical and silent")
def mlp_zero_init(seed: int, store: str) -> str:
    m = mlp([64, 64, 64, 10], seed=seed)
    for layer in m:
        if isinstance(layer, nn.Linear):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    return fit(store, "mlp_all_zero_init", m, opt, tensors(digits()), epochs=4, seed=seed, config=CLS10)


@bug("cnn_negative_bias_init", "bad_initialization", "CNN", alternates=("parameters_not_training",),
     note="conv biases initialised to -3 (copied from a sigmoid-gate recipe): every ReLU dead from step 0")
def cnn_dead_init(seed: int, store: str) -> str:
    m = CNN(seed=seed)
    for layer in m.body:
        if isinstance(layer, nn.Conv2d):
            nn.init.constant_(layer.bias, -3.0)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "cnn_negative_bias_init", m, opt, tensors(digits()), epochs=3, seed=seed, config=CLS10)


# -- saturating_deep_network ----------------------------------------------------------
@bug("mlp_10_sigmoid_layers", "saturating_deep_network", "MLP",
     alternates=("lr_too_low", "not_enough_capacity", "bad_initialization"),
     note="ten sigmoid hidden layers, no normalisation or residuals, SGD")
def mlp_deep_sigmoid(seed: int, store: str) -> str:
    m = mlp([64] + [64] * 10 + [10], act=nn.Sigmoid, seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    return fit(store, "mlp_10_sigmoid_layers", m, opt, tensors(digits()), epochs=4, seed=seed, config=CLS10)


@bug("mlp_12_tanh_layers", "saturating_deep_network", "MLP",
     alternates=("lr_too_low", "not_enough_capacity", "bad_initialization"),
     note="twelve tanh hidden layers with PyTorch's default init and plain SGD")
def mlp_deep_tanh(seed: int, store: str) -> str:
    m = mlp([64] + [48] * 12 + [10], act=nn.Tanh, seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.05)
    return fit(store, "mlp_12_tanh_layers", m, opt, tensors(digits()), epochs=4, seed=seed, config=CLS10)


@bug("cnn_sigmoid_activations", "saturating_deep_network", "CNN",
     alternates=("lr_too_low", "not_enough_capacity", "bad_initialization"),
     note="a CNN with sigmoid after each conv and a 6-layer sigmoid classifier, no batch norm")
def cnn_sigmoid(seed: int, store: str) -> str:
    m = CNN(act=nn.Sigmoid, seed=seed)
    m.head = nn.Sequential(*[mod for _ in range(5) for mod in (nn.Linear(256 if _ == 0 else 64, 64), nn.Sigmoid())],
                           nn.Linear(64, 10))
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    return fit(store, "cnn_sigmoid_activations", m, opt, tensors(digits()), epochs=3, seed=seed, config=CLS10)


# -- not_enough_capacity --------------------------------------------------------------
@bug("linear_model_on_circles", "not_enough_capacity", "linear",
     note="a logistic regression (one nn.Linear) on two concentric circles: no straight line separates them")
def linear_circles(seed: int, store: str) -> str:
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Linear(2, 2))
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    return fit(store, "linear_model_on_circles", m, opt, tensors(circles()), epochs=8, batch=32,
               seed=seed, config={"num_classes": 2})


@bug("mlp_bottleneck_2_units", "not_enough_capacity", "MLP",
     note="a 2-unit bottleneck (64-2-10, meant for a 2-D plot) classifying ten digits")
def mlp_bottleneck(seed: int, store: str) -> str:
    m = mlp([64, 2, 10], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "mlp_bottleneck_2_units", m, opt, tensors(digits()), epochs=6, seed=seed, config=CLS10)


@bug("gru_1_unit", "not_enough_capacity", "LSTM/GRU",
     note="a GRU with hidden_size=1 (the argument meant as num_layers)")
def gru_tiny(seed: int, store: str) -> str:
    m = RNN(8, 10, hidden=1, cell="gru", seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    return fit(store, "gru_1_unit", m, opt, tensors(digits()), epochs=5, seed=seed, inputs=rows, config=CLS10)


# -- overfitting ----------------------------------------------------------------------
@bug("mlp_60_rows_many_epochs", "overfitting", "MLP",
     note="60 training rows, a 512-wide MLP, 150 epochs, no regularisation")
def mlp_overfit(seed: int, store: str) -> str:
    X, y, Xv, yv = tensors(digits())
    m = mlp([64, 512, 512, 10], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_60_rows_many_epochs", m, opt, [X[:60], y[:60], Xv, yv], epochs=150, batch=60,
               seed=seed, every=5, config=CLS10)


@bug("encoder_100_rows_many_epochs", "overfitting", "transformer",
     note="a transformer encoder trained on 100 digits for 60 epochs, no dropout")
def encoder_overfit(seed: int, store: str) -> str:
    X, y, Xv, yv = tensors(digits())
    m = Encoder(8, 10, tokens=8, d=64, layers=2, seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "encoder_100_rows_many_epochs", m, opt, [X[:100], y[:100], Xv, yv], epochs=60,
               batch=50, seed=seed, inputs=rows, config=CLS10)


@bug("lstm_waves_small_train_set", "overfitting", "LSTM/GRU",
     note="a 128-unit LSTM fitted to 16 noisy sequences for 150 epochs")
def lstm_overfit(seed: int, store: str) -> str:
    from .runs_optim import _SqueezedMSE

    X, y, Xv, yv = tensors(waves(), regression=True)
    m = RNN(1, 1, hidden=128, cell="lstm", seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "lstm_waves_small_train_set", m, opt, [X[:16], y[:16], Xv, yv], epochs=150,
               batch=16, seed=seed, criterion=_SqueezedMSE(), config={"task": "regression"})


# -- eval_mode_missing ----------------------------------------------------------------
@bug("mlp_dropout_val_without_eval", "eval_mode_missing", "MLP", alternates=("overfitting",),
     note="dropout 0.5 MLP validated under torch.no_grad() but without model.eval()")
def mlp_no_eval(seed: int, store: str) -> str:
    m = mlp([64, 256, 256, 10], dropout=0.5, seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_dropout_val_without_eval", m, opt, tensors(digits()), epochs=5, seed=seed,
               validate="no_eval", config=CLS10)


@bug("cnn_batchnorm_val_without_eval", "eval_mode_missing", "CNN", alternates=("overfitting",),
     note="CNN with batch norm and dropout, validation under no_grad() with the model still in training mode")
def cnn_no_eval(seed: int, store: str) -> str:
    m = CNN(batchnorm=True, dropout=0.3, seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "cnn_batchnorm_val_without_eval", m, opt, tensors(digits()), epochs=4, seed=seed,
               validate="no_eval", config=CLS10)


@bug("encoder_dropout_val_without_eval", "eval_mode_missing", "transformer", alternates=("overfitting",),
     note="a transformer encoder with dropout 0.3 validated under torch.no_grad() without model.eval()")
def encoder_no_eval(seed: int, store: str) -> str:
    m = Encoder(8, 10, tokens=8, dropout=0.3, seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "encoder_dropout_val_without_eval", m, opt, tensors(digits()), epochs=5, seed=seed,
               inputs=rows, validate="no_eval", config=CLS10)
