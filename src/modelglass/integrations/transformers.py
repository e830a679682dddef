"""``modelglass.integrations.transformers``: the Hugging Face Trainer callback (see ``huggingface``)."""

from __future__ import annotations

from .huggingface import ModelglassCallback

__all__ = ["ModelglassCallback"]
