"""Entry point: parse arguments, run one command, turn errors into one line and exit 2."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from ..core import BadInputError, MissingDependencyError, ModelglassError, StoreError

# command -> (module under modelglass.cli, one-line help). Adding a command adds a line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "runs": ("runs", "list the runs in a store"),
    "show": ("show", "show one run: config, summary, status and its series"),
    "export": ("export", "export a run's series as CSV or Parquet"),
    "report": ("report", "write a self-contained HTML report of one or more runs"),
    "demo": ("demo", "train the seed's linear regression three ways and write a report"),
    "inspect": ("inspect", "inspect a model's structure and parameters"),
    "diagnose": ("diagnose", "diagnose a training run: what is wrong and what to try"),
    "data": ("data", "check a dataset for problems"),
    "tune": ("tune", "list and show hyperparameter studies"),
    "ui": ("ui", "serve the dashboard on 127.0.0.1"),
    "import": ("imports", "import runs from other tools' logs: import tensorboard LOGDIR"),
}


# Exit codes: 0 ran, 1 a check found problems of severity error, 2 bad usage or
# bad input, 3 a bug in modelglass (reported in one line, never a traceback).
INTERNAL_ERROR = 3


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise BadInputError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="modelglass", description="See inside a model and fix it.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        try:
            mod = importlib.import_module(f"modelglass.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"modelglass.cli.{module}":
                raise
            continue
        p = sub.add_parser(name, help=help_text, description=help_text)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI. Exit codes: 0 ran, 1 a check found errors, 2 bad usage or input."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        if not args_list or args_list[0] in ("-h", "--help"):
            parser.print_help()
            return 0
        args = parser.parse_args(args_list)
        if args.version:
            from .. import __version__

            print(__version__)
            return 0
        if not getattr(args, "_run", None):
            parser.print_help()
            return 2
        code = args._run(args)
        return int(code or 0)
    except SystemExit as exc:
        if exc.code in (0, None):  # --help inside a subcommand
            return 0
        # Code of the user's that modelglass ran (a model file, a factory) quit.
        _fail(
            BadInputError(
                f"the code modelglass ran called sys.exit({exc.code!r}) (for example at the top "
                "level of a model file); put script code under if __name__ == '__main__':"
            ),
            "--json" in args_list,
        )
        return 2
    except MemoryError:
        _fail(_too_large(), "--json" in args_list)
        return 2
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error.
        _silence_stdout()
        return 0
    except (BadInputError, StoreError, MissingDependencyError, OSError) as exc:
        # OSError: a file the user named cannot be read or written (missing folder,
        # permissions): bad input, not a bug.
        _fail(exc, "--json" in args_list)
        return 2
    except ModelglassError as exc:
        _fail(exc, "--json" in args_list)
        return 2
    except KeyboardInterrupt:
        print("modelglass: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - no traceback reaches a CLI user
        if os.environ.get("MODELGLASS_DEBUG"):
            raise
        if _is_allocation_failure(exc):
            _fail(_too_large(), "--json" in args_list)
            return 2
        print(
            f"modelglass: internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
            "(set MODELGLASS_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


def _fail(exc: BaseException, as_json: bool = False) -> None:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    print(f"modelglass: error: {msg}", file=sys.stderr)
    if as_json:
        # A script that asked for JSON gets JSON on stdout, also when the input was bad.
        import json

        error = {"exit_code": 2, "type": type(exc).__name__, "message": msg}
        print(json.dumps({"ok": False, "error": error}))


def _too_large() -> BadInputError:
    return BadInputError(
        "out of memory: the input is too large for this machine (check sizes such as "
        "--input-shape, or the number of rows and columns of a data file)"
    )


def _is_allocation_failure(exc: BaseException) -> bool:
    # PyTorch reports a failed allocation as a RuntimeError, NumPy as _ArrayMemoryError
    # (a MemoryError, caught above).
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and (
        "can't allocate memory" in text or "out of memory" in text
        or "not enough memory" in text
    )


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def entry() -> None:
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    sys.exit(code)
