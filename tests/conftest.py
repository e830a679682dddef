from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A fresh, empty store directory for one test."""
    return tmp_path / "store"


@pytest.fixture(autouse=True)
def _no_store_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's MODELGLASS_STORE must never leak into a test.
    monkeypatch.delenv("MODELGLASS_STORE", raising=False)


@pytest.fixture
def one_torch_thread():
    """Tiny models: a second intra-op thread only adds contention on a shared machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
