"""The Run logging API: cheap calls on the training thread, a background writer."""

from __future__ import annotations

from ._histogram import DEFAULT_BINS, HistogramData, compute_histogram
from ._run import Run, Summary, current_run, init

__all__ = ["DEFAULT_BINS", "HistogramData", "Run", "Summary", "compute_histogram", "current_run", "init"]
