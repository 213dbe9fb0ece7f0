"""The published JSON Schema of the JSON report (`osaid.report/1`): shipped in the package, valid
JSON Schema 2020-12, closed where the contract is closed. (conftest validates every report the
tests produce against it.)"""

from __future__ import annotations

import copy
import json

import pytest
from conftest import EXAMPLES, REPO, report_schema_errors

from osaid.schemas import REPORT_SCHEMA_FILE, report_schema


@pytest.fixture(scope="module")
def reports():
    from conftest import run_cli

    out = {}
    for ex in ("open-release", "restricted-weights", "weights-only"):
        r = run_cli("check", str(EXAMPLES / ex), "--format", "json")
        out[ex] = r.json
    return out


def test_schema_is_json_schema_2020_12_and_installed_with_the_package():
    from importlib.resources import files

    from jsonschema import Draft202012Validator

    schema = report_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    shipped = files("osaid") / "schemas" / "osaid.report-1.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == schema
    assert REPORT_SCHEMA_FILE.is_file()
    assert "src/osaid/schemas/osaid.report-1.schema.json" in (REPO / "README.md").read_text()


def test_every_example_report_with_every_framework_validates(reports):
    for name, report in reports.items():
        assert report_schema_errors(report) == [], name
        # The keys the README calls secondary are there and described, not let through.
        for key in ("mof", "osai_index", "eu_ai_act", "summaries", "lineage"):
            assert key in report and key in report_schema()["properties"]


@pytest.mark.parametrize(
    "break_it, where",
    [
        (lambda r: r.update(surprise=1), "$"),
        (lambda r: r.update(verdict="open"), "$.verdict"),
        (lambda r: r["findings"][0]["evidence"][0].update(extra="x"), "$.findings[0].evidence[0]"),
        (lambda r: r["findings"][0]["evidence"][0].update(basis="guess"), "basis"),
        (lambda r: r["components"][0].pop("basis"), "$.components[0]"),
        (lambda r: r["components"].pop(), "$.components"),
        (lambda r: r["subject"].update(source="ftp"), "$.subject.source"),
        (lambda r: r["mof"].update(**{"class": "IV"}), "$.mof.class"),
        (lambda r: r["eu_ai_act"].update(open_source_exemption="yes"), "$.eu_ai_act"),
        (lambda r: r["licenses"][0]["restrictions"][0].update(osd=[11]), "osd"),
    ],
)
def test_the_contract_is_closed_where_it_is_closed(reports, break_it, where):
    report = copy.deepcopy(reports["restricted-weights"])
    break_it(report)
    errors = report_schema_errors(report)
    assert errors and any(where in e for e in errors), errors
