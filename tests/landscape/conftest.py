from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread(one_torch_thread: None) -> None:
    """Every test here trains tiny torch models: one thread (see tests/conftest.py)."""
