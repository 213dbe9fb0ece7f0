"""Reports: render an `Assessment`. They never decide anything.

Each format is a module with `render(assessment, out: TextIO, *, color: bool) -> None`.
Adding a format is adding a module and a line here.
"""

from __future__ import annotations

import importlib
from typing import TextIO

from osaid.model import Assessment

FORMATS: dict[str, str] = {
    "text": "osaid.reports.text",
    "json": "osaid.reports.json",
    "markdown": "osaid.reports.markdown",
    "sarif": "osaid.reports.sarif",
}


def render(fmt: str, assessment: Assessment, out: TextIO, *, color: bool = False) -> None:
    importlib.import_module(FORMATS[fmt]).render(assessment, out, color=color)
