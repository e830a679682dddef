"""``check_data``: run the registered checks on a dataset and collect a DataReport."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import ModelglassError
from ..core import iter_progress
from ._context import DataContext
from ._load import attach_target, to_frame
from ._registry import SkipCheck, resolve_checks
from ._report import DataReport
from ._summary import column_summaries, correlations, missing_matrix


def check_data(
    train: Any,
    test: Any = None,
    target: str | None = None,
    task: str | None = None,
    checks: Any = None,
    y: Any = None,
    pred_probs: Any = None,
    seed: int = 0,
    progress: bool = True,
) -> DataReport:
    """Check a dataset (and a train/test split) for problems.

    Args:
        train: A pandas DataFrame, a 2-D NumPy array (columns ``x0, x1, ...``) or a path to
            a CSV or Parquet file.
        test: Optional test set, in the same forms.
        target: Name of the target column in ``train`` (and ``test`` when it has it).
        task: ``classification`` or ``regression``; inferred from the target when None
            (text, bool or at most 20 distinct integers: classification).
        checks: None for all checks; a list of codes to run only those; or a dict
            ``{code: {option: value}}`` (``False`` turns a check off). Unknown codes or
            options raise an error.
        y: Labels for ``train`` when they are not a column (e.g. with a NumPy ``train``);
            added as the column ``target`` (or the Series' name).
        pred_probs: Out-of-sample predicted probabilities ``(rows of train, classes)`` in
            sorted class order, used by ``label_issues`` instead of its own model.
        seed: Seed of the samples and folds the checks draw.
        progress: Show a progress bar of the checks (on a terminal or in a notebook only).

    Returns:
        A :class:`DataReport`.

    Raises:
        BadInputError: Empty data, a missing target column, an unreadable file, an unknown
            check or option.
    """
    selected = resolve_checks(checks)
    train_df = to_frame(train, "train")
    if y is not None:
        train_df, target = attach_target(train_df, y, target)
    test_df = to_frame(test, "test") if test is not None else None
    ctx = DataContext(train_df, test_df, target, task, pred_probs, seed, progress=progress)
    findings, details, rows, sides, skipped, run = [], {}, {}, {}, {}, []
    for check, options in iter_progress(list(selected), "check_data: checks", progress=progress):
        if check.needs_test and test_df is None:
            skipped[check.code] = "needs a test set"
            continue
        if check.needs_target and target is None:
            skipped[check.code] = "needs a target column"
            continue
        try:
            out = check.fn(ctx, **options)
        except SkipCheck as exc:
            skipped[check.code] = str(exc)
            continue
        except ModelglassError:
            raise
        except Exception as exc:  # one failing check must not hide what the others found
            skipped[check.code] = f"failed: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            continue
        run.append(check.code)
        findings.extend(out.findings)
        if out.details is not None:
            details[check.code] = out.details
        sides[check.code] = out.side
        rows[check.code] = None if out.rows is None else {
            "row": np.asarray(out.rows, dtype=np.int64),
            "score": np.asarray(out.scores, dtype=np.float64),
            **{k: np.asarray(v) for k, v in out.extra.items()},
        }
    return DataReport(
        findings=findings, columns=column_summaries(ctx), n_rows=len(train_df),
        n_cols=train_df.shape[1], n_test_rows=None if test_df is None else len(test_df),
        task=ctx.task, target=target, checks_run=run, skipped=skipped, details=details,
        missing_matrix=missing_matrix(ctx), correlations=correlations(ctx), flagged_rows=rows, sides=sides,
    )
