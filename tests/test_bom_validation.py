"""Every BOM osaid writes, committed or generated, validated by validators that are not the
libraries that wrote it (tests/validators.py): CycloneDX 1.6 against the official JSON schema
with `jsonschema`, SPDX 3.0.1 with `spdx3-validate` (SHACL model and JSON schema, offline). And
what the formats must say: one hash per component, misuse sections as risks, declared and
concluded licenses, the hub in the purl, base models with their own license and verdict,
`LicenseRef-` ids with their text, each license node once, the Dataset profile's fields."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import EXAMPLES, write_tree
from hubserver import FakeRepo, LfsBlob, default_repos, serving
from test_bom import derived_repo
from test_one_assessment import BASE_ID, LINEAGE
from validators import cyclonedx_errors, spdx3_errors

from osaid.reports import spdx3

EXAMPLE_NAMES = ("open-release", "restricted-weights", "weights-only")
CARD_SECTIONS = """
## Intended uses

Writing short stories for children.

## Out-of-scope use

Anything that needs facts: the model invents them.

## Misuse and malicious use

Generating spam or impersonating a person.
"""


def sharded_repo() -> FakeRepo:
    """The open example on the hub, its weights in two LFS shards, its card with use sections."""
    files: dict[str, bytes | LfsBlob] = {}
    for p in (EXAMPLES / "open-release").rglob("*"):
        rel = p.relative_to(EXAMPLES / "open-release").as_posix()
        if p.is_file() and not p.name.startswith("bom.") and rel != "model.safetensors":
            files[rel] = p.read_bytes()
    for i in (1, 2):
        name = f"model-0000{i}-of-00002.safetensors"
        files[name] = LfsBlob(4 * 1000**3, hashlib.sha256(name.encode()).hexdigest())
    files["model.safetensors.index.json"] = b'{"weight_map": {}}\n'
    files["README.md"] = files["README.md"] + CARD_SECTIONS.encode()
    from hubserver import _front_matter

    return FakeRepo("acme/pebble-sharded", files, card_data=_front_matter(files))


@pytest.fixture(scope="module")
def boms(tmp_path_factory):
    """name -> {"cyclonedx": text, "spdx3": text} for the committed examples, a hub fine-tune of
    a hub base, a hub model with sharded weights, and a local fine-tune of a `--base` folder."""
    from _pytest.monkeypatch import MonkeyPatch
    from conftest import run_cli

    out: dict[str, dict[str, str]] = {}
    for ex in EXAMPLE_NAMES:
        out[ex] = {
            "cyclonedx": (EXAMPLES / ex / "bom.cdx.json").read_text(encoding="utf-8"),
            "spdx3": (EXAMPLES / ex / "bom.spdx3.json").read_text(encoding="utf-8"),
        }
    tmp = tmp_path_factory.mktemp("boms")
    mp = MonkeyPatch()
    try:
        mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
        with serving(mp, tmp, default_repos()) as hub:
            derived_repo(hub)
            hub.repos[("model", "acme/pebble-sharded")] = sharded_repo()
            # (The sharded model's SPDX document would repeat the fine-tune's: each SPDX
            # validation costs seconds, so only its CycloneDX BOM is made.)
            for name, fmts in (
                ("acme/pebble-chat", ("cyclonedx", "spdx3")),
                ("acme/pebble-sharded", ("cyclonedx",)),
                ("osaid-examples/pebble-chat-apache", ("spdx3",)),
            ):
                out[name] = {}
                for fmt in fmts:
                    r = run_cli("bom", f"hf:{name}", "--format", fmt)
                    assert r.code == 0, r.err
                    out[name][fmt] = r.out
            out["hub"] = {"url": hub.url}
        files = {
            p.relative_to(EXAMPLES / "open-release").as_posix(): p.read_bytes()
            for p in (EXAMPLES / "open-release").rglob("*")
            if p.is_file() and not p.name.startswith("bom.")
        }
        files["README.md"] = (
            files["README.md"].decode().replace("---\n", f"---\nbase_model: {BASE_ID}\n", 1)
        )
        finetune = write_tree(tmp / "finetune", files)
        out["finetune"] = {}
        for fmt in ("cyclonedx", "spdx3"):
            r = run_cli("bom", str(finetune), "--format", fmt, *LINEAGE)
            assert r.code == 0, r.err
            out["finetune"][fmt] = r.out
    finally:
        mp.undo()
    return out


def docs(boms, fmt):
    return {k: v[fmt] for k, v in boms.items() if fmt in v}


def test_every_cyclonedx_bom_validates_against_the_official_schema(boms):
    for name, text in docs(boms, "cyclonedx").items():
        assert cyclonedx_errors(text) == [], name


def test_the_schema_check_is_strict():
    bom = json.loads((EXAMPLES / "open-release" / "bom.cdx.json").read_text())
    bom["metadata"]["component"]["licenses"][0]["acknowledgement"] = "assumed"
    bom["metadata"]["component"]["surprise"] = True
    bom["metadata"]["timestamp"] = "yesterday"
    errors = "\n".join(cyclonedx_errors(json.dumps(bom)))
    assert "assumed" in errors and "surprise" in errors and "yesterday" in errors


def test_every_spdx3_bom_validates_with_spdx3_validate(boms, tmp_path):
    documents = docs(boms, "spdx3")
    # A broken copy goes in the same run (each run costs seconds): the validator must object to
    # it, and to nothing else.
    broken = json.loads(boms["finetune"]["spdx3"])
    model = next(n for n in broken["@graph"] if n.get("spdxId", "").endswith("/model"))
    model["software_primaryPurpose"] = "astrology"
    documents["broken"] = json.dumps(broken)
    errors = spdx3_errors(documents, tmp_path)
    assert errors and all("-broken.spdx3.json" in e for e in errors), errors
    assert any("primaryPurpose" in e for e in errors)


def test_spdx3_license_nodes_are_unique_and_license_refs_carry_their_text(boms):
    for name, text in docs(boms, "spdx3").items():
        graph = json.loads(text)["@graph"]
        ids = [n["spdxId"] for n in graph if "spdxId" in n]
        assert len(ids) == len(set(ids)), name
        exprs = [
            n["simplelicensing_licenseExpression"]
            for n in graph
            if n.get("type") == "simplelicensing_LicenseExpression"
        ]
        assert len(exprs) == len(set(exprs)), name
    graph = json.loads(boms["restricted-weights"]["spdx3"])["@graph"]
    nodes = {n["spdxId"]: n for n in graph if "spdxId" in n}
    (expr,) = [
        n
        for n in graph
        if n.get("type") == "simplelicensing_LicenseExpression"
        and "LicenseRef-osaid-unidentified-" in n["simplelicensing_licenseExpression"]
    ]
    mapped = {e["key"]: e["value"] for e in expr["simplelicensing_customIdToUri"]}
    # the license text's own id (from its content) maps to its text
    from osaid.evidence.licenses import content_hash

    license_file = (EXAMPLES / "restricted-weights" / "LICENSE").read_text()
    text = nodes[mapped[f"LicenseRef-osaid-unidentified-{content_hash(license_file)}"]]
    assert text["type"] == "simplelicensing_SimpleLicensingText"
    assert text["simplelicensing_licenseText"] == license_file


def test_a_catalog_license_ref_without_text_in_the_release_maps_to_its_terms_url(boms):
    # An apache-2.0 fine-tune of a base whose card only says `license: llama2`.
    graph = json.loads(boms["osaid-examples/pebble-chat-apache"]["spdx3"])["@graph"]
    (expr,) = [
        n
        for n in graph
        if n.get("type") == "simplelicensing_LicenseExpression"
        and "LicenseRef-osaid-llama-2" in n["simplelicensing_licenseExpression"]
    ]
    mapped = {e["key"]: e["value"] for e in expr["simplelicensing_customIdToUri"]}
    assert mapped["LicenseRef-osaid-llama-2"].startswith("https://")
    assert not [n for n in graph if n.get("type") == "simplelicensing_SimpleLicensingText"]


def test_dataset_profile_fields_are_what_spdx_requires(boms):
    doc = json.loads(boms["acme/pebble-chat"]["spdx3"])
    dataset = next(n for n in doc["@graph"] if n.get("name") == "osaid-examples/tiny-stories-en")
    assert dataset["originatedBy"] and dataset["releaseTime"]
    problems = [p for p in spdx3.violations(doc) if "tiny-stories-en" in p]
    # The hub does not say when the data was built: named, not made up.
    assert problems == [
        "DatasetPackage osaid-examples/tiny-stories-en: no build time (not known to osaid)"
    ]
    del dataset["originatedBy"]
    assert any("originator" in p for p in spdx3.violations(doc) if "tiny-stories-en" in p)


def test_sharded_weights_one_hash_per_component(boms):
    bom = json.loads(boms["acme/pebble-sharded"]["cyclonedx"])
    model = bom["metadata"]["component"]
    assert "hashes" not in model
    shards = [c for c in model["components"] if c["bom-ref"].startswith("weights:")]
    assert len(shards) == 2 and all(len(c["hashes"]) == 1 for c in shards)

    def walk(c):
        yield c
        for sub in c.get("components", []):
            yield from walk(sub)

    for top in [model, *bom["components"]]:
        for c in walk(top):
            assert len(c.get("hashes", [])) <= 1, c["name"]


def test_misuse_and_out_of_scope_are_not_use_cases(boms):
    card = json.loads(boms["acme/pebble-sharded"]["cyclonedx"])["metadata"]["component"][
        "modelCard"
    ]
    considerations = card["considerations"]
    uses = " ".join(considerations.get("useCases", []))
    assert "short stories" in uses and "spam" not in uses and "invents" not in uses
    assert any("spam" in r["name"] for r in considerations["ethicalConsiderations"])
    assert any("invents" in t for t in considerations["technicalLimitations"])


def test_declared_and_concluded_licenses_and_the_hub_in_the_purl(boms):
    model = json.loads(boms["acme/pebble-chat"]["cyclonedx"])["metadata"]["component"]
    acks = {x.get("acknowledgement") for x in model["licenses"]}
    assert "concluded" in acks
    hub = boms["hub"]["url"]
    assert model["purl"].endswith(f"?repository_url={hub}")
    spdx = json.loads(boms["acme/pebble-chat"]["spdx3"])
    m = next(n for n in spdx["@graph"] if n.get("name") == "acme/pebble-chat")
    assert m["software_packageUrl"] == model["purl"]


def test_base_models_carry_their_own_license_and_verdict(boms):
    bom = json.loads(boms["finetune"]["cyclonedx"])
    base = next(c for c in bom["components"] if c["bom-ref"] == f"base:{BASE_ID}")
    props = {p["name"]: p["value"] for p in base["properties"]}
    assert props["osaid:verdict"] == "not-open-source-ai"
    assert "LicenseRef-osaid-unidentified-" in json.dumps(base["licenses"])
    assert "purl" not in base or "repository_url" not in base["purl"]  # read from a folder
    doc = json.loads(boms["finetune"]["spdx3"])
    nodes = {n["spdxId"]: n for n in doc["@graph"] if "spdxId" in n}
    pkg = next(n for n in doc["@graph"] if n.get("name") == BASE_ID)
    assert "verdict not-open-source-ai" in pkg["comment"]
    concluded = next(
        n
        for n in doc["@graph"]
        if n.get("type") == "Relationship"
        and n["from"] == pkg["spdxId"]
        and n["relationshipType"] == "hasConcludedLicense"
    )
    expr = nodes[concluded["to"][0]]["simplelicensing_licenseExpression"]
    assert "LicenseRef-osaid-unidentified-" in expr
