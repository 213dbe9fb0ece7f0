"""The `osaid` command line. One module per subcommand; each exposes `register(subparsers)`.

Subcommand modules are imported only when named, so `osaid check` pays for nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from osaid import __version__
from osaid.errors import OsaidError

# name -> (module, one-line help). Adding a command is adding a module and a line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("osaid.cli.check", "assess an AI release against OSAID 1.0"),
    "export": ("osaid.cli.export", "write what osaid found as a Model Openness Tool manifest"),
    "license": ("osaid.cli.license", "identify one license text and the restrictions in it"),
    "licenses": ("osaid.cli.licenses", "list the license catalog and what each license withholds"),
    "init": ("osaid.cli.init", "start a release's MOT manifest and data-information file"),
    "scan": ("osaid.cli.scan", "assess many releases into the index database, with history"),
    "serve": ("osaid.cli.serve", "serve the index database as web pages, a JSON API and badges"),
    "bom": ("osaid.cli.bom", "write an AI bill of materials (CycloneDX 1.6 or SPDX 3.0.1)"),
    "lock": ("osaid.cli.lock", "pin the terms of releases in osaid.lock"),
    "verify": ("osaid.cli.verify", "report drift between osaid.lock and the releases now"),
    "audit": ("osaid.cli.audit", "find the AI models an application uses and judge each by policy"),
}


def _parser(selected: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="osaid",
        description="Is this AI release really open source? Evidence-backed checks against the "
        "OSI Open Source AI Definition 1.0.",
    )
    parser.add_argument("--version", action="version", version=f"osaid {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        if name == selected:
            importlib.import_module(module).register(
                sub.add_parser(name, help=help_text, description=help_text)
            )
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere on the line, before or after the subcommand.
    debug = "--debug" in argv or bool(os.environ.get("OSAID_DEBUG"))
    argv = [a for a in argv if a != "--debug"]
    selected = next((a for a in argv if a in COMMANDS), None)
    parser = _parser(selected)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except OsaidError as exc:
        if debug:
            raise
        print(f"osaid: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("osaid: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing useful to say.
        sys.stderr.close()
        return 1
    except Exception as exc:  # a bug: say so in one line unless --debug
        if debug:
            raise
        print(
            f"osaid: internal error: {type(exc).__name__}: {exc} (rerun with --debug)",
            file=sys.stderr,
        )
        return 3
