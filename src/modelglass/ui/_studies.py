"""The studies view: Optuna studies as ``modelglass.tune`` reads them, trials linked to their runs."""

from __future__ import annotations

from typing import Any, Mapping

from ..core import BadInputError, MissingDependencyError, NotFoundError, StoreError, jsonable
from ._common import finite_or_none, run_map


def studies(reader: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """Hyperparameter studies with their direction, best trial, history and trials.

    The study data (direction, best, best-so-far) comes from :mod:`modelglass.tune`, so a
    maximised score is read as higher-is-better.

    Params:
        study: When given, only this study.
        storage: The Optuna storage (default: the one beside the store, where mg.tune writes).

    Returns:
        ``studies`` (one dict each), ``available`` and a ``reason`` when the studies could not
        be read, and ``unlisted``: study names that runs carry but the storage lacks.
    """
    want = params.get("study") or None
    storage = params.get("storage") or None
    tagged = {r.study for r in reader.runs() if r.study}
    try:
        from ..tune import list_studies, load_study
        from ..viz import history_data

        names = [s["study"] for s in list_studies(store=reader.location, storage=storage)]
        results = [load_study(n, store=reader.location, storage=storage)
                   for n in names if want is None or n == want]
    except MissingDependencyError as exc:
        return _unavailable(str(exc), tagged)
    except (StoreError, ValueError) as exc:  # a storage that cannot be opened or read
        text = " ".join(str(exc).replace(reader.location, "the store").split())
        return _unavailable(f"The studies could not be read: {text[:300]}", tagged)
    if want is not None and not results:
        raise NotFoundError(f"No study {want!r} in the Optuna storage of this store.")
    runs = run_map(reader)
    out = [_study(res, history_data(res), runs) for res in results]
    return {"available": True, "reason": "", "studies": out,
            "unlisted": [] if want else sorted(tagged - {s["study"] for s in out})}


def _unavailable(reason: str, tagged: set[str]) -> dict[str, Any]:
    return {"available": False, "reason": reason, "studies": [], "unlisted": sorted(tagged)}


def _study(res: Any, hist: Any, runs: Mapping[str, Any]) -> dict[str, Any]:
    trials = []
    for t in res.trials:
        run = runs.get(t.run_id) if t.run_id else None
        trials.append({"number": t.number, "name": run.name if run else f"trial {t.number}",
                       "run_id": run.id if run else None, "state": t.state,
                       "value": finite_or_none(t.value),
                       "params": jsonable(dict(t.params))})
    return {
        "study": res.study,
        "direction": res.direction,
        "n_trials": len(res.trials),
        "statuses": res.counts(),
        "best_value": finite_or_none(res.best_value),
        "best_trial": res.best.number if res.best else None,
        "params": list(res.distributions),
        "distributions": jsonable(dict(res.distributions)),
        "history": {"numbers": hist.numbers.tolist(),
                    "values": [finite_or_none(v) for v in hist.values.tolist()],
                    "best_so_far": [finite_or_none(v) for v in hist.best_so_far.tolist()]},
        "trials": trials,
        "findings": [f.to_dict() for f in res.findings],
    }


def study_figures(reader: Any, params: Mapping[str, Any],
                  cache: dict[Any, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Parameter importances and the contour of the two most important parameters of a study.

    Optuna's importance evaluator (fANOVA) takes seconds, so the page asks for this after
    drawing the study, and finished work is kept in ``cache`` by study and trial count.

    Params:
        study: The study name.
        storage: The Optuna storage (default: the one beside the store).
    """
    name = str(params.get("study") or "")
    if not name:
        raise BadInputError("The parameter 'study' is required: the name of an Optuna study.")
    from ..tune import load_study
    from ..viz import contour_data

    storage = params.get("storage") or None
    res = load_study(name, store=reader.location, storage=storage)
    done = sum(1 for t in res.trials if t.state == "complete")
    key = (name, storage, len(res.trials), done)
    if cache is not None and key in cache:
        return cache[key]
    try:
        importance = {k: finite_or_none(v) for k, v in res.importances().items()} if done >= 2 else {}
    except (ValueError, RuntimeError):  # too few distinct trials for the evaluator
        importance = {}
    contour = None
    ranked = [k for k in importance if res.distributions.get(k, {}).get("type") != "categorical"]
    if len(ranked) >= 2:
        c = contour_data(res, ranked[0], ranked[1])
        contour = {"x": _axis(c.x), "y": _axis(c.y), "grid_x": _floats(c.grid_x),
                   "grid_y": _floats(c.grid_y), "grid_z": [_floats(row) for row in c.grid_z],
                   "points_x": _floats(c.points_x), "points_y": _floats(c.points_y),
                   "values": _floats(c.values)}
    out = {"study": name, "direction": res.direction, "importance": importance, "contour": contour}
    if cache is not None:
        cache[key] = out
    return out


def _axis(col: Any) -> dict[str, Any]:
    return {"name": col.name, "log": bool(col.log)}


def _floats(a: Any) -> list[float | None]:
    return [finite_or_none(v) for v in a.tolist()]
