"""Write a modelglass run as a TensorBoard event file.

Scalars become ``simple_value`` summaries, which TensorBoard stores as float32:
a float64 value is rounded to the nearest float32 (beyond ±3.4e38 it becomes
±inf; NaN and ±inf stay what they are). Histograms become ``HistogramProto``s
(bucket edges, counts, min, max, and sum/sum of squares from the stored mean
and std). The run's config becomes its hparams (HParams dashboard), its events
text summaries (under the TensorBoard tag they were imported from, else
``events/<level>``). Every point is written; nothing is sampled.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from ...core import BadInputError
from ...store import Reader, RunInfo, open_store
from ._parse import event_class
from ._records import write_records


def export_tensorboard(
    run: str | RunInfo, output: str | os.PathLike[str], store: Any = None
) -> str:
    """Write every scalar series and histogram of ``run`` to an event file in ``output``.

    Args:
        run: Run id, unique name, ``latest``, or a ``RunInfo``.
        output: Folder to write into (created when missing); point ``tensorboard
            --logdir`` at it.
        store: Store path, URL or an open ``Reader``.

    Returns:
        The path of the event file written (exporting again replaces it).
    """
    out = os.fspath(output)
    if os.path.exists(out) and not os.path.isdir(out):
        raise BadInputError(f"The output {out!r} is a file; TensorBoard export needs a folder.")
    reader = store if isinstance(store, Reader) else open_store(store)
    try:
        info = run if isinstance(run, RunInfo) else reader.run(run)
        payloads = _payloads(reader, info)
    finally:
        if reader is not store:
            reader.close()
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"events.out.tfevents.{int(info.started)}.modelglass.{info.id}")
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        write_records(fh, payloads)
    os.replace(tmp, path)
    return path


def _payloads(reader: Reader, info: RunInfo) -> list[bytes]:
    from tensorboard.compat.proto import summary_pb2

    Event = event_class()
    Summary = summary_pb2.Summary
    out = [Event(wall_time=info.started, file_version="brain.Event:2").SerializeToString()]
    if info.config:
        from tensorboard.plugins.hparams import summary_v2 as hparams_v2

        hp = {k: _hparam(v) for k, v in info.config.items()}
        out.append(Event(wall_time=info.started,
                         summary=hparams_v2.hparams_pb(hp, start_time_secs=int(info.started)))
                   .SerializeToString())
    for tag in reader.tags(info.id):
        s = reader.series(info.id, tag)
        for step, value, t in zip(s.steps.tolist(), s.values.tolist(), s.times.tolist()):
            ev = Event(wall_time=t, step=step,
                       summary=Summary(value=[Summary.Value(tag=tag, simple_value=value)]))
            out.append(ev.SerializeToString())
    for tag in reader.histogram_tags(info.id):
        for h in reader.histograms(info.id, tag).histograms:
            proto = _histogram_proto(summary_pb2.HistogramProto, h)
            ev = Event(wall_time=h.time, step=h.step,
                       summary=Summary(value=[Summary.Value(tag=tag, histo=proto)]))
            out.append(ev.SerializeToString())
    from tensorboard.plugins.text import summary_v2 as text_v2

    for e in reader.events(info.id):
        imported = e.data.get("source") == "tensorboard" and isinstance(e.data.get("tag"), str)
        text_tag = str(e.data["tag"]) if imported else f"events/{e.level}"
        text = e.message if imported else f"{e.level}: {e.message}"
        ev = Event(wall_time=e.time, step=e.step or 0, summary=text_v2.text_pb(text_tag, text))
        out.append(ev.SerializeToString())
    return out


def _hparam(value: Any) -> bool | int | float | str:
    """A config value as TensorBoard's hparams take it (bool, number or string)."""
    if isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, default=str, sort_keys=True)


def _histogram_proto(cls: Any, h: Any) -> Any:
    counts = np.asarray(h.counts, dtype=np.float64)
    edges = np.asarray(h.edges, dtype=np.float64)
    n = float(h.count)
    mean = h.mean if np.isfinite(h.mean) else 0.0
    std = h.std if np.isfinite(h.std) else 0.0
    return cls(
        min=h.min if np.isfinite(h.min) else 0.0, max=h.max if np.isfinite(h.max) else 0.0,
        num=n, sum=mean * n, sum_squares=(std * std + mean * mean) * n,
        bucket_limit=edges[1:].tolist(), bucket=counts.tolist(),
    )
