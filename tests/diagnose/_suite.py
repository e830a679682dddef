"""Load every scenario module and run one scenario into a store."""

from __future__ import annotations

from typing import Any

from ._common import SCENARIOS, Scenario


def all_scenarios() -> dict[str, Scenario]:
    from . import _scenarios_np  # noqa: F401

    try:
        import torch

        torch.set_num_threads(1)
        from . import _faults_torch, _scenarios_torch  # noqa: F401
    except ImportError:
        pass
    return SCENARIOS


def run_scenario(name: str, store: str, seed: int = 0) -> Any:
    """Train the scenario (seed 0 is the one the thresholds were checked on) and diagnose it."""
    import modelglass as mg

    sc = all_scenarios()[name]
    run_id, kwargs = sc.build(store, seed=seed)
    return mg.diagnose(run_id, store=store, **kwargs)
