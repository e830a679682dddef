"""Small models that the inspect tests share, handed out by the ``architectures`` fixture."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn


class LSTMNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


class TiedLM(nn.Module):
    """Output projection shares the embedding matrix."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(50, 16)
        self.mid = nn.Linear(16, 16)
        self.out = nn.Linear(16, 50, bias=False)
        self.out.weight = self.emb.weight

    def forward(self, x):
        return self.out(torch.relu(self.mid(self.emb(x))))


class WithUnused(nn.Module):
    """``spare`` is never called; ``head`` is never called either."""

    def __init__(self) -> None:
        super().__init__()
        self.used = nn.Linear(4, 4)
        self.spare = nn.Linear(4, 4)
        self.head = nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Linear(2, 2))

    def forward(self, x):
        return torch.relu(self.used(x))


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 5))


def cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 8 * 8, 10),
    )


def transformer() -> nn.Module:
    layer = nn.TransformerEncoderLayer(16, 2, 32, batch_first=True)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


ARCHITECTURES = {
    "mlp": (mlp, lambda: torch.randn(2, 10)),
    "cnn": (cnn, lambda: torch.randn(2, 3, 16, 16)),
    "lstm": (LSTMNet, lambda: torch.randn(2, 5, 8)),
    "transformer": (transformer, lambda: torch.randn(2, 7, 16)),
    "tied": (TiedLM, lambda: torch.randint(0, 50, (2, 6))),
    "unused": (WithUnused, lambda: torch.randn(2, 4)),
}


@pytest.fixture
def architectures():
    return ARCHITECTURES
