"""Every output states the verdict `osaid check` states: bom, export, lock and verify make the one
assessment (`osaid.pipeline`), with the same lineage options. The fixture is a fine-tune whose own
card says apache-2.0, of a base (a local folder via `--base`) under restrictive terms."""

from __future__ import annotations

import json
import re

import pytest
from conftest import EXAMPLES, write_tree
from validators import cyclonedx_errors

BASE_ID = "acme/quarry-7b"
LINEAGE = ["--offline", "--base", f"{BASE_ID}={EXAMPLES / 'restricted-weights'}"]


@pytest.fixture
def finetune(tmp_path):
    """The open example's files, its card naming a base model."""
    files: dict[str, str | bytes] = {}
    for p in (EXAMPLES / "open-release").rglob("*"):
        if p.is_file() and not p.name.startswith("bom."):
            files[p.relative_to(EXAMPLES / "open-release").as_posix()] = p.read_bytes()
    card = files["README.md"].decode()
    files["README.md"] = card.replace(
        "---\n", f"---\nbase_model: {BASE_ID}\nbase_model_relation: finetune\n", 1
    )
    return write_tree(tmp_path / "finetune", files)


def check_verdict(cli, target, *extra) -> str:
    r = cli("check", str(target), "--format", "json", *extra)
    assert r.code in (0, 1), r.err
    return r.json["verdict"]


def test_the_fixture_depends_on_its_base(cli, finetune):
    # With the base's terms it is not open; without them it cannot be shown open.
    assert check_verdict(cli, finetune, *LINEAGE) == "not-open-source-ai"
    assert check_verdict(cli, finetune, "--lineage-depth", "0") == "insufficient-evidence"


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx3"])
def test_bom_verdict_is_checks(cli, finetune, fmt):
    expected = check_verdict(cli, finetune, *LINEAGE)
    r = cli("bom", str(finetune), "--format", fmt, *LINEAGE)
    assert r.code == 0, r.err
    doc = r.json
    if fmt == "cyclonedx":
        assert cyclonedx_errors(r.out) == []
        props = {p["name"]: p["value"] for p in doc["metadata"]["component"]["properties"]}
        assert props["osaid:verdict"] == expected
        base = next(c for c in doc["components"] if c["bom-ref"] == f"base:{BASE_ID}")
        base_props = {p["name"]: p["value"] for p in base["properties"]}
        assert base_props["osaid:verdict"] == check_verdict(
            cli, EXAMPLES / "restricted-weights", "--offline"
        )
    else:
        model = next(n for n in doc["@graph"] if n.get("spdxId", "").endswith("/model"))
        assert f"verdict {expected};" in model["comment"]
    # The same options change both alike: bases not followed, unproven in check and in the BOM.
    plain = cli("bom", str(finetune), "--format", fmt, "--lineage-depth", "0").out
    assert check_verdict(cli, finetune, "--lineage-depth", "0") in plain


def test_export_verdict_is_checks(cli, finetune):
    expected = check_verdict(cli, finetune, *LINEAGE)
    r = cli("export", str(finetune), "--format", "mot", *LINEAGE)
    assert r.code == 0, r.err
    said = re.search(r"verdict under OSAID 1\.0: ([a-z-]+)\.", r.out)
    assert said and said.group(1) == expected


def test_lock_and_verify_use_the_lineage_options_the_lock_was_made_with(cli, finetune, tmp_path):
    expected = check_verdict(cli, finetune, *LINEAGE)
    lock = tmp_path / "osaid.lock"
    r = cli("lock", str(finetune), "--lock", str(lock), *LINEAGE)
    assert r.code == 0, r.err
    data = json.loads(lock.read_text())
    (entry,) = data["entries"]
    assert entry["verdict"] == expected
    (base,) = entry["base_models"]
    assert base["lock"]["verdict"] == "not-open-source-ai"
    # The mapping is recorded relative to the lock, so verify assesses the same way: no drift.
    assert data["lineage"]["bases"][BASE_ID].endswith("restricted-weights")
    v = cli("verify", "--lock", str(lock), "--offline", "--format", "json")
    assert v.code == 0, v.out + v.err
    # Mapped to an open base instead, the verdict moves: drift, as check would say.
    other = ["--base", f"{BASE_ID}={EXAMPLES / 'open-release'}"]
    assert check_verdict(cli, finetune, "--offline", *other) == "open-source-ai"
    v = cli("verify", "--lock", str(lock), "--offline", "--format", "json", *other)
    assert v.code == 1
    kinds = {d["kind"] for d in v.json["targets"][0]["drift"]}
    assert "verdict-changed" in kinds


def test_bad_lineage_options_are_usage_errors_in_every_command(cli, finetune, tmp_path):
    for argv in (
        ["bom", str(finetune)],
        ["export", str(finetune)],
        ["lock", str(finetune), "--lock", str(tmp_path / "x.lock")],
    ):
        r = cli(*argv, "--lineage-depth", "deep")
        assert r.code == 2 and "whole number" in r.err and r.err.count("\n") == 1
    assert not (tmp_path / "x.lock").exists()


def test_sarif_verdict_is_checks(cli, finetune):
    expected = check_verdict(cli, finetune, *LINEAGE)
    r = cli("check", str(finetune), "--format", "sarif", *LINEAGE)
    run = r.json["runs"][0]
    assert run["properties"]["verdict"] == expected and r.code == 1
    assert any(res["ruleId"] == "inherited-terms" for res in run["results"])


def test_scan_verdict_is_checks_for_a_fine_tune_on_the_hub(cli, monkeypatch, tmp_path):
    from hubserver import default_repos, serving

    target = "hf:osaid-examples/pebble-chat-apache"  # apache-2.0, of a Llama-2-style base
    with serving(monkeypatch, tmp_path, default_repos()):
        expected = check_verdict(cli, target)
        r = cli("scan", target, "--db", str(tmp_path / "i.db"), "--jobs", "1", "--format", "json")
    assert r.code == 0, r.err
    (result,) = r.json["results"]
    assert result["verdict"] == expected == "not-open-source-ai"
