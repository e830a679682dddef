"""Figures out: PNG through kaleido and the system Chromium, offline; a clear error without one."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from modelglass.core import MissingDependencyError
from modelglass.report import find_browser, save_figure

pytest.importorskip("kaleido")
CHROMIUM = "/usr/bin/chromium"


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture
def figure():
    from modelglass.landscape import landscape

    # An analysis result's own figure, as a user would write it out.
    return landscape(np.array([1.0, 2.0]), lambda th: float(th @ th), steps=7, progress=False).figure()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")
def test_result_figure_writes_a_png_offline(figure, tmp_path, monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    out = save_figure(figure, tmp_path / "surface.png", width=640, height=400)
    assert _png_size(out) == (640, 400)
    # Once the browser is found, plotly's own write_image works too.
    figure.write_image(str(tmp_path / "again.png"), width=320, height=200)
    assert _png_size(tmp_path / "again.png") == (320, 200)


def test_no_browser_is_a_clear_error(figure, tmp_path, monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    monkeypatch.setattr("modelglass.report._image._PATHS", ())
    with pytest.raises(MissingDependencyError, match="needs Chrome or Chromium.*BROWSER_PATH"):
        save_figure(figure, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_a_wrong_browser_path_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "nochrome"))
    with pytest.raises(MissingDependencyError, match="nochrome"):
        find_browser()


def test_html_needs_no_browser_and_bad_suffix_is_bad_input(figure, tmp_path, monkeypatch):
    from modelglass.core import BadInputError

    monkeypatch.setenv("PATH", str(tmp_path))
    out = save_figure(figure, tmp_path / "f.html")
    assert "plotly" in out.read_text()[:5000].lower()
    with pytest.raises(BadInputError, match=r"\.png"):
        save_figure(figure, tmp_path / "f.bmp")
