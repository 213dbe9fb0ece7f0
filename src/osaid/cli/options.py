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


def add_lineage_options(parser: argparse.ArgumentParser) -> None:
    """How base models are followed: `--base ID=PATH` (repeatable), `--lineage-depth N`."""
    parser.add_argument(
        "--base",
        metavar="ID=PATH",
        action="append",
        default=[],
        help="read the base model the card names as ID from PATH (a folder, a "
        "manifest or any target above) instead of the hub; repeatable",
    )
    parser.add_argument(
        "--lineage-depth",
        metavar="N",
        default=None,
        help="follow base_model links this many levels (default: 4; 0: none)",
    )


def add_assessment_options(parser: argparse.ArgumentParser) -> None:
    """Everything one assessment depends on: the source options and the lineage options."""
    add_source_options(parser)
    add_lineage_options(parser)


def settings(args: argparse.Namespace, frameworks: tuple[str, ...] | None = None):
    """The `pipeline.Settings` the shared options ask for (same verdict in every command)."""
    from osaid import lineage
    from osaid.pipeline import Settings

    depth = getattr(args, "lineage_depth", None)
    return Settings(
        source_options=source_options(args),
        bases=lineage.parse_mapping(getattr(args, "base", None)),
        lineage_depth=None if depth is None else lineage.parse_depth(depth),
        frameworks=frameworks,
    )
