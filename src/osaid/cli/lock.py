"""`osaid lock TARGET... [--lock FILE]`: pin the terms of one or more releases in `osaid.lock`.

For each target: the subject and its resolved revision, the verdict, license ids, each terms
document's SHA-256 (as read and normalised) with its normalised text, the restrictions found, the
datasets named, and each base model the card names (locked the same way). `osaid verify` compares
a lock with what the targets serve now. See docs/bom-and-lock.md.

Exit codes: 0 written; 2 usage or input error (nothing written).
"""

from __future__ import annotations

import argparse
import json
import os

from osaid.cli.options import add_assessment_options, settings

DEFAULT_LOCK = "osaid.lock"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="TARGET",
        help="releases to lock: folders, hf:ORG/NAME[@REV], git URLs, manifests",
    )
    parser.add_argument(
        "--lock",
        "-o",
        metavar="FILE",
        default=DEFAULT_LOCK,
        help=f"the lock file to write (default: {DEFAULT_LOCK}; written whole, or not at all)",
    )
    add_assessment_options(parser)
    parser.set_defaults(run=run)


def stored_target(target: str, lock_path: str) -> str:
    """How a target is written in the lock: hub ids as `hf:ORG/NAME[@REV]`, local paths relative
    to the lock file's folder (so a lock committed with a repository works from any checkout)."""
    from osaid.lock import _is_hub

    if _is_hub(target):
        return target if target.startswith("hf:") else "hf:" + target
    if os.path.lexists(target):
        rel = os.path.relpath(os.path.abspath(target), os.path.dirname(os.path.abspath(lock_path)))
        rel = rel.replace(os.sep, "/")
        # `./` keeps a relative folder from reading as a hub id (`org/name`) later.
        return rel if rel.startswith("../") else "./" + rel
    return target


def lineage_record(args: argparse.Namespace, lock_path: str) -> dict:
    """The lineage options a lock was written with (`--base` paths stored like targets), so that
    `osaid verify` assesses the same way: `{"depth": N, "bases": {ID: TARGET}}`, the keys given."""
    out: dict = {}
    if args.lineage_depth is not None:
        from osaid.lineage import parse_depth

        out["depth"] = parse_depth(args.lineage_depth)
    bases = {}
    for value in args.base or ():
        ident, _, path = value.partition("=")
        bases[ident.strip()] = stored_target(path.strip(), lock_path)
    if bases:
        out["bases"] = bases
    return out


def run(args: argparse.Namespace) -> int:
    import sys

    from osaid import __version__
    from osaid.errors import UsageError
    from osaid.lock import SCHEMA, assess_target, lock_entry
    from osaid.output import write_whole

    if os.path.isdir(args.lock):
        raise UsageError(f"{args.lock}: is a folder; --lock names the lock file to write")
    chosen = settings(args)
    entries = []
    seen: set[str] = set()
    for target in args.targets:
        stored = stored_target(target, args.lock)
        if stored in seen:
            continue
        seen.add(stored)
        a = assess_target(target, chosen)
        entries.append(lock_entry(a, stored, settings=chosen))
    lock = {"schema": SCHEMA, "tool": {"name": "osaid", "version": __version__}}
    lineage = lineage_record(args, args.lock)
    if lineage:
        lock["lineage"] = lineage
    lock["entries"] = entries
    write_whole(args.lock, json.dumps(lock, indent=2, ensure_ascii=False) + "\n")
    for e in entries:
        rev = e["subject"]["revision"]
        print(
            f"locked {e['target']}" + (f" at {rev}" if rev else "") + f": {e['verdict']}, "
            f"{len(e['documents'])} terms document(s), {len(e['restrictions'])} restriction(s)"
            + (f", {len(e['base_models'])} base model(s)" if e.get("base_models") else ""),
            file=sys.stderr,
        )
    return 0
