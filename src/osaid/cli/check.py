"""`osaid check TARGET`: assess one release and exit by its verdict (for CI gates).

Exit codes: 0 open-source-ai; 1 not-open-source-ai or insufficient-evidence (with
`--fail-on not-open`, only not-open-source-ai fails); 2 usage or input error.
"""

from __future__ import annotations

import argparse
import io
import os
import sys

from osaid.cli.options import add_assessment_options, settings
from osaid.errors import UsageError
from osaid.reports import FORMATS


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        help="a release folder; a hub model: hf:ORG/NAME[@REVISION] "
        "(or ORG/NAME when no such folder exists); a git repository: URL[@REV] "
        "or git:PATH; or a Model Openness Tool manifest (.yml)",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=sorted(FORMATS),
        default="text",
        help="report format (default: text)",
    )
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the report to FILE (written whole, or not at all)",
    )
    parser.add_argument(
        "--fail-on",
        choices=("not-open", "not-proven"),
        default="not-proven",
        help="which verdicts exit 1: 'not-proven' (default) fails on anything but "
        "open-source-ai; 'not-open' fails only on not-open-source-ai",
    )
    parser.add_argument(
        "--framework",
        metavar="LIST",
        help="comma-separated frameworks to report: osaid, mof, osai-index, "
        "eu-ai-act (default: all); the verdict is always OSAID's",
    )
    add_assessment_options(parser)
    parser.set_defaults(run=run)


def _color(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def run(args: argparse.Namespace) -> int:
    from osaid import frameworks
    from osaid.model import Verdict
    from osaid.pipeline import assess_target
    from osaid.reports import render

    if args.format not in FORMATS:
        raise UsageError(f"unknown format {args.format!r}")
    chosen = settings(args, frameworks=tuple(frameworks.select(args.framework)))
    assessment = assess_target(args.target, chosen)
    # Render in memory first: a report is written whole or not at all.
    buffer = io.StringIO()
    render(
        args.format,
        assessment,
        buffer,
        color=args.format == "text" and not args.output and _color(sys.stdout),
    )
    text = buffer.getvalue()
    if args.output:
        from osaid.output import write_whole

        write_whole(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if assessment.verdict is Verdict.OPEN:
        return 0
    if args.fail_on == "not-open" and assessment.verdict is Verdict.INSUFFICIENT:
        return 0
    return 1
