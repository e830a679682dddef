"""The command line: one small module per command, listed in one table."""

from __future__ import annotations

from ._main import COMMANDS, main

__all__ = ["COMMANDS", "main"]
