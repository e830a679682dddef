"""Hugging Face Trainer on a tiny BERT built from a config (no downloads): steps, values, grad norms."""

from __future__ import annotations

import math
import warnings

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")

import modelglass as mg  # noqa: E402
from modelglass.integrations.transformers import ModelglassCallback  # noqa: E402

pytestmark = [pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::FutureWarning")]


def tiny_bert(seed=0):
    torch.manual_seed(seed)
    cfg = transformers.BertConfig(vocab_size=32, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=16, num_labels=2)
    return transformers.BertForSequenceClassification(cfg)


class Tokens(torch.utils.data.Dataset):
    """Sequences of token ids; label 1 sequences use tokens 4-17, label 0 ones 18-31."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.labels = (torch.rand(n, generator=g) < 0.5).long()
        self.ids = torch.randint(0, 14, (n, 8), generator=g) + 4 + 14 * (1 - self.labels)[:, None]

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(8, dtype=torch.long),
                "labels": self.labels[i]}


class Seen(transformers.TrainerCallback):
    """What the Trainer's own events carried: the logs, and the gradient norm before each step."""

    def __init__(self):
        self.logs, self.norms, self.optimizer = [], [], None

    def on_pre_optimizer_step(self, args, state, control, model=None, optimizer=None, **kw):
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        self.norms.append((state.global_step + 1, float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))))
        self.optimizer = optimizer

    def on_log(self, args, state, control, logs=None, **kw):
        self.logs.append((state.global_step, dict(logs)))


def train(tmp_path, accumulate=1, lr=5e-3, epochs=2, max_grad_norm=1.0, fail=False, every=3):
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), per_device_train_batch_size=8, per_device_eval_batch_size=16,
        gradient_accumulation_steps=accumulate, num_train_epochs=epochs, learning_rate=lr,
        logging_steps=1, eval_strategy="epoch", save_strategy="no", report_to=[], use_cpu=True,
        disable_tqdm=True, max_grad_norm=max_grad_norm, seed=0, dataloader_num_workers=0)
    cb = ModelglassCallback(project="hf", store=tmp_path / "s", every=every, verbose=False)
    seen = Seen()
    model = tiny_bert()
    if fail:
        calls = []

        def broken(module, inputs):
            calls.append(1)
            if len(calls) == 4:
                raise RuntimeError("planted failure")

        model.classifier.register_forward_pre_hook(broken)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=Tokens(64, 0),
                                   eval_dataset=Tokens(32, 1), callbacks=[cb, seen])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.train()
    return cb, seen, mg.open_store(tmp_path / "s")


def series(reader, rid, tag):
    s = reader.series(rid, tag)
    return [int(v) for v in s.steps], [float(v) for v in s.values]


@pytest.mark.parametrize("accumulate", [1, 2])
def test_trainer_logs_and_watch_line_up_at_the_trainers_steps(tmp_path, accumulate):
    cb, seen, reader = train(tmp_path, accumulate=accumulate)
    rid = cb.run.id
    steps = list(range(1, 2 * 8 // accumulate + 1))
    train_logs = [(s, lg) for s, lg in seen.logs if "loss" in lg]
    assert [s for s, _ in train_logs] == steps
    for key in ("loss", "grad_norm", "learning_rate", "epoch"):
        assert series(reader, rid, f"train/{key}") == (steps, [lg[key] for _, lg in train_logs]), key
    eval_logs = [(s, lg) for s, lg in seen.logs if "eval_loss" in lg]
    assert series(reader, rid, "val/loss") == ([s for s, _ in eval_logs], [lg["eval_loss"] for _, lg in eval_logs])
    # watch's grad_norm: the Trainer's step numbering, the norm its pre-step event saw (after clipping).
    got_steps, got = series(reader, rid, "grad_norm")
    assert got_steps == [s for s, _ in seen.norms] == steps
    assert got == pytest.approx([n for _, n in seen.norms], rel=1e-5)
    for (_, lg), ours in zip(train_logs, got):  # the Trainer's own norm is before clipping to 1.0
        assert ours == pytest.approx(min(lg["grad_norm"], 1.0), rel=1e-4)
    assert series(reader, rid, "weight_norm/classifier.weight")[0] == steps[::3]
    final = reader.runs()[0]
    assert final.status == "finished"
    assert final.summary["train_loss"] == pytest.approx(next(lg for _, lg in seen.logs if "train_runtime" in lg)["train_loss"])
    assert final.config["training_args"]["gradient_accumulation_steps"] == accumulate
    art = reader.artifact(rid, "watch")
    assert type(seen.optimizer).__name__ == "AcceleratedOptimizer"
    assert art["optimizer_wrapper"] == "AcceleratedOptimizer" and art["optimizer"] == "AdamW"
    assert reader.artifact(rid, "model")["total_params"] == sum(p.numel() for p in tiny_bert().parameters())


def test_without_clipping_watch_and_the_trainer_agree_on_grad_norm(tmp_path):
    cb, seen, reader = train(tmp_path, max_grad_norm=0.0, epochs=1)
    ours = series(reader, cb.run.id, "grad_norm")
    theirs = series(reader, cb.run.id, "train/grad_norm")
    assert ours[0] == theirs[0] == list(range(1, 9))
    assert ours[1] == pytest.approx(theirs[1], rel=1e-5)


def test_a_raise_in_training_fails_the_run(tmp_path):
    with pytest.raises(RuntimeError, match="planted failure"):
        train(tmp_path, fail=True)
    reader = mg.open_store(tmp_path / "s")
    info = reader.runs()[0]
    assert info.status == "failed"
    assert series(reader, info.id, "grad_norm")[0] == [1, 2, 3]


def test_healthy_and_planted_high_learning_rate(tmp_path):
    ok, _, _ = train(tmp_path / "ok", lr=5e-3, epochs=3)
    assert ok.diagnosis.loss_tag == "train/loss" and ok.diagnosis.val_tag == "val/loss"
    assert ok.diagnosis.verdict == "healthy", str(ok.diagnosis)
    bad, _, reader = train(tmp_path / "bad", lr=3.0, epochs=3, max_grad_norm=0.0)
    assert bad.diagnosis.verdict == "error", str(bad.diagnosis)
    assert {"loss_divergence", "exploding_gradients", "nan_inf"} & set(bad.diagnosis.codes("error"))
    assert bad.diagnosis.top_cause.code == "lr_too_high", str(bad.diagnosis)
    assert not math.isnan(series(reader, bad.run.id, "train/loss")[1][0])


def test_only_the_world_process_zero_logs(tmp_path):
    from types import SimpleNamespace

    cb = ModelglassCallback(project="hf", store=tmp_path / "s", verbose=False)
    args = transformers.TrainingArguments(output_dir=str(tmp_path / "out"), report_to=[], use_cpu=True)
    other_rank = SimpleNamespace(is_world_process_zero=False, global_step=0)
    cb.on_train_begin(args, other_rank, None, model=tiny_bert(), optimizer=None)
    cb.on_log(args, other_rank, None, logs={"loss": 1.0})
    cb.on_train_end(args, other_rank, None)
    assert cb.run is None and cb.watcher is None and not (tmp_path / "s").exists()
