"""The MOT manifest source and its evidence: `osaid check model.yml`, a folder with a manifest, and
the whole Model Openness Tool corpus."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import MOT_CORPUS, mot_fixtures, shared

from osaid.cli import main
from osaid.evidence.extract import extract
from osaid.evidence.manifest import manifest_facts, read_license
from osaid.frameworks.osaid import assess
from osaid.knowledge import components as component_catalog
from osaid.model import Verdict
from osaid.sources import load
from osaid.sources.manifest import ManifestSource

CORPUS = MOT_CORPUS

# A made-up release, written for these tests.
MANIFEST = """\
framework:
  name: 'Model Openness Framework'
  version: '1.0'
  date: '2024-12-15'
release:
  name: Wren
  version: 1B
  date: '2025-01-02'
  producer: Example Lab
  license:
    distribution:
      name: Apache 2.0
      path: 'https://example.org/wren/LICENSE'
    data:
      name: CC-BY-4.0
      path: ''
  components:
    -
      name: 'Model architecture'
      description: 'how the network is built'
    -
      name: 'Model parameters (Final)'
      description: 'the weights'
      license: 'CC-BY-NC-4.0, MIT'
    -
      name: Datasets
      description: 'what it learnt from'
      component_path: 'https://example.org/wren/data'
    -
      name: 'Training code'
      description: 'the trainer'
      license: unlicensed
    -
      name: 'Inference code'
      description: 'the runner'
      license: Undisclosed
    -
      name: 'Evaluation code'
      description: 'the scorer'
      license: 'Component not included'
    -
      name: 'Data card'
      description: 'about the data'
      license: CC-BY-4.0
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _check_json(capsys, *args) -> tuple[int, dict | None, str]:
    code = main(["check", *args, "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def _line_of(path: Path, n: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[n - 1]


def test_check_manifest_reports_declared_components_with_manifest_lines(tmp_path, capsys):
    path = _write(tmp_path / "model.yml", MANIFEST)
    code, report, err = _check_json(capsys, str(path))
    assert err == ""
    assert report["subject"]["source"] == "manifest"
    assert report["subject"]["name"] == "Wren 1B"
    assert report["subject"]["location"] == str(path)
    comps = {c["id"]: c for c in report["components"]}
    arch = comps["model-architecture"]
    assert arch["status"] == "declared"
    # Inherits the distribution license, normalised from "Apache 2.0".
    assert arch["license"] == "Apache-2.0" and arch["license_open"] is True
    ev = arch["evidence"][0]
    assert ev["path"] == "model.yml" and ev["field"] == "release.components[0].name"
    assert "Model architecture" in _line_of(path, ev["line"])
    # Never listed: missing.
    assert comps["model-metadata"]["status"] == "missing"
    assert code == 1  # not open: the weights are under a non-commercial license


def test_license_fact_points_at_the_manifest_line_that_names_it(tmp_path, capsys):
    path = _write(tmp_path / "model.yml", MANIFEST)
    _, report, _ = _check_json(capsys, str(path))
    apache = next(lf for lf in report["licenses"] if lf["id"] == "Apache-2.0")
    assert apache["scopes"] == ["release"]
    ev = apache["evidence"][0]
    assert ev["field"] == "release.license.distribution.name"
    assert ev["quote"] == "Apache 2.0"
    assert ev["url"] == "https://example.org/wren/LICENSE"
    assert "Apache 2.0" in _line_of(path, ev["line"])


def test_precedence_own_then_content_type_then_distribution(tmp_path):
    release = ManifestSource().load(str(_write(tmp_path / "model.yml", MANIFEST)))
    facts = extract(release)
    # Datasets (data) has no license of its own: the release-wide data license applies, not the
    # distribution license.
    datasets = facts.component("datasets")
    assert datasets.license == "CC-BY-4.0"
    assert datasets.license_evidence[0].field == "release.license.data.name"
    assert datasets.evidence[0].url == "https://example.org/wren/data"
    # The data card has its own.
    assert facts.component("data-card").license_evidence[0].field == "release.components[6].license"


def test_several_licenses_all_apply_and_the_most_restrictive_is_named_first(tmp_path):
    facts = extract(ManifestSource().load(str(_write(tmp_path / "model.yml", MANIFEST))))
    weights = facts.component("model-parameters-final")
    assert weights.license == "CC-BY-NC-4.0 AND MIT"
    assert weights.license_open is False
    assert weights.license_evidence[0].quote == "CC-BY-NC-4.0, MIT"
    verdict = assess(facts)
    assert verdict.verdict is Verdict.NOT_OPEN
    assert any(f.rule == "license-not-open:model-parameters-final" for f in verdict.findings)


def test_unlicensed_undisclosed_and_not_included(tmp_path):
    facts = extract(ManifestSource().load(str(_write(tmp_path / "model.yml", MANIFEST))))
    for cid, raw in (("training-code", "unlicensed"), ("inference-code", "Undisclosed")):
        c = facts.component(cid)
        # Listed with no license: no inheritance from the distribution license.
        assert c.status == "declared" and c.license is None and c.license_open is None
        assert c.license_evidence[0].quote == raw
    evaluation = facts.component("evaluation-code")
    assert evaluation.status == "missing"
    assert evaluation.withheld and evaluation.withheld[0].quote == "Component not included"
    rules = {f.rule for f in assess(facts).findings}
    assert "component-withheld:evaluation-code" in rules


@pytest.mark.parametrize(
    "raw,kind,expr",
    [
        ("Apache 2.0", "license", "Apache-2.0"),
        ("BSD-3", "license", "BSD-3-Clause"),
        ("Gemma Terms of Use", "license", "LicenseRef-osaid-gemma"),
        ("unlicensed", "unlicensed", None),
        ("  Undisclosed ", "unlicensed", None),
        ("Component Component not included", "not-included", None),
        ("Some Lab Research License", "license", "LicenseRef-Some-Lab-Research-License"),
    ],
)
def test_read_license(raw, kind, expr):
    r = read_license(raw)
    assert r.kind == kind
    assert (" AND ".join(t for t, _ in r.terms) or None) == expr


def test_data_information_is_declared_only_by_open_data_card_and_datasets(tmp_path):
    facts = extract(ManifestSource().load(str(_write(tmp_path / "model.yml", MANIFEST))))
    items = {d.id: d for d in facts.data_information}
    assert all(d.found for d in items.values())
    assert "content was not read" in items["description"].evidence[0].quote
    # The same release without an open data card: the description is not found.
    closed = MANIFEST.replace("      license: CC-BY-4.0\n", "      license: unlicensed\n")
    facts = extract(ManifestSource().load(str(_write(tmp_path / "closed.yml", closed))))
    items = {d.id: d for d in facts.data_information}
    assert not items["description"].found


@pytest.mark.parametrize(
    "text,reason",
    [
        (
            "framework: {name: Model Openness Framework}\nrelease: &r {name: x, components: []}\n"
            "copy: *r\n",
            "alias",
        ),
        ("release: {name: x, components: []}\n", "framework"),
        (
            "framework: {name: Something Else}\nrelease: {name: x, components: []}\n",
            "framework.name",
        ),
        (
            "framework: {name: Model Openness Framework}\nrelease: {components: []}\n",
            "release.name",
        ),
        (
            "framework: {name: Model Openness Framework}\nrelease: {name: x, components: 3}\n",
            "not a list",
        ),
        ("framework: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "mapping"),
    ],
)
def test_not_a_manifest_is_one_line_exit_2(tmp_path, capsys, text, reason):
    path = _write(tmp_path / "thing.yaml", text)
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "not a Model Openness Tool manifest" in err and reason in err


def test_oversized_and_binary_manifests_are_refused(tmp_path, capsys):
    big = _write(
        tmp_path / "big.yml",
        "framework: {name: Model Openness Framework}\n# " + "x" * (2 * 1024 * 1024) + "\n",
    )
    assert main(["check", str(big)]) == 2
    assert "larger than" in capsys.readouterr().err
    binary = tmp_path / "bin.yml"
    binary.write_bytes(b"\xff\xfe\x00framework")
    assert main(["check", str(binary)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_folder_with_manifest_merges_and_files_win(tmp_path, capsys):
    root = tmp_path / "release"
    (root / "training").mkdir(parents=True)
    _write(
        root / "training" / "train.py",
        "# SPDX-License-Identifier: MIT\n"
        "import torch\n\ndef train(model, loader, optimizer):\n"
        "    for batch in loader:\n        loss = model(batch).loss\n        loss.backward()\n"
        "        optimizer.step()\n",
    )
    _write(root / "mof.yml", MANIFEST)
    facts = extract(load(str(root)))
    training = facts.component("training-code")
    # Present in the folder beats the manifest's "unlicensed" declaration.
    assert training.status == "present"
    assert training.evidence[0].path == "training/train.py"
    assert training.license == "MIT"
    # What only the manifest knows still counts, with evidence at mof.yml.
    arch = facts.component("model-architecture")
    assert arch.status == "declared" and arch.evidence[0].path == "mof.yml"
    assert facts.subject.metadata["manifest"]["path"] == "mof.yml"


def test_folder_manifest_that_agrees_with_the_files_changes_nothing(tmp_path):
    root = tmp_path / "release"
    root.mkdir()
    _write(
        root / "train.py",
        "# SPDX-License-Identifier: MIT AND LicenseRef-Lab-Terms\n"
        "import torch\n\ndef train(model, loader, optimizer):\n    for batch in loader:\n"
        "        model(batch).backward()\n        optimizer.step()\n",
    )
    before = extract(load(str(root))).component("training-code")
    assert before.license == "MIT AND LicenseRef-Lab-Terms"
    _write(
        root / "mof.yml",
        "framework: {name: Model Openness Framework, version: '1.0', "
        "date: '2024-12-15'}\nrelease:\n  name: lab\n  license: {}\n  components:\n"
        "    - {name: Training code, license: 'LicenseRef-Lab-Terms, MIT'}\n",
    )
    after = extract(load(str(root))).component("training-code")
    assert (after.status, after.license, after.license_open) == (
        before.status,
        before.license,
        before.license_open,
    )
    assert after.evidence == before.evidence
    assert any(e.path == "mof.yml" for e in after.license_evidence)


def test_folder_config_named_model_yml_is_not_a_manifest(tmp_path):
    root = tmp_path / "release"
    root.mkdir()
    _write(root / "model.yml", "layers: 12\nhidden: 768\n")
    facts = extract(load(str(root)))
    assert all(c.status == "missing" for c in facts.components)
    assert not any(p.rule.startswith("manifest") for p in facts.problems)
    # ... but a file named as a manifest that fails to parse is reported.
    _write(root / "mof.yml", "layers: 12\n")
    facts = extract(load(str(root)))
    assert any(p.rule == "manifest-invalid" for p in facts.problems)


def test_unknown_component_names_are_reported_not_fatal(tmp_path):
    text = MANIFEST + "    -\n      name: 'Secret sauce'\n      license: MIT\n"
    facts = extract(ManifestSource().load(str(_write(tmp_path / "model.yml", text))))
    problem = next(p for p in facts.problems if p.rule == "manifest-unknown-component")
    assert problem.evidence[0].quote == "Secret sauce"


def test_mot_knowledge_agrees_with_the_component_catalog():
    from osaid.evidence.manifest import mot_knowledge

    catalog = {e["id"]: e for e in component_catalog()}
    mot = mot_knowledge()["components"]
    assert len(mot) == len(catalog) == 17
    for entry in mot:
        assert catalog[entry["id"]]["mof_id"] == entry["mof_id"]
        assert catalog[entry["id"]]["type"] == entry["type"]
        assert catalog[entry["id"]]["name"] == entry["name"]


# --- the Model Openness Tool corpus ---------------------------------------------------------------


def _records() -> list[Path]:
    shared(CORPUS)
    return sorted(p for p in CORPUS.glob("*.yml") if p.name != "mof.settings.yml")


def _verdicts_keeping_the_invariant(records: list[Path]) -> dict[str, int]:
    """Check each record; an open verdict has every required component present and open, and
    the components are the listed ones. Returns how many records got each verdict."""
    import yaml

    required = {e["id"] for e in component_catalog() if e["required"]}
    by_name = {e["name"].lower(): e["id"] for e in component_catalog()}
    verdicts: dict[str, int] = {}
    for path in records:
        release = ManifestSource().load(str(path))
        a = assess(extract(release))
        verdicts[a.verdict.value] = verdicts.get(a.verdict.value, 0) + 1
        comps = {c.id: c for c in a.facts.components}
        if a.verdict is Verdict.OPEN:
            for cid in required:
                assert comps[cid].status != "missing", (path.name, cid)
                assert comps[cid].license_open is True, (path.name, cid, comps[cid].license)
        # Faithful: every listed component is declared (or withheld), every unlisted one missing.
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))["release"]["components"] or []
        listed = {by_name[c["name"].lower()] for c in raw}
        for cid, c in comps.items():
            if cid in listed:
                assert c.status == "declared" or (c.status == "missing" and c.withheld), (
                    path.name,
                    cid,
                )
            else:
                assert c.status == "missing" and not c.withheld, (path.name, cid)
    return verdicts


def _license_readings(records: list[Path]) -> dict[str, str | None]:
    seen: dict[str, str | None] = {}
    for path in records:
        manifest = ManifestSource().load(str(path)).metadata["manifest"]
        for r in manifest_facts(manifest).readings:
            seen[r.raw] = " AND ".join(t for t, _ in r.terms) or None
    return seen


def test_made_up_records_keep_the_invariant_and_normalise_license_names():
    verdicts = _verdicts_keeping_the_invariant(mot_fixtures())
    assert set(verdicts) == {"open-source-ai", "not-open-source-ai", "insufficient-evidence"}
    seen = _license_readings(mot_fixtures())
    assert seen["Apache 2.0"] == "Apache-2.0"
    assert seen["BSD-3"] == "BSD-3-Clause"
    assert seen["MIT license"] == "MIT"
    assert seen["unlicensed"] is None and seen["Undisclosed"] is None


def test_whole_corpus_checks_without_crash_and_keeps_the_invariant():
    records = _records()
    assert len(records) == 273
    start = time.perf_counter()
    verdicts = _verdicts_keeping_the_invariant(records)
    elapsed = time.perf_counter() - start
    assert sum(verdicts.values()) == 273
    # Most records leave components out or unlicensed; a few claim everything open; some name
    # terms that are not open.
    assert verdicts.get("insufficient-evidence", 0) > 150
    assert 1 <= verdicts.get("open-source-ai", 0) < 30
    assert verdicts.get("not-open-source-ai", 0) >= 10
    assert elapsed < 60


def test_corpus_license_names_are_normalised():
    seen = _license_readings(_records())
    assert seen["Apache 2.0"] == "Apache-2.0"
    assert seen["BSD-3"] == "BSD-3-Clause"
    assert seen["MIT license"] == "MIT"
    assert seen["unlicensed"] is None and seen["Undisclosed"] is None
