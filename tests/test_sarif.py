"""`osaid check --format sarif`: SARIF 2.1.0 that validates against the OASIS schema and that
GitHub code scanning accepts (relative URIs, rule ids, help, stable fingerprints)."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import EXAMPLES, REPO, SHARED

from osaid.policy import RULES
from osaid.reports.sarif import SarifLocation, SarifResult, SarifRule, osaid_rules, sarif_log

SARIF_SCHEMA = SHARED / "reference" / "sarif-2.1.0" / "sarif-schema-2.1.0.json"


def sarif_errors(log: dict) -> list[str]:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the OASIS SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (../shared absent)")
    from jsonschema import Draft7Validator

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    v = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in v.iter_errors(log)]


def sarif(cli, target, *extra, cwd=None):
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        r = cli("check", str(target), "--format", "sarif", *extra)
    finally:
        os.chdir(old)
    assert r.code in (0, 1), r.err
    return r, r.json


@pytest.mark.parametrize("example", ["open-release", "restricted-weights", "weights-only"])
def test_examples_validate_against_the_sarif_schema(cli, example):
    r, log = sarif(cli, EXAMPLES / example, cwd=EXAMPLES)
    run = log["runs"][0]
    check = cli("check", str(EXAMPLES / example), "--format", "json")
    assert run["properties"]["verdict"] == check.json["verdict"] and r.code == check.code
    assert len(run["results"]) == len(check.json["findings"])
    assert sarif_errors(log) == []  # last: skipped without ../shared


def test_shape_github_code_scanning_wants(cli, tmp_path):
    release = tmp_path / "repo" / "models" / "quarry"
    shutil.copytree(EXAMPLES / "restricted-weights", release)
    _, log = sarif(cli, release, cwd=tmp_path / "repo")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "originalUriBaseIds" not in run
    for rule in rules:
        assert (
            rule["shortDescription"]["text"] and rule["help"]["text"] and rule["help"]["markdown"]
        )
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        assert res["partialFingerprints"]["osaidFinding/v1"]
        assert res["locations"], res  # GitHub shows only results with a location
        for loc in res["locations"]:
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            # Relative to the checkout root where osaid ran, never absolute.
            assert uri.startswith("models/quarry/") and (release / uri[14:]).is_file()
    cap = next(r for r in rules if r["id"] == "restriction:user-threshold")
    assert (
        cap["properties"]["osd"] == [5, 1]
        and "No discrimination against persons" in (cap["help"]["text"])
    )
    assert cap["properties"]["security-severity"] and "security" in cap["properties"]["tags"]


def test_regions_point_at_the_quote_and_fingerprints_do_not_move_with_lines(cli, tmp_path):
    release = tmp_path / "quarry"
    shutil.copytree(EXAMPLES / "restricted-weights", release)
    _, before = sarif(cli, release, cwd=tmp_path)
    res = next(r for r in before["runs"][0]["results"] if r["ruleId"] == "restriction:field-of-use")
    region = res["locations"][0]["physicalLocation"]["region"]
    lines = (release / "LICENSE").read_text().splitlines()
    start = lines[region["startLine"] - 1][region["startColumn"] - 1 :]
    assert start.startswith(region["snippet"]["text"].splitlines()[0])
    # A line added on top: same findings, same fingerprints, regions one line lower.
    (release / "LICENSE").write_text("\n" + (release / "LICENSE").read_text())
    _, after = sarif(cli, release, cwd=tmp_path)

    def keyed(log):
        return {
            r["partialFingerprints"]["osaidFinding/v1"]: r
            for r in log["runs"][0]["results"]
            if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("LICENSE")
        }

    old, new = keyed(before), keyed(after)
    assert old.keys() == new.keys() and old
    for k in old:
        a = old[k]["locations"][0]["physicalLocation"]["region"]["startLine"]
        b = new[k]["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert b == a + 1


def test_a_release_outside_the_current_folder_is_relative_to_its_root(cli, tmp_path):
    _, log = sarif(cli, EXAMPLES / "restricted-weights", cwd=tmp_path)
    run = log["runs"][0]
    assert "RELEASEROOT" in run["originalUriBaseIds"]
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uriBaseId"] == "RELEASEROOT" and not loc["uri"].startswith(("/", "."))
    assert sarif_errors(log) == []  # last: skipped without ../shared


def test_generic_building_blocks_locate_results_in_any_file():
    rules = [osaid_rules()[0], SarifRule("app-uses-model", "uses a model", "An app loads it.")]
    text = "import x\nmodel = load('org/name')  # pinned\n"
    results = [
        SarifResult(
            "app-uses-model",
            "warning",
            "loads org/name, whose terms are not open",
            (SarifLocation("src/app.py", 2, "load('org/name')", text),),
        )
    ]
    log = sarif_log(rules, results, run_properties={"verdict": "not-open-source-ai"})
    (res,) = log["runs"][0]["results"]
    region = res["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (2, 9, 25)
    assert res["ruleIndex"] == 1
    with pytest.raises(ValueError, match="unknown rule"):
        sarif_log(rules, [SarifResult("nope", "note", "x")])
    assert sarif_errors(log) == []  # last: skipped without ../shared


def test_a_hub_model_is_located_in_its_files_at_the_revision(cli, monkeypatch, tmp_path):
    from hubserver import default_repos, serving

    with serving(monkeypatch, tmp_path, default_repos()) as hub:
        r, log = sarif(cli, "hf:osaid-examples/pebble-chat-apache")
        url = hub.url
    run = log["runs"][0]
    base = run["originalUriBaseIds"]["RELEASEROOT"]["uri"]
    assert base.startswith(url) and base.endswith("/")
    assert run["properties"]["verdict"] == "not-open-source-ai" and r.code == 1
    inherited = next(res for res in run["results"] if res["ruleId"] == "inherited-terms")
    # Located where the fine-tune names its base (its card), not in the base's files.
    (loc,) = inherited["locations"]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "README.md"
    assert sarif_errors(log) == []  # last: skipped without ../shared


def test_check_and_audit_write_the_same_tool_rule_and_result_shape(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path / "cache"))
    _, check = sarif(cli, EXAMPLES / "restricted-weights", cwd=tmp_path)
    r = cli(
        "audit", str(REPO / "tests" / "fixtures" / "apps" / "flask-app"), "--offline", "-f", "sarif"
    )
    assert r.code == 0, r.err
    audit = r.json
    (c,), (a,) = check["runs"], audit["runs"]
    driver = ("name", "version", "semanticVersion", "informationUri")
    assert [c["tool"]["driver"][k] for k in driver] == [a["tool"]["driver"][k] for k in driver]
    assert c["tool"]["driver"]["name"] == "osaid" and c["columnKind"] == a["columnKind"]
    assert [rule["id"] for rule in a["tool"]["driver"]["rules"]] == list(RULES)
    shapes = set()
    for run in (c, a):
        rules = run["tool"]["driver"]["rules"]
        for rule in rules:
            shapes.add(tuple(sorted(rule)))
            assert rule["help"]["text"] and rule["help"]["markdown"] and rule["helpUri"]
        assert run["results"]
        for res in run["results"]:
            shapes.add(tuple(sorted(k for k in res if k != "properties")))
            assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
            assert res["partialFingerprints"]["osaidFinding/v1"]
    assert len(shapes) == 2, shapes  # one shape of rule, one of result
    assert {x["ruleId"] for x in a["results"]} == {"unresolved", "dynamic-reference"}
    assert sarif_errors(audit) == []  # last: skipped without ../shared
