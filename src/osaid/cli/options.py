"""Options several commands share (not a command itself)."""

from __future__ import annotations

import argparse


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """How remote sources may fetch: `--offline`, `--cache-dir`, `--token`."""
    parser.add_argument(
        "--offline", action="store_true", help="hub targets: use only the cache, never the network"
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="hub cache folder (default: $OSAID_CACHE_DIR or ~/.cache/osaid)",
    )
    parser.add_argument(
        "--token",
        metavar="TOKEN",
        help="hub access token (default: $HF_TOKEN, then your hub login)",
    )


def source_options(args: argparse.Namespace):
    from osaid.sources import SourceOptions

    return SourceOptions(args.offline, args.cache_dir, args.token)
