"""``python -m modelglass`` is the CLI."""

from __future__ import annotations

from .cli._main import entry

entry()
