"""Progress bars: drawn on a terminal, silent elsewhere and with progress=False."""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

from modelglass.core import _progress, iter_progress, progress_bar


def _terminal(buf: io.StringIO) -> Console:
    return Console(file=buf, force_terminal=True, force_jupyter=False, width=100)


def test_forced_terminal_draws_the_bar_with_counts():
    buf = io.StringIO()
    out = list(iter_progress(range(7), "grid rows", console=_terminal(buf)))
    assert out == list(range(7))
    text = buf.getvalue()
    assert "grid rows" in text
    assert "7/7" in text


def test_progress_false_prints_nothing_even_on_a_terminal(capsys):
    buf = io.StringIO()
    with progress_bar("trials", 3, progress=False, console=_terminal(buf)) as bar:
        for _ in range(3):
            bar.advance()
    assert bar.count == 3 and not bar.shown
    assert list(iter_progress([1, 2], "x", progress=False, console=_terminal(buf))) == [1, 2]
    assert buf.getvalue() == ""
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_no_bar_when_output_is_not_a_terminal():
    buf = io.StringIO()  # a file: not a terminal, not a notebook
    with progress_bar("pages", 2, console=Console(file=buf, force_jupyter=False)) as bar:
        bar.advance(2)
    assert not bar.shown
    assert buf.getvalue() == ""


@pytest.fixture
def forced_terminal(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(_progress, "_console", lambda: _terminal(buf))
    return buf


def test_lr_find_shows_its_sweep_and_is_silent_with_progress_false(forced_terminal):
    from modelglass.tune import lr_find

    def quadratic(lr: float) -> float:  # a few steps of theta -= lr * grad on J = theta^2
        theta = 1.0
        for _ in range(5):
            theta -= lr * 2 * theta
        return theta * theta

    lr_find(quadratic, start=1e-4, end=10.0, steps=30, progress=False)
    assert forced_terminal.getvalue() == ""
    res = lr_find(quadratic, start=1e-4, end=10.0, steps=30)
    text = forced_terminal.getvalue()
    assert "lr_find: rates" in text
    assert f"{len(res.lrs)}/30" in text


def test_landscape_and_check_data_count_their_work(forced_terminal):
    import pandas as pd

    from modelglass.data import check_data
    from modelglass.landscape import landscape

    landscape(np.array([1.0, 2.0]), lambda th: float(th @ th), steps=9)
    assert "landscape: grid rows" in forced_terminal.getvalue()
    assert "9/9" in forced_terminal.getvalue()
    frame = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40) % 3})
    check_data(frame, checks=["missing_values", "constant_feature"])
    assert "check_data: checks" in forced_terminal.getvalue()
    assert "2/2" in forced_terminal.getvalue()


def test_tensorboard_import_counts_run_folders(forced_terminal, tmp_path):
    pytest.importorskip("tensorboard")
    pytest.importorskip("google_crc32c")
    from torch.utils import tensorboard as torch_tb

    from modelglass.integrations.tensorboard import import_tensorboard

    for name in ("a", "b", "c"):
        with torch_tb.SummaryWriter(str(tmp_path / "logs" / name)) as w:
            w.add_scalar("loss", 1.0, 0)
    ids = import_tensorboard(tmp_path / "logs", store=tmp_path / "store")
    assert len(ids) == 3
    assert "tensorboard import: runs" in forced_terminal.getvalue() and "3/3" in forced_terminal.getvalue()


def test_a_bar_inside_a_bar_shows_in_the_outer_description_instead_of_failing():
    buf = io.StringIO()
    with progress_bar("trials", 2, console=_terminal(buf)) as outer:
        for _ in range(2):
            # rich allows one live display: the inner loop only annotates the outer bar
            inner = list(iter_progress(range(3), "rates", console=_terminal(buf)))
            assert inner == [0, 1, 2]
            outer.advance()
    assert outer.shown is False and outer.count == 2 and "2/2" in buf.getvalue()
    after = io.StringIO()
    list(iter_progress(range(2), "again", console=_terminal(after)))
    assert "again" in after.getvalue()  # the slot is free once the outer bar closed


def test_the_inner_loop_is_named_in_the_outer_bar():
    buf = io.StringIO()
    with progress_bar("check_data: checks", 1, console=_terminal(buf)) as outer:
        with progress_bar("folds", 5, console=_terminal(buf)) as inner:
            inner.advance(2)
            assert outer._bar.tasks[0].description == "check_data: checks › folds 2/5"
        assert outer._bar.tasks[0].description == "check_data: checks"


def test_check_data_names_the_label_issue_folds(forced_terminal, monkeypatch):
    pytest.importorskip("sklearn")
    import pandas as pd

    from modelglass.core import _progress as prog
    from modelglass.data import check_data

    notes: list[str] = []
    original = prog.ProgressBar._sub
    monkeypatch.setattr(prog.ProgressBar, "_sub", lambda self, note: (notes.append(note), original(self, note)))
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    frame["y"] = (frame["a"] > 0).astype(int)
    check_data(frame, target="y", checks=["label_issues"])
    assert [n for n in notes if n] == [f"label-issue folds {i}/5" for i in range(1, 6)]

