"""Loss bugs: shapes that broadcast, activations applied twice, losses written by hand that overflow."""

from __future__ import annotations

import torch
from torch import nn

from . import bug
from ._data import cancer, diabetes, digits, waves
from ._loop import fit, tensors
from ._models import CNN, RNN, mlp

REG = {"task": "regression"}


# -- target_shape_mismatch ------------------------------------------------------------
@bug("mlp_diabetes_mse_n1_vs_n", "target_shape_mismatch", "MLP", alternates=("not_enough_capacity",),
     note="nn.MSELoss on a (N, 1) prediction and (N,) targets: broadcast to (N, N), the model learns the mean")
def mlp_diabetes_broadcast(seed: int, store: str) -> str:
    m = mlp([10, 64, 64, 1], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_diabetes_mse_n1_vs_n", m, opt, tensors(diabetes(), regression=True),
               epochs=12, batch=32, seed=seed, criterion=nn.MSELoss(), config=REG)


@bug("gru_waves_mse_n1_vs_n", "target_shape_mismatch", "LSTM/GRU", alternates=("not_enough_capacity",),
     note="GRU regression of a sine's frequency, nn.MSELoss on (N, 1) against (N,)")
def gru_waves_broadcast(seed: int, store: str) -> str:
    m = RNN(1, 1, cell="gru", seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "gru_waves_mse_n1_vs_n", m, opt, tensors(waves(), regression=True),
               epochs=5, batch=32, seed=seed, criterion=nn.MSELoss(), config=REG)


@bug("lstm_waves_l1_n1_vs_n", "target_shape_mismatch", "LSTM/GRU", alternates=("not_enough_capacity",),
     note="LSTM regression with nn.L1Loss on (N, 1) against (N,)")
def lstm_waves_broadcast(seed: int, store: str) -> str:
    m = RNN(1, 1, cell="lstm", seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "lstm_waves_l1_n1_vs_n", m, opt, tensors(waves(), regression=True),
               epochs=5, batch=32, seed=seed, criterion=nn.L1Loss(), config=REG)


# -- loss_output_mismatch -------------------------------------------------------------
@bug("mlp_softmax_into_cross_entropy", "loss_output_mismatch", "MLP",
     alternates=("lr_too_low", "not_enough_capacity"),
     note="nn.Softmax(dim=1) as the model's last layer, then nn.CrossEntropyLoss (which applies log-softmax again)")
def mlp_softmax_ce(seed: int, store: str) -> str:
    m = nn.Sequential(*mlp([64, 128, 64, 10], seed=seed), nn.Softmax(dim=1))
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    return fit(store, "mlp_softmax_into_cross_entropy", m, opt, tensors(digits()), epochs=5, seed=seed,
               criterion=nn.CrossEntropyLoss(), config={"num_classes": 10})


class _BCEWithLogits1(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss()

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.bce(out.squeeze(1), target.float())


@bug("mlp_sigmoid_into_bce_with_logits", "loss_output_mismatch", "MLP",
     alternates=("lr_too_low", "not_enough_capacity"),
     note="nn.Sigmoid() at the end of the model, then nn.BCEWithLogitsLoss (sigmoid applied twice)")
def mlp_sigmoid_bce(seed: int, store: str) -> str:
    m = nn.Sequential(*mlp([30, 64, 1], seed=seed), nn.Sigmoid())
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_sigmoid_into_bce_with_logits", m, opt, tensors(cancer()), epochs=8,
               batch=32, seed=seed, criterion=_BCEWithLogits1(), config={"num_classes": 2})


class _SoftmaxCNN(CNN):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(super().forward(x), dim=1)


@bug("cnn_probabilities_into_nll", "loss_output_mismatch", "CNN", alternates=("lr_too_low",),
     note="softmax probabilities into nn.NLLLoss, which expects log-probabilities (the loss goes negative)")
def cnn_softmax_nll(seed: int, store: str) -> str:
    m = _SoftmaxCNN(seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "cnn_probabilities_into_nll", m, opt, tensors(digits()), epochs=4, seed=seed,
               criterion=nn.NLLLoss(), config={"num_classes": 10})


# -- numerical_instability ------------------------------------------------------------
def _bce_by_hand(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    # sigmoid(z) rounds to 1.0 in float32 for z > ~17; then 0 * log(0) = NaN
    p = torch.sigmoid(out.squeeze(1))
    t = target.float()
    return -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()


@bug("mlp_bce_written_by_hand", "numerical_instability", "MLP", alternates=("lr_too_high",),
     note="binary cross-entropy written as -(y log p + (1-y) log(1-p)) on sigmoid outputs: log(0) once p rounds to 1")
def mlp_bce_by_hand(seed: int, store: str) -> str:
    m = mlp([30, 128, 128, 1], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    return fit(store, "mlp_bce_written_by_hand", m, opt, tensors(cancer()), epochs=25, batch=32,
               seed=seed, criterion=_bce_by_hand, config={"num_classes": 2})


def _msle_by_hand(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    # log of a prediction that a linear output layer can make negative: NaN
    return ((torch.log(out.squeeze(1)) - torch.log(target)) ** 2).mean()


@bug("mlp_log_error_of_raw_prediction", "numerical_instability", "MLP",
     note="mean squared log error written by hand on a linear output: log of a negative prediction")
def mlp_msle_by_hand(seed: int, store: str) -> str:
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    Xt, _, Xv, _ = diabetes()
    order = __import__("numpy").random.default_rng(1).permutation(len(y))
    y = y[order].astype("float32") / 100.0  # disease progression in hundreds: 0.25 .. 3.46
    data = tensors((Xt, y[:340], Xv, y[340:]), regression=True)
    m = mlp([10, 64, 64, 1], seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    return fit(store, "mlp_log_error_of_raw_prediction", m, opt, data, epochs=10, batch=32, seed=seed,
               criterion=_msle_by_hand, config=REG)
