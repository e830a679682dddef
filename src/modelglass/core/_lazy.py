"""Import heavy optional dependencies only where they are used."""

from __future__ import annotations

import importlib
from types import ModuleType

from ._errors import MissingDependencyError

# module -> the extra that installs it
_EXTRAS = {
    "torch": "torch",
    "sklearn": "sklearn",
    "optuna": "tune",
    "fastapi": "ui",
    "uvicorn": "ui",
    "pyarrow": "parquet",
    "psycopg": "postgres",
    "tensorboard": "tensorboard",
    "google_crc32c": "tensorboard",
    "keras": "keras",
    "lightning": "lightning",
    "transformers": "huggingface",
    "accelerate": "huggingface",
    "plotly": "",
    "pandas": "",
}


def require(module: str, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise an error naming the extra that installs it.

    Args:
        module: Dotted module name, e.g. ``"torch"`` or ``"sklearn.model_selection"``.
        purpose: What the caller wanted to do, used in the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        extra = _EXTRAS.get(top)
        fix = f'pip install "modelglass[{extra}]"' if extra else f"pip install {top}"
        what = f" for {purpose}" if purpose else ""
        raise MissingDependencyError(
            f"modelglass needs the package '{top}'{what}, and it is not installed. Run: {fix}"
        ) from exc


def is_tensor(value: object) -> bool:
    """True for a torch.Tensor, without importing torch when it is not loaded yet."""
    mod = type(value).__module__
    if not mod.startswith("torch"):
        return False
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)
