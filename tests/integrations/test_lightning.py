"""Lightning: the logger writes what Lightning logged, the callback what watch records, at one step."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning.pytorch")
from lightning.pytorch.loggers import Logger  # noqa: E402

import modelglass as mg  # noqa: E402
from modelglass.integrations.lightning import ModelglassCallback, ModelglassLogger  # noqa: E402

pytestmark = [pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


FITTED = []  # the modules the last fits trained


class Net(L.LightningModule):
    def __init__(self, lr=0.05, fail_at=None):
        super().__init__()
        FITTED.append(self)
        self.save_hyperparameters()
        torch.manual_seed(0)
        self.net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
        self.example_input_array = torch.zeros(2, 4)

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, i):
        if self.hparams.fail_at is not None and self.global_step == self.hparams.fail_at:
            raise RuntimeError("planted failure")
        x, y = batch
        loss = torch.nn.functional.mse_loss(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, i):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


class Recorder(Logger):
    """A logger of the test's own: what Lightning handed its loggers."""

    def __init__(self):
        super().__init__()
        self.logged = []

    name, version = "rec", "0"

    def log_metrics(self, metrics, step=None):
        self.logged.append((step, dict(metrics)))

    def log_hyperparams(self, *args, **kwargs):
        pass


class Norms(L.Callback):
    """The gradient norm Lightning's own hook sees, at trainer.global_step."""

    def __init__(self):
        self.seen = []

    def on_before_optimizer_step(self, trainer, pl_module, optimizer):
        grads = [p.grad for p in pl_module.parameters() if p.grad is not None]
        self.seen.append((trainer.global_step, float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))))


def loaders():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 4, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [0.0]]) + 0.1 * torch.randn(64, 1, generator=g)
    ds = torch.utils.data.TensorDataset(x, y)
    return (torch.utils.data.DataLoader(ds, batch_size=8),
            torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[:16], y[:16]), batch_size=8))


def fit(tmp_path, accumulate=1, lr=0.05, epochs=2, fail_at=None, logger=True, every=3):
    store = tmp_path / "s"
    ours = ModelglassLogger(project="pl", store=store, verbose=False) if logger else None
    cb = ModelglassCallback(project="pl", store=store, every=every, verbose=False)
    rec, norms = Recorder(), Norms()
    trainer = L.Trainer(max_epochs=epochs, accumulate_grad_batches=accumulate, log_every_n_steps=1,
                        logger=[ours, rec] if ours else [rec], callbacks=[cb, norms],
                        enable_progress_bar=False, enable_checkpointing=False, enable_model_summary=False,
                        default_root_dir=tmp_path, num_sanity_val_steps=0)
    train, val = loaders()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.fit(Net(lr=lr, fail_at=fail_at), train, val)
    return ours, cb, rec, norms, mg.open_store(store)


def series(reader, rid, tag):
    s = reader.series(rid, tag)
    return [int(v) for v in s.steps], [float(v) for v in s.values]


@pytest.mark.parametrize("accumulate", [1, 2])
def test_logged_metrics_and_grad_norms_match_lightning(tmp_path, accumulate):
    ours, cb, rec, norms, reader = fit(tmp_path, accumulate=accumulate)
    runs = reader.runs()
    assert len(runs) == 1 and cb.run is ours.run and cb.shared  # one run for both
    rid = runs[0].id
    keys = {k for _, m in rec.logged for k in m}
    assert {"train_loss", "val_loss", "epoch"} <= keys
    for key in keys:
        steps, values = series(reader, rid, key)
        assert steps == [s for s, m in rec.logged if key in m], key
        assert values == pytest.approx([m[key] for _, m in rec.logged if key in m], rel=1e-6), key
    steps_per_epoch = 8 // accumulate
    hook_steps = [s for s, _ in norms.seen]
    assert hook_steps == list(range(2 * steps_per_epoch))
    got_steps, got = series(reader, rid, "grad_norm")
    assert got_steps == hook_steps
    assert got == pytest.approx([n for _, n in norms.seen], rel=1e-5)
    # The loss Lightning logged for a batch sits at the step of that batch's update.
    assert series(reader, rid, "train_loss")[0] == hook_steps
    assert series(reader, rid, "weight_norm/net.0.weight")[0] == hook_steps[::3]
    assert runs[0].status == "finished"
    assert runs[0].config["lr"] == 0.05 and runs[0].config["lightning"]["accumulate_grad_batches"] == accumulate
    assert reader.artifact(rid, "model")["total_params"] == 4 * 16 + 16 + 16 + 1
    assert reader.artifact(rid, "watch")["start_step"] == 0


def test_a_raise_in_training_fails_the_run_and_removes_the_hooks(tmp_path):
    with pytest.raises(RuntimeError, match="planted failure"):
        fit(tmp_path, fail_at=3)
    assert not FITTED[-1]._forward_hooks and not any(m._forward_hooks for m in FITTED[-1].modules())
    reader = mg.open_store(tmp_path / "s")
    info = reader.runs()[0]
    assert info.status == "failed"
    assert series(reader, info.id, "grad_norm")[0] == [0, 1, 2]


def test_the_callback_alone_opens_and_finishes_its_own_run(tmp_path):
    _, cb, _, norms, reader = fit(tmp_path, logger=False)
    assert not cb.shared and cb.diagnosis is not None
    info = reader.runs()[0]
    assert info.status == "finished" and info.id == cb.run.id
    assert series(reader, info.id, "grad_norm")[0] == [s for s, _ in norms.seen]


def test_healthy_and_planted_high_learning_rate(tmp_path):
    ok, *_ = fit(tmp_path / "ok", lr=0.05, epochs=4)
    assert ok.diagnosis.verdict == "healthy", str(ok.diagnosis)
    assert ok.diagnosis.loss_tag == "train_loss" and ok.diagnosis.val_tag == "val_loss"
    bad, *_ = fit(tmp_path / "bad", lr=0.6, epochs=4)
    assert bad.diagnosis.verdict == "error", str(bad.diagnosis)
    assert {"loss_divergence", "exploding_gradients", "nan_inf"} & set(bad.diagnosis.codes("error"))
    assert bad.diagnosis.top_cause.code == "lr_too_high", str(bad.diagnosis)


def test_only_rank_zero_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "1")
    logger = ModelglassLogger(project="pl", store=tmp_path / "s", verbose=False)
    logger.log_metrics({"train_loss": 1.0}, step=0)
    logger.log_hyperparams({"lr": 0.1})
    logger.finalize("success")
    assert logger.experiment is None and logger.version == "" and not (tmp_path / "s").exists()


def test_an_existing_run_is_used_and_left_open(tmp_path):
    with mg.init("mine", store=tmp_path / "s") as run:
        logger = ModelglassLogger(run=run, verbose=False)
        assert logger.name == "mine" and logger.version == run.id
        logger.log_metrics({"train_loss": 0.5}, step=3)
        logger.finalize("success")
        assert run.status == "running"
        run.log({"after": 1.0})
    reader = mg.open_store(tmp_path / "s")
    assert series(reader, run.id, "train_loss") == ([3], [0.5])
    assert reader.runs()[0].status == "finished"
