"""Read a training trajectory back from a run: parameter series or checkpoint artifacts."""

from __future__ import annotations

import io
import re
from typing import Any, Sequence

import numpy as np

from ..core import BadInputError, NotFoundError

CHECKPOINT_PREFIX = "checkpoint/"


def run_trajectory(reader: Any, run: Any, tags: Sequence[str] | None = None,
                   prefix: str = CHECKPOINT_PREFIX) -> Any:
    """The parameters a run went through, oldest first, for ``landscape(trajectory=...)``.

    Args:
        reader: An open store (``mg.open_store(...)``).
        run: A run id, name, or ``RunInfo``.
        tags: Scalar series holding the parameters, e.g. ``("theta_0", "theta_1")`` for the
            seed's linear regression: returns an (N, len(tags)) array over the steps all share.
        prefix: Otherwise, artifacts named ``<prefix><step>`` (a dict name -> values as JSON,
            or ``torch.save`` bytes of a state dict), returned as a list of dicts by step.
    """
    run_id = getattr(run, "id", None) or reader.run(str(run)).id
    if tags:
        series = [reader.series(run_id, t) for t in tags]
        common = series[0].steps
        for s in series[1:]:
            common = np.intersect1d(common, s.steps)
        if common.size < 2:
            raise BadInputError(f"The series {list(tags)} of run {run_id} share fewer than two steps.")
        cols = [s.values[np.searchsorted(s.steps, common)] for s in series]
        return np.column_stack(cols)
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    found = sorted((int(m.group(1)), name) for name in reader.artifacts(run_id)
                   if (m := pattern.match(name)))
    if len(found) < 2:
        raise NotFoundError(
            f"Run {run_id} has {len(found)} artifacts named '{prefix}<step>'; a trajectory needs two or more. "
            f"Log them with run.log_artifact(f'{prefix}{{step}}', {{name: p.detach().cpu().numpy()}})."
        )
    return [_checkpoint(reader.artifact(run_id, name)) for _, name in found]


def _checkpoint(obj: Any) -> dict[str, Any]:
    if isinstance(obj, (bytes, bytearray)):
        import torch

        obj = torch.load(io.BytesIO(bytes(obj)), map_location="cpu", weights_only=True)
    if not isinstance(obj, dict):
        raise BadInputError(f"A checkpoint artifact must hold a dict name -> values. Got {type(obj).__name__}.")
    return {k: (v if hasattr(v, "detach") else np.asarray(v, dtype=np.float64)) for k, v in obj.items()}
