"""Small PyTorch models of the four families: MLP, CNN, GRU/LSTM, transformer encoder."""

from __future__ import annotations

import torch
from torch import nn


def mlp(sizes: list[int], act: type[nn.Module] = nn.ReLU, dropout: float = 0.0,
        batchnorm: bool = False, seed: int = 0) -> nn.Sequential:
    """``Linear -> [BatchNorm] -> act -> [Dropout]`` per hidden layer, a linear output."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        layers.append(nn.Linear(a, b))
        if batchnorm:
            layers.append(nn.BatchNorm1d(b))
        layers.append(act())
        if dropout:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


class CNN(nn.Module):
    """Two conv blocks on 8x8 digits, then a linear head."""

    def __init__(self, classes: int = 10, act: type[nn.Module] = nn.ReLU, batchnorm: bool = False,
                 dropout: float = 0.0, detach_features: bool = False, seed: int = 0) -> None:
        torch.manual_seed(seed)
        super().__init__()
        norm = (lambda c: nn.BatchNorm2d(c)) if batchnorm else (lambda c: nn.Identity())
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), norm(8), act(),
            nn.Conv2d(8, 16, 3, padding=1), norm(16), act(), nn.MaxPool2d(2), nn.Flatten(),
        )
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(16 * 4 * 4, classes)
        self.detach_features = detach_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x.view(-1, 1, 8, 8))
        if self.detach_features:  # a planted bug: the body is cut off from the loss
            h = h.detach()
        return self.head(self.drop(h))


class RNN(nn.Module):
    """A one-layer GRU or LSTM over a sequence, the last hidden state into a linear head."""

    def __init__(self, inputs: int, outputs: int, hidden: int = 32, cell: str = "gru",
                 seed: int = 0) -> None:
        torch.manual_seed(seed)
        super().__init__()
        kind = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = kind(inputs, hidden, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class Encoder(nn.Module):
    """A small transformer encoder: tokens -> linear embedding + position -> layers -> mean -> head."""

    def __init__(self, inputs: int, outputs: int, tokens: int, d: int = 32, layers: int = 1,
                 dropout: float = 0.0, seed: int = 0) -> None:
        torch.manual_seed(seed)
        super().__init__()
        self.embed = nn.Linear(inputs, d)
        self.pos = nn.Parameter(0.02 * torch.randn(tokens, d))
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=64, dropout=dropout,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(self.embed(x) + self.pos).mean(1))


def rows(x: torch.Tensor) -> torch.Tensor:
    """A digit image (64 pixels) as a sequence of its 8 rows of 8 pixels."""
    return x.view(-1, 8, 8)
