"""Hugging Face ``transformers.Trainer``: ``Trainer(..., callbacks=[ModelglassCallback(...)])``.

Steps are the Trainer's ``state.global_step``: the Trainer logs the loss and
``grad_norm`` of its first update at step 1, and so does this callback. Names (see
``docs/names.md``): the Trainer's own training logs as ``train/<key>`` (``train/loss``,
``train/grad_norm``, ``train/learning_rate``, ``train/epoch``), its evaluation logs
``eval_<key>`` as ``val/<key>``, its end-of-training figures (``train_runtime``...) in
the run's summary; what ``run.watch`` records (``grad_norm``, ``grad_norm/<param>``,
``weight_norm/<param>``, ``update_ratio/<param>``, ``lr``, ``act/...``) under watch's
names, read in ``on_pre_optimizer_step``: after accumulation and after the Trainer's
clipping, so ``grad_norm`` is the norm the optimizer used, while ``train/grad_norm`` is
the Trainer's norm before clipping. The optimizer the Trainer hands its callbacks is
accelerate's ``AcceleratedOptimizer``; ``watch`` records the optimizer inside it.
"""

from __future__ import annotations

import sys
from typing import Any, Mapping

from ..core import require
from ._common import HoldsRun, RunHolder, check_every, plain_number

transformers = require("transformers", "the Hugging Face integration")

__all__ = ["ModelglassCallback"]


class ModelglassCallback(HoldsRun, transformers.TrainerCallback):  # type: ignore[misc,name-defined]
    """Record a ``transformers.Trainer`` run into modelglass.

    Args:
        project, name, store: As :func:`modelglass.init`.
        config: Added to the run's config, next to the ``TrainingArguments``.
        every: Record per-parameter norms, update ratios, histograms and activations every
            this many optimizer steps.
        activations: Record activation statistics on those steps.
        histograms: Store histograms on those steps.
        log_model: Store ``mg.inspect`` of the model as the artifact ``model``.
        diagnose: Run ``mg.diagnose`` when training ends and keep its verdict with the run.
        verbose: Print the verdict in one line.
        run: Log into this existing run instead (left open at the end).
    """

    def __init__(self, project: str = "huggingface", name: str | None = None,
                 config: Mapping[str, Any] | None = None, store: Any = None, every: int = 50,
                 activations: bool = True, histograms: bool = True, log_model: bool = True,
                 diagnose: bool = True, verbose: bool = True, run: Any = None) -> None:
        self._holder = RunHolder(project, name, config, store, run, "ModelglassCallback")
        self.every = check_every(every, "ModelglassCallback")
        self.activations, self.histograms, self.log_model = bool(activations), bool(histograms), bool(log_model)
        self.diagnose, self.verbose = bool(diagnose), bool(verbose)
        self.watcher: Any = None
        self._trainer: Any = None
        self._training_step: Any = None

    # -- Trainer events ------------------------------------------------------------------
    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None,
                       optimizer: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            self._holder.main = False
        run = self._holder.run
        if run is None:
            return
        run.update_config({"training_args": args.to_dict()})
        if model is not None:
            self.watcher = run.watch(model, optimizer=optimizer, every=self.every, manual=True,
                                     activations=self.activations, histograms=self.histograms)
            if self.log_model:
                self._log_model(run, model)
        self._guard_training_step()

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.watcher is not None:
            self.watcher.record_step(state.global_step + 1)  # the step this update will be logged at

    def on_log(self, args: Any, state: Any, control: Any, logs: Mapping[str, Any] | None = None,
               **kwargs: Any) -> None:
        run = self._holder.run
        if run is None or not logs or self._holder.ended:
            return
        values, summary = split_logs(logs)
        if values:
            run.log(values, step=state.global_step, advance=False)
        if summary:
            run.summary.update(summary)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._release()
        self._holder.end(failed=False, diagnose=self.diagnose, verbose=self.verbose)

    # -- helpers ---------------------------------------------------------------------------
    def _log_model(self, run: Any, model: Any) -> None:
        try:
            run.log_model(model)
        except Exception as exc:  # noqa: BLE001 - an odd model must not stop training
            run.log_event(f"mg.inspect could not read the model: {exc}", level="warning")

    def _guard_training_step(self) -> None:
        """Fail the run when ``Trainer.training_step`` raises (the Trainer has no exception event)."""
        trainer = _calling_trainer()
        if trainer is None or "training_step" in vars(trainer):
            return
        inner = trainer.training_step

        def training_step(*args: Any, **kwargs: Any) -> Any:
            try:
                return inner(*args, **kwargs)
            except BaseException:
                self._release()
                self._holder.end(failed=True, diagnose=False, verbose=False)
                raise

        self._trainer = trainer
        trainer.training_step = training_step

    def _release(self) -> None:
        if self.watcher is not None:
            self.watcher.remove()
            self.watcher = None
        if self._trainer is not None:
            vars(self._trainer).pop("training_step", None)
            self._trainer = None


def split_logs(logs: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """The Trainer's logs as modelglass series (``train/``, ``val/``) and end-of-run summary values."""
    values: dict[str, float] = {}
    summary: dict[str, float] = {}
    final = "train_runtime" in logs
    evaluation = any(k.startswith("eval_") for k in logs)
    for key, raw in logs.items():
        v = plain_number(raw)
        if v is None:
            continue
        if key.startswith("eval_"):
            values[f"val/{key[5:]}"] = v
        elif evaluation:
            continue  # its 'epoch' is the training log's, already written
        elif final and key != "epoch":
            summary[key] = v
        elif not final:
            values[f"train/{key}"] = v
    return values, summary


def _calling_trainer() -> Any:
    """The ``transformers.Trainer`` whose loop is calling this callback (found up the stack)."""
    frame: Any = sys._getframe(1)
    for _ in range(12):
        if frame is None:
            return None
        owner = frame.f_locals.get("self")
        if isinstance(owner, transformers.Trainer):
            return owner
        frame = frame.f_back
    return None
