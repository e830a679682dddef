"""Data bugs: features left unscaled, labels that do not match the inputs, batches sorted by label."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from . import bug
from ._data import cancer, digits, wine
from ._loop import fit, tensors
from ._models import CNN, RNN, mlp, rows

CLS10 = {"num_classes": 10}


# -- unscaled_inputs -----------------------------------------------------------------
@bug("mlp_wine_raw_features", "unscaled_inputs", "MLP", alternates=("lr_too_high",),
     note="wine's raw measurements (proline ~750, hue ~1) straight into an MLP, no StandardScaler")
def mlp_wine_raw(seed: int, store: str) -> str:
    m = mlp([13, 64, 64, 3], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_wine_raw_features", m, opt, tensors(wine(raw=True)), epochs=15, batch=16,
               seed=seed, config={"num_classes": 3})


class _Logits1(nn.Module):
    """BCEWithLogitsLoss on a (N, 1) output and 0/1 labels (correct)."""

    def __init__(self) -> None:
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss()

    def forward(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.bce(out.squeeze(1), target.float())


@bug("mlp_cancer_raw_features", "unscaled_inputs", "MLP", alternates=("lr_too_high",),
     note="breast-cancer measurements unscaled (areas ~1e3, smoothness ~0.1) into an MLP with SGD")
def mlp_cancer_raw(seed: int, store: str) -> str:
    m = mlp([30, 32, 1], seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=1e-3, momentum=0.9)
    return fit(store, "mlp_cancer_raw_features", m, opt, tensors(cancer(raw=True)), epochs=10,
               batch=32, seed=seed, criterion=_Logits1(), config={"num_classes": 2})


# -- label_noise ---------------------------------------------------------------------
@bug("mlp_labels_shuffled", "label_noise", "MLP", alternates=("not_enough_capacity", "overfitting"),
     note="labels shuffled apart from their images (y shuffled on its own): the issue's third trial")
def mlp_shuffled(seed: int, store: str) -> str:
    X, y, Xv, yv = tensors(digits())
    y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(100 + seed))]
    m = mlp([64, 128, 128, 10], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_labels_shuffled", m, opt, [X, y, Xv, yv], epochs=5, seed=seed, config=CLS10)


@bug("cnn_labels_off_by_one", "label_noise", "CNN", alternates=("not_enough_capacity", "overfitting"),
     note="labels misaligned by one row (y[1:] paired with X[:-1] after a bad merge)")
def cnn_misaligned(seed: int, store: str) -> str:
    X, y, Xv, yv = tensors(digits())
    X, y = X[:-1], y[1:]
    m = CNN(seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "cnn_labels_off_by_one", m, opt, [X, y, Xv, yv], epochs=4, seed=seed, config=CLS10)


@bug("gru_half_labels_wrong", "label_noise", "LSTM/GRU", alternates=("not_enough_capacity", "overfitting"),
     note="half of the training labels replaced by random classes (a broken annotation export)")
def gru_noisy(seed: int, store: str) -> str:
    X, y, Xv, yv = tensors(digits())
    g = torch.Generator().manual_seed(200 + seed)
    wrong = torch.rand(len(y), generator=g) < 0.6
    y = torch.where(wrong, torch.randint(0, 10, (len(y),), generator=g), y)
    m = RNN(8, 10, cell="gru", seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "gru_half_labels_wrong", m, opt, [X, y, Xv, yv], epochs=4, seed=seed,
               inputs=rows, config=CLS10)


# -- unshuffled_data -----------------------------------------------------------------
def _sorted_by_label(data: list[torch.Tensor]) -> list[torch.Tensor]:
    X, y, Xv, yv = data
    order = torch.as_tensor(np.argsort(y.numpy(), kind="stable"))
    return [X[order], y[order], Xv, yv]


@bug("mlp_sorted_by_label_no_shuffle", "unshuffled_data", "MLP",
     note="the dataset is stored class by class and the DataLoader has shuffle=False")
def mlp_unshuffled(seed: int, store: str) -> str:
    m = mlp([64, 128, 64, 10], seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    return fit(store, "mlp_sorted_by_label_no_shuffle", m, opt, _sorted_by_label(tensors(digits())),
               epochs=5, seed=seed, shuffle=False, config=CLS10)


@bug("cnn_sorted_by_label_no_shuffle", "unshuffled_data", "CNN",
     note="CNN on digits read folder by folder (one class after another), shuffle=False")
def cnn_unshuffled(seed: int, store: str) -> str:
    m = CNN(seed=seed)
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    return fit(store, "cnn_sorted_by_label_no_shuffle", m, opt, _sorted_by_label(tensors(digits())),
               epochs=4, seed=seed, shuffle=False, config=CLS10)


@bug("gru_sorted_by_label_no_shuffle", "unshuffled_data", "LSTM/GRU",
     note="a GRU over digit rows, the training set concatenated class by class and never shuffled")
def gru_unshuffled(seed: int, store: str) -> str:
    m = RNN(8, 10, cell="gru", seed=seed)
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    return fit(store, "gru_sorted_by_label_no_shuffle", m, opt, _sorted_by_label(tensors(digits())),
               epochs=5, seed=seed, shuffle=False, inputs=rows, config=CLS10)
