"""`osaid export --format mot`: a MOT manifest that the tool's schema accepts and that osaid reads
back with the same components and licenses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import MOT_CORPUS, mot_fixtures, safetensors_bytes, shared

CORPUS = MOT_CORPUS

# A made-up release, written for these tests.
MANIFEST = """\
framework:
  name: 'Model Openness Framework'
  version: '1.0'
  date: '2024-12-15'
release:
  name: Finch
  version: 3B
  date: '2025-02-03'
  producer: Example Lab
  huggingface: 'https://huggingface.co/example/finch-3b'
  license:
    distribution:
      name: Apache 2.0
      path: 'https://example.org/finch/LICENSE'
  components:
    -
      name: 'Model architecture'
      description: 'the network'
    -
      name: 'Model parameters (Final)'
      description: 'the weights'
      license: 'Meta Llama 3 Community License Agreement'
      license_path: 'https://example.org/finch/WEIGHTS-LICENSE'
    -
      name: 'Training code'
      description: 'the trainer'
      license: unlicensed
    -
      name: 'Research paper'
      description: 'the paper'
      license: 'Some Journal Terms'
      component_path: 'https://example.org/finch/paper.pdf'
"""

CODE = (
    "# SPDX-License-Identifier: Apache-2.0\nimport torch\n\n"
    "def train(model, loader, optimizer):\n    for batch in loader:\n"
    "        loss = model(batch).loss\n        loss.backward()\n        optimizer.step()\n"
)


def _components(report: dict) -> list[tuple]:
    return [
        (c["id"], c["license"], c["license_open"])
        for c in report["components"]
        if c["status"] != "missing"
    ]


def _validate(value, schema: dict, where: str = "$") -> None:
    """The parts of JSON Schema that mof_schema.json uses."""
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        py = {"object": dict, "string": str, "array": list, "null": type(None)}
        assert any(isinstance(value, py[n]) for n in names), f"{where}: not {types}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, str) and "minLength" in schema:
        assert len(value) >= schema["minLength"], where
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                _validate(value[key], sub, f"{where}.{key}")
    if isinstance(value, list):
        assert len(value) <= schema.get("maxItems", len(value)), where
        for i, item in enumerate(value):
            _validate(item, schema.get("items", {}), f"{where}[{i}]")


def test_manifest_round_trip_keeps_components_and_licenses(cli, tmp_path):
    src = tmp_path / "finch.yml"
    src.write_text(MANIFEST, encoding="utf-8")
    out = tmp_path / "exported.yml"
    r = cli("export", str(src), "--format", "mot", "-o", str(out))
    assert r.code == 0 and r.out == "" and r.err == ""
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["release"]["name"] == "Finch" and data["release"]["version"] == "3B"
    assert data["release"]["producer"] == "Example Lab"
    assert data["release"]["huggingface"] == "https://huggingface.co/example/finch-3b"
    assert data["release"]["license"]["distribution"]["name"] == "Apache-2.0"
    by_name = {c["name"]: c for c in data["release"]["components"]}
    assert by_name["Training code"]["license"] == "unlicensed"
    assert by_name["Model architecture"]["license"] == "Apache-2.0"
    assert (
        by_name["Model parameters (Final)"]["license_path"]
        == "https://example.org/finch/WEIGHTS-LICENSE"
    )
    assert by_name["Research paper"]["component_path"] == "https://example.org/finch/paper.pdf"
    before = cli("check", str(src), "-f", "json").json
    after = cli("check", str(out), "-f", "json").json
    assert _components(after) == _components(before)
    assert after["verdict"] == before["verdict"] == "not-open-source-ai"
    assert {lf["id"] for lf in after["licenses"]} == {lf["id"] for lf in before["licenses"]}


def test_export_validates_against_the_mot_schema(cli, tmp_path):
    schema_path = shared(CORPUS / "mof_schema.json")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    src = tmp_path / "finch.yml"
    src.write_text(MANIFEST, encoding="utf-8")
    r = cli("export", str(src))
    assert r.code == 0
    _validate(yaml.safe_load(r.out), schema)
    # The schema check is strict enough to fail.
    with pytest.raises(AssertionError):
        _validate({"framework": {"name": "x", "version": "1", "date": "d"}}, schema)


def test_folder_export_round_trip(cli, tree, tmp_path):
    root = tree(
        {
            "README.md": "---\nlicense: apache-2.0\n---\n# Finch\n\nA small test model.\n",
            "training/train.py": CODE,
            "model.safetensors": safetensors_bytes(),
        }
    )
    out = tmp_path / "finch.mot.yml"
    assert cli("export", str(root), "-o", str(out)).code == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    by_name = {c["name"]: c for c in data["release"]["components"]}
    assert by_name["Training code"]["component_path"] == "training/train.py"
    assert by_name["Model parameters (Final)"]["license"] == "Apache-2.0"
    before = cli("check", str(root), "-f", "json").json
    after = cli("check", str(out), "-f", "json").json
    # Present in the folder, declared in the manifest: same components, same licenses.
    assert _components(after) == _components(before)


def test_corpus_records_round_trip(cli, tmp_path):
    shared(CORPUS)
    for name in ("Amber.yml", "Llama-3-8B.yml", "Aquila-VL-2B.yml", "OLMo-7B.yml"):
        src = CORPUS / name
        if not src.exists():
            continue
        out = tmp_path / name
        assert cli("export", str(src), "-o", str(out)).code == 0
        assert _components(cli("check", str(out), "-f", "json").json) == _components(
            cli("check", str(src), "-f", "json").json
        ), name


def test_export_is_written_whole_or_not_at_all(cli, tmp_path):
    out = tmp_path / "kept.yml"
    out.write_text("previous content\n", encoding="utf-8")
    bad = tmp_path / "broken.yml"
    bad.write_text("framework: [unclosed\n", encoding="utf-8")
    r = cli("export", str(bad), "-o", str(out))
    assert r.code == 2 and r.err.count("\n") == 1
    assert out.read_text(encoding="utf-8") == "previous content\n"
    r = cli("export", str(bad), "-o", str(tmp_path / "never.yml"))
    assert not (tmp_path / "never.yml").exists()
    src = tmp_path / "finch.yml"
    src.write_text(MANIFEST, encoding="utf-8")
    r = cli("export", str(src), "-o", str(tmp_path / "no" / "such" / "dir.yml"))
    assert r.code == 2 and "cannot write" in r.err
    assert list(tmp_path.glob("**/.osaid-*")) == []


def test_export_writes_yaml_to_stdout_with_a_provenance_comment(cli, tmp_path):
    src = tmp_path / "finch.yml"
    src.write_text(MANIFEST, encoding="utf-8")
    r = cli("export", str(src))
    first = r.out.splitlines()[0]
    assert first.startswith("# Model Openness Tool manifest written by osaid")
    assert "not-open-source-ai" in r.out.splitlines()[1]
    assert yaml.safe_load(r.out)["framework"]["name"] == "Model Openness Framework"


def test_unknown_export_format_is_a_usage_error(cli, tmp_path):
    src = Path(tmp_path / "finch.yml")
    src.write_text(MANIFEST, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:  # argparse refuses it before anything is read
        cli("export", str(src), "--format", "cyclonedx")
    assert exc.value.code == 2


def test_manifest_yaml_is_exactly_what_pyyaml_writes():
    """`mot.dump` writes the manifest's shape itself; it must match PyYAML byte for byte, for
    the corpus and for strings that YAML quotes, folds or escapes, in every place."""
    import random

    from osaid.evidence.extract import extract
    from osaid.frameworks.osaid import assess
    from osaid.reports import mot
    from osaid.sources import load

    def pyyaml(doc: dict) -> str:
        return yaml.dump(doc, **mot._DUMP_OPTIONS)

    records = mot_fixtures() + sorted(CORPUS.glob("*.yml"))[:40]  # the corpus when beside
    docs = [mot.to_manifest(assess(extract(load(str(p))))) for p in records]
    for doc in docs:
        assert mot.dump(doc) == pyyaml(doc)
    pieces = [
        "a",
        "Z",
        "1",
        "1.0",
        "2024-01-01",
        "yes",
        "No",
        "null",
        "~",
        "",
        " ",
        ":",
        ": ",
        "#",
        " #",
        "-",
        "- ",
        "?",
        "---",
        "...",
        "'",
        '"',
        "\\",
        "\t",
        "\n",
        "é",
        "日本",
        "\u2028",
        "\x85",
        "\ufeff",
        "\x00",
        "\x7f",
        "http://x.y/z",
        "@",
        "`",
        "%",
        "!",
        "&",
        "*",
        "|",
        ">",
        "[",
        "]",
        "{",
        "}",
        ",",
        "word ",
        "longword" * 7,
        " x" * 30,
        "true",
        "0x1F",
        "+1",
        ".inf",
        "<<",
        "=",
    ]
    rng = random.Random(7)

    def text() -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))

    for _ in range(1500):
        doc = json.loads(json.dumps(rng.choice(docs)))
        release = doc["release"]
        for k in list(release):
            if isinstance(release[k], str) and rng.random() < 0.5:
                release[k] = text()
        release["license"]["distribution"]["path"] = text()
        for c in release["components"]:
            for k in list(c):
                if rng.random() < 0.4:
                    c[k] = text()
        if rng.random() < 0.05:
            release["components"] = []
        assert mot.dump(doc) == pyyaml(doc), doc
