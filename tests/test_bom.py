"""`osaid bom`: CycloneDX 1.6 and SPDX 3.0.1 AI bills of materials, validated; the committed
example BOMs kept in sync."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import EXAMPLES
from hubserver import FakeRepo, default_repos, serving

from osaid.reports import cyclonedx, spdx3

EPOCH = "1767225600"  # the committed example BOMs are written with this SOURCE_DATE_EPOCH


@pytest.fixture
def hub(monkeypatch, tmp_path):
    with serving(monkeypatch, tmp_path, default_repos()) as h:
        yield h


def derived_repo(hub, base: str = "osaid-examples/pebble-lm-tiny") -> FakeRepo:
    """A fine-tune of the fixture model under restrictive terms, on the fake hub."""
    files = {k: v for k, v in hub.repos[("model", "osaid-examples/pebble-lm-gated")].files.items()}
    card = (
        files["README.md"]
        .decode()
        .replace(
            "pipeline_tag: text-generation",
            f"pipeline_tag: text-generation\nbase_model: {base}\nbase_model_relation: finetune",
        )
    )
    files["README.md"] = card.encode()
    repo = FakeRepo(
        "acme/pebble-chat",
        files,
        card_data={
            "license": "other",
            "base_model": base,
            "datasets": ["osaid-examples/tiny-stories-en"],
        },
    )
    hub.repos[("model", "acme/pebble-chat")] = repo
    return repo


@pytest.mark.parametrize("example", ["open-release", "restricted-weights", "weights-only"])
def test_committed_example_boms_are_in_sync_and_valid(example, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    folder = EXAMPLES / example
    cdx = cli("bom", str(folder), "--format", "cyclonedx")
    assert cdx.code == 0, cdx.err
    assert cyclonedx.validate(cdx.out) == []
    fix = (
        f"regenerate: SOURCE_DATE_EPOCH={EPOCH} osaid bom examples/{example} -f cyclonedx "
        f"-o examples/{example}/bom.cdx.json (and -f spdx3 -o .../bom.spdx3.json)"
    )
    assert cdx.out == (folder / "bom.cdx.json").read_text(encoding="utf-8"), fix
    spdx = cli("bom", str(folder), "--format", "spdx3")
    assert spdx.code == 0, spdx.err
    assert spdx.out == (folder / "bom.spdx3.json").read_text(encoding="utf-8"), fix
    # A local folder has no release time, supplier, download location or version: said, not made up.
    assert (
        "AIPackage " + example + ": no release time, supplier, download location, version"
        in spdx.err
    )


def test_restricted_example_licenses_are_expressions_never_invalid_ids(cli):
    bom = json.loads((EXAMPLES / "restricted-weights" / "bom.cdx.json").read_text())
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    (expression,) = (lic["expression"] for lic in model["licenses"])
    parts = expression.split(" AND ")
    assert len(parts) == 2 and all(p.startswith("LicenseRef-osaid-unidentified-") for p in parts)
    props = {(p["name"], p["value"]) for p in model["properties"]}
    assert ("osaid:verdict", "not-open-source-ai") in props
    assert ("osaid:mof:class", "none") in props
    assert ("osaid:restriction", "user-threshold") in props
    card = model["modelCard"]
    assert card["modelParameters"]["task"] == "text-generation"
    assert card["quantitativeAnalysis"]["performanceMetrics"][0] == {
        "type": "perplexity",
        "value": "14.2",
        "slice": "Tiny Stories (held-out split) (test)",
    }
    code = {c["bom-ref"]: c for c in bom["components"] if c["bom-ref"].startswith("code:")}
    assert [f["name"] for f in code["code:training-code"]["components"]] == ["training/train.py"]
    assert code["code:training-code"]["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    data = [c for c in bom["components"] if c["type"] == "data"]
    assert {c["name"] for c in data} == {
        "osaid-examples/tiny-stories-en",
        "osaid-examples/public-domain-books",
    }
    assert all("licenses" not in c for c in data)  # a folder cannot tell: left out


def test_hub_model_bom_has_purl_pedigree_datasets_and_validates(hub, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo = derived_repo(hub)
    sha = repo.refs["main"]
    r = cli("bom", "hf:acme/pebble-chat", "--format", "cyclonedx")
    assert r.code == 0, r.err
    assert cyclonedx.validate(r.out) == []
    bom = r.json
    model = bom["metadata"]["component"]
    assert model["purl"] == f"pkg:huggingface/acme/pebble-chat@{sha}"
    assert model["supplier"]["name"] == "acme"
    ancestors = model["pedigree"]["ancestors"]
    assert [a["name"] for a in ancestors] == ["osaid-examples/pebble-lm-tiny"]
    assert ancestors[0]["purl"] == "pkg:huggingface/osaid-examples/pebble-lm-tiny"
    tiny = next(c for c in bom["components"] if c["name"] == "osaid-examples/tiny-stories-en")
    assert tiny["type"] == "data" and tiny["licenses"] == [{"license": {"id": "CC-BY-4.0"}}]
    assert tiny["data"][0]["type"] == "dataset"
    deps = next(d for d in bom["dependencies"] if d["ref"] == model["bom-ref"])
    assert {"dataset:osaid-examples/tiny-stories-en", "base:osaid-examples/pebble-lm-tiny"} <= set(
        deps["dependsOn"]
    )
    # Same release, same bytes (serial number derived from the content).
    assert cli("bom", "hf:acme/pebble-chat", "--format", "cyclonedx").out == r.out


def test_hub_model_spdx3_relationships_and_profile_check(hub, cli):
    derived_repo(hub)
    r = cli("bom", "hf:acme/pebble-chat", "--format", "spdx3")
    assert r.code == 0, r.err
    doc = r.json
    nodes = {n.get("spdxId"): n for n in doc["@graph"]}
    model = next(
        n
        for n in doc["@graph"]
        if n.get("type") == "ai_AIPackage" and n["name"] == "acme/pebble-chat"
    )
    rels = [n for n in doc["@graph"] if n.get("type") == "Relationship"]

    def related(kind, frm=None, to=None):
        return [
            x
            for x in rels
            if x["relationshipType"] == kind
            and (frm is None or x["from"] == frm)
            and (to is None or to in x["to"])
        ]

    trained = related("trainedOn", model["spdxId"])
    assert [nodes[t]["name"] for t in trained[0]["to"]] == ["osaid-examples/tiny-stories-en"]
    assert related("testedOn", model["spdxId"])
    base = next(n for n in doc["@graph"] if n.get("name") == "osaid-examples/pebble-lm-tiny")
    assert related("ancestorOf", base["spdxId"], model["spdxId"])
    declared = related("hasDeclaredLicense", model["spdxId"])
    expr = nodes[declared[0]["to"][0]]["simplelicensing_licenseExpression"]
    assert expr.startswith("LicenseRef-")
    # The model itself meets the AI profile; nothing about it is missing.
    problems = spdx3.violations(doc)
    assert not [p for p in problems if p.startswith("AIPackage acme/pebble-chat")], problems

    # The check catches each required field removed, and a second declared license.
    for key, label in [
        ("releaseTime", "release time"),
        ("suppliedBy", "supplier"),
        ("software_downloadLocation", "download location"),
        ("software_packageVersion", "version"),
        ("software_primaryPurpose", "primary purpose"),
    ]:
        broken = json.loads(r.out)
        m = next(n for n in broken["@graph"] if n.get("spdxId") == model["spdxId"])
        del m[key]
        found = [p for p in spdx3.violations(broken) if p.startswith("AIPackage acme/pebble")]
        assert found and label in found[0], (key, found)
    broken = json.loads(r.out)
    d = next(n for n in broken["@graph"] if n.get("type") == "dataset_DatasetPackage")
    del d["dataset_datasetType"]
    assert any("dataset type" in p for p in spdx3.violations(broken))
    broken = json.loads(r.out)
    broken["@graph"].append(dict(declared[0], spdxId="urn:x"))
    assert any("2 hasDeclaredLicense" in p for p in spdx3.violations(broken))
    broken["@graph"] = [
        n
        for n in broken["@graph"]
        if not (
            n.get("type") == "Relationship"
            and n["relationshipType"] == "hasConcludedLicense"
            and n["from"] == model["spdxId"]
        )
    ]
    assert any("0 hasConcludedLicense" in p for p in spdx3.violations(broken))


def test_output_is_whole_or_nothing_and_errors_are_one_line(cli, tmp_path):
    out = tmp_path / "bom.json"
    r = cli("bom", str(EXAMPLES / "open-release"), "-o", str(out))
    assert r.code == 0 and cyclonedx.validate(out.read_text()) == []
    missing = tmp_path / "no-such-dir" / "bom.json"
    r = cli("bom", str(EXAMPLES / "open-release"), "-o", str(missing))
    assert r.code == 2 and r.err.count("\n") == 1 and not missing.exists()
    r = cli("bom", str(tmp_path / "nothing-here"), "-o", str(tmp_path / "x.json"))
    assert r.code == 2 and r.err.count("\n") == 1 and not (tmp_path / "x.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bom.json"]  # no temp file left behind


def test_check_never_imports_the_bom_libraries():
    code = (
        "import sys; from osaid.cli import main; main(['check', sys.argv[1], '-f', 'json']); "
        "print(sorted(m for m in ('cyclonedx', 'spdx_python_model', 'packageurl') "
        "if m in sys.modules), file=sys.stderr)"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES / "open-release")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.stderr.strip().splitlines()[-1] == "[]", p.stderr
