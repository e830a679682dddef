"""Let an analysis package be called like its main function.

``mg.inspect`` is both the package ``modelglass.inspect`` and the function
``inspect()``; once Python has imported the package, the attribute on
``modelglass`` is the module. Making that module callable keeps
``mg.inspect(model)`` working either way.
"""

from __future__ import annotations

import sys
import types
from typing import Any, Callable


def make_module_callable(module_name: str, fn: Callable[..., Any]) -> None:
    """Calling the module ``module_name`` calls ``fn``."""

    class _CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

    sys.modules[module_name].__class__ = _CallableModule
