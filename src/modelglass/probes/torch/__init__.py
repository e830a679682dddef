"""PyTorch probes: ``watch(run, model, optimizer)`` records training into a run."""

from __future__ import annotations

from ._activations import activation_kind
from ._watch import Watcher, watch

__all__ = ["Watcher", "activation_kind", "watch"]
