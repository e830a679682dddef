"""Causes: each planted bug gets its cause on top, its look-alikes do not, healthy runs get none."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("torch")

import modelglass as mg  # noqa: E402
from modelglass.diagnose import CAUSE_CODES, Cause  # noqa: E402

from ._planted import PLANTED, train  # noqa: E402


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = str(tmp_path_factory.mktemp("planted") / "store")
    for plan, _ in PLANTED.values():
        train(plan, store)
    return store


@pytest.fixture(scope="module")
def diagnosed(planted_store: str) -> dict[str, Any]:
    return {name: mg.diagnose(name, store=planted_store) for name in PLANTED}


def test_every_cause_code_has_a_planted_bug() -> None:
    assert len(CAUSE_CODES) == 15
    assert {cause for _, cause in PLANTED.values() if cause} == set(CAUSE_CODES)


@pytest.mark.parametrize("name", sorted(n for n, (_, c) in PLANTED.items() if c))
def test_a_planted_bug_gets_its_cause_on_top(diagnosed: dict[str, Any], name: str) -> None:
    d = diagnosed[name]
    expect = PLANTED[name][1]
    assert d.top_cause is not None, f"{name}: no cause; findings {d.codes('info')}"
    assert d.top_cause.code == expect, f"{name}: {[(c.code, c.confidence) for c in d.causes]}"
    top = d.top_cause
    assert top.severity >= mg.Severity.WARNING and 0 < top.confidence <= 1
    assert top.because and all(isinstance(b, str) and b for b in top.because)
    assert top.prescription and top.title
    assert d.verdict in ("warning", "error")
    assert d.summary.index("Most likely cause") < len(d.summary) // 2


@pytest.mark.parametrize("name", sorted(n for n, (_, c) in PLANTED.items() if not c))
def test_a_healthy_run_gets_no_cause(diagnosed: dict[str, Any], name: str) -> None:
    d = diagnosed[name]
    assert d.cause_codes("warning") == [], [(c.code, c.title) for c in d.causes]
    assert d.verdict == "healthy"


@pytest.mark.parametrize("name, not_this", [
    ("lr_too_high", "missing_zero_grad"), ("missing_zero_grad", "lr_too_high"),
    ("label_noise", "lr_too_low"), ("lr_too_low", "label_noise"),
    ("not_enough_capacity", "label_noise"), ("label_noise", "not_enough_capacity"),
    ("bad_initialization", "lr_too_high"), ("saturating_deep_network", "lr_too_low"),
    ("numerical_instability", "lr_too_high"), ("overfitting", "label_noise"),
    ("unscaled_inputs", "bad_initialization"), ("loss_output_mismatch", "label_noise"),
    ("target_shape_mismatch", "label_noise"), ("healthy_accumulate", "missing_zero_grad"),
    ("healthy_dropout_eval", "eval_mode_missing"), ("healthy_frozen_first", "parameters_not_training"),
])
def test_a_look_alike_does_not_get_the_cause(diagnosed: dict[str, Any], name: str, not_this: str) -> None:
    assert not_this not in diagnosed[name].cause_codes("warning")


def test_lr_too_high_names_the_update_and_prescribes_a_number(diagnosed: dict[str, Any]) -> None:
    top = diagnosed["lr_too_high"].top_cause
    assert "update/weight ratio" in top.because[0] and "at step 0" in top.because[0]
    assert top.change == {"lr": 0.001}  # 0.1 lowered ~100x, in the run's config key
    assert "from 0.1 to ~0.001" in top.prescription
    # The dead units grew out of the huge update: linked to the learning rate, not a cause.
    d = diagnosed["lr_too_high"]
    assert d.explained_by.get("dead_units") == "lr_too_high"
    assert "bad_initialization" not in d.cause_codes("info")


def test_dead_units_at_step_0_are_the_initialisation(diagnosed: dict[str, Any]) -> None:
    d = diagnosed["bad_initialization"]
    assert d.explained_by["dead_units"] == "bad_initialization"
    assert "before any update" in d.top_cause.because[0]


def test_missing_zero_grad_is_seen_by_the_hook(diagnosed: dict[str, Any]) -> None:
    top = diagnosed["missing_zero_grad"].top_cause
    assert top.severity == mg.Severity.ERROR and top.confidence >= 0.9
    assert "the next backward pass started from the gradient" in top.because[0]
    assert "grew steadily" in " ".join(top.because)
    assert "zero_grad()" in top.prescription


def test_lr_too_low_prescribes_raising_it(diagnosed: dict[str, Any]) -> None:
    top = diagnosed["lr_too_low"].top_cause
    assert top.change is not None and top.change["lr"] > 1e-6 * 3


def test_causes_are_in_to_dict_text_and_stable_json(diagnosed: dict[str, Any]) -> None:
    d = diagnosed["lr_too_high"]
    out = json.loads(json.dumps(d.to_dict(), allow_nan=False))
    assert out["top_cause"] == "lr_too_high"
    first = out["causes"][0]
    assert set(first) == {"code", "severity", "confidence", "title", "because", "prescription",
                          "change", "findings"}
    assert Cause.from_dict(first) == d.top_cause
    text = d.text()
    assert text.index("CAUSE lr_too_high") < text.index("Symptoms:")
    assert "[explained by lr_too_high]" in text
    assert isinstance(d.findings, tuple) and d.figure().data  # the Result contract


def test_an_unknown_cause_code_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown cause code"):
        Cause("slow_gpu", "warning", 0.5, "t", ("b",), "p")


def test_diagnose_a_list_gives_one_row_per_run(planted_store: str) -> None:
    rows = mg.diagnose(["lr_too_high", "healthy", "missing_zero_grad"], store=planted_store).rows()
    assert [r["run_name"] for r in rows] == ["lr_too_high", "healthy", "missing_zero_grad"]
    assert [r["top_cause"] for r in rows] == ["lr_too_high", None, "missing_zero_grad"]
    assert [r["verdict"] for r in rows] == ["error", "healthy", "error"]
    assert rows[0]["change"] == {"lr": 0.001} and rows[0]["confidence"] >= 0.9
    assert rows[1]["end_loss"] < 0.5 * rows[1]["start_loss"]


def test_cli_compares_runs_and_prints_causes(planted_store: str, capsys: pytest.CaptureFixture) -> None:
    from modelglass.cli import main

    assert main(["diagnose", "healthy", "eval_mode_missing", "--store", planted_store]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["run", "verdict", "top", "cause", "conf", "loss", "evidence"]
    assert table[1].split()[:3] == ["healthy", "healthy", "-"]
    assert table[2].split()[:4] == ["eval_mode_missing", "warning", "eval_mode_missing", "0.9"]
    assert main(["diagnose", "healthy", "lr_too_high", "--store", planted_store, "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list) and [r["top_cause"] for r in rows] == [None, "lr_too_high"]
    assert main(["diagnose", "lr_too_high", "--store", planted_store, "--json"]) == 1
    one = json.loads(capsys.readouterr().out)
    assert one["causes"][0]["code"] == "lr_too_high" and one["causes"][0]["change"] == {"lr": 0.001}
    assert main(["diagnose", "lr_too_high", "--store", planted_store]) == 1
    text = capsys.readouterr().out
    assert text.index("CAUSE lr_too_high") < text.index("Symptoms:") < text.index("WARNING  dead_units")
    assert main(["diagnose", "healthy", "no_such_run", "--store", planted_store]) == 2
    assert "no_such_run" in capsys.readouterr().err


def test_findings_name_their_series_for_the_dashboard(diagnosed: dict[str, Any]) -> None:
    d = diagnosed["lr_too_high"]
    dead = next(f for f in d.findings if f.code == "dead_units")
    assert dead.evidence["series"] == f"act/dead_fraction/{dead.evidence['module']}"
    assert dead.evidence["series"] in d.history.tags
    plateau = next(f for f in diagnosed["label_noise"].findings if f.code == "loss_plateau")
    assert plateau.evidence["series"] == "loss"


def test_no_misleading_activation_note_and_one_note_per_run(diagnosed: dict[str, Any]) -> None:
    for name in ("healthy", "saturating_deep_network", "lr_too_high"):
        notes = [f for f in diagnosed[name].findings if f.code == "not_enough_data"]
        assert len(notes) <= 1
        assert all("activations=True" not in f.title and "dead_units" not in f.evidence["rules"]
                   for f in notes), name


def test_the_loss_figure_marks_where_the_top_cause_starts(diagnosed: dict[str, Any]) -> None:
    d = diagnosed["lr_too_high"]
    data = d.figure_data()
    # The chain opens with "update/weight ratio ... at step 0": the marker sits there, named.
    assert data.cause is not None and (data.cause.code, data.cause.step) == ("lr_too_high", 0)
    assert data.cause.severity == str(d.top_cause.severity)
    texts = [a.text for a in d.figure().layout.annotations]
    assert "cause: lr_too_high" in texts
    # A healthy run has no cause to mark.
    assert diagnosed["healthy"].figure_data().cause is None


def test_cause_start_step_falls_back_to_its_findings() -> None:
    from types import SimpleNamespace

    from modelglass.viz._diagnose import cause_start_step

    cause = Cause("overfitting", "warning", 0.8, "t", ("validation loss rose while training fell",), "p",
                  findings=("val_divergence",))
    found = [SimpleNamespace(code="val_divergence", step=120), SimpleNamespace(code="dead_units", step=5)]
    assert cause_start_step(cause, found) == 120
    assert cause_start_step(cause, []) is None
    named = Cause("lr_too_high", "error", 0.9, "t", ("loss x17 at step 3", "dead from step 20"), "p")
    assert cause_start_step(named, found) == 3
