"""``mg.compare_losses``: train the same model with several losses, compare on validation data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..core import (
    BadInputError,
    BadTypeError,
    Finding,
    Result,
    Severity,
    format_number,
    in_range,
    jsonable,
    one_of,
    require,
    sort_findings,
)
from ..core import iter_progress

REGRESSION = ("mse", "mae", "huber")
CLASSIFICATION = ("cross_entropy", "label_smoothing", "focal")
_METRICS = {"mae": False, "mse": False, "rmse": False, "accuracy": True}


@dataclass(frozen=True)
class LossRun:
    """One model trained with one loss."""

    name: str
    val_metric: float
    train_losses: np.ndarray
    val_pred: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"name": self.name, "val_metric": self.val_metric,
                         "final_train_loss": self.train_losses[-1] if len(self.train_losses) else None})


@dataclass(frozen=True)
class LossComparison(Result):
    """The outcome of :func:`modelglass.compare_losses`.

    Attributes:
        task: ``regression`` or ``classification``.
        metric: The validation metric compared.
        greater_is_better: Direction of the metric.
        runs: One entry per loss.
        best: Name of the loss with the best validation metric.
        fit_x: For 1-feature regression, a grid of inputs, else None.
        fit_y: Predictions of each loss's model on ``fit_x``.
        train_x: Training inputs (1-feature regression only) for the figure.
        train_y: Training targets (1-feature regression only).
        findings: Notes on the comparison.
    """

    TITLE = "Loss-function comparison"
    FIGURE_KINDS = ("metric", "training", "fit")

    task: str
    metric: str
    greater_is_better: bool
    runs: tuple[LossRun, ...]
    best: str
    fit_x: np.ndarray | None = None
    fit_y: Mapping[str, np.ndarray] | None = None
    train_x: np.ndarray | None = None
    train_y: np.ndarray | None = None
    findings: tuple[Finding, ...] = field(default=())

    def scores(self) -> dict[str, float]:
        return {r.name: r.val_metric for r in self.runs}

    def _to_dict_body(self) -> dict[str, Any]:
        return {"task": self.task, "metric": self.metric, "greater_is_better": self.greater_is_better,
                "best": self.best, "runs": [r.to_dict() for r in self.runs]}

    def _figure(self, kind: str) -> Any:
        """``metric`` (validation metric per loss), ``training`` (loss curves) or ``fit`` (fitted lines)."""
        from ..viz import losses_figure

        return losses_figure(self, kind)

    def _text_body(self) -> str:
        better = "higher" if self.greater_is_better else "lower"
        lines = [f"{self.task}; validation {self.metric} ({better} is better):"]
        for r in self.runs:
            mark = "  best" if r.name == self.best else ""
            lines.append(f"  {r.name:18s} {format_number(r.val_metric)}{mark}")
        return "\n".join(lines)


def compare_losses(
    model_fn: Callable[[], Any],
    losses: Sequence[str] | Mapping[str, Callable[[Any, Any], Any]] | None,
    X: Any,
    y: Any,
    X_val: Any = None,
    y_val: Any = None,
    *,
    metric: str | Callable[[np.ndarray, np.ndarray], float] | None = None,
    greater_is_better: bool | None = None,
    task: str | None = None,
    epochs: int = 300,
    lr: float = 0.01,
    val_fraction: float = 0.25,
    seed: int = 0,
    progress: bool = True,
) -> LossComparison:
    """Train a fresh ``model_fn()`` with each loss and compare them on validation data.

    Losses by name: ``mse``, ``mae``, ``huber`` (regression); ``cross_entropy``,
    ``label_smoothing``, ``focal`` (classification); or ``{name: loss(output, target)}``.
    Each model trains full-batch with Adam for ``epochs`` steps from the same seed.

    Args:
        model_fn: Builds a fresh ``torch.nn.Module``.
        losses: Loss names or a dict of callables; default all of the task's.
        X: Training inputs.
        y: Training targets.
        X_val: Validation inputs (default: a held-out ``val_fraction`` of X).
        y_val: Validation targets.
        metric: ``mae``, ``mse``, ``rmse``, ``accuracy`` or ``f(y_true, y_pred) -> float``
            (default ``mae`` for regression, ``accuracy`` for classification).
        greater_is_better: Direction of a callable metric.
        task: ``regression`` or ``classification`` (default: from the losses or y).
        progress: Show a progress bar of the losses (on a terminal or in a notebook only).
    """
    torch = require("torch", "compare_losses")
    named, task = _loss_table(torch, losses, task, y)
    Xt, yt, Xv, yv = _split(torch, X, y, X_val, y_val, task, val_fraction, seed)
    metric_name, metric_fn, gib = _metric(metric, greater_is_better, task)
    runs, models = [], {}
    for name, fn in iter_progress(list(named.items()), "compare_losses: losses", progress=progress):
        torch.manual_seed(seed)
        model = model_fn()
        if not isinstance(model, torch.nn.Module):
            raise BadTypeError(f"model_fn must return a torch.nn.Module. Got {type(model).__name__}.")
        curve = _train(torch, model, fn, Xt, yt, epochs, lr, task, name)
        with torch.no_grad():
            out = _squeeze(model(Xv), task)
        pred = (out.argmax(dim=1) if task == "classification" else out).detach().cpu().numpy()
        runs.append(LossRun(name, float(metric_fn(yv.cpu().numpy(), pred)), curve, pred))
        models[name] = model
    pick = max if gib else min
    best = pick(runs, key=lambda r: r.val_metric if math.isfinite(r.val_metric) else (-math.inf if gib else math.inf)).name
    fit = _fit_lines(torch, models, Xt, yt, task)
    return LossComparison(task, metric_name, gib, tuple(runs), best, *fit,
                          findings=_findings(runs, best, task, metric_name, gib))


def _loss_table(torch: Any, losses: Any, task: str | None, y: Any) -> tuple[dict[str, Any], str]:
    F = torch.nn.functional
    builtin = {
        "mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss,
        "cross_entropy": F.cross_entropy,
        "label_smoothing": lambda o, t: F.cross_entropy(o, t, label_smoothing=0.1),
        "focal": lambda o, t: _focal(torch, o, t),
    }
    if losses is None:
        if task is None:
            yy = np.asarray(y)
            task = "classification" if yy.dtype.kind in "iub" else "regression"
        losses = REGRESSION if task == "regression" else CLASSIFICATION
    if isinstance(losses, Mapping):
        named = dict(losses)
        for k, v in named.items():
            if not callable(v):
                raise BadTypeError(f"The loss {k!r} must be callable(output, target). Got {type(v).__name__}.")
    else:
        unknown = [n for n in losses if n not in builtin]
        if unknown:
            raise BadInputError(f"Unknown loss {unknown[0]!r}. Use {', '.join(builtin)} or a dict of callables.")
        named = {n: builtin[n] for n in losses}
        kinds = {("classification" if n in CLASSIFICATION else "regression") for n in named}
        if len(kinds) > 1:
            raise BadInputError("compare_losses got both regression and classification losses; compare one task at a time.")
        task = task or kinds.pop()
    if not named:
        raise BadInputError("compare_losses got no losses to compare.")
    one_of(task, "task", "compare_losses", ("regression", "classification"))
    return named, task


def _focal(torch: Any, out: Any, target: Any, gamma: float = 2.0) -> Any:
    logp = torch.log_softmax(out, dim=1).gather(1, target[:, None]).squeeze(1)
    return (-(1 - logp.exp()) ** gamma * logp).mean()


def _split(torch: Any, X: Any, y: Any, X_val: Any, y_val: Any, task: str, frac: float, seed: int) -> tuple[Any, ...]:
    def tens(a: Any, target: bool) -> Any:
        t = torch.as_tensor(np.asarray(a.detach().cpu() if hasattr(a, "detach") else a))
        return t.long() if (target and task == "classification") else t.float()

    X_t, y_t = tens(X, False), tens(y, True)
    if X_t.ndim == 1:
        X_t = X_t[:, None]
    if len(X_t) != len(y_t):
        raise BadInputError(f"X has {len(X_t)} rows but y has {len(y_t)}. Pass one target per row.")
    if X_val is not None:
        Xv, yv = tens(X_val, False), tens(y_val, True)
        return X_t, y_t, (Xv[:, None] if Xv.ndim == 1 else Xv), yv
    in_range(frac, "val_fraction", "compare_losses", 0, 1, low_open=True, high_open=True)
    perm = np.random.default_rng(seed).permutation(len(X_t))
    k = max(1, int(round(frac * len(X_t))))
    v, t = torch.as_tensor(perm[:k]), torch.as_tensor(perm[k:])
    return X_t[t], y_t[t], X_t[v], y_t[v]


def _metric(metric: Any, gib: bool | None, task: str) -> tuple[str, Callable[..., float], bool]:
    metric = metric or ("mae" if task == "regression" else "accuracy")
    if callable(metric):
        return getattr(metric, "__name__", "metric"), metric, bool(gib)
    fns = {
        "mae": lambda t, p: float(np.mean(np.abs(t - p))),
        "mse": lambda t, p: float(np.mean((t - p) ** 2)),
        "rmse": lambda t, p: float(np.sqrt(np.mean((t - p) ** 2))),
        "accuracy": lambda t, p: float(np.mean(t == p)),
    }
    if metric not in fns:
        raise BadInputError(f"Unknown metric {metric!r}. Use {', '.join(fns)} or a function f(y_true, y_pred).")
    return metric, fns[metric], _METRICS[metric]


def _squeeze(out: Any, task: str) -> Any:
    return out.squeeze(-1) if task == "regression" and out.ndim == 2 and out.shape[1] == 1 else out


def _train(torch: Any, model: Any, loss: Any, X: Any, y: Any, epochs: int, lr: float, task: str, name: str) -> np.ndarray:
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise BadInputError("The model from model_fn has no trainable parameters.")
    opt = torch.optim.Adam(params, lr=lr)
    curve = np.empty(epochs)
    for e in range(epochs):
        opt.zero_grad()
        try:
            value = loss(_squeeze(model(X), task), y)
        except (RuntimeError, ValueError, IndexError) as exc:
            raise BadInputError(f"Training with the loss {name!r} failed: {' '.join(str(exc).split())[:300]}") from exc
        value.backward()
        opt.step()
        curve[e] = float(value.detach())
        if not math.isfinite(curve[e]):
            return curve[: e + 1]
    return curve


def _fit_lines(torch: Any, models: Mapping[str, Any], X: Any, y: Any, task: str) -> tuple[Any, ...]:
    if task != "regression" or X.shape[1] != 1:
        return None, None, None, None
    grid = torch.linspace(float(X.min()), float(X.max()), 100)[:, None]
    with torch.no_grad():
        fits = {n: _squeeze(m(grid), task).cpu().numpy() for n, m in models.items()}
    return grid[:, 0].numpy(), fits, X[:, 0].numpy(), y.numpy()


def _findings(runs: list[LossRun], best: str, task: str, metric: str, gib: bool) -> tuple[Finding, ...]:
    out: list[Finding] = []
    default = "mse" if task == "regression" else "cross_entropy"
    scores = {r.name: r.val_metric for r in runs}
    if default in scores and best != default and math.isfinite(scores[default]) and scores[default] != 0:
        gain = (scores[best] - scores[default]) / abs(scores[default]) * (1 if gib else -1)
        if gain > 0.05:
            why = " (outliers in the training targets pull the squared error)" if task == "regression" else ""
            out.append(Finding(
                "loss_choice_matters", Severity.INFO,
                f"Training with {best} gives a {gain:.0%} better validation {metric} than {default}{why}.",
                {"best": best, "default": default, "scores": scores, "relative_gain": gain},
                f"Train with the {best} loss, or clean the data that makes {default} worse.",
                source="compare_losses"))
    for r in runs:
        if len(r.train_losses) and not math.isfinite(r.train_losses[-1]):
            out.append(Finding(
                "loss_training_diverged", Severity.WARNING, f"Training with {r.name} diverged (loss became NaN/Inf).",
                {"loss": r.name, "epoch": len(r.train_losses) - 1},
                "Lower the learning rate for this loss.", step=len(r.train_losses) - 1, source="compare_losses"))
    return tuple(sort_findings(out))
