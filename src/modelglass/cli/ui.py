"""``modelglass ui``: serve the dashboard (127.0.0.1 by default)."""

from __future__ import annotations

import argparse
import sys
import threading
import webbrowser

from ..core import BadInputError, require
from ._format import add_store_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_store_argument(parser)
    parser.add_argument("--storage", default=None,
                        help="Optuna storage of the studies view (default: the one beside the store)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: only this machine)")
    parser.add_argument("--port", type=int, default=6007, help="port (default 6007)")
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    parser.add_argument("--token", default=None,
                        help="require this token on every API call (or set MODELGLASS_UI_TOKEN)")
    parser.add_argument("--tensorboard", metavar="LOGDIR", default=None,
                        help="import this TensorBoard log folder and keep following it while serving")


def run(args: argparse.Namespace) -> int:
    from ..store import open_store
    from ..ui import create_app, env_token, is_loopback

    if not 0 < args.port < 65536:
        raise BadInputError(f"--port must be between 1 and 65535. Got {args.port}.")
    uvicorn = require("uvicorn", "serving the dashboard")
    token = args.token or env_token()
    if not is_loopback(args.host) and token is None:
        print(
            f"modelglass: warning: serving on {args.host} without --token: anyone who can reach "
            "this address can read every run in the store. Pass --token TOKEN to require one.",
            file=sys.stderr,
        )
    _check_port_free(args.host, args.port)
    follower = None
    if args.tensorboard:
        from .imports import follow_in_background

        follower = follow_in_background(args.tensorboard, args.store)
    reader = open_store(args.store)
    app = create_app(reader, token=token, storage=args.storage)
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{shown_host}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"modelglass ui: serving {reader.location} at {url}  (Ctrl+C to stop)", flush=True)
    if args.open:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        reader.close()
        if follower is not None:
            follower.set()
    return 0


def _check_port_free(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise BadInputError(
                f"Cannot serve on {host}:{port}: {exc.strerror or exc}. Pass another --port."
            ) from None
