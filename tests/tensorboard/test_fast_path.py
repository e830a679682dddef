"""The vectorised reading of scalar events agrees with the protobuf classes, byte for byte."""

from __future__ import annotations

import io

import numpy as np
import pytest

from modelglass.integrations.tensorboard._fast import SimpleScalars, masked_crc_rows
from modelglass.integrations.tensorboard._parse import Parsed, _parse_events, parse_chunk
from modelglass.integrations.tensorboard._records import masked_crc, read_records, write_records


def test_vectorised_crc_matches_the_c_crc32c():
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 256, size=(300, 8), dtype=np.uint8)
    expected = [masked_crc(r.tobytes()) for r in rows]
    assert masked_crc_rows(rows).tolist() == expected
    assert masked_crc(b"123456789") == masked_crc_rows(np.frombuffer(b"123456789", np.uint8)[None])[0]


def _events():
    from tensorboard.compat.proto import event_pb2, summary_pb2

    S = summary_pb2.Summary
    rng = np.random.default_rng(1)
    tags = ["loss", "a" * 127, "b" * 200, "名前/損失", "x", ""]
    out = [event_pb2.Event(wall_time=1.0, file_version="brain.Event:2")]
    steps = [0, 1, 127, 128, 2**31, 2**62, -1, -(2**40), 300]
    for i in range(400):
        v = S.Value(tag=tags[i % len(tags)], simple_value=float(rng.normal()))
        ev = event_pb2.Event(wall_time=1.7e9 + i * 0.001, step=steps[i % len(steps)],
                             summary=S(value=[v]))
        if i % 50 == 7:  # two values in one event: protobuf path
            ev.summary.value.add(tag="pair", simple_value=2.5)
        if i % 60 == 3:  # a plugin's metadata on the first value: protobuf path
            ev.summary.value[0].metadata.plugin_data.plugin_name = "scalars"
        out.append(ev)
        out.append(_tensor_event(event_pb2, S, i, float(rng.normal())))
    return [e.SerializeToString() for e in out]


def _tensor_event(event_pb2, S, i, value):
    """TF2-style scalar tensors: float_val or tensor_content, with or without a shape field;
    every fifth one a float64 (protobuf path)."""
    from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2

    t = tensor_pb2.TensorProto(dtype=1)
    if i % 2:
        t.tensor_shape.CopyFrom(tensor_shape_pb2.TensorShapeProto())
    if i % 5 == 4:
        t.dtype = 2
        t.tensor_content = np.float64(value).tobytes()
    elif i % 3:
        t.float_val.append(value)
    else:
        t.tensor_content = np.float32(value).tobytes()
    v = S.Value(tag=["acc", "tf2/loss"][i % 2], tensor=t)
    v.metadata.plugin_data.plugin_name = "scalars"
    return event_pb2.Event(wall_time=1.8e9 + i, step=i * 7, summary=S(value=[v]))


def test_fast_and_protobuf_paths_read_the_same_points(tmp_path):
    payloads = _events()
    path = tmp_path / "events.out.tfevents.1"
    with open(path, "wb") as fh:
        write_records(fh, payloads)
    chunk = read_records(str(path))
    fast = SimpleScalars(chunk.u8, chunk.starts, chunk.lengths)
    # Long tags (>= 128 bytes with the value), the empty tag, two values, metadata on a simple
    # value, float64 tensors: protobuf path.
    assert 150 + 250 < int(fast.match.sum()) < 250 + 350
    assert int(fast.tensor.sum()) >= 250

    mixed, mixed_plugins = Parsed(), {}
    parse_chunk(chunk, "p/", mixed_plugins, mixed)
    slow, slow_plugins = Parsed(), {}
    _parse_events(payloads, list(range(len(payloads))), "p/", slow_plugins, slow)
    assert mixed_plugins == slow_plugins and slow_plugins["p/tf2/loss"] == "scalars"
    a, b = mixed.scalars(), slow.scalars()
    assert sorted(a) == sorted(b) and "p/" + "b" * 200 in a and "p/名前/損失" in a and "p/tf2/loss" in a
    for tag in a:
        for x, y in zip(a[tag], b[tag]):
            np.testing.assert_array_equal(x, y)
    assert (mixed.first_time, mixed.last_time) == (slow.first_time, slow.last_time)


def test_write_records_frames_what_read_records_reads(tmp_path):
    buf = io.BytesIO()
    write_records(buf, [b"", b"x" * 70000, b"abc"])
    data = buf.getvalue()
    assert len(data) == 3 * 16 + 70003
    (tmp_path / "f").write_bytes(data)
    c = read_records(str(tmp_path / "f"))
    assert c.payloads == [b"", b"x" * 70000, b"abc"] and c.end == len(data)


@pytest.mark.parametrize("cut", [1, 11, 12, 20])
def test_read_records_stops_before_a_partial_record(tmp_path, cut):
    buf = io.BytesIO()
    write_records(buf, [b"first", b"second"])
    data = buf.getvalue()
    keep = 16 + 5 + cut
    (tmp_path / "f").write_bytes(data[:keep])
    c = read_records(str(tmp_path / "f"))
    assert c.payloads == [b"first"] and c.end == 21 and c.skipped == []


def test_a_file_read_in_small_windows_gives_every_record(tmp_path):
    from modelglass.integrations.tensorboard import TensorBoardImporter

    payloads = _events()
    (tmp_path / "logs" / "r").mkdir(parents=True)
    with open(tmp_path / "logs" / "r" / "events.out.tfevents.1", "wb") as fh:
        write_records(fh, payloads)
    slow = Parsed()
    _parse_events(payloads, list(range(len(payloads))), "", {}, slow)
    with TensorBoardImporter(tmp_path / "logs", store=tmp_path / "mg.db") as imp:
        imp.window = 100  # smaller than some records: those are read with a window of their own
        (done,) = imp.import_once()
    import modelglass as mg

    reader = mg.open_store(tmp_path / "mg.db")
    for tag, (steps, values, _times) in slow.scalars().items():
        s = reader.series(done.run_id, tag)
        np.testing.assert_array_equal(s.steps, steps)
        np.testing.assert_array_equal(s.values, values)
    assert done.points == sum(len(v[0]) for v in slow.scalars().values())
