"""Options several commands share (not a command itself)."""

from __future__ import annotations

import argparse
import os


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


def add_policy_options(parser: argparse.ArgumentParser, where: str = "the current folder") -> None:
    """`--policy FILE` / `--no-policy` (see osaid.policy)."""
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help=f"policy file (default: osaid.toml, else [tool.osaid] in pyproject.toml, in {where}); "
        "its verdicts, licenses, restriction kinds and exceptions decide the exit code",
    )
    parser.add_argument("--no-policy", action="store_true", help="ignore policy files")


POLICY_FILE_NAMES = ("osaid.toml", "pyproject.toml")
"""Where `osaid.policy.discover` looks (kept equal by a test), checked here without importing it."""


def policy_file(args: argparse.Namespace, start: str = "."):
    """The policy a command applies, or None when there is no policy file (the command's own
    gate then decides)."""
    if args.no_policy:
        return None
    if not args.policy and not any(
        os.path.isfile(os.path.join(start, name)) for name in POLICY_FILE_NAMES
    ):
        return None  # no file a policy could be in: the policy module is not even imported
    from osaid import policy

    path = args.policy or policy.discover(start)
    return policy.load(path) if path else None


def report_policy(pol, violations, out) -> bool:
    """Write what a policy says (one line per violation) and return True when it fails."""
    from osaid.policy import failing

    fails = failing(pol, violations)
    for v in violations:
        tag = "waived" if v.waived else v.severity
        out.write(f"osaid: policy {pol.path}: {tag}: {v.message}\n")
        if v.exception is not None:
            e = v.exception
            out.write(f"  exception until {e.expires or 'no date'}: {e.reason}\n")
    if violations:
        out.write(
            f"osaid: policy {pol.path}: "
            + (f"{len(fails)} violation(s) at or above {pol.fail_on}\n" if fails else "passed\n")
        )
    return bool(fails)


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


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """`--output/-o FILE`: a command's output written whole, or not at all."""
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write to FILE (written whole, or not at all) instead of stdout",
    )
