"""The Result mixin: ok, status, to_dict's stable head, figure kinds, text and the card."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from modelglass.core import BadInputError, Finding, Result, format_number


@dataclass(frozen=True)
class _Toy(Result):
    TITLE = "Toy <b>result</b>"
    SCHEMA_VERSION = 3
    FIGURE_KINDS = ("a", "b")

    findings: tuple[Finding, ...]
    value: float = 1.5

    def _to_dict_body(self):
        return {"value": self.value, "ok": "must not override the head"}

    def _figure(self, kind):
        return kind  # stands in for a plotly figure


def test_ok_and_status_follow_the_worst_finding():
    assert _Toy(findings=()).ok and _Toy(findings=()).status == "ok"
    warn = _Toy(findings=(Finding("w", "warning", "W"),))
    assert warn.ok and warn.status == "warning"
    err = _Toy(findings=(Finding("e", "error", "E"), Finding("w", "warning", "W")))
    assert not err.ok and err.status == "error"


def test_to_dict_has_a_stable_head_that_the_body_cannot_override():
    d = _Toy(findings=(Finding("e", "error", "E", evidence={"x": float("nan")}),)).to_dict()
    assert list(d)[:4] == ["schema_version", "result", "ok", "findings"]
    assert d["schema_version"] == 3 and d["result"] == "_Toy" and d["ok"] is False
    assert d["findings"][0]["evidence"] == {"x": "nan"} and d["value"] == 1.5


def test_figure_defaults_to_the_first_kind_and_rejects_unknown_kinds():
    toy = _Toy(findings=())
    assert toy.figure() == "a" and toy.figure("b") == "b"
    with pytest.raises(BadInputError, match="'a', 'b'.*Got 'c'"):
        toy.figure("c")


def test_card_escapes_names_and_text_lists_findings():
    toy = _Toy(findings=(Finding("w", "warning", "<script>x</script>", suggestion="try y"),))
    card = toy._repr_html_()
    assert "<script>x</script>" not in card and "&lt;script&gt;" in card
    assert "Toy &lt;b&gt;result&lt;/b&gt;" in card
    assert "warning w: <script>x</script>" in toy.text() and "-> try y" in toy.text()


def test_format_number_keeps_four_significant_digits():
    assert format_number(0.123456789) == "0.1235"
    assert format_number(12345678.9) == "1.235e+07"
    assert format_number(7) == "7" and format_number("abc") == "abc"
