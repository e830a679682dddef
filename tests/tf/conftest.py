"""TensorFlow tests run in their own venv (`make test-tf`); elsewhere they skip."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorflow", reason="TensorFlow is not installed here; `make test-tf` runs these tests")
