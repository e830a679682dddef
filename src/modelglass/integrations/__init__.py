"""Where people already train: TensorBoard logs in and out, and callbacks for Keras 3,
PyTorch Lightning and Hugging Face.

Each integration is its own module and imports its framework only when it is
imported itself, so ``import modelglass`` never loads one::

    from modelglass.integrations.keras import ModelglassCallback
    from modelglass.integrations.lightning import ModelglassCallback, ModelglassLogger
    from modelglass.integrations.transformers import ModelglassCallback  # or .huggingface

Series names and step numbering: ``docs/names.md``.
"""

from __future__ import annotations

__all__: list[str] = []
