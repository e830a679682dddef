"""Planted bugs for the cause tests: one training loop, one switch per bug.

The default is the issue's healthy setup: a 64-128-128-10 ReLU MLP trained with Adam
(lr 1e-3) on standardised load_digits, minibatches of 32, ``run.watch(every=10,
loss_fn=criterion)``; every switch plants one bug a user makes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

import modelglass as mg

from ._common import diabetes, digits


@dataclass
class Plan:
    """One training run: the healthy defaults and the switches that plant a bug."""

    name: str = "healthy"
    sizes: tuple[int, ...] = (64, 128, 128, 10)
    act: type[nn.Module] = nn.ReLU
    lr: float = 1e-3
    optim: str = "adam"
    epochs: int = 4
    batch: int = 32
    n_train: int | None = None
    zero_grad: bool = True
    shuffle_labels: bool = False
    shuffle_batches: bool = True
    sort_by_label: bool = False
    input_scale: float = 1.0
    raw_inputs: bool = False
    softmax_output: bool = False
    naive_log_softmax: bool = False
    std_by_hand: bool = False
    regression: bool = False
    squeeze: bool = True
    bias_init: float | None = None
    last_scale: float | None = None
    dropout: float = 0.0
    eval_mode: bool = True
    left_out: bool = False
    frozen_first: bool = False
    accumulate: int = 1
    every: int = 10
    extra: dict[str, Any] = field(default_factory=dict)


def _data(plan: Plan) -> tuple[torch.Tensor, ...]:
    if plan.regression:
        X, y, Xv, yv = diabetes()
        return (torch.tensor(X), torch.tensor(y, dtype=torch.float32),
                torch.tensor(Xv), torch.tensor(yv, dtype=torch.float32))
    X, y, Xv, yv = digits()
    if plan.raw_inputs:  # undo the standardisation: pixel values 0..16, then scaled up
        from sklearn.datasets import load_digits

        Xa, ya = load_digits(return_X_y=True)
        order = np.random.default_rng(0).permutation(len(ya))
        Xa = Xa[order].astype(np.float32) * plan.input_scale
        X, Xv = Xa[:1200], Xa[1200:]
    return torch.tensor(X), torch.tensor(y), torch.tensor(Xv), torch.tensor(yv)


class _BatchStd(nn.Module):
    """Standardise each feature by its batch std, by hand: 0/0 on a constant feature."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - x.mean(0)) / x.std(0)


def _model(plan: Plan, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    layers: list[nn.Module] = [_BatchStd()] if plan.std_by_hand else []
    s = plan.sizes
    for a, b in zip(s[:-2], s[1:-1]):
        layers += [nn.Linear(a, b), plan.act()]
        if plan.dropout:
            layers.append(nn.Dropout(plan.dropout))
    layers.append(nn.Linear(s[-2], s[-1]))
    if plan.softmax_output:
        layers.append(nn.Softmax(dim=1))
    m = nn.Sequential(*layers)
    linears = [x for x in m if isinstance(x, nn.Linear)]
    with torch.no_grad():
        if plan.bias_init is not None:
            for x in linears[:-1]:
                x.bias.fill_(plan.bias_init)
        if plan.last_scale is not None:
            linears[-1].weight.mul_(plan.last_scale)
    if plan.frozen_first:
        for p in linears[0].parameters():
            p.requires_grad_(False)
    return m


class _NaiveNLL(nn.Module):
    """log(softmax(x)) written by hand: log(0) once a probability underflows."""

    def forward(self, out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return -torch.log(torch.softmax(out, dim=1)).gather(1, t[:, None]).mean()


def _criterion(plan: Plan) -> nn.Module:
    if plan.regression:
        return nn.MSELoss()
    if plan.naive_log_softmax:
        return _NaiveNLL()
    return nn.CrossEntropyLoss()


def _optimizer(plan: Plan, model: nn.Module) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if plan.left_out:  # the middle layer never reaches the optimizer
        linears = [x for x in model if isinstance(x, nn.Linear)]
        skip = {id(p) for p in linears[1].parameters()}
        params = [p for p in params if id(p) not in skip]
    if plan.optim == "sgd":
        return torch.optim.SGD(params, lr=plan.lr)
    return torch.optim.Adam(params, lr=plan.lr)


def train(plan: Plan, store: str, seed: int = 0) -> str:
    """Train ``plan`` into ``store``; returns the run id."""
    torch.set_num_threads(1)
    X, y, Xv, yv = _data(plan)
    if plan.n_train is not None:
        X, y = X[:plan.n_train], y[:plan.n_train]
    if plan.shuffle_labels:
        y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(7 + seed))]
    if plan.sort_by_label:
        order = torch.argsort(y, stable=True)
        X, y = X[order], y[order]
    model, crit = _model(plan, seed), _criterion(plan)
    opt = _optimizer(plan, model)
    config = {"lr": plan.lr, "batch_size": plan.batch, "epochs": plan.epochs, **plan.extra}
    if not plan.regression:
        config["num_classes"] = 10
    else:
        config["task"] = "regression"
        config["baseline_loss"] = 1.0
    run = mg.init(project="planted", name=plan.name, config=config, store=store)
    run.watch(model, opt, every=plan.every, loss_fn=crit)
    g = torch.Generator().manual_seed(seed)
    step = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(plan.epochs):
            model.train()
            order = torch.randperm(len(X), generator=g) if plan.shuffle_batches else torch.arange(len(X))
            for i, idx in enumerate(order.split(plan.batch)):
                out = model(X[idx])
                if plan.regression and plan.squeeze:
                    out = out.squeeze(1)
                loss = crit(out, y[idx])
                if plan.zero_grad and plan.accumulate == 1:
                    opt.zero_grad()
                (loss / plan.accumulate).backward()
                run.log({"loss": loss.item()}, step=step)
                if (i + 1) % plan.accumulate == 0:
                    opt.step()
                    if plan.accumulate > 1:
                        opt.zero_grad()
                step += 1
                if not torch.isfinite(loss):
                    break
            if plan.eval_mode:
                model.eval()
            with torch.no_grad():
                out = model(Xv)
                if plan.regression and plan.squeeze:
                    out = out.squeeze(1)
                run.log({"val/loss": crit(out, yv).item()}, step=step - 1)
            if not torch.isfinite(loss):
                break
    run.finish()
    return run.id


# name -> (plan, the cause it plants or None for a healthy run)
PLANTED: dict[str, tuple[Plan, str | None]] = {
    "healthy": (Plan(), None),
    "healthy_dropout_eval": (Plan("healthy_dropout_eval", dropout=0.3), None),
    "healthy_accumulate": (Plan("healthy_accumulate", accumulate=4, lr=2e-3), None),
    "healthy_frozen_first": (Plan("healthy_frozen_first", frozen_first=True), None),
    "lr_too_high": (Plan("lr_too_high", lr=0.1), "lr_too_high"),
    "lr_too_low": (Plan("lr_too_low", lr=1e-6), "lr_too_low"),
    "missing_zero_grad": (Plan("missing_zero_grad", zero_grad=False), "missing_zero_grad"),
    "label_noise": (Plan("label_noise", shuffle_labels=True), "label_noise"),
    "unscaled_inputs": (Plan("unscaled_inputs", raw_inputs=True, input_scale=16.0, optim="sgd", lr=1e-3),
                        "unscaled_inputs"),
    "target_shape_mismatch": (Plan("target_shape_mismatch", sizes=(10, 32, 1), regression=True,
                                   squeeze=False, epochs=15), "target_shape_mismatch"),
    "loss_output_mismatch": (Plan("loss_output_mismatch", softmax_output=True), "loss_output_mismatch"),
    "bad_initialization": (Plan("bad_initialization", bias_init=-4.0), "bad_initialization"),
    "saturating_deep_network": (Plan("saturating_deep_network", sizes=(64,) + (32,) * 10 + (10,),
                                     act=nn.Sigmoid, optim="sgd", lr=0.1), "saturating_deep_network"),
    "not_enough_capacity": (Plan("not_enough_capacity", sizes=(64, 2, 10), lr=3e-3, epochs=8),
                            "not_enough_capacity"),
    "overfitting": (Plan("overfitting", sizes=(64, 512, 512, 10), n_train=60, batch=60, epochs=120,
                         every=5), "overfitting"),
    "parameters_not_training": (Plan("parameters_not_training", left_out=True), "parameters_not_training"),
    "eval_mode_missing": (Plan("eval_mode_missing", dropout=0.5, eval_mode=False), "eval_mode_missing"),
    "unshuffled_data": (Plan("unshuffled_data", sort_by_label=True, shuffle_batches=False, epochs=6),
                        "unshuffled_data"),
    "numerical_instability": (Plan("numerical_instability", std_by_hand=True), "numerical_instability"),
}
