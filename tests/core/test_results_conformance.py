"""Every analysis result follows one contract (DESIGN: public contracts).

Like scikit-learn's ``parametrize_with_checks``: each result type has a factory that
builds a small real instance, and every clause of the contract is a check run on
every instance. A new ``Result`` subclass without a factory fails
``test_every_result_type_has_a_factory``, so none can skip the contract.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import modelglass
from modelglass.core import BadInputError, Finding, Result, Severity

# -- factories: small, fast, real instances --------------------------------------------------


def _inspection(tmp: Path) -> Any:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    return modelglass.inspect(model, torch.zeros(3, 4), graph=False)


def _data_report(tmp: Path) -> Any:
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 240
    a, b = rng.normal(size=n), rng.normal(size=n)
    frame = pd.DataFrame({
        "a": a, "b": b, "color": rng.choice(["red", "green", "blue"], size=n),
        "y": ((a + 0.8 * b + rng.normal(size=n)) > 0).astype(int),
    })
    frame.loc[::17, "b"] = np.nan  # something for the missing-values figure and a finding
    return modelglass.check_data(frame.iloc[:180], frame.iloc[180:], target="y")


def _quadratic(trial: Any) -> float:
    x = trial.suggest_float("x", -4.0, 4.0)
    y = trial.suggest_float("y", 1e-3, 1.0, log=True)
    return (x - 1.0) ** 2 + (np.log10(y) + 2.0) ** 2


def _tune_result(tmp: Path) -> Any:
    return modelglass.tune(_quadratic, n_trials=8, study="conformance", store=tmp / "store", seed=0)


def _model_comparison(tmp: Path) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=150) > 0).astype(int)
    return modelglass.compare_models(
        {"logistic": LogisticRegression(), "tree": DecisionTreeClassifier(random_state=0)}, X, y, cv=3,
        learning_curve_sizes=(0.5, 1.0), validation_param="max_depth", validation_values=[1, 3],
        validation_candidate="tree",
    )


def _lr_finder(tmp: Path) -> Any:
    # The seed's linear regression: loss after a few gradient steps at each rate.
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2, 60)
    X, y = np.column_stack([np.ones(60), x]), 2 * x + 3

    def loss_after(lr: float) -> float:
        theta = np.zeros(2)
        with np.errstate(all="ignore"):
            for _ in range(5):
                theta = theta - lr * X.T @ (X @ theta - y) / len(y)
            return float(np.mean((X @ theta - y) ** 2))

    return modelglass.lr_find(loss_after, start=1e-4, end=10.0, steps=40)


def _landscape(tmp: Path) -> Any:
    J = lambda th: float((th[0] - 1.0) ** 2 + 3 * (th[1] + 0.5) ** 2)  # noqa: E731
    path = np.array([[0.0, 0.0], [0.3, -0.2], [0.5, -0.3]])
    return modelglass.landscape(np.array([0.5, -0.3]), J, steps=11, span=1.0, trajectory=path)


def _loss_comparison(tmp: Path) -> Any:
    import torch

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(60, 1)).astype(np.float32)
    y = (2 * X[:, 0] + 0.1 * rng.normal(size=60)).astype(np.float32)
    return modelglass.compare_losses(lambda: torch.nn.Linear(1, 1), ["mse", "mae"], X, y, epochs=15, lr=0.05)


def _grad_check(tmp: Path) -> Any:
    # A planted bug: the intercept's gradient has the wrong sign (an error finding, ok is False).
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 2, 50)
    X, y = np.column_stack([np.ones(50), x]), 2 * x + 3
    mse = lambda th: float(np.mean((X @ th - y) ** 2))  # noqa: E731
    bad_grad = lambda th: 2 * X.T @ (X @ th - y) / len(y) * np.array([-1.0, 1.0])  # noqa: E731
    return modelglass.gradcheck(mse, bad_grad, np.array([0.5, -1.0]))


def _diagnosis(tmp: Path) -> Any:
    with modelglass.init(project="conformance", store=str(tmp / "store")) as run:
        for step in range(40):
            run.log({"loss": 2.0 * 0.9**step + 0.01, "val/loss": 2.0 * 0.92**step + 0.05}, step=step)
    return modelglass.diagnose(run)


FACTORIES: dict[str, Callable[[Path], Any]] = {
    "Inspection": _inspection,
    "DataReport": _data_report,
    "TuneResult": _tune_result,
    "ModelComparison": _model_comparison,
    "LRFinderResult": _lr_finder,
    "Landscape": _landscape,
    "LossComparison": _loss_comparison,
    "GradCheck": _grad_check,
    "Diagnosis": _diagnosis,
}
# Results whose conversion belongs to another piece of work: their checks may fail.
NOT_YET: dict[str, str] = {}  # every result follows the contract (Diagnosis since issue 11)


# -- the checks: one function per clause of the contract ---------------------------------------


def check_frozen_dataclass(result: Any) -> None:
    assert dataclasses.is_dataclass(result) and isinstance(result, Result)
    first = dataclasses.fields(result)[0].name
    for name in ("findings", first):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, name, getattr(result, name))


def check_findings_tuple_worst_first(result: Any) -> None:
    assert isinstance(result.findings, tuple)
    assert all(isinstance(f, Finding) for f in result.findings)
    levels = [int(f.severity) for f in result.findings]
    assert levels == sorted(levels, reverse=True), levels


def check_ok_means_no_error(result: Any) -> None:
    assert result.ok is (not any(f.severity == Severity.ERROR for f in result.findings))


def check_to_dict_is_json_with_the_head(result: Any) -> None:
    d = result.to_dict()
    text = json.dumps(d, allow_nan=False)  # plain JSON: no NaN, no NumPy types
    back = json.loads(text)
    assert list(back)[:4] == ["schema_version", "result", "ok", "findings"]
    assert isinstance(back["schema_version"], int) and back["schema_version"] >= 1
    assert back["result"] == type(result).__name__ and back["ok"] is result.ok
    assert [f["code"] for f in back["findings"]] == [f.code for f in result.findings]


def check_every_figure_kind_draws(result: Any) -> None:
    import plotly.graph_objects as go

    kinds = type(result).FIGURE_KINDS
    assert isinstance(kinds, tuple) and kinds, "a result lists at least one figure kind"
    for kind in kinds:
        fig = result.figure(kind)
        assert isinstance(fig, go.Figure) and len(fig.data) >= 1, kind
    default = result.figure()
    assert isinstance(default, go.Figure) and len(default.data) >= 1
    first = result.figure(kinds[0])  # no kind is the first kind
    assert [t.type for t in default.data] == [t.type for t in first.data]
    assert default.layout.title.text == first.layout.title.text


def check_unknown_kind_names_the_valid_ones(result: Any) -> None:
    with pytest.raises(BadInputError) as err:
        result.figure("no_such_kind")
    message = str(err.value)
    assert "no_such_kind" in message
    assert all(repr(k) in message for k in type(result).FIGURE_KINDS), message


def check_card_has_title_and_verdict(result: Any) -> None:
    import html

    card = result._repr_html_()
    assert html.escape(result._card_title()) in card
    assert f"mg-v-{result.status}" in card and f">{result.status}</span>" in card
    assert "<table" in card or "No findings" in card


def check_show_prints_the_text_outside_a_notebook(result: Any, capsys: pytest.CaptureFixture[str]) -> None:
    result.show()
    out = capsys.readouterr().out
    assert out == result.text() + "\n"
    assert out.startswith(result._card_title()) and f"[{result.status}]" in out.splitlines()[0]
    for f in result.findings:
        assert f.code in out


CHECKS = [
    check_frozen_dataclass,
    check_findings_tuple_worst_first,
    check_ok_means_no_error,
    check_to_dict_is_json_with_the_head,
    check_every_figure_kind_draws,
    check_unknown_kind_names_the_valid_ones,
    check_card_has_title_and_verdict,
    check_show_prints_the_text_outside_a_notebook,
]


def _cases() -> list[Any]:
    cases = []
    for name in FACTORIES:
        marks = [pytest.mark.xfail(strict=False, reason=NOT_YET[name])] if name in NOT_YET else []
        for check in CHECKS:
            cases.append(pytest.param(name, check, id=f"{name}-{check.__name__[6:]}", marks=marks))
    return cases


@pytest.fixture(scope="module")
def instances() -> dict[str, Any]:
    return {}


@pytest.fixture(autouse=True)
def _one_torch_thread(one_torch_thread: None) -> None:
    """Tiny torch models: one thread (see tests/conftest.py)."""


@pytest.mark.parametrize("name, check", _cases())
def test_result_conforms(name: str, check: Callable[..., None], instances: dict[str, Any],
                         tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> None:
    if name not in instances:  # built once per module: a tune or a comparison takes a moment
        instances[name] = FACTORIES[name](tmp_path_factory.mktemp(name))
    result = instances[name]
    assert type(result).__name__ == name
    if check is check_show_prints_the_text_outside_a_notebook:
        capsys.readouterr()
        check(result, capsys)
    else:
        check(result)


def _all_subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _all_subclasses(sub)
    return out


def test_every_result_type_has_a_factory() -> None:
    for info in pkgutil.walk_packages(modelglass.__path__, "modelglass."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional dependency that is not installed: nothing to check there
            continue
    found = {c.__name__ for c in _all_subclasses(Result) if c.__module__.startswith("modelglass.")}
    assert {"Inspection", "DataReport", "TuneResult", "GradCheck"} <= found  # the walk saw the analyses
    missing = sorted(found - set(FACTORIES))
    assert not missing, f"Result types without a conformance factory: {missing}. Add one to FACTORIES."
