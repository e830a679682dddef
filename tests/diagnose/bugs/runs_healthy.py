"""Healthy PyTorch runs, several of them alarming to look at: none should get a warning-or-worse cause."""

from __future__ import annotations

import math

import torch
from torch import nn

from . import bug
from ._data import cancer, diabetes, digits, waves, wine
from ._loop import fit, tensors
from ._models import CNN, RNN, Encoder, mlp, rows
from .runs_data import _Logits1
from .runs_optim import _SqueezedMSE

CLS10 = {"num_classes": 10}


@bug("ok_mlp_adam", None, "MLP", note="a well-tuned MLP on digits: Adam 1e-3, zero_grad after the forward pass")
def ok_mlp(seed: int, store: str) -> str:
    m = mlp([64, 128, 128, 10], seed=seed)
    return fit(store, "ok_mlp_adam", m, torch.optim.Adam(m.parameters(), lr=1e-3), tensors(digits()),
               epochs=5, seed=seed, config=CLS10)


@bug("ok_mlp_zero_grad_first", None, "MLP", note="zero_grad() before the forward pass, SGD with momentum")
def ok_mlp_zero_first(seed: int, store: str) -> str:
    m = mlp([64, 128, 64, 10], seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    return fit(store, "ok_mlp_zero_grad_first", m, opt, tensors(digits()), epochs=5, seed=seed,
               zero_grad="before_forward", config=CLS10)


@bug("ok_cnn_adam", None, "CNN", note="a small CNN on digits, Adam 2e-3")
def ok_cnn(seed: int, store: str) -> str:
    m = CNN(seed=seed)
    return fit(store, "ok_cnn_adam", m, torch.optim.Adam(m.parameters(), lr=2e-3), tensors(digits()),
               epochs=6, seed=seed, config=CLS10)


@bug("ok_gru_rows", None, "LSTM/GRU", note="a GRU reading digits row by row, Adam 3e-3")
def ok_gru(seed: int, store: str) -> str:
    m = RNN(8, 10, cell="gru", seed=seed)
    return fit(store, "ok_gru_rows", m, torch.optim.Adam(m.parameters(), lr=3e-3), tensors(digits()),
               epochs=8, seed=seed, inputs=rows, config=CLS10)


@bug("ok_lstm_waves_regression", None, "LSTM/GRU", note="LSTM regression of a sine's frequency, shapes matched")
def ok_lstm(seed: int, store: str) -> str:
    m = RNN(1, 1, cell="lstm", seed=seed)
    return fit(store, "ok_lstm_waves_regression", m, torch.optim.Adam(m.parameters(), lr=3e-3),
               tensors(waves(), regression=True), epochs=6, batch=32, seed=seed,
               criterion=_SqueezedMSE(), config={"task": "regression"})


@bug("ok_encoder_rows", None, "transformer", note="a one-layer transformer encoder over digit rows, Adam 3e-3")
def ok_encoder(seed: int, store: str) -> str:
    m = Encoder(8, 10, tokens=8, seed=seed)
    return fit(store, "ok_encoder_rows", m, torch.optim.Adam(m.parameters(), lr=3e-3), tensors(digits()),
               epochs=8, seed=seed, inputs=rows, config=CLS10)


def _pretrained_cnn(seed: int) -> CNN:
    """A CNN trained for two epochs on digits 0-4 only (the 'pretrained backbone')."""
    X, y, _, _ = tensors(digits())
    keep = y < 5
    X, y = X[keep], y[keep]
    m = CNN(seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=2e-3)
    g = torch.Generator().manual_seed(seed)
    for _ in range(2):
        for idx in torch.randperm(len(X), generator=g).split(64):
            opt.zero_grad()
            nn.functional.cross_entropy(m(X[idx]), y[idx]).backward()
            opt.step()
    return m


@bug("ok_cnn_frozen_backbone", None, "CNN",
     note="fine-tuning: a pretrained conv body frozen (requires_grad=False), a new head, the optimizer on the head only")
def ok_frozen(seed: int, store: str) -> str:
    m = _pretrained_cnn(seed)
    for p in m.body.parameters():
        p.requires_grad_(False)
    m.head = nn.Linear(16 * 4 * 4, 10)
    opt = torch.optim.Adam(m.head.parameters(), lr=3e-3)
    return fit(store, "ok_cnn_frozen_backbone", m, opt, tensors(digits()), epochs=6, seed=seed, config=CLS10)


@bug("ok_mlp_frozen_first_layer_all_params", None, "MLP",
     note="the first layer frozen with requires_grad=False, the optimizer given model.parameters() anyway")
def ok_frozen_all(seed: int, store: str) -> str:
    m = mlp([64, 128, 64, 10], seed=seed)
    for p in m[0].parameters():
        p.requires_grad_(False)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "ok_mlp_frozen_first_layer_all_params", m, opt, tensors(digits()), epochs=5,
               seed=seed, config=CLS10)


@bug("ok_mlp_heavy_dropout", None, "MLP",
     note="dropout 0.6 on both hidden layers: the training loss stays well above the validation loss")
def ok_dropout(seed: int, store: str) -> str:
    m = mlp([64, 256, 256, 10], dropout=0.6, seed=seed)
    return fit(store, "ok_mlp_heavy_dropout", m, torch.optim.Adam(m.parameters(), lr=1e-3), tensors(digits()),
               epochs=6, seed=seed, config=CLS10)


@bug("ok_mlp_cosine_to_zero", None, "MLP",
     note="SGD momentum 0.9 with a cosine schedule annealed to exactly 0: updates vanish at the end on purpose")
def ok_cosine(seed: int, store: str) -> str:
    m = mlp([64, 128, 64, 10], seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    epochs, steps = 6, math.ceil(1200 / 64)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps, eta_min=0.0)
    return fit(store, "ok_mlp_cosine_to_zero", m, opt, tensors(digits()), epochs=epochs, seed=seed,
               sched=sched, config={**CLS10, "schedule": "cosine"})


@bug("ok_mlp_3pct_labels_flipped", None, "MLP", tolerated=("label_noise",),
     note="3% of the training labels wrong, as in most real datasets: at most label_noise, no optimisation cause")
def ok_flipped(seed: int, store: str) -> str:
    X, y, Xv, yv = tensors(digits())
    g = torch.Generator().manual_seed(300 + seed)
    wrong = torch.rand(len(y), generator=g) < 0.03
    y = torch.where(wrong, (y + torch.randint(1, 10, (len(y),), generator=g)) % 10, y)
    m = mlp([64, 128, 64, 10], seed=seed)
    return fit(store, "ok_mlp_3pct_labels_flipped", m, torch.optim.Adam(m.parameters(), lr=1e-3),
               [X, y, Xv, yv], epochs=5, seed=seed, config=CLS10)


@bug("ok_mlp_grad_accumulation", None, "MLP",
     note="gradients accumulated over 4 micro-batches of 16, zeroed after each optimizer step")
def ok_accumulate(seed: int, store: str) -> str:
    m = mlp([64, 128, 64, 10], seed=seed)
    return fit(store, "ok_mlp_grad_accumulation", m, torch.optim.Adam(m.parameters(), lr=1e-3),
               tensors(digits()), epochs=5, batch=16, accumulate=4, seed=seed,
               config={**CLS10, "accumulation_steps": 4})


@bug("ok_cnn_bn_dropout_eval", None, "CNN",
     note="a CNN with batch norm and dropout validated correctly: model.eval() then torch.no_grad()")
def ok_eval(seed: int, store: str) -> str:
    m = CNN(batchnorm=True, dropout=0.3, seed=seed)
    return fit(store, "ok_cnn_bn_dropout_eval", m, torch.optim.Adam(m.parameters(), lr=1e-3),
               tensors(digits()), epochs=6, seed=seed, config=CLS10)


@bug("ok_mlp_deep_relu_batchnorm", None, "MLP",
     note="ten hidden layers done right: ReLU with batch norm (the fix of a deep saturating stack)")
def ok_deep_bn(seed: int, store: str) -> str:
    m = mlp([64] + [64] * 10 + [10], batchnorm=True, seed=seed)
    return fit(store, "ok_mlp_deep_relu_batchnorm", m, torch.optim.Adam(m.parameters(), lr=1e-3),
               tensors(digits()), epochs=6, seed=seed, config=CLS10)


@bug("ok_mlp_cancer_bce_logits", None, "MLP", note="BCEWithLogitsLoss on raw logits, standardised features")
def ok_bce(seed: int, store: str) -> str:
    m = mlp([30, 64, 1], seed=seed)
    return fit(store, "ok_mlp_cancer_bce_logits", m, torch.optim.Adam(m.parameters(), lr=1e-3),
               tensors(cancer()), epochs=8, batch=32, seed=seed, criterion=_Logits1(),
               config={"num_classes": 2})


@bug("ok_mlp_diabetes_regression", None, "MLP",
     note="regression with the (N, 1) output squeezed before MSE; the loss stays near 0.5 (the data are noisy)")
def ok_regression(seed: int, store: str) -> str:
    m = mlp([10, 64, 64, 1], seed=seed)
    return fit(store, "ok_mlp_diabetes_regression", m, torch.optim.Adam(m.parameters(), lr=1e-3),
               tensors(diabetes(), regression=True), epochs=12, batch=32, seed=seed,
               criterion=_SqueezedMSE(), config={"task": "regression"})


@bug("ok_mlp_wine_scaled", None, "MLP", note="wine with standardised features (the fix of the raw-feature run)")
def ok_wine(seed: int, store: str) -> str:
    m = mlp([13, 64, 64, 3], seed=seed)
    return fit(store, "ok_mlp_wine_scaled", m, torch.optim.Adam(m.parameters(), lr=1e-3), tensors(wine()),
               epochs=8, batch=16, seed=seed, config={"num_classes": 3})


