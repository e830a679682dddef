"""Keras 3 (TensorFlow, PyTorch or JAX backend): ``model.fit(..., callbacks=[ModelglassCallback(...)])``.

Steps are Keras's own: ``optimizer.iterations`` after the batch (the first batch is step
1; with ``steps_per_execution=k`` Keras calls the batch hook every k batches, and the
step is still the count of optimizer updates). What it writes (``docs/names.md``):

- ``train/<key>`` for every key of each batch's ``logs`` (Keras's running means over
  the epoch), ``val/<key>`` for each ``val_<key>`` of the epoch's logs, at the step where
  the epoch ended; ``lr`` every batch;
- ``grad_norm`` every batch (torch and TensorFlow backends), and every ``every`` steps
  ``grad_norm/<weight>``, ``weight_norm/<weight>``, ``update_ratio/<weight>`` and the
  histograms ``weights/<weight>`` and (torch backend) ``grads/<weight>``; ``<weight>`` is the
  variable's ``path`` (``dense/kernel``);
- the artifact ``model`` (layers, shapes, parameter counts; ``total_params`` equals
  ``model.count_params()``), and at the end ``diagnosis`` with its one-line verdict.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ..core import require
from ._common import HoldsRun, RunHolder, check_every, plain_number
from ._keras_stats import (
    TFGradientTap,
    Values,
    global_norm,
    graph,
    structure,
    torch_grad_norms,
    torch_grads,
    weight_arrays,
)

keras = require("keras", "the Keras callback")

__all__ = ["ModelglassCallback"]


class ModelglassCallback(HoldsRun, keras.callbacks.Callback):  # type: ignore[misc,name-defined]
    """Record a Keras ``fit`` into a modelglass run.

    Args:
        project: The run's project (as :func:`modelglass.init`).
        name: The run's name; default ``<project>-<n>``.
        config: Hyperparameters to keep with the run.
        store: Where to store it; else ``MODELGLASS_STORE``, else ``./mglogs``.
        every: Record weight and gradient statistics and histograms every this many steps.
        gradients: Record gradient norms (torch: the ``.grad`` Keras leaves on each weight;
            TensorFlow: captured inside the traced train step). JAX: not available.
        histograms: Store weight (and gradient) histograms on recorded steps.
        diagnose: Run ``mg.diagnose`` when training ends and keep its verdict with the run.
        verbose: Print the verdict in one line.
        run: Log into this existing run instead of opening one (left open at the end).

    Attributes:
        run: The :class:`~modelglass.Run` (None on a process other than rank 0).
        diagnosis: The :class:`~modelglass.diagnose.Diagnosis` made at the end, if any.
    """

    def __init__(self, project: str = "keras", name: str | None = None,
                 config: Mapping[str, Any] | None = None, store: Any = None, every: int = 50,
                 gradients: bool = True, histograms: bool = True, diagnose: bool = True,
                 verbose: bool = True, run: Any = None) -> None:
        super().__init__()
        self._holder = RunHolder(project, name, config, store, run, "ModelglassCallback")
        self.every = check_every(every, "ModelglassCallback")
        self.gradients, self.histograms = bool(gradients), bool(histograms)
        self.diagnose, self.verbose = bool(diagnose), bool(verbose)
        self._reset()

    def _reset(self) -> None:
        self._weights: list[Any] = []
        self._names: list[str] = []
        self._tap: TFGradientTap | None = None
        self._last_record: int | None = None
        self._last_batch_step: int | None = None
        self._snapshot: list[Any] | None = None
        self._values = Values(keras.backend.backend() == "torch")
        self._train_fn: Any = None
        self._failed = False
        self._spe = 1

    # -- Keras hooks ---------------------------------------------------------------
    def on_train_begin(self, logs: Any = None) -> None:
        self._holder.reopen()
        run = self.run
        if run is None:
            return
        self._reset()
        model = self.model
        self._weights = list(model.trainable_weights)
        self._names = [w.path for w in self._weights]
        backend = keras.backend.backend()
        if self.gradients and backend == "tensorflow" and self._weights:
            self._tap = TFGradientTap(model, self._weights)
            self._tap.install()
        elif self.gradients and backend not in ("torch", "tensorflow"):
            run.log_event(f"Keras backend {backend}: gradients are not recorded (torch and tensorflow only).",
                          level="warning")
        self._guard_train_function()
        self._spe = _spe(model)  # read once: on TensorFlow it is a variable
        run.update_config({"keras": {"backend": backend, "optimizer": type(model.optimizer).__name__,
                                     "steps_per_execution": self._spe}})
        self._log_model(run, model)

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        if self._holder.run is None or not self._weights:
            return
        if self._last_batch_step is None:
            self._last_batch_step = self._iterations()
        if self._due(self._last_batch_step + self._spe):  # no device read: the step is known
            self._snapshot = self._values.snapshot(self._weights)

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        run = self._holder.run
        if run is None:
            return
        step, lr, per = self._after_batch()
        values = {f"train/{k}": v for k, v in _scalars(logs).items()}
        if lr is not None:
            values["lr"] = lr
        if per is not None:
            values["grad_norm"] = global_norm(per)
        run.log(values, step=step, advance=False)
        self._last_batch_step = step
        if self._due(step):
            self._record(run, step, per)

    def _after_batch(self) -> tuple[int, float | None, list[float] | None]:
        """The step, learning rate and per-weight gradient norms after this batch hook's updates."""
        if self._tap is not None:  # TensorFlow: one read of what the traced step stored
            step, lr, per = self._tap.read()
            if step is not None:
                return step, lr, per
        return self._iterations(), _learning_rate(self.model), self._grad_norms()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        run = self._holder.run
        if run is None:
            return
        step = self._iterations()  # once an epoch
        values = {}
        for k, v in _scalars(logs).items():
            if k.startswith("val_"):
                values[f"val/{k[4:]}"] = v
            elif step != self._last_batch_step:
                values[f"train/{k}"] = v  # the batch hook did not see this step (a partial chunk)
        values["epoch"] = float(epoch + 1)
        run.log(values, step=step, advance=False)

    def on_train_end(self, logs: Any = None) -> None:
        self._restore()
        self._holder.end(failed=self._failed, diagnose=self.diagnose, verbose=self.verbose)

    # -- recording -------------------------------------------------------------------
    def _iterations(self) -> int:
        return int(self.model.optimizer.iterations.value)

    def _due(self, step: int) -> bool:
        return self._last_record is None or step - self._last_record >= self.every

    def _grad_norms(self) -> list[float] | None:
        if self.gradients and self._weights and self._values.torch:
            return torch_grad_norms(torch_grads(self._weights))
        return None

    def _record(self, run: Any, step: int, per: list[float] | None) -> None:
        self._last_record = step
        now = self._values.current(self._weights)
        wn = self._values.norms(now)
        values = {f"weight_norm/{n}": v for n, v in zip(self._names, wn)}
        if per is not None:
            values.update({f"grad_norm/{n}": v for n, v in zip(self._names, per) if not math.isnan(v)})
        if self._snapshot is not None:
            before, self._snapshot = self._snapshot, None
            bn = self._values.norms(before)
            delta = self._values.diff_norms(now, before)
            values.update({f"update_ratio/{n}": d / b for n, d, b in zip(self._names, delta, bn) if b > 0})
        run.log(values, step=step, advance=False)
        if self.histograms:
            for n, a in zip(self._names, now):
                run.log_histogram(f"weights/{n}", a, step=step)
            if self._tap is None and per is not None:
                for n, g in zip(self._names, torch_grads(self._weights)):
                    if g is not None:
                        run.log_histogram(f"grads/{n}", g.detach(), step=step)

    def _log_model(self, run: Any, model: Any) -> None:
        from ..inspect import inspect as _inspect  # the public analysis, lazily, as run.log_model does

        weights = list(model.weights)
        arrays = dict(zip([w.path for w in weights], weight_arrays(weights)))
        d = _inspect(arrays).to_dict()
        layers, modules = structure(model)
        trainable = {w.path for w in model.trainable_weights}
        for p in d["parameters"]:
            p["requires_grad"] = p["name"] in trainable
            p["module"] = p["name"].rsplit("/", 1)[0]
        d.update({"framework": f"keras/{keras.backend.backend()}", "model_type": type(model).__name__,
                  "layers": layers, "modules": modules, "graph": graph(model),
                  "total_params": int(model.count_params()),
                  "trainable_params": sum(int(np.prod(w.shape)) for w in model.trainable_weights)})
        run.log_artifact("model", d)

    # -- failure ------------------------------------------------------------------------
    def _guard_train_function(self) -> None:
        """Wrap the train function Keras calls each batch so that a raise marks the run failed."""
        model = self.model
        inner = model.train_function
        if inner is None:
            return
        self._train_fn = inner

        def train_function(*args: Any, **kwargs: Any) -> Any:
            try:
                return inner(*args, **kwargs)
            except BaseException as exc:
                if not _end_of_data(exc):
                    self._fail()
                raise

        model.train_function = train_function

    def _fail(self) -> None:
        self._failed = True
        self._restore()
        self._holder.end(failed=True, diagnose=False, verbose=False)

    def _restore(self) -> None:
        if self._train_fn is not None and self.model is not None:
            self.model.train_function = self._train_fn
            self._train_fn = None
        if self._tap is not None:
            tap, self._tap = self._tap, None
            tap.remove()


def _spe(model: Any) -> int:
    try:
        return max(int(getattr(model, "steps_per_execution", 1) or 1), 1)
    except (TypeError, ValueError):
        return 1


def _scalars(logs: Any) -> dict[str, float]:
    out = {}
    for k, v in (logs or {}).items():
        x = v if type(v) is float else plain_number(v)  # Keras hands its callbacks Python floats
        if x is not None:
            out[str(k)] = x
    return out


def _learning_rate(model: Any) -> float | None:
    opt = getattr(model, "optimizer", None)
    if opt is None:
        return None
    try:
        lr = opt.learning_rate
        return float(getattr(lr, "value", lr))
    except Exception:  # noqa: BLE001 - an optimizer without a readable rate: log none
        return None


def _end_of_data(exc: BaseException) -> bool:
    """Keras ends an epoch's data with StopIteration (or TensorFlow's OutOfRangeError): no failure."""
    return isinstance(exc, StopIteration) or type(exc).__name__ == "OutOfRangeError"
