"""Benchmark of ``mg.inspect`` against ``torchinfo.summary`` on the same models.

Six models in the style of torchinfo's own test models (defined here): an MLP, a small
CNN, an LSTM classifier, a ResNet-like network, a transformer encoder and a large
transformer encoder. For each: the median of 5 runs of

- ``mg.inspect(model, x)`` (layers with shapes, FLOPs, parameter statistics, static
  findings; the graph is traced only when read, so it is not part of this time), and
- ``torchinfo.summary(model, input_data=x, verbose=0)`` (layers with shapes, parameter
  counts, mult-adds),

after one warm-up call each, and their ratio. A third column times ``mg.inspect(...).graph``
(inspect plus the torch.fx / torch.export trace) for reference.

Run: ``python benchmarks/bench_inspect.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import torch  # noqa: E402
from torch import nn  # noqa: E402

import modelglass as mg  # noqa: E402

REPEATS = 5


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                                 nn.Linear(256, 10))

    def forward(self, x: Any) -> Any:
        return self.net(x)


class CNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.drop = nn.Dropout2d(0.3)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x: Any) -> Any:
        x = torch.relu(torch.max_pool2d(self.conv1(x), 2))
        x = torch.relu(torch.max_pool2d(self.drop(self.conv2(x)), 2))
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


class LSTMNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(5000, 100)
        self.lstm = nn.LSTM(100, 128, num_layers=2, batch_first=True)
        self.fc = nn.Linear(128, 2)

    def forward(self, x: Any) -> Any:
        out, _ = self.lstm(self.emb(x))
        return self.fc(out[:, -1])


class Block(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.short = (nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
                      if stride != 1 or c_in != c_out else nn.Identity())

    def forward(self, x: Any) -> Any:
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.short(x))


class ResNetLike(nn.Module):
    """ResNet-18's layout (2 blocks per stage, 4 stages) at CIFAR size."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
        stages, c = [], 64
        for c_out, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            stages += [Block(c, c_out, stride), Block(c_out, c_out, 1)]
            c = c_out
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, 10)

    def forward(self, x: Any) -> Any:
        return self.fc(self.pool(self.stages(self.stem(x))).flatten(1))


class Encoder(nn.Module):
    def __init__(self, d_model: int, layers: int, vocab: int = 10000) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead=8, dim_feedforward=4 * d_model, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, x: Any) -> Any:
        return self.head(self.encoder(self.emb(x)))


def models() -> list[tuple[str, Callable[[], nn.Module], Callable[[], Any]]]:
    return [
        ("MLP", MLP, lambda: torch.randn(16, 128)),
        ("CNN (MNIST)", CNN, lambda: torch.randn(16, 1, 28, 28)),
        ("LSTM", LSTMNet, lambda: torch.randint(0, 5000, (16, 32))),
        ("ResNet-18-like", ResNetLike, lambda: torch.randn(2, 3, 32, 32)),
        ("Transformer encoder", lambda: Encoder(256, 4), lambda: torch.randint(0, 10000, (2, 64))),
        ("Large encoder", lambda: Encoder(768, 12, vocab=30000), lambda: torch.randint(0, 30000, (1, 128))),
    ]


def median_time(fn: Callable[[], Any]) -> float:
    fn()  # warm-up
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    try:
        import torchinfo
    except ImportError:
        torchinfo = None
        print("torchinfo is not installed (pip install torchinfo): modelglass times only")
    torch.manual_seed(0)
    torch.set_num_threads(1)  # a shared 2-core VM: one thread is steadier
    print(f"torch {torch.__version__}, torchinfo {getattr(torchinfo, '__version__', '-')}, "
          f"median of {REPEATS} runs")
    print(f"{'model':22} {'params':>12} {'inspect':>10} {'torchinfo':>10} {'ratio':>6} {'+graph':>10}")
    for name, make, example in models():
        model, x = make(), example()
        params = sum(p.numel() for p in model.parameters())
        ours = median_time(lambda: mg.inspect(model, x))
        theirs = (median_time(lambda: torchinfo.summary(model, input_data=x, verbose=0))
                  if torchinfo else float("nan"))
        graph = median_time(lambda: mg.inspect(model, x).graph["method"])
        print(f"{name:22} {params:>12,} {ours * 1e3:>8.1f}ms {theirs * 1e3:>8.1f}ms "
              f"{ours / theirs:>6.2f} {graph * 1e3:>8.1f}ms", flush=True)


if __name__ == "__main__":
    main()
