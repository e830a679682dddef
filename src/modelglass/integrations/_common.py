"""What the three framework integrations share: the run they own, rank 0, the end of training."""

from __future__ import annotations

import os
from typing import Any, Mapping

from ..core import BadInputError
from ..track import Run, init


def is_main_process() -> bool:
    """True unless ``RANK`` or ``LOCAL_RANK`` names a process other than rank 0."""
    for var in ("RANK", "LOCAL_RANK"):
        value = os.environ.get(var, "").strip()
        if value and value != "0":
            try:
                if int(value) != 0:
                    return False
            except ValueError:
                continue
    return True


def check_every(every: Any, where: str) -> int:
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise BadInputError(f"The 'every' argument of {where} must be a positive int. Got {every!r}.")
    return every


class HoldsRun:
    """The two properties every framework callback has: ``run`` and ``diagnosis`` of its holder."""

    _holder: RunHolder

    @property
    def run(self) -> Any:
        """The :class:`~modelglass.Run` (None on a process other than rank 0)."""
        return self._holder.run

    @property
    def diagnosis(self) -> Any:
        """The :class:`~modelglass.diagnose.Diagnosis` kept when training ended (else None)."""
        return self._holder.diagnosis


class RunHolder:
    """Opens the run on first use (rank 0 only) and closes it once, with the framework's outcome.

    Args:
        project, name, config, store: As :func:`modelglass.init`.
        run: Log into this existing run instead (it is then left open at the end).
    """

    def __init__(self, project: str, name: str | None, config: Mapping[str, Any] | None,
                 store: Any, run: Run | None, where: str) -> None:
        if run is None and (not isinstance(project, str) or not project.strip()):
            raise BadInputError(f"The 'project' argument of {where} must be a non-empty string. "
                                f"Got {project!r}.")
        if run is not None and not isinstance(run, Run):
            raise BadInputError(f"The 'run' argument of {where} must be a modelglass Run (mg.init). "
                                f"Got {type(run).__name__}.")
        self.project, self.name, self.config, self.store = project, name, config, store
        if run is not None:
            self.project, self.name = run.project, run.name
            if config:
                run.update_config(config)
        self.owned = run is None
        self.main = is_main_process()
        self._run = run
        self.ended = False
        self.diagnosis: Any = None

    @property
    def run(self) -> Run | None:
        """The run (None on a process other than rank 0)."""
        if self._run is None and self.main and not self.ended:
            self._run = init(self.project, self.name, self.config, self.store)
        return self._run

    def reopen(self) -> None:
        """After an owned run ended, the next training opens a new run (Keras: a second ``fit``)."""
        if self.ended and self.owned:
            self._run, self.ended, self.diagnosis = None, False, None

    def end(self, failed: bool, diagnose: bool, verbose: bool) -> Any:
        """Diagnose (when asked and training finished), then finish the run ``finished``/``failed``."""
        if self.ended or self._run is None:
            self.ended = True
            return None
        self.ended = True
        run = self._run
        if diagnose and not failed:
            self.diagnosis = diagnose_run(run, verbose)
        if self.owned:
            run.finish("failed" if failed else "finished")
        return self.diagnosis


# Loss names the frameworks' users pick, after the ones diagnose looks for itself.
TRAIN_LOSS_NAMES = ("loss", "train/loss", "train_loss", "train_loss_step", "train/train_loss",
                    "train_loss_epoch")
VAL_LOSS_NAMES = ("val/loss", "val_loss", "valid/loss", "val_loss_epoch", "eval/loss", "eval_loss",
                  "val/val_loss")


def diagnose_run(run: Run, verbose: bool) -> Any:
    """``mg.diagnose(run)`` kept with the run (artifact ``diagnosis``, summary ``verdict``)."""
    from ..diagnose import diagnose  # the public analysis, lazily, as run.log_model reaches inspect
    from ..store import open_store

    run.flush()
    with_reader = open_store(run.store)
    try:
        tags = set(with_reader.tags(run.id))
    finally:
        with_reader.close()
    loss = next((t for t in TRAIN_LOSS_NAMES if t in tags), None)
    val = next((t for t in VAL_LOSS_NAMES if t in tags), None)
    result = diagnose(run, loss=loss, val_loss=val)
    run.log_artifact("diagnosis", result)
    run.summary["verdict"] = result.verdict
    line = verdict_line(result)
    run.log_event(line, level="info" if result.verdict == "healthy" else "warning")
    if verbose:
        print(line)  # a one-line report after training, like the frameworks' own progress lines
    return result


def verdict_line(result: Any) -> str:
    """``modelglass: run NAME (ID) is VERDICT[; likely cause: CODE][: finding codes]``."""
    codes = result.codes("warning")
    top = getattr(result, "top_cause", None)
    cause = f"; likely cause: {top.code}" if top is not None else ""
    detail = f" (findings: {', '.join(codes)})" if codes else ""
    return f"modelglass: run {result.run_name} ({result.run_id}) is {result.verdict}{cause}{detail}"


def plain_number(value: Any) -> float | None:
    """A finite-or-not float from a framework's metric value, or None when it is not a scalar."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        import numpy as np

        a = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value)
    except Exception:  # noqa: BLE001 - strings, lists: not a metric
        return None
    if a.ndim != 0 or a.dtype.kind not in "fiub":
        return None
    return float(a)
