"""Bad input: rules that cannot judge say so; bad arguments are one clear error."""

from __future__ import annotations

import numpy as np
import pytest

import modelglass as mg
from modelglass.core import BadInputError, BadTypeError, NotFoundError

from ._synth import falling, make_run


def _skipped(d) -> dict[str, str]:
    notes = [f for f in d.findings if f.code == "not_enough_data"]
    assert len(notes) <= 1  # a rule that cannot judge says so once per run, not once per rule
    return dict(notes[0].evidence["rules"]) if notes else {}


def test_a_run_without_a_loss_says_which_rules_could_not_judge(tmp_path) -> None:
    run = make_run(str(tmp_path), {"accuracy": np.linspace(0.1, 0.9, 50)})
    d = mg.diagnose(run)
    assert d.verdict == "healthy" and d.loss_tag is None
    skipped = _skipped(d)
    for code in ("loss_divergence", "loss_plateau", "loss_oscillation", "bad_initial_loss"):
        assert "no training-loss series" in skipped[code]
    assert all(f.severity == mg.Severity.INFO for f in d.findings)
    assert "no usable training loss" in d.summary


def test_a_series_of_length_one(tmp_path) -> None:
    d = mg.diagnose(make_run(str(tmp_path), {"loss": [2.3]}), num_classes=10)
    assert d.verdict == "healthy"
    assert "loss_plateau" in _skipped(d) and "1 finite points" in _skipped(d)["loss_plateau"]


def test_an_all_nan_loss_is_a_nan_finding_and_nothing_else(tmp_path) -> None:
    d = mg.diagnose(make_run(str(tmp_path), {"loss": np.full(30, np.nan)}))
    assert d.codes() == ["nan_inf"]
    assert "only NaN/Inf values" in _skipped(d)["loss_plateau"]


def test_missing_probe_data_is_named(tmp_path) -> None:
    d = mg.diagnose(make_run(str(tmp_path), {"loss": falling()}))
    skipped = _skipped(d)
    assert "run.watch" in skipped["vanishing_gradients"]
    assert "act/dead_fraction" in skipped["dead_units"]
    assert "update_ratio" in skipped["update_ratio_low"]


def test_an_empty_run(tmp_path) -> None:
    d = mg.diagnose(make_run(str(tmp_path), {}))
    assert d.verdict == "healthy"
    assert "the run has no series" in _skipped(d)["nan_inf"]


def test_bad_arguments(tmp_path) -> None:
    run = make_run(str(tmp_path), {"loss": falling(50)})
    with pytest.raises(BadInputError, match="'loss' argument.*'train_loss'.*loss"):
        mg.diagnose(run, loss="train_loss")
    with pytest.raises(BadInputError, match="num_classes"):
        mg.diagnose(run, num_classes=1)
    with pytest.raises(BadInputError, match="Unknown diagnose rule"):
        mg.diagnose(run, rules=["loss_plateu"])
    with pytest.raises(NotFoundError, match="No run 'nope'"):
        mg.diagnose("nope", store=str(tmp_path))
    with pytest.raises(BadTypeError, match="Run, a RunInfo"):
        mg.diagnose(42, store=str(tmp_path))
    with pytest.raises(mg.core.StoreError):
        mg.diagnose("latest", store=str(tmp_path / "missing"))


def test_every_way_to_name_a_run(tmp_path) -> None:
    run = make_run(str(tmp_path), {"loss": falling(50)}, name="named")
    reader = mg.open_store(str(tmp_path))
    info = reader.run(run.id)
    for ref, store in ((run, None), (info, str(tmp_path)), (run.id, str(tmp_path)),
                       ("named", str(tmp_path)), ("latest", str(tmp_path)), (run.id, reader)):
        assert mg.diagnose(ref, store=store).run_id == run.id
    reader.runs()  # a Reader passed in stays open for its owner
    reader.close()


def test_the_module_is_callable_and_exports_what_it_says(tmp_path) -> None:
    import modelglass.diagnose as dg

    run = make_run(str(tmp_path), {"loss": falling(50)})
    assert dg(run).run_id == run.id
    assert mg.diagnose(run).run_id == run.id
    for name in dg.__all__:
        assert hasattr(dg, name), name


def test_a_live_run_can_be_diagnosed_while_it_trains(tmp_path) -> None:
    run = mg.init(project="live", store=str(tmp_path))
    for s, v in enumerate(falling(40)):
        run.log({"loss": float(v)}, step=s)
    d = mg.diagnose(run)  # flushes what was logged so far
    assert d.loss_tag == "loss" and "by step 39" in d.summary
    run.finish()


def test_a_new_rule_is_one_registration_and_a_broken_one_does_not_crash(tmp_path) -> None:
    from modelglass.diagnose import RULES, rule

    @rule("test_always", "warning", "data", {"level": (1.0, "a level")})
    def always(h, p):
        """Fires on every run with a loss."""
        if h.loss() is None:
            raise mg.diagnose.NotEnoughData("no loss")
        return [mg.diagnose._registry.make("test_always", "always", {"level": p["level"]}, "none")]

    @rule("test_broken", "warning", "data")
    def broken(h, p):
        """Divides by zero."""
        return [1 / 0]

    try:
        run = make_run(str(tmp_path), {"loss": falling(50)})
        d = mg.diagnose(run, thresholds={"test_always.level": 2.0})
        hit = next(f for f in d.findings if f.code == "test_always")
        assert hit.evidence == {"level": 2.0} and hit.source == "diagnose"
        failed = next(f for f in d.findings if f.code == "rule_failed")
        assert failed.evidence["rule"] == "test_broken" and failed.severity == mg.Severity.INFO
    finally:
        RULES.pop("test_always", None)
        RULES.pop("test_broken", None)
