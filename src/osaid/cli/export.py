"""`osaid export TARGET --format mot [-o FILE]`: write what osaid found in another tool's format.

The target is anything `osaid check` reads (a folder, a MOT manifest, a git URL ...). The export
is rendered in memory and written whole, or not at all. The assessment is `osaid check`'s
(`osaid.pipeline`, lineage options included). Exit codes: 0 written; 2 usage or input
error. The verdict does not change the exit code here (use `osaid check` for that).
"""

from __future__ import annotations

import argparse
import io
import sys

from osaid.cli.options import add_assessment_options, add_output_option, settings

# format -> (module with `render(assessment, out, color=...)`, one-line help)
EXPORTS: dict[str, tuple[str, str]] = {
    "mot": ("osaid.reports.mot", "a Model Openness Tool manifest (MOT YAML)"),
}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        help="a release folder, a MOT manifest (.yml), a git URL "
        "(https://, ssh://, git@host:, file://, git:PATH; @REV)",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=sorted(EXPORTS),
        default="mot",
        help="; ".join(f"{k}: {v[1]}" for k, v in EXPORTS.items()),
    )
    add_output_option(parser)
    add_assessment_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import importlib

    from osaid.errors import UsageError
    from osaid.output import write_whole
    from osaid.pipeline import assess_target

    if args.format not in EXPORTS:
        raise UsageError(f"unknown export format {args.format!r}")
    renderer = importlib.import_module(EXPORTS[args.format][0])
    assessment = assess_target(args.target, settings(args))
    buffer = io.StringIO()
    renderer.render(assessment, buffer, color=False)
    if args.output:
        write_whole(args.output, buffer.getvalue())
    else:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    return 0
