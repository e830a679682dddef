"""Event payloads -> what a modelglass run stores: scalars, histograms, text, hparams.

Parsed with TensorBoard's own protobuf classes (``tensorboard.compat.proto``, no
TensorFlow needed). A summary value carries its plugin in its metadata, which
writers send with the first value of a tag only, so the plugin of each tag is
remembered across files and imports (``plugins``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...core import require
from ...track import HistogramData
from ._fast import SimpleScalars
from ._records import Chunk

# TensorFlow DataType enum values (tensorflow/core/framework/types.proto).
_DTYPES = {1: "<f4", 2: "<f8", 3: "<i4", 9: "<i8", 19: "<f2", 4: "<u1", 6: "<i1", 10: "?", 5: "<i2"}
_VAL_FIELDS = {1: "float_val", 2: "double_val", 3: "int_val", 9: "int64_val", 19: "half_val",
               4: "int_val", 6: "int_val", 10: "bool_val", 5: "int_val"}
_BFLOAT16 = 14


@dataclass
class Parsed:
    """What the records of one run held, in file order.

    Scalars are gathered as segments tagged with each record's position in the
    run's files (``order``), so that points read by the vectorised path and by the
    protobuf path come out in the order they were written.
    """

    segments: dict[str, list[tuple[np.ndarray, ...]]] = field(default_factory=dict)
    slow: dict[str, tuple[list[int], list[int], list[float], list[float]]] = field(default_factory=dict)
    histograms: list[tuple[str, int, float, HistogramData]] = field(default_factory=list)
    texts: list[tuple[float, int, str, str]] = field(default_factory=list)
    hparams: dict[str, Any] = field(default_factory=dict)
    first_time: float | None = None
    last_time: float | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    records: int = 0

    def scalars(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Every tag's (steps, values, times), in the order the points were written."""
        out = {}
        for tag in sorted(set(self.segments) | set(self.slow)):
            parts = list(self.segments.get(tag, []))
            if tag in self.slow:
                o, st, v, t = self.slow[tag]
                parts.append((np.array(o, np.int64), np.array(st, np.int64),
                              np.array(v, np.float64), np.array(t, np.float64)))
            order, steps, values, times = (np.concatenate(x) for x in zip(*parts))
            if order.size > 1 and np.any(order[1:] < order[:-1]):
                k = np.argsort(order, kind="stable")
                steps, values, times = steps[k], values[k], times[k]
            out[tag] = (steps, values, times)
        return out

    def _time(self, lo: float, hi: float) -> None:
        if self.first_time is None or lo < self.first_time:
            self.first_time = lo
        if self.last_time is None or hi > self.last_time:
            self.last_time = hi


def event_class() -> Any:
    require("tensorboard", "reading TensorBoard event files")
    from tensorboard.compat.proto import event_pb2

    return event_pb2.Event


def parse_chunk(chunk: Chunk, prefix: str, plugins: dict[str, str], out: Parsed) -> None:
    """Add what the records of ``chunk`` hold to ``out``; tags get ``prefix``."""
    base = out.records
    out.records += int(chunk.starts.size)
    fast = SimpleScalars(chunk.u8, chunk.starts, chunk.lengths)
    _plugins_of_fast_tensors(fast, prefix, plugins)
    if fast.steps.size:
        order = np.flatnonzero(fast.match) + base
        out._time(float(fast.times.min()), float(fast.times.max()))
        by_tag = np.argsort(fast.tag_ids, kind="stable")
        bounds = np.searchsorted(fast.tag_ids[by_tag], np.arange(len(fast.tags) + 1))
        for k, tag in enumerate(fast.tags):
            sel = by_tag[bounds[k] : bounds[k + 1]]
            out.segments.setdefault(prefix + tag, []).append(
                (order[sel], fast.steps[sel], fast.values[sel], fast.times[sel]))
    rest = np.flatnonzero(~fast.match)
    if rest.size:
        data = chunk.data
        payloads = [data[s : s + n] for s, n in zip(chunk.starts[rest].tolist(), chunk.lengths[rest].tolist())]
        _parse_events(payloads, (rest + base).tolist(), prefix, plugins, out)


def _plugins_of_fast_tensors(fast: SimpleScalars, prefix: str, plugins: dict[str, str]) -> None:
    """Record that tags read as scalar tensors are the scalars plugin's, as the protobuf
    path would; a tag that an earlier value gave another plugin goes to that path."""
    if not fast.tensor.any():
        return
    matched = np.flatnonzero(fast.match)
    is_tensor = fast.tensor[matched]
    other = []
    for k in np.unique(fast.tag_ids[is_tensor]).tolist():
        tag = prefix + fast.tags[k]
        if plugins.setdefault(tag, "scalars") != "scalars":
            other.append(k)
    if other:
        drop = np.isin(fast.tag_ids, other)
        fast.match[matched[drop]] = False
        keep = ~drop
        fast.steps, fast.values, fast.times = fast.steps[keep], fast.values[keep], fast.times[keep]
        fast.tag_ids = fast.tag_ids[keep]


def _parse_events(
    payloads: list[bytes], order: list[int], prefix: str, plugins: dict[str, str], out: Parsed
) -> None:
    """The protobuf path: every kind of event."""
    from_string = event_class().FromString
    for payload, pos in zip(payloads, order):
        ev = from_string(payload)
        t = ev.wall_time
        out._time(t, t)
        if not ev.HasField("summary"):
            continue
        step = ev.step
        for v in ev.summary.value:
            tag = prefix + v.tag
            if v.HasField("metadata"):
                plugin = v.metadata.plugin_data.plugin_name
                if plugin == "hparams":
                    _hparams(v.metadata.plugin_data.content, out.hparams)
                    continue
                if tag not in plugins:
                    plugins[tag] = plugin
            kind = v.WhichOneof("value")
            if kind == "simple_value":
                _point(out, tag, pos, step, v.simple_value, t)
            elif kind == "tensor":
                _tensor(out, tag, pos, step, t, v.tensor, plugins.get(tag, ""))
            elif kind == "histo":
                out.histograms.append((tag, step, t, _from_proto(v.histo)))
            else:
                out.skipped[kind or "empty"] = out.skipped.get(kind or "empty", 0) + 1


def _point(out: Parsed, tag: str, pos: int, step: int, value: float, t: float) -> None:
    s = out.slow.get(tag)
    if s is None:
        s = out.slow[tag] = ([], [], [], [])
    s[0].append(pos)
    s[1].append(step)
    s[2].append(value)
    s[3].append(t)


def _tensor(out: Parsed, tag: str, pos: int, step: int, t: float, tensor: Any, plugin: str) -> None:
    if plugin == "scalars" or (not plugin and not tensor.tensor_shape.dim):
        a = tensor_array(tensor)
        if a.size == 1 and a.dtype.kind in "fiub":
            _point(out, tag, pos, step, float(a.reshape(-1)[0]), t)
            return
    elif plugin == "histograms":
        a = tensor_array(tensor)
        if a.ndim == 2 and a.shape[1] == 3:
            out.histograms.append((tag, step, t, _from_buckets(a.astype(np.float64))))
            return
    elif plugin == "text":
        a = tensor_array(tensor)
        if a.dtype == object:
            text = "\n".join(x.decode("utf-8", "replace") for x in a.reshape(-1))
            out.texts.append((t, step, tag, text))
            return
    out.skipped[plugin or "tensor"] = out.skipped.get(plugin or "tensor", 0) + 1


def tensor_array(tensor: Any) -> np.ndarray:
    """A ``TensorProto`` as a NumPy array (strings as an object array of bytes)."""
    shape = tuple(d.size for d in tensor.tensor_shape.dim)
    dt = tensor.dtype
    if dt == 7:  # DT_STRING
        return np.array(list(tensor.string_val), dtype=object).reshape(shape or ())
    if dt == _BFLOAT16:
        raw = np.frombuffer(tensor.tensor_content, "<u2") if tensor.tensor_content else np.array(
            tensor.half_val, np.uint16)
        a = (raw.astype(np.uint32) << 16).view(np.float32)
    elif tensor.tensor_content:
        a = np.frombuffer(tensor.tensor_content, _DTYPES.get(dt, "<f4"))
    else:
        name = _VAL_FIELDS.get(dt)
        if name is None:
            return np.zeros(0)
        vals = getattr(tensor, name)
        if dt == 19:  # half_val holds the raw 16 bits in int32s
            a = np.array(vals, np.uint16).view(np.float16)
        else:
            a = np.array(vals, _DTYPES[dt])
    size = int(np.prod(shape)) if shape else 1
    if a.size == 1 and size > 1:
        a = np.full(size, a[0])  # a repeated last value fills the tensor
    return a.reshape(shape) if a.size == size else a


def _from_proto(h: Any) -> HistogramData:
    """A ``HistogramProto`` (torch, TF1): bucket i holds values up to ``bucket_limit[i]``."""
    limits = np.asarray(h.bucket_limit, dtype=np.float64)
    counts = np.asarray(h.bucket, dtype=np.float64)
    num = float(h.num)
    lo = min(float(h.min), float(limits[0])) if limits.size else float(h.min)
    edges = np.concatenate(([lo], limits)) if limits.size else np.array([h.min, h.max], np.float64)
    if not limits.size:
        counts = np.array([num])
    mean = float(h.sum) / num if num else math.nan
    var = float(h.sum_squares) / num - mean * mean if num else math.nan
    return HistogramData(edges, _int_counts(counts), float(h.min), float(h.max), mean,
                         math.sqrt(max(var, 0.0)) if num else math.nan, int(round(num)), 0, 0)


def _from_buckets(a: np.ndarray) -> HistogramData:
    """A TF2 histogram tensor: rows of (left edge, right edge, count)."""
    if a.shape[0] == 0:
        return HistogramData(np.zeros(1), np.zeros(0, np.int64), math.nan, math.nan, math.nan,
                             math.nan, 0, 0, 0)
    left, right, counts = a[:, 0], a[:, 1], a[:, 2]
    edges = np.concatenate((left[:1], right))
    total = float(counts.sum())
    nz = np.flatnonzero(counts)
    if total <= 0 or nz.size == 0:
        return HistogramData(edges, _int_counts(counts), math.nan, math.nan, math.nan, math.nan, 0, 0, 0)
    # TF2 keeps no moments: min/max are the outer edges of the non-empty buckets, the
    # mean and std those of the bucket centres.
    centres = (left + right) / 2
    mean = float((centres * counts).sum() / total)
    std = math.sqrt(max(float((counts * (centres - mean) ** 2).sum() / total), 0.0))
    return HistogramData(edges, _int_counts(counts), float(left[nz[0]]), float(right[nz[-1]]),
                         mean, std, int(round(total)), 0, 0)


def _int_counts(counts: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.rint(counts).astype(np.int64)
    return out


def _hparams(content: bytes, into: dict[str, Any]) -> None:
    """The hyperparameters of an hparams plugin summary (``session_start_info``)."""
    from tensorboard.plugins.hparams import plugin_data_pb2

    data = plugin_data_pb2.HParamsPluginData.FromString(content)
    if data.WhichOneof("data") != "session_start_info":
        return
    for name, value in data.session_start_info.hparams.items():
        kind = value.WhichOneof("kind")
        if kind == "number_value":
            x = value.number_value
            into[name] = int(x) if x.is_integer() and abs(x) < 2**53 else x
        elif kind == "string_value":
            into[name] = value.string_value
        elif kind == "bool_value":
            into[name] = value.bool_value
        elif kind is not None:
            into[name] = json.loads(_value_json(value))


def _value_json(value: Any) -> str:
    from google.protobuf import json_format

    return str(json_format.MessageToJson(value))
