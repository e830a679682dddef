"""Overhead of the framework callbacks on each framework's own training step.

For each framework the same model trains three ways, in one process, the variants
taking turns (so that changes in machine load hit all alike): with no logging at all,
with the framework's own file logger (Keras ``CSVLogger``, Lightning ``CSVLogger``; the
Hugging Face Trainer logs into its ``state.log_history`` either way), and with the
modelglass callback (``every=50``, its default). A timing callback, present in every
variant, measures the wall time and the training thread's CPU time per step after 10
warm-up steps (CPU time is what a busy shared machine inflates least); the total
time of ``fit`` / ``train`` (start-up, the model inspection and the diagnosis at the end
included) is reported beside it. Medians of ``--repeats`` runs; torch on one thread.
Keras runs on the torch backend, or on the one ``KERAS_BACKEND`` names (TensorFlow:
``KERAS_BACKEND=tensorflow .venv-tf/bin/python benchmarks/bench_integrations.py``, Keras
only). Run: ``python benchmarks/bench_integrations.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")
warnings.simplefilter("ignore")

import numpy as np  # noqa: E402

WARMUP = 10
HOOK_SECONDS = [0.0]  # CPU time of the training thread inside modelglass's own hooks


def _timed(fn):
    def wrapper(*args, **kwargs):
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            HOOK_SECONDS[0] += time.thread_time() - t0
    return wrapper


def time_hooks() -> None:
    """Wrap every per-step entry point of the callbacks (and watch's forward hook) in a CPU timer:
    a measure of modelglass's own work that a busy shared machine does not inflate."""
    from modelglass.integrations import keras

    targets = [(keras.ModelglassCallback, ("on_train_batch_begin", "on_train_batch_end", "on_epoch_end"))]
    if keras.keras.backend.backend() == "torch":
        from modelglass.integrations import huggingface, lightning
        from modelglass.probes.torch import Watcher

        targets += [(lightning.ModelglassLogger, ("log_metrics", "save")),
                    (lightning.ModelglassCallback, ("on_before_optimizer_step",)),
                    (huggingface.ModelglassCallback, ("on_pre_optimizer_step", "on_log")),
                    (Watcher, ("_on_forward",))]
    for cls, names in targets:
        for name in names:
            setattr(cls, name, _timed(getattr(cls, name)))


class StepClock:
    """Wall and training-thread CPU time between the end of step WARMUP and the end of the last step."""

    def __init__(self) -> None:
        self.t0: tuple[float, float] | None = None
        self.t1 = (0.0, 0.0)
        self.n = 0

    def tick(self) -> None:
        self.n += 1
        now = (time.perf_counter(), time.thread_time())
        if self.n == WARMUP:
            self.t0 = now
        self.t1 = now

    def per_step_ms(self) -> tuple[float, float]:
        assert self.t0 is not None
        steps = self.n - WARMUP
        return 1e3 * (self.t1[0] - self.t0[0]) / steps, 1e3 * (self.t1[1] - self.t0[1]) / steps


# -- Keras ---------------------------------------------------------------------------
def keras_fit(variant: str, steps: int, tmp: str) -> tuple[tuple[float, float], float]:
    import keras

    from modelglass.integrations.keras import ModelglassCallback

    clock = StepClock()

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            clock.tick()

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.SGD(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).normal(size=(64 * steps, 784)).astype("float32")
    y = np.random.default_rng(1).integers(0, 10, size=64 * steps)
    callbacks: list = [Clock()]
    if variant == "own":
        callbacks.append(keras.callbacks.CSVLogger(os.path.join(tmp, "log.csv")))
    elif variant == "modelglass":
        callbacks.append(ModelglassCallback(project="bench", store=os.path.join(tmp, "mg"), verbose=False))
    t = time.perf_counter()
    model.fit(x, y, batch_size=64, epochs=1, callbacks=callbacks, verbose=0)
    return clock.per_step_ms(), time.perf_counter() - t


# -- Lightning -----------------------------------------------------------------------
def lightning_fit(variant: str, steps: int, tmp: str) -> tuple[tuple[float, float], float]:
    import lightning.pytorch as L
    import torch
    from lightning.pytorch.loggers import CSVLogger

    from modelglass.integrations.lightning import ModelglassCallback, ModelglassLogger

    clock = StepClock()

    class Clock(L.Callback):
        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            clock.tick()

    class Net(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))

        def training_step(self, batch, i):
            x, y = batch
            loss = torch.nn.functional.cross_entropy(self.net(x), y)
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)

    torch.manual_seed(0)
    data = torch.utils.data.TensorDataset(torch.randn(64 * steps, 784), torch.randint(0, 10, (64 * steps,)))
    callbacks: list = [Clock()]
    logger: object = False
    if variant == "own":
        logger = CSVLogger(tmp)
    elif variant == "modelglass":
        logger = ModelglassLogger(project="bench", store=os.path.join(tmp, "mg"), verbose=False)
        callbacks.append(ModelglassCallback())
    trainer = L.Trainer(max_epochs=1, logger=logger, callbacks=callbacks, log_every_n_steps=1,
                        enable_progress_bar=False, enable_checkpointing=False, enable_model_summary=False,
                        default_root_dir=tmp)
    t = time.perf_counter()
    trainer.fit(Net(), torch.utils.data.DataLoader(data, batch_size=64))
    return clock.per_step_ms(), time.perf_counter() - t


# -- Hugging Face ----------------------------------------------------------------------
def hf_fit(variant: str, steps: int, tmp: str) -> tuple[tuple[float, float], float]:
    import torch
    import transformers

    from modelglass.integrations.transformers import ModelglassCallback

    clock = StepClock()

    class Clock(transformers.TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            clock.tick()

    class Tokens(torch.utils.data.Dataset):
        def __init__(self, n):
            g = torch.Generator().manual_seed(0)
            self.ids = torch.randint(0, 128, (n, 32), generator=g)
            self.labels = torch.randint(0, 2, (n,), generator=g)

        def __len__(self):
            return len(self.ids)

        def __getitem__(self, i):
            return {"input_ids": self.ids[i], "labels": self.labels[i]}

    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=128, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                  intermediate_size=128, max_position_embeddings=32, num_labels=2)
    args = transformers.TrainingArguments(
        output_dir=tmp, per_device_train_batch_size=16, num_train_epochs=1, logging_steps=1,
        save_strategy="no", report_to=[], use_cpu=True, disable_tqdm=True, dataloader_num_workers=0)
    callbacks: list = [Clock()]
    if variant == "modelglass":
        callbacks.append(ModelglassCallback(project="bench", store=os.path.join(tmp, "mg"), verbose=False))
    trainer = transformers.Trainer(model=transformers.BertForSequenceClassification(cfg), args=args,
                                   train_dataset=Tokens(16 * steps), callbacks=callbacks)
    t = time.perf_counter()
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # the Trainer prints every log line
        trainer.train()
    return clock.per_step_ms(), time.perf_counter() - t


FRAMEWORKS = {
    "keras (torch backend), MLP 784-256-10, batch 64": (keras_fit, ("none", "own", "modelglass"), 300),
    "lightning, MLP 784-256-10, batch 64": (lightning_fit, ("none", "own", "modelglass"), 300),
    "transformers Trainer, BERT 2x64, batch 16x32": (hf_fit, ("none", "modelglass"), 120),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", choices=("keras", "lightning", "transformers"), default=None)
    opts = ap.parse_args()
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    else:
        import torch

        torch.set_num_threads(1)
    time_hooks()
    print("| framework | logging | wall ms/step | x none | CPU ms/step (training thread) | x none | "
          "modelglass hooks, CPU µs/step | fit total s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for title, (fn, variants, steps) in FRAMEWORKS.items():
        if opts.only and not title.startswith(opts.only):
            continue
        if backend != "torch" and not title.startswith("keras"):
            continue  # Lightning and the Trainer need torch
        title = title.replace("(torch backend)", f"({backend} backend)")
        per: dict[str, list[float]] = {v: [] for v in variants}
        cpu: dict[str, list[float]] = {v: [] for v in variants}
        total: dict[str, list[float]] = {v: [] for v in variants}
        hooks: list[float] = []
        for _ in range(opts.repeats):
            for v in variants:
                HOOK_SECONDS[0] = 0.0
                with tempfile.TemporaryDirectory() as tmp:
                    (ms, cpu_ms), s = fn(v, steps, tmp)
                per[v].append(ms)
                cpu[v].append(cpu_ms)
                total[v].append(s)
                if v == "modelglass":
                    hooks.append(1e6 * HOOK_SECONDS[0] / steps)
        base, cbase = statistics.median(per["none"]), statistics.median(cpu["none"])
        for v in variants:
            med, cmed = statistics.median(per[v]), statistics.median(cpu[v])
            hook = f"{statistics.median(hooks):.0f}" if v == "modelglass" else "-"
            print(f"| {title} | {v} | {med:.2f} | {med / base:.2f} | {cmed:.2f} | {cmed / cbase:.2f} | "
                  f"{hook} | {statistics.median(total[v]):.2f} |")


if __name__ == "__main__":
    main()
