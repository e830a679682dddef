"""``mg.tune``: an Optuna study where every trial is also a modelglass run."""

from __future__ import annotations

import math
import os
import secrets
import time
import traceback
import warnings
from typing import Any, Callable, Mapping

from ..core import BadInputError, BadTypeError, argument_error, callable_arg, one_of, positive_int, positive_number
from ..core import progress_bar
from ..store import open_backend
from ..track import init as _init_run
from ._result import ERROR_ATTR, RUN_ID_ATTR, TuneResult, result_from_study
from ._space import parse_space, suggest_all
from ._storage import open_storage, optuna_module

_SAMPLERS = ("tpe", "random", "cmaes", "gp", "qmc")
_PRUNERS = ("median", "hyperband", "successive_halving", "none")


def tune(
    objective: Callable[[Any], float],
    n_trials: int | None = 20,
    direction: str = "minimize",
    space: Mapping[str, Any] | None = None,
    study: str | None = None,
    store: str | os.PathLike[str] | None = None,
    storage: Any = None,
    sampler: Any = "tpe",
    pruner: Any = None,
    timeout: float | None = None,
    n_jobs: int = 1,
    project: str = "tune",
    seed: int | None = None,
    heartbeat: int = 20,
    retries: int = 0,
    progress: bool = True,
) -> TuneResult:
    """Search hyperparameters with Optuna, logging every trial as a modelglass run.

    The objective receives an Optuna trial (``trial.suggest_float(...)``) and
    returns the value to optimize; it may call ``trial.report(value, step)`` for
    pruning, and each reported value is also logged as the series ``objective``
    of the trial's run. Inside the objective ``mg.current_run()`` is that run.
    A trial whose objective raises is recorded as failed, with its error, and
    the search goes on.

    Args:
        objective: ``f(trial) -> float``.
        n_trials: Trials to run in this call (None: until ``timeout``).
        direction: ``minimize`` or ``maximize``.
        space: Optional declared space, ``{"lr": (1e-5, 1e-1, "log"), "depth": [2, 4, 8]}``;
            those values are suggested before the objective runs (read them from
            ``trial.params``).
        study: Study name; an existing study of that name is continued, which is how
            several processes share one search.
        store: Run store; default ``MODELGLASS_STORE`` or ``./mglogs``.
        storage: Where Optuna keeps the study: default a journal file beside the run
            store; a journal file path, ``postgresql://...`` or an Optuna storage
            lets processes on several machines work on one study.
        sampler: ``tpe``, ``random``, ``cmaes``, ``gp``, ``qmc`` or an Optuna sampler.
        pruner: None, ``median``, ``hyperband``, ``successive_halving`` or an Optuna pruner.
        timeout: Stop starting trials after this many seconds.
        n_jobs: Threads running trials in this process.
        project: Project of the trial runs.
        seed: Seed for the sampler, for a repeatable search.
        heartbeat: With a database storage (SQLite file or URL), seconds between a
            running trial's heartbeats. The trial of a worker that died (killed,
            preempted) is marked failed by the next worker to start a trial after
            twice this long, and its modelglass run ``crashed``.
        retries: How many times such a trial is run again (same parameters).
        progress: Show a progress bar of the trials (on a terminal or in a notebook only).

    Returns:
        A :class:`TuneResult` over every trial of the study (also those of other workers).
    """
    _check_args(objective, n_trials, direction, timeout, n_jobs)
    for arg, value, low in (("heartbeat", heartbeat, 1), ("retries", retries, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise BadInputError(
                f"The '{arg}' argument of mg.tune must be an int >= {low}. Got {value!r}."
            )
    optuna = optuna_module()
    parsed = parse_space(space)
    # Fail before the first trial when the run store cannot be written, rather than
    # recording every trial as failed with the same error.
    open_backend(store, create=True).close()
    storage_obj, storage_desc = open_storage(
        storage, store, heartbeat=heartbeat, on_stale=_on_stale(optuna, store, retries)
    )
    name = study or _new_study_name(project)
    wrapped = _logged_objective(objective, parsed, name, project, store)
    previous = optuna.logging.get_verbosity()
    # Optuna logs a line per trial; the runs already record every trial.
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        st = _create(optuna, storage_obj, _sampler(optuna, sampler, seed), _pruner(optuna, pruner),
                     name, direction)
        with progress_bar("tune: trials", n_trials, progress) as bar:
            st.optimize(wrapped, n_trials=n_trials, timeout=timeout, n_jobs=n_jobs, catch=(Exception,),
                        callbacks=[lambda _study, _trial: bar.advance()])
    finally:
        optuna.logging.set_verbosity(previous)
    return result_from_study(st, storage_desc)


def _create(optuna: Any, storage: Any, sampler: Any, pruner: Any, name: str, direction: str) -> Any:
    try:
        st = optuna.create_study(storage=storage, sampler=sampler, pruner=pruner,
                                 study_name=name, direction=direction, load_if_exists=True)
    except ValueError as exc:
        raise BadInputError(f"Cannot use the study {name!r}: {exc}") from exc
    if st.direction.name.lower() != direction:
        raise BadInputError(
            f"The study {name!r} already exists with direction {st.direction.name.lower()!r}, "
            f"not {direction!r}. Use another study name or the same direction."
        )
    return st


def load_study(study: str, store: Any = None, storage: Any = None) -> TuneResult:
    """The :class:`TuneResult` of an existing study (from this or any other process).

    Raises:
        NotFoundError: no study of that name in the storage.
    """
    from ..core import NotFoundError

    optuna = optuna_module()
    storage_obj, desc = open_storage(storage, store, create=False)
    names = optuna.get_all_study_names(storage_obj)
    if study not in names:
        known = ", ".join(names[:10]) or "none"
        raise NotFoundError(f"No study {study!r} in {desc} (studies there: {known}).")
    st = optuna.load_study(study_name=study, storage=storage_obj)
    return result_from_study(st, desc)


def list_studies(store: Any = None, storage: Any = None) -> list[dict[str, Any]]:
    """Every study in the storage: name, direction, trial counts and best value."""
    from ..core import NotFoundError
    from ._storage import storage_exists

    if not storage_exists(storage, store):
        if storage is not None:
            raise NotFoundError(f"No Optuna storage at {storage}: the file does not exist.")
        return []  # nothing tuned beside this store yet
    optuna = optuna_module()
    storage_obj, _ = open_storage(storage, store, create=False)
    out = []
    for s in optuna.get_all_study_summaries(storage_obj, include_best_trial=True):
        best = s.best_trial
        out.append({
            "study": s.study_name,
            "direction": s.direction.name.lower() if s.direction is not None else None,
            "n_trials": int(s.n_trials),
            "best_value": None if best is None else best.value,
            "best_params": {} if best is None else dict(best.params),
            "started": s.datetime_start.timestamp() if s.datetime_start else None,
        })
    return sorted(out, key=lambda d: (d["started"] or 0.0, d["study"]))


def _logged_objective(objective: Callable[[Any], float], space: Mapping[str, Any],
                      study: str, project: str, store: Any) -> Callable[[Any], float]:
    def run_trial(trial: Any) -> float:
        params = suggest_all(trial, space) if space else {}
        run = _init_run(project=project, name=f"{study}/trial-{trial.number}",
                        config=params, store=store, study=study)
        trial.set_user_attr(RUN_ID_ATTR, run.id)
        _log_reports(trial, run)
        status = "failed"
        optuna = optuna_module()
        try:
            with run.activate():
                value = objective(trial)
            value = _check_value(value, trial.number)
            run.summary.update({"objective": value, "trial": trial.number, "state": "complete"})
            status = "finished"
            return value
        except optuna.TrialPruned:
            run.summary.update({"trial": trial.number, "state": "pruned"})
            status = "finished"
            raise
        except Exception as exc:
            msg = f"{type(exc).__name__}: {exc}"
            trial.set_user_attr(ERROR_ATTR, msg)
            run.summary.update({"trial": trial.number, "state": "fail", "error": msg})
            run.log_event(f"trial {trial.number} failed: {msg}", level="error",
                          traceback=traceback.format_exc(limit=20))
            raise
        finally:
            _set_config(run, dict(trial.params))
            run.finish(status)

    return run_trial


def _on_stale(optuna: Any, store: Any, retries: int) -> Callable[[Any, Any], None]:
    """Called (in another worker) for a trial whose worker stopped beating."""
    retry = None
    if retries:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=retries)

    def callback(study: Any, trial: Any) -> None:
        run_id = trial.user_attrs.get(RUN_ID_ATTR)
        if run_id:
            _mark_crashed(store, str(run_id))
        if retry is not None:
            retry(study, trial)

    return callback


def _mark_crashed(store: Any, run_id: str) -> None:
    from ..store import WriteBatch

    backend = open_backend(store, create=True)
    try:
        if any(r["id"] == run_id and r["status"] == "running" for r in backend.runs()):
            backend.write(WriteBatch(run_updates={run_id: {"status": "crashed"}}))
    finally:
        backend.close()


def _log_reports(trial: Any, run: Any) -> None:
    """Make ``trial.report`` also log the value as the run's ``objective`` series."""
    original = trial.report

    def report(value: float, step: int) -> None:
        original(value, step)
        run.log({"objective": float(value)}, step=int(step))

    trial.report = report


def _set_config(run: Any, params: dict[str, Any]) -> None:
    # Define-by-run: the parameters are only known after the objective asked for them.
    run.update_config(params)


def _check_value(value: Any, number: int) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise BadTypeError(
            f"The objective must return a number. Trial {number} returned "
            f"{type(value).__name__} ({value!r:.60}) instead."
        ) from None
    if math.isnan(out):
        raise BadInputError(f"The objective returned NaN in trial {number}.")
    return out


def _check_args(objective: Any, n_trials: Any, direction: Any, timeout: Any, n_jobs: Any) -> None:
    callable_arg(objective, "objective", "mg.tune", "a function f(trial) -> float")
    positive_int(n_trials, "n_trials", "mg.tune", allow_none=True)
    if n_trials is None and timeout is None:
        raise BadInputError("mg.tune needs n_trials or timeout; with neither it would never stop.")
    one_of(direction, "direction", "mg.tune", ("minimize", "maximize"))
    positive_number(timeout, "timeout", "mg.tune", allow_none=True)
    if n_jobs != -1:
        try:
            positive_int(n_jobs, "n_jobs", "mg.tune")
        except BadInputError:
            raise argument_error("n_jobs", "mg.tune", "a positive int or -1", n_jobs) from None


def _sampler(optuna: Any, sampler: Any, seed: int | None) -> Any:
    if not isinstance(sampler, str):
        return sampler
    kinds = {
        "tpe": lambda: optuna.samplers.TPESampler(seed=seed),
        "random": lambda: optuna.samplers.RandomSampler(seed=seed),
        "cmaes": lambda: optuna.samplers.CmaEsSampler(seed=seed),
        "gp": lambda: optuna.samplers.GPSampler(seed=seed),
        "qmc": lambda: optuna.samplers.QMCSampler(seed=seed),
    }
    if sampler not in kinds:
        raise BadInputError(
            f"Unknown sampler {sampler!r}. Use one of {', '.join(_SAMPLERS)} or an Optuna sampler."
        )
    return kinds[sampler]()


def _pruner(optuna: Any, pruner: Any) -> Any:
    if pruner is None or pruner == "none":
        return optuna.pruners.NopPruner()
    if not isinstance(pruner, str):
        return pruner
    kinds = {
        "median": optuna.pruners.MedianPruner,
        "hyperband": optuna.pruners.HyperbandPruner,
        "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
    }
    if pruner not in kinds:
        raise BadInputError(f"Unknown pruner {pruner!r}. Use one of {', '.join(_PRUNERS)} or an Optuna pruner.")
    return kinds[pruner]()


def _new_study_name(project: str) -> str:
    return f"{project}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"
