"""PyTorch Lightning: ``Trainer(logger=ModelglassLogger(...), callbacks=[ModelglassCallback()])``.

``ModelglassLogger`` is a Lightning ``Logger``: what ``self.log`` writes goes into a
modelglass run under the names Lightning gives it, at Lightning's steps, the
hyperparameters into the run's config, and ``finalize`` maps Lightning's outcome to the
run's status. ``ModelglassCallback`` adds what ``run.watch`` records, one point per
optimizer step at ``trainer.global_step`` (the step the logger gets for that batch's
metrics), read in ``on_before_optimizer_step``: after gradient accumulation and AMP
unscaling, before clipping. Used together they share one run; the callback alone
opens its own.
"""

from __future__ import annotations

from argparse import Namespace
from typing import Any, Mapping

from ..core import require
from ._common import HoldsRun, RunHolder, check_every, plain_number

L = require("lightning.pytorch", "the Lightning integration")
_Logger = require("lightning.pytorch.loggers", "the Lightning integration").Logger

__all__ = ["ModelglassCallback", "ModelglassLogger"]


class ModelglassLogger(HoldsRun, _Logger):  # type: ignore[misc,valid-type]
    """A Lightning logger that writes into a modelglass run.

    Args:
        project, name, config, store: As :func:`modelglass.init`.
        diagnose: Run ``mg.diagnose`` when training succeeds and keep the verdict with the run.
        verbose: Print that verdict in one line.
        run: Log into this existing run instead (left open at the end).
    """

    def __init__(self, project: str = "lightning", name: str | None = None,
                 config: Mapping[str, Any] | None = None, store: Any = None, diagnose: bool = True,
                 verbose: bool = True, run: Any = None) -> None:
        super().__init__()
        self._holder = RunHolder(project, name, config, store, run, "ModelglassLogger")
        self.diagnose, self.verbose = bool(diagnose), bool(verbose)

    @property
    def name(self) -> str:
        """The project (Lightning's experiment name)."""
        return self._holder.project

    @property
    def version(self) -> str:
        """The run's id."""
        run = self._holder.run
        return run.id if run is not None else ""

    @property
    def experiment(self) -> Any:
        """The :class:`~modelglass.Run` (None on a process other than rank 0)."""
        return self._holder.run

    @property
    def save_dir(self) -> str | None:
        return None  # checkpoints stay in the Trainer's default_root_dir

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        run = self._holder.run
        if run is None or self._holder.ended:
            return
        values = {str(k): v for k, v in ((k, plain_number(v)) for k, v in metrics.items()) if v is not None}
        run.log(values, step=step if step is not None else None, advance=False)

    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        run = self._holder.run
        if run is None or params is None:
            return
        if isinstance(params, Namespace):
            params = vars(params)
        run.update_config(dict(params))

    def save(self) -> None:
        """Nothing to do: the run's background writer persists what is logged."""

    def finalize(self, status: str) -> None:
        """Lightning's ``success`` finishes the run (after the diagnosis); anything else fails it."""
        failed = status != "success"
        self._holder.end(failed=failed, diagnose=self.diagnose, verbose=self.verbose)


class ModelglassCallback(HoldsRun, L.Callback):  # type: ignore[misc,name-defined]
    """What ``run.watch`` records, at Lightning's steps, and the model's inspection.

    Args:
        project, name, config, store: As :func:`modelglass.init`; ignored when the Trainer
            also has a :class:`ModelglassLogger` (its run is used).
        every: Record per-parameter norms, update ratios, histograms and activations every
            this many optimizer steps.
        activations: Record activation statistics on those steps.
        histograms: Store histograms on those steps.
        log_model: Store ``mg.inspect`` of the LightningModule (with its
            ``example_input_array`` when it has one) as the artifact ``model``.
        diagnose: Without a ModelglassLogger: diagnose the run when training succeeds.
        verbose: Print the verdict in one line.
        run: Log into this existing run instead.
    """

    def __init__(self, project: str = "lightning", name: str | None = None,
                 config: Mapping[str, Any] | None = None, store: Any = None, every: int = 50,
                 activations: bool = True, histograms: bool = True, log_model: bool = True,
                 diagnose: bool = True, verbose: bool = True, run: Any = None) -> None:
        super().__init__()
        self._own = RunHolder(project, name, config, store, run, "ModelglassCallback")
        self._holder = self._own
        self.every = check_every(every, "ModelglassCallback")
        self.activations, self.histograms, self.log_model = bool(activations), bool(histograms), bool(log_model)
        self.diagnose, self.verbose = bool(diagnose), bool(verbose)
        self.watcher: Any = None

    @property
    def shared(self) -> bool:
        """True when the run belongs to a ModelglassLogger of the same Trainer."""
        return self._holder is not self._own

    def setup(self, trainer: Any, pl_module: Any, stage: str) -> None:
        for logger in trainer.loggers:
            if isinstance(logger, ModelglassLogger):
                self._holder = logger._holder
                return
        self._holder = self._own

    def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
        run = self._holder.run
        if run is None:
            return
        optimizer = trainer.optimizers[0] if trainer.optimizers else None
        self.watcher = run.watch(pl_module, optimizer=optimizer, every=self.every, manual=True,
                                 activations=self.activations, histograms=self.histograms)
        run.update_config({"lightning": {"accumulate_grad_batches": trainer.accumulate_grad_batches,
                                         "max_epochs": trainer.max_epochs,
                                         "precision": str(trainer.precision)}})
        if self.log_model:
            run.log_model(pl_module, getattr(pl_module, "example_input_array", None))

    def on_before_optimizer_step(self, trainer: Any, pl_module: Any, optimizer: Any) -> None:
        if self.watcher is None or (trainer.optimizers and optimizer is not trainer.optimizers[0]):
            return  # one point per step: the first optimizer's
        self.watcher.record_step(trainer.global_step)

    def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
        self._unwatch()
        if not self.shared:
            self._holder.end(failed=False, diagnose=self.diagnose, verbose=self.verbose)

    def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
        self._unwatch()
        self._holder.end(failed=True, diagnose=False, verbose=False)

    def _unwatch(self) -> None:
        if self.watcher is not None:
            self.watcher.remove()
            self.watcher = None
