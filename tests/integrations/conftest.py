"""Keras runs on the torch backend in the main test venv (TensorFlow lives in tests/tf)."""

from __future__ import annotations

import os

# Keras reads the backend once, at its first import: set it before any test imports it.
os.environ["KERAS_BACKEND"] = "torch"
