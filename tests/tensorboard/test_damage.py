"""Damaged and growing files: a bad CRC skips one record with a warning; a cut-off record waits."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

import modelglass as mg
from modelglass.integrations.tensorboard import TensorBoardWarning, import_tensorboard

torch_tb = pytest.importorskip("torch.utils.tensorboard")


def _write(folder, n=50):
    with torch_tb.SummaryWriter(str(folder)) as w:
        for step in range(n):
            w.add_scalar("loss", float(step), step)
    (path,) = [os.path.join(folder, f) for f in os.listdir(folder)]
    return path


def _flip(path, offset):
    with open(path, "r+b") as fh:
        fh.seek(offset)
        b = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([b[0] ^ 0xFF]))


def test_a_record_with_a_bad_crc_is_skipped_with_one_warning(tmp_path, tb):
    path = _write(tmp_path / "logs" / "r")
    records = tb.record_offsets(path)
    # Record 0 is the file_version event, record k + 1 holds step k. Break step 10's payload.
    bad_offset, length = records[11]
    _flip(path, bad_offset + 12 + length // 2)
    with pytest.warns(TensorBoardWarning) as caught:
        (run_id,) = import_tensorboard(tmp_path / "logs", store=tmp_path / "mg.db")
    assert len(caught) == 1
    msg = str(caught[0].message)
    assert path in msg and f"byte offset {bad_offset}" in msg
    s = mg.open_store(tmp_path / "mg.db").series(run_id, "loss")
    expected = [x for x in range(50) if x != 10]
    np.testing.assert_array_equal(s.steps, expected)
    np.testing.assert_array_equal(s.values, np.array(expected, dtype=np.float64))


def test_a_corrupt_length_skips_to_the_next_valid_record(tmp_path, tb):
    path = _write(tmp_path / "logs" / "r")
    records = tb.record_offsets(path)
    _flip(path, records[21][0] + 2)  # step 20's length field
    with pytest.warns(TensorBoardWarning, match=f"byte offset {records[21][0]}: its length field"):
        (run_id,) = import_tensorboard(tmp_path / "logs", store=tmp_path / "mg.db")
    s = mg.open_store(tmp_path / "mg.db").series(run_id, "loss")
    np.testing.assert_array_equal(s.steps, [x for x in range(50) if x != 20])


def test_a_cut_off_last_record_is_waited_for_then_read_once(tmp_path, tb):
    full = _write(tmp_path / "full" / "r")
    records = tb.record_offsets(full)
    cut = records[31][0] + 12 + 5  # inside step 30's payload
    logdir = tmp_path / "logs"
    (logdir / "r").mkdir(parents=True)
    part = str(logdir / "r" / os.path.basename(full))
    with open(full, "rb") as src, open(part, "wb") as dst:
        dst.write(src.read(cut))
    store = tmp_path / "mg.db"
    (run_id,) = import_tensorboard(logdir, store=store)  # no warning, no error
    np.testing.assert_array_equal(mg.open_store(store).series(run_id, "loss").steps, np.arange(30))
    with open(part, "wb") as dst:  # the writer finishes the record and goes on
        with open(full, "rb") as src:
            dst.write(src.read())
    assert import_tensorboard(logdir, store=store) == [run_id]
    s = mg.open_store(store).series(run_id, "loss")
    np.testing.assert_array_equal(s.steps, np.arange(50))
    np.testing.assert_array_equal(s.values, np.arange(50.0))


def test_a_header_cut_short_is_waited_for(tmp_path, tb):
    full = _write(tmp_path / "full" / "r", n=5)
    logdir = tmp_path / "logs" / "r"
    logdir.mkdir(parents=True)
    part = logdir / os.path.basename(full)
    shutil.copy(full, part)
    with open(part, "ab") as fh:
        fh.write(b"\x10\x00\x00")  # three bytes of the next header
    (run_id,) = import_tensorboard(logdir.parent, store=tmp_path / "mg.db")
    assert len(mg.open_store(tmp_path / "mg.db").series(run_id, "loss")) == 5


def test_two_identical_damages_do_not_cancel_out(tmp_path, tb):
    # Records of one length are checked together through the XOR of their CRCs; the same
    # byte flipped in two of them cancels in that XOR, and the second check must catch it.
    path = _write(tmp_path / "logs" / "r", n=200)
    records = tb.record_offsets(path)
    same = [(off, n) for off, n in records[1:] if n == records[50][1]]
    a, b = same[10], same[11]
    for off, n in (a, b):
        _flip(path, off + 12 + n - 2)
    with pytest.warns(TensorBoardWarning) as caught:
        import_tensorboard(tmp_path / "logs", store=tmp_path / "mg.db")
    offsets = sorted(int(str(w.message).split("byte offset ")[1].split(":")[0]) for w in caught)
    assert offsets == [a[0], b[0]]
