"""TensorBoard logs in and out: every point of every run, no sampling.

``import_tensorboard(logdir)`` turns each run folder into a modelglass run;
``export_tensorboard(run, folder)`` writes a run as event files TensorBoard reads.
Needs ``pip install "modelglass[tensorboard]"`` (tensorboard's protobuf classes and
a C crc32c; TensorFlow is not needed).
"""

from __future__ import annotations

from ._export import export_tensorboard
from ._import import (
    DEFAULT_PROJECT,
    STATE_ARTIFACT,
    ImportedRun,
    RunSource,
    TensorBoardImporter,
    find_runs,
    import_tensorboard,
)
from ._records import TensorBoardWarning

__all__ = [
    "DEFAULT_PROJECT",
    "STATE_ARTIFACT",
    "ImportedRun",
    "RunSource",
    "TensorBoardImporter",
    "TensorBoardWarning",
    "export_tensorboard",
    "find_runs",
    "import_tensorboard",
]
