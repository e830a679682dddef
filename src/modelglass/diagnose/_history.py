"""A run's history as the rules see it: series by name, artifacts, and what the probes knew.

The rules never touch the store; they read a :class:`History`, which loads each
series once, on first use, as float64 NumPy arrays.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Mapping

import numpy as np

from ..core import BadInputError, BadTypeError
from ..store import Reader, RunInfo, open_store

TRAIN_LOSS_TAGS = ("loss", "train/loss",
                   # What TensorBoard writers name it (imported logs; docs/names.md).
                   "train_loss", "Loss/train", "loss/train", "train/epoch_loss", "epoch_loss",
                   "train_loss_epoch", "train/batch_loss", "batch_loss", "training_loss")
VAL_LOSS_TAGS = ("val/loss", "val_loss", "valid/loss",
                 "val/epoch_loss", "loss/val", "Loss/val", "eval/loss", "eval_loss",
                 "validation/loss", "Loss/validation", "loss/valid", "Loss/valid",
                 "val_loss_epoch", "valid_loss", "validation_loss")
# Other names under which logs hold a series the rules read: the first one present
# stands in for the rule's name when the run has no series of that name.
TAG_ALIASES = {"grad_norm": ("train/grad_norm", "grad_norm/total", "gradient_norm")}

# Series whose values the probes derive by dividing (a NaN there can be the probe's
# own 0/0, not the model's); nan_inf judges the raw series only.
DERIVED_PREFIXES = ("update_ratio/", "act/dead_fraction/", "act/saturated_fraction/",
                    "act/zero_fraction/")


@dataclass(frozen=True)
class ScalarSeries:
    """One scalar series: steps and values (float64), in step order."""

    tag: str
    steps: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return int(self.steps.size)

    def finite(self) -> "ScalarSeries":
        """The points whose value is finite."""
        keep = np.isfinite(self.values)
        if keep.all():
            return self
        return ScalarSeries(self.tag, self.steps[keep], self.values[keep])

    def finite_prefix(self) -> "ScalarSeries":
        """The points before the first non-finite value (training is over after a NaN)."""
        bad = np.flatnonzero(~np.isfinite(self.values))
        if bad.size == 0:
            return self
        k = int(bad[0])
        return ScalarSeries(self.tag, self.steps[:k], self.values[:k])


@dataclass
class History:
    """What diagnose knows about one run.

    Attributes:
        run_id: The run's id.
        name: The run's name.
        tags: Every scalar series name of the run.
        loss_tag: The training-loss series used (None when there is none).
        val_tag: The validation-loss series used (None when there is none).
        num_classes: Classes of a classifier, when known (argument, ``watch``, config).
        baseline: The loss of a trivial predictor, when known (argument or config).
        artifacts: The artifacts the rules read (``watch``, ``model``, ``data_report``,
            ``nonfinite``), absent ones left out.
        config: The run's config.
    """

    run_id: str
    name: str
    tags: list[str]
    loss_tag: str | None
    val_tag: str | None
    num_classes: int | None
    baseline: float | None
    artifacts: dict[str, Any]
    config: Mapping[str, Any]
    _reader: Reader | None = None
    _cache: dict[str, ScalarSeries] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # rule's name -> stored name

    def curve(self, tag: str) -> ScalarSeries:
        """The series ``tag`` sorted by step (empty when the run has no such series)."""
        hit = self._cache.get(tag)
        if hit is not None:
            return hit
        if self._reader is None or tag not in self._tagset:
            c = ScalarSeries(tag, np.zeros(0, np.int64), np.zeros(0))
        else:
            s = self._reader.series(self.run_id, self.aliases.get(tag, tag))
            steps = np.asarray(s.steps, dtype=np.int64)
            values = np.asarray(s.values, dtype=np.float64)
            if steps.size > 1 and np.any(steps[1:] < steps[:-1]):
                order = np.argsort(steps, kind="stable")
                steps, values = steps[order], values[order]
            c = ScalarSeries(tag, steps, values)
        self._cache[tag] = c
        return c

    @cached_property
    def _tagset(self) -> set[str]:
        return set(self.tags)

    def loss(self) -> ScalarSeries | None:
        return None if self.loss_tag is None else self.curve(self.loss_tag)

    def val_loss(self) -> ScalarSeries | None:
        return None if self.val_tag is None else self.curve(self.val_tag)

    def with_prefix(self, prefix: str) -> dict[str, ScalarSeries]:
        """Every series ``prefix<name>``, keyed by ``<name>``, in forward order when known."""
        names = [t[len(prefix):] for t in self.tags if t.startswith(prefix)]
        return {n: self.curve(prefix + n) for n in self.order(names)}

    def order(self, names: Iterable[str]) -> list[str]:
        """``names`` in the model's forward order (from ``watch``), else natural order."""
        names = list(names)
        known = _forward_order(self.artifacts.get("watch"))
        rank = {n: i for i, n in enumerate(known)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), _natural_key(n)))

    def module_type(self, module: str) -> str | None:
        """The module's class name when ``watch`` or the inspection recorded it."""
        watch = self.artifacts.get("watch")
        if isinstance(watch, Mapping):
            types = watch.get("module_types") or watch.get("modules")
            if isinstance(types, Mapping):
                t = types.get(module)
                return t if isinstance(t, str) else None
            if isinstance(types, list):
                for row in types:
                    if isinstance(row, Mapping) and row.get("name") == module:
                        t = row.get("type")
                        return t if isinstance(t, str) else None
        model = self.artifacts.get("model")
        if isinstance(model, Mapping):
            for row in model.get("layers") or []:
                if isinstance(row, Mapping) and row.get("name") == module:
                    t = row.get("type")
                    return t if isinstance(t, str) else None
        return None

    def param_shape(self, param: str) -> list[int] | None:
        """A parameter's shape when ``watch`` or the inspection recorded it."""
        for art, key in (("watch", "param_shapes"), ("watch", "parameters"), ("model", "parameters")):
            src = self.artifacts.get(art)
            if not isinstance(src, Mapping):
                continue
            shapes = src.get(key)
            if isinstance(shapes, Mapping):
                v = shapes.get(param)
                if isinstance(v, Mapping):
                    v = v.get("shape")
                if isinstance(v, (list, tuple)):
                    return [int(x) for x in v]
            elif isinstance(shapes, list):
                for row in shapes:
                    if isinstance(row, Mapping) and row.get("name") == param:
                        v = row.get("shape")
                        if isinstance(v, (list, tuple)):
                            return [int(x) for x in v]
        return None

    def is_weight_matrix(self, param: str) -> bool:
        """True for weights of two or more dimensions; biases and vectors are left out."""
        shape = self.param_shape(param)
        if shape is not None:
            return len(shape) >= 2
        last = param.rsplit(".", 1)[-1].lower()
        return not ("bias" in last or re.fullmatch(r"b\d*", last) or last in ("beta", "gamma"))


def _natural_key(name: str) -> list[Any]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", name) if p]


def _forward_order(watch: Any) -> list[str]:
    if not isinstance(watch, Mapping):
        return []
    out: list[str] = []
    for key in ("param_order", "params", "parameters", "module_order", "modules"):
        v = watch.get(key)
        if isinstance(v, list):
            for item in v:
                if isinstance(item, str):
                    out.append(item)
                elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
                    out.append(item["name"])
        elif isinstance(v, Mapping):
            out.extend(str(k) for k in v)
    return out


def load_history(
    run_or_id: Any,
    store: Any = None,
    loss: str | None = None,
    val_loss: str | None = None,
    num_classes: int | None = None,
    baseline: float | None = None,
) -> History:
    """Read what diagnose needs from a Run, a RunInfo or an id/name/``latest``."""
    reader, run_id = _open(run_or_id, store)
    info = reader.run(run_id)
    tags, aliases = _alias_tags(reader.tags(info.id))
    loss_tag = _pick(tags, loss, TRAIN_LOSS_TAGS, "loss")
    val_tag = _pick(tags, val_loss, VAL_LOSS_TAGS, "val_loss")
    artifacts = {}
    names = set(reader.artifacts(info.id))
    for name in ("watch", "model", "data_report", "nonfinite", "signals"):
        if name in names:
            try:
                artifacts[name] = reader.artifact(info.id, name)
            except Exception:  # noqa: BLE001 - a broken artifact is missing data, not a crash
                pass
    return History(
        run_id=info.id, name=info.name, tags=tags, loss_tag=loss_tag, val_tag=val_tag,
        num_classes=_classes(num_classes, artifacts.get("watch"), info),
        baseline=_baseline(baseline, info), artifacts=artifacts,
        config=dict(info.config), _reader=reader, aliases=aliases,
    )


def _alias_tags(tags: list[str]) -> tuple[list[str], dict[str, str]]:
    """``tags`` with the first present alias of each rule name renamed to that name."""
    aliases: dict[str, str] = {}
    for name, others in TAG_ALIASES.items():
        if name not in tags:
            real = next((t for t in others if t in tags), None)
            if real is not None:
                aliases[name] = real
    if not aliases:
        return tags, aliases
    back = {real: name for name, real in aliases.items()}
    return sorted(back.get(t, t) for t in tags), aliases


def _open(run_or_id: Any, store: Any) -> tuple[Reader, str]:
    if isinstance(store, Reader):
        reader = store
    else:
        reader = None
    # A live Run: flush what it logged, then read its store.
    if hasattr(run_or_id, "flush") and hasattr(run_or_id, "store") and hasattr(run_or_id, "id"):
        try:
            run_or_id.flush()
        except Exception:  # noqa: BLE001 - a finished run has nothing left to flush
            pass
        return reader or open_store(run_or_id.store), str(run_or_id.id)
    if isinstance(run_or_id, RunInfo):
        return reader or open_store(store), run_or_id.id
    if isinstance(run_or_id, str) and run_or_id:
        if reader is None and store is not None and not isinstance(store, (str, os.PathLike)):
            raise BadTypeError(
                f"diagnose(store=...) must be a path, a URL or a Reader. Got {type(store).__name__}."
            )
        return reader or open_store(store), run_or_id
    raise BadTypeError(
        "diagnose expects a Run, a RunInfo, or a run id/name/'latest' string. "
        f"Got {type(run_or_id).__name__}: {run_or_id!r}."
    )


def _pick(tags: list[str], given: str | None, defaults: tuple[str, ...], arg: str) -> str | None:
    if given is not None:
        if not isinstance(given, str) or given not in tags:
            known = ", ".join(tags[:12]) or "none"
            raise BadInputError(
                f"The '{arg}' argument of diagnose names a series the run does not have: "
                f"{given!r}. Its series are: {known}."
            )
        return given
    for t in defaults:
        if t in tags:
            return t
    return None


def _classes(given: int | None, watch: Any, info: RunInfo) -> int | None:
    """Classes of a classifier: the argument (0: not a classifier), the config, else ``watch``."""
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int) or given == 1 or given < 0:
            raise BadInputError(
                "The 'num_classes' argument of diagnose must be an int >= 2, or 0 for a model "
                f"that is not a classifier. Got {given!r}."
            )
        return given or None
    if str(info.config.get("task", "")).lower() == "regression":
        return None
    candidates: list[Any] = [info.config.get("num_classes"), info.config.get("n_classes")]
    if isinstance(watch, Mapping):
        candidates.append(watch.get("num_classes"))
        shape = watch.get("output_shape")
        # A (batch, classes) output: its width is the number of classes. Wider outputs
        # (images, sequences) say nothing about classes.
        if shape is None or (isinstance(shape, list) and len(shape) == 2):
            candidates.append(watch.get("output_width"))
    for c in candidates:
        if isinstance(c, (int, float)) and not isinstance(c, bool) and float(c).is_integer() and c >= 2:
            return int(c)
    return None


def _baseline(given: float | None, info: RunInfo) -> float | None:
    for c in (given, info.config.get("baseline_loss"), info.summary.get("baseline_loss")):
        if isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) and c > 0:
            return float(c)
    if given is not None:
        raise BadInputError(f"The 'baseline' argument of diagnose must be a number > 0. Got {given!r}.")
    return None
