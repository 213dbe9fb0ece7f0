"""`osaid bom TARGET --format cyclonedx|spdx3 [-o FILE]`: an AI bill of materials of a release.

CycloneDX 1.6 (`reports/cyclonedx.py`) or SPDX 3.0.1 JSON-LD with the AI and Dataset profiles
(`reports/spdx3.py`). The BOM libraries are imported here only, never by `osaid check`. The BOM is
built in memory and written whole, or not at all. `SOURCE_DATE_EPOCH` (seconds) fixes the
creation time, so the same release gives the same bytes. The assessment is `osaid check`'s
(`osaid.pipeline`, lineage options included), so the BOM states check's verdict.

Exit codes: 0 written; 2 usage or input error. SPDX AI-profile fields osaid cannot know (a local
folder has no release time or download location) are left out and named on stderr.
"""

from __future__ import annotations

import argparse
import io
import sys

from osaid.cli.options import add_assessment_options, add_output_option, settings

# format -> (module with `render(assessment, out, timestamp=...)`, one-line help)
BOM_FORMATS: dict[str, tuple[str, str]] = {
    "cyclonedx": ("osaid.reports.cyclonedx", "CycloneDX 1.6 JSON (ML-BOM)"),
    "spdx3": ("osaid.reports.spdx3", "SPDX 3.0.1 JSON-LD (AI and Dataset profiles)"),
}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", help="a release folder, hf:ORG/NAME[@REV], a git URL or a MOT manifest"
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=sorted(BOM_FORMATS),
        default="cyclonedx",
        help="; ".join(f"{k}: {v[1]}" for k, v in BOM_FORMATS.items()),
    )
    add_output_option(parser)
    add_assessment_options(parser)
    parser.set_defaults(run=run)


def creation_time():
    """`SOURCE_DATE_EPOCH` (reproducible builds) when set, else now; UTC, whole seconds."""
    import datetime
    import os

    from osaid.errors import UsageError

    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw:
        try:
            return datetime.datetime.fromtimestamp(int(raw), datetime.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={raw!r}: expected whole seconds since 1970"
            ) from None
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def run(args: argparse.Namespace) -> int:
    import importlib

    from osaid.errors import UsageError
    from osaid.output import write_whole

    if args.format not in BOM_FORMATS:
        raise UsageError(f"unknown BOM format {args.format!r}")
    when = creation_time()
    renderer = importlib.import_module(BOM_FORMATS[args.format][0])
    from osaid.pipeline import assess_target

    # The one assessment `osaid check` makes (lineage included): the BOM's verdict is check's.
    a = assess_target(args.target, settings(args))
    buffer = io.StringIO()
    renderer.render(a, buffer, timestamp=when)
    text = buffer.getvalue()
    if args.output:
        write_whole(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    for warning in getattr(renderer, "bom_warnings", lambda _t: [])(text):
        print(f"osaid: warning: {warning}", file=sys.stderr)
    return 0
