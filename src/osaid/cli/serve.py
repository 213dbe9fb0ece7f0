"""`osaid serve`: the index database as web pages, a JSON API and badges (read-only).

Listens on loopback unless told otherwise. Exit codes: 0 stopped; 2 usage or input error (no
database, a port in use).
"""

from __future__ import annotations

import argparse


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="index database built by `osaid scan` (default: "
        "$XDG_DATA_HOME/osaid/index.db or ~/.local/share/osaid/index.db)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import socket
    import sys

    from osaid.errors import InputError, UsageError
    from osaid.index.store import default_path

    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    db = args.db or str(default_path())
    import uvicorn

    from osaid.index.web import create_app

    app = create_app(db)
    # Bind first, so a port in use is a one-line error rather than a server log.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})"
        ) from None
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(
        f"osaid index of {db} at http://{shown}:{port}/ (Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
