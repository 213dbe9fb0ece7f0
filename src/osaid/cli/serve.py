"""`osaid serve`: the index database as web pages, a JSON API and badges (read-only).

Listens on loopback unless told otherwise. Beyond loopback it answers only the Host names it is
told (`--allowed-host`, the `--public-url` host and the address it listens on) and says so on
start. Exit codes: 0 stopped; 2 usage or input error (no database, a port in use).
"""

from __future__ import annotations

import argparse


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address readers use (https://osaid.example.org); badge snippets and API "
        "links are absolute under it",
    )
    parser.add_argument(
        "--allowed-host",
        metavar="NAME",
        action="append",
        default=[],
        help="a Host name to answer when listening beyond loopback (repeatable; the "
        "--public-url host is allowed already)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import socket
    import sys
    from urllib.parse import urlsplit

    from osaid.errors import InputError, UsageError
    from osaid.index.store import default_path

    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    public = None
    if args.public_url:
        parts = urlsplit(args.public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError("--public-url must be an http(s) URL such as https://host/")
        public = args.public_url.rstrip("/")
    db = args.db or str(default_path())
    import uvicorn

    from osaid.index.web import create_app

    loopback = _loopback(args.host)
    allowed = None
    if not loopback:
        allowed = [*args.allowed_host, args.host]
        if public:
            allowed.append(urlsplit(public).hostname)
    app = create_app(db, public_url=public, allowed_hosts=allowed)
    # Bind first, so a port in use is a one-line error rather than a server log. The socket is
    # made with IPPROTO_TCP, as uvicorn's own binding does: asyncio sets TCP_NODELAY only on
    # sockets whose protocol says TCP, and without it delayed ACKs hold every keep-alive
    # response after the first for ~40 ms.
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
        sock.listen(2048)  # listening before the address is printed: a client may connect now
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
    if not loopback:
        print(
            f"warning: listening on {args.host}, beyond this machine; answering only Host "
            f"{', '.join(sorted(set(allowed)))} (add names with --allowed-host)",
            file=sys.stderr,
            flush=True,
        )
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
