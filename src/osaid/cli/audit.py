"""`osaid audit [PATH] [FILE...]`: the AI models an application uses, each judged once, and the
policy's verdict on them (for CI gates and pre-commit).

Exit codes: 0 no violation at or above the policy's `fail-on`; 1 some; 2 usage or input error
(path missing, bad policy file, bad `--map`, unreadable lock).
"""

from __future__ import annotations

import argparse
import io
import os
import sys

from osaid.cli.options import add_policy_options, add_source_options

FORMATS = ("text", "json", "markdown", "sarif")


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="the application's folder (default: .); or files, relative to --root (as "
        "pre-commit passes the changed files): only those are read",
    )
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="the application's root when PATHs are files (default: the current folder)",
    )
    parser.add_argument("--format", "-f", choices=FORMATS, default="text", help="default: text")
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (whole, or not at all)"
    )
    parser.add_argument(
        "--sarif",
        metavar="FILE",
        help="also write SARIF 2.1.0 to FILE (for code scanning), whatever --format is",
    )
    add_policy_options(parser, "the application's root")
    parser.add_argument(
        "--map",
        metavar="ID=PATH",
        action="append",
        default=[],
        help="read model ID (a hub id, an Ollama name or a path in the application) from PATH "
        "(any target osaid check reads); also used for base models; repeatable",
    )
    parser.add_argument(
        "--lock",
        metavar="FILE",
        help="an osaid.lock: hub ids it pins are assessed at their locked revision",
    )
    parser.add_argument(
        "--no-assess",
        action="store_true",
        help="only find the references; assess nothing (no network, no cache)",
    )
    parser.add_argument(
        "--lineage-depth",
        metavar="N",
        default="4",
        help="follow base_model links this many levels (default: 4; 0: none)",
    )
    add_source_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from osaid import lineage
    from osaid.api import audit
    from osaid.auditor import render, sarif
    from osaid.errors import UsageError

    root, files = _targets(args.paths, args.root)
    policy = False if args.no_policy else (args.policy or None)
    report = audit(
        root,
        files=files,
        offline=args.offline,
        cache_dir=args.cache_dir,
        token=args.token,
        mapping=_pairs(args.map),
        lock=args.lock,
        lineage_depth=lineage.parse_depth(args.lineage_depth),
        policy=policy,
        assess=not args.no_assess,
    )
    doc = report.to_dict()
    outputs: list[tuple[str | None, str]] = []
    buf = io.StringIO()
    if args.format == "json":
        import json

        json.dump(doc, buf, indent=2, ensure_ascii=False)
        buf.write("\n")
    elif args.format == "sarif":
        sarif.render(doc, buf)
    elif args.format == "markdown":
        render.markdown(doc, buf)
    else:
        render.text(doc, buf)
    outputs.append((args.output, buf.getvalue()))
    if args.sarif:
        if args.sarif == args.output:
            raise UsageError("--sarif and --output name the same file")
        s = io.StringIO()
        sarif.render(doc, s)
        outputs.append((args.sarif, s.getvalue()))
    from osaid.output import write_whole

    for path, text in outputs:
        if path:
            write_whole(path, text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    return 0 if report.passed else 1


def _pairs(values: list[str]) -> dict[str, str]:
    from osaid.auditor.resolve import parse_map

    return parse_map(values)  # checked here, so a bad --map fails before any work


def _targets(paths: list[str], root: str | None) -> tuple[str, list[str] | None]:
    """(root, files relative to it or None for the whole tree)."""
    from osaid.errors import InputError, UsageError

    if not paths:
        return root or ".", None
    if len(paths) == 1 and os.path.isdir(paths[0]) and root is None:
        return paths[0], None
    base = os.path.abspath(root or ".")
    if not os.path.isdir(base):
        raise InputError(f"{root}: not a folder")
    files = []
    for p in paths:
        full = os.path.abspath(p if os.path.isabs(p) else os.path.join(base, p))
        rel = os.path.relpath(full, base)
        if rel.startswith(".."):
            raise UsageError(f"{p}: not inside the root {root or '.'}")
        if not os.path.lexists(full):
            raise InputError(f"{p}: no such file or directory")
        files.append(rel.replace(os.sep, "/"))
    return base, files
