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
