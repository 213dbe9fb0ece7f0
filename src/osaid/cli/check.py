"""`osaid check TARGET`: assess one release and exit by its verdict (for CI gates).

Exit codes: 0 open-source-ai; 1 not-open-source-ai or insufficient-evidence (with
`--fail-on not-open`, only not-open-source-ai fails); 2 usage or input error. With a policy file
(`--policy`, `osaid.toml`, `[tool.osaid]`), 1 means a violation at or above its `fail-on`.
"""

from __future__ import annotations

import argparse
import io
import os
import sys

from osaid.cli.options import add_assessment_options, add_policy_options, settings
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
        "open-source-ai; 'not-open' fails only on not-open-source-ai (a policy file, when "
        "there is one, decides instead)",
    )
    parser.add_argument(
        "--framework",
        metavar="LIST",
        help="comma-separated frameworks to report: osaid, mof, osai-index, "
        "eu-ai-act (default: all); the verdict is always OSAID's",
    )
    add_assessment_options(parser)
    add_policy_options(parser)
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
    from osaid.cli.options import policy_file

    pol = policy_file(args)  # read first: a bad policy file fails before any work
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
    if pol is not None:  # the policy file decides the exit code
        from osaid.cli.options import report_policy
        from osaid.policy import evaluate, subject_of

        return 1 if report_policy(pol, evaluate(pol, subject_of(assessment)), sys.stderr) else 0
    if assessment.verdict is Verdict.OPEN:
        return 0
    if args.fail_on == "not-open" and assessment.verdict is Verdict.INSUFFICIENT:
        return 0
    return 1
