"""JSON Schemas of osaid's own formats, shipped with the package.

`osaid.report-1.schema.json` (JSON Schema 2020-12) is the contract of the JSON report
(`osaid check --format json`, `schema: "osaid.report/1"`); `report_schema()` loads it, e.g. for an
OpenAPI document (OpenAPI 3.1 schemas are JSON Schema 2020-12).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

REPORT_SCHEMA_FILE = Path(__file__).with_name("osaid.report-1.schema.json")


@cache
def _report_schema_text() -> str:
    return REPORT_SCHEMA_FILE.read_text(encoding="utf-8")


def report_schema() -> dict:
    """The JSON Schema of the `osaid.report/1` JSON report (a fresh copy each call)."""
    return json.loads(_report_schema_text())
