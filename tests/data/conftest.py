from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def wine() -> pd.DataFrame:
    from sklearn.datasets import load_wine

    return load_wine(as_frame=True).frame


@pytest.fixture
def clean() -> pd.DataFrame:
    """A small frame with no problem at all: two informative numbers, a category, a label."""
    rng = np.random.default_rng(0)
    n = 400
    a = rng.normal(size=n)
    b = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    y = ((a + 0.8 * b + rng.normal(scale=1.0, size=n)) > 0).astype(int)
    return pd.DataFrame({"a": a, "b": b, "color": color, "y": y})
