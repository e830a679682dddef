"""``modelglass import tensorboard LOGDIR``: turn other tools' logs into modelglass runs."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

from ._format import add_store_argument, emit_json, print_table


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="source", parser_class=type(p), required=True,
                           metavar="SOURCE")
    tb = sub.add_parser(
        "tensorboard", help="a folder of TensorBoard logs (every point, no sampling)",
        description="Import every run folder under LOGDIR as a modelglass run. Importing again "
                    "adds only what was written since.",
    )
    tb.add_argument("logdir", metavar="LOGDIR", help="the folder you give `tensorboard --logdir`")
    add_store_argument(tb)
    tb.add_argument("--project", default=None, help="project of the imported runs (default: tensorboard)")
    tb.add_argument("--json", action="store_true", help="machine-readable output")
    tb.add_argument("--follow", action="store_true",
                    help="keep importing what training writes, until Ctrl+C")
    tb.add_argument("--interval", type=float, default=2.0,
                    help="seconds between passes with --follow (default 2)")


def run(args: argparse.Namespace) -> int:
    from ..core import BadInputError, require
    from ..integrations.tensorboard import TensorBoardImporter

    require("tensorboard", "importing TensorBoard logs")
    require("google_crc32c", "importing TensorBoard logs")
    if args.interval <= 0:
        raise BadInputError(f"--interval must be > 0 seconds. Got {args.interval}.")
    with TensorBoardImporter(args.logdir, args.store, args.project) as imp:
        done = _pass(imp, require_runs=not args.follow)
        _report(done, imp.store, args.json)
        if not args.follow:
            return 0
        print(f"following {imp.logdir} (Ctrl+C to stop)", file=sys.stderr, flush=True)
        try:
            imp.follow(args.interval, on_pass=lambda d: _report_new(d, args.json),
                       importer_pass=lambda: _pass(imp, require_runs=False))
        except KeyboardInterrupt:
            print("stopped following", file=sys.stderr)
    return 0


def _pass(imp: Any, require_runs: bool) -> list[Any]:
    """One import pass; skipped-record warnings become one line each on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        done: list[Any] = imp.import_once(require_runs=require_runs)
    for w in caught:
        print(f"modelglass: warning: {w.message}", file=sys.stderr)
    return done


def _report(done: list[Any], store: str, as_json: bool) -> None:
    if as_json:
        emit_json({"store": store, "runs": [r.to_dict() for r in done]})
        return
    print_table(
        ["id", "name", "new", "points", "series", "histograms", "texts", "skipped records"],
        [(r.run_id, r.name, "yes" if r.created else "no", r.points, r.series, r.histograms,
          r.texts, r.skipped_records) for r in done],
    )
    print(f"imported {len(done)} runs into {store}")


def _report_new(done: list[Any], as_json: bool) -> None:
    for r in done:
        if r.points or r.histograms or r.texts or r.created:
            if as_json:
                emit_json(r.to_dict())
            else:
                print(f"{r.name}: +{r.points} points, +{r.histograms} histograms, +{r.texts} texts",
                      flush=True)


def follow_in_background(logdir: str, store: str | None, project: str | None = None) -> Any:
    """Import ``logdir`` now, then keep following it in a daemon thread.

    Returns the ``threading.Event`` that stops the thread. Errors of a later pass are
    printed as one line each; the dashboard keeps serving.
    """
    import threading

    from ..core import require
    from ..integrations.tensorboard import TensorBoardImporter

    require("tensorboard", "importing TensorBoard logs")
    require("google_crc32c", "importing TensorBoard logs")
    imp = TensorBoardImporter(logdir, store, project)
    done = _pass(imp, require_runs=False)
    print(f"imported {len(done)} TensorBoard runs from {imp.logdir}; following it", file=sys.stderr)
    stop = threading.Event()

    def safe_pass() -> list[Any]:
        try:
            return _pass(imp, require_runs=False)
        except Exception as exc:  # noqa: BLE001 - a bad pass must not stop the dashboard
            print(f"modelglass: warning: TensorBoard import: {exc}", file=sys.stderr)
            return []

    def loop() -> None:
        try:
            imp.follow(2.0, stop=stop.is_set, importer_pass=safe_pass)
        finally:
            imp.close()

    threading.Thread(target=loop, name="modelglass-tensorboard-follow", daemon=True).start()
    return stop
