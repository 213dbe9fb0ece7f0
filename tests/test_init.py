"""`osaid init`: a MOT manifest and a data-information template, pre-filled from the evidence."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import yaml
from conftest import EXAMPLES, MOT_CORPUS, safetensors_bytes

CARD = """---
license: apache-2.0
datasets:
- org/stories
pipeline_tag: text-generation
---

# tiny

## Training data

The corpus was collected from public-domain books published before 1900 (about 2 million tokens
in English). Documents were deduplicated and filtered for quality.

## Usage

python generate.py
"""


@pytest.fixture
def release(tree):
    return tree(
        {
            "README.md": CARD,
            "LICENSE": "Apache License\nVersion 2.0, January 2004\n",
            "model.safetensors": safetensors_bytes(),
            "train.py": "# SPDX-License-Identifier: MIT\nimport torch\n\n\ndef train(model, data, optimizer):\n"
            "    for batch in data:\n        model(batch).backward()\n        optimizer.step()\n",
        }
    )


# The keys a MOT record must have and the keys a component may have (mof_schema.json).
REQUIRED = {"framework", "release"}
RELEASE_REQUIRED = {"name", "license", "producer", "components"}
COMPONENT_KEYS = {"name", "description", "license", "license_path", "component_path"}


def _schema_check(data: dict) -> None:
    """The parts of the MOT schema (mof_schema.json) a record must meet; its enums too when
    ../shared is beside the repository."""
    assert REQUIRED <= set(data)
    rel = data["release"]
    assert RELEASE_REQUIRED <= set(rel)
    assert data["framework"]["name"] == "Model Openness Framework"
    assert isinstance(rel["type"], str) and isinstance(rel["architecture"], str)
    schema_path = MOT_CORPUS / "mof_schema.json"
    if schema_path.is_file():
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        assert set(schema["required"]) == REQUIRED
        assert set(schema["properties"]["release"]["required"]) == RELEASE_REQUIRED
        props = schema["properties"]["release"]["properties"]
        assert set(props["components"]["items"]["properties"]) == COMPONENT_KEYS
        assert rel["type"] in props["type"]["enum"]
        assert rel["architecture"] in props["architecture"]["enum"]
    assert isinstance(rel["components"], list) and len(rel["components"]) <= 17
    allowed = COMPONENT_KEYS
    for c in rel["components"]:
        assert set(c) <= allowed and all(isinstance(v, str) for v in c.values())
    for kind, entry in rel["license"].items():
        assert set(entry) <= {"name", "path"}


def test_init_writes_a_manifest_of_what_was_found(cli, release):
    r = cli("init", str(release))
    assert r.code == 0, r.err
    text = (release / "mof.yml").read_text()
    data = yaml.safe_load(text)
    _schema_check(data)
    rel = data["release"]
    assert rel["license"]["distribution"] == {"name": "Apache-2.0", "path": "LICENSE"}
    comps = {c["name"]: c for c in rel["components"]}
    assert comps["Model parameters (Final)"]["component_path"] == "model.safetensors"
    # a component under other terms than the distribution names its own license and where
    assert comps["Training code"]["license"] == "MIT"
    assert comps["Training code"]["license_path"] == "train.py"
    # never listed when not found: the tool counts a listed component as included
    assert "Evaluation data" not in comps
    assert "# TODO: Evaluation data (required for MOF Class II)" in text
    assert "(card pipeline_tag: text-generation)" in text
    assert "wrote" in r.out and "mof.yml" in r.out


def test_the_manifest_reads_back_as_the_same_release(cli, release):
    before = cli("check", str(release), "--format", "json", "--framework", "mof").json["mof"]
    assert cli("init", str(release)).code == 0
    (release / "DATA_INFORMATION.md").unlink()  # the manifest alone
    after = cli("check", str(release), "--format", "json", "--framework", "mof").json["mof"]
    assert after["components"] == before["components"]


def _data_rules():
    import re

    from osaid.knowledge import load_yaml

    d = load_yaml("data_information.yaml")
    pats = {k: re.compile(v, re.I) for k, v in d["aspects"].items()}
    pats.update({k: re.compile(d[k], re.I) for k in ("third_party_none", "third_party_listed")})
    return pats


def test_the_templates_own_words_do_not_read_as_data_information(cli, tree):
    release = tree({"README.md": "# bare\n", "model.safetensors": safetensors_bytes()})
    assert cli("init", str(release)).code == 0
    text = (release / "DATA_INFORMATION.md").read_text()
    for line in text.splitlines():
        if line.startswith("#"):
            continue  # the headings are the items' names (see the next test)
        hits = [k for k, p in _data_rules().items() if p.search(line)]
        assert not hits, (line, hits)


def test_an_unfilled_template_adds_no_data_information(cli, tree):
    release = tree({"README.md": "# bare\n", "model.safetensors": safetensors_bytes()})
    before = cli("check", str(release), "--format", "json").json
    assert cli("init", str(release)).code == 0
    (release / "mof.yml").unlink()
    after = cli("check", str(release), "--format", "json").json
    assert after["elements"]["data-information"] == before["elements"]["data-information"]
    assert after["verdict"] == before["verdict"]


def test_an_unfilled_template_is_not_a_data_card(cli, tree):
    release = tree({"README.md": "# bare\n", "model.safetensors": safetensors_bytes()})
    before = cli("check", str(release), "--format", "json", "--framework", "mof").json
    assert cli("init", str(release)).code == 0
    (release / "mof.yml").unlink()
    after = cli("check", str(release), "--format", "json", "--framework", "mof").json
    assert after["mof"]["components"]["data-card"] == before["mof"]["components"]["data-card"]


def test_data_information_template_quotes_the_release_and_marks_the_rest(cli, release):
    assert cli("init", str(release)).code == 0
    text = (release / "DATA_INFORMATION.md").read_text()
    sections = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert sections == [
        "# Data information: release",
        "## 1. Description of all training data",
        "### Provenance",
        "### Scope and characteristics",
        "### How the data was obtained and selected",
        "### Labeling procedures",
        "### Processing and filtering methods",
        "## 2. Publicly available training data",
        "## 3. Training data obtainable from third parties",
    ]
    # found aspects are quoted with file:line ...
    assert "— `README.md:12`" in text
    assert "collected from public-domain books" in text
    # ... the ones the release does not cover are TODO
    labeling = text.split("### Labeling procedures")[1].split("###")[0]
    assert labeling.strip().startswith("TODO:")
    # datasets from the card, with where to get them
    assert "| org/stories | https://huggingface.co/datasets/org/stories |" in text
    third = text.split("## 3.")[1]
    assert "TODO:" in third


def test_existing_files_are_never_overwritten_without_force(cli, release):
    (release / "DATA_INFORMATION.md").write_text("mine\n")
    r = cli("init", str(release))
    assert r.code == 2
    assert "DATA_INFORMATION.md" in r.err and "--force" in r.err
    assert len(r.err.strip().splitlines()) == 1
    # nothing was written, not even the other file
    assert (release / "DATA_INFORMATION.md").read_text() == "mine\n"
    assert not (release / "mof.yml").exists()
    r = cli("init", str(release), "--force")
    assert r.code == 0, r.err
    assert (release / "DATA_INFORMATION.md").read_text() != "mine\n"
    assert (release / "mof.yml").exists()


def test_a_failed_write_leaves_no_partial_file(cli, release, monkeypatch):
    from osaid.cli import init

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(init.os, "replace", boom)
    r = cli("init", str(release))
    assert r.code == 2 and "No space left on device" in r.err
    assert sorted(os.listdir(release)) == ["LICENSE", "README.md", "model.safetensors", "train.py"]


def test_init_refuses_what_is_not_a_folder(cli, tmp_path):
    r = cli("init", str(tmp_path / "nope"))
    assert r.code == 2 and "not a folder" in r.err


def test_init_on_the_open_example(cli, tmp_path):
    target = tmp_path / "open-release"
    shutil.copytree(EXAMPLES / "open-release", target)
    assert cli("init", str(target)).code == 0
    data = yaml.safe_load((target / "mof.yml").read_text())
    _schema_check(data)
    names = {c["name"] for c in data["release"]["components"]}
    assert {"Model architecture", "Training code", "Model parameters (Final)"} <= names
    text = (target / "DATA_INFORMATION.md").read_text()
    assert "README.md:" in text and "TODO:" in text
