"""Lineage: a release that names a `base_model` is bound by that base's terms, and may take over
what the relation leaves unchanged. Bases come from the fake hub on loopback or `--base` folders."""

from __future__ import annotations

import socket

import pytest
from conftest import EXAMPLES
from hubserver import default_repos, serving

from osaid.frameworks.osaid import assess
from osaid.model import BaseFact, Evidence, Finding, ItemResult, Severity
from osaid.sources import hf

NS = "osaid-examples"


@pytest.fixture
def hub(monkeypatch, tmp_path):
    with serving(monkeypatch, tmp_path, default_repos()) as h:
        yield h


@pytest.fixture
def no_hub(monkeypatch, tmp_path):
    """A hub endpoint nothing listens on: any request would fail with 'connection refused'."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("HF_TOKEN", "HF_HUB_OFFLINE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(hf, "_stored_token", lambda: None)


def check(cli, target, *extra):
    r = cli("check", target, "--format", "json", *extra)
    assert r.code in (0, 1), r.err
    return r.json


def rules(report, severity=None):
    return {
        f["rule"]: f for f in report["findings"] if severity is None or f["severity"] == severity
    }


def open_card_with(front: str) -> dict[str, str | bytes]:
    """The open example's files, with `front` added to the card's front matter."""
    files: dict[str, str | bytes] = {}
    for p in (EXAMPLES / "open-release").rglob("*"):
        if p.is_file():
            files[p.relative_to(EXAMPLES / "open-release").as_posix()] = p.read_bytes()
    card = files["README.md"].decode()
    files["README.md"] = card.replace("---\n", "---\n" + front + "\n", 1)
    return files


# --- following bases through the hub --------------------------------------------------------------


def test_a_chain_of_two_bases_is_listed_with_depths_and_an_open_chain_stays_open(hub, cli):
    r = check(cli, f"hf:{NS}/chain-top")
    lineage = r["lineage"]
    assert [(b["id"], b["depth"]) for b in lineage] == [
        (f"{NS}/chain-mid", 1),
        (f"{NS}/chain-root", 2),
    ]
    mid, root = lineage
    assert mid["relation"] == "finetune" and mid["relation_inferred"] is False  # stated in card
    assert root["via"] == f"{NS}/chain-mid" and root["relation_inferred"] is True
    assert all(b["license"] == "Apache-2.0" and b["verdict"] == "open-source-ai" for b in lineage)
    assert set(lineage[0]) >= {"id", "relation", "license", "verdict", "depth"}
    assert r["verdict"] == "open-source-ai"


def test_a_depth_bound_leaves_deeper_bases_listed_and_the_verdict_unproven(hub, cli):
    r = check(cli, f"hf:{NS}/chain-top", "--lineage-depth", "1")
    root = [b for b in r["lineage"] if b["id"] == f"{NS}/chain-root"]
    assert root and root[0]["status"] == "not-followed" and root[0]["license"] is None
    assert f"lineage-not-followed:{NS}/chain-root" in rules(r, "warning")
    assert r["verdict"] == "insufficient-evidence"
    assert not any(p.startswith(f"/api/models/{NS}/chain-root") for p in hub.paths())


def test_a_cycle_stops_with_a_finding(hub, cli):
    r = check(cli, f"hf:{NS}/loop-a")
    cycle = [b for b in r["lineage"] if b["status"] == "cycle"]
    assert [b["id"] for b in cycle] == [f"{NS}/loop-a"]
    f = rules(r, "warning")[f"lineage-cycle:{NS}/loop-a"]
    assert "loop" in f["message"] and f"{NS}/loop-b" in f["message"]
    # Each repository's metadata was asked for once: the loop was not walked round again.
    info = [p for p in hub.paths() if p.startswith("/api/models/")]
    assert len(info) == len(set(info)) == 2


def test_a_base_missing_from_the_hub_is_a_warning_and_keeps_the_verdict_from_open(hub, cli):
    r = check(cli, f"hf:{NS}/orphan-ft")
    (base,) = r["lineage"]
    assert base == {
        **base,
        "id": f"{NS}/no-such-base",
        "status": "unavailable",
        "license": None,
        "verdict": "insufficient-evidence",
        "depth": 1,
    }
    f = rules(r, "warning")[f"base-unavailable:{NS}/no-such-base"]
    assert "no such model" in f["message"]
    assert f["evidence"][0]["field"] == "base_model"
    # The same files without a base_model are open; the unknown base is what holds it back.
    assert r["verdict"] == "insufficient-evidence"
    assert "unknown" in r["freedoms"].values()


def test_an_apache_fine_tune_of_a_llama2_base_is_not_open_and_names_base_license_clause(hub, cli):
    r = check(cli, f"hf:{NS}/pebble-chat-apache")
    assert r["verdict"] == "not-open-source-ai"
    assert [lf["id"] for lf in r["licenses"]] == ["Apache-2.0"]  # its own card says apache-2.0
    f = rules(r, "blocker")[f"inherited-terms:{NS}/llama2-style-base"]
    assert f["severity"] == "blocker" and f["component"] == "model-parameters-final"
    assert f"{NS}/llama2-style-base" in f["message"]
    assert "llama-2" in f["message"].lower() and "Llama 2 Community License" in f["message"]
    assert "user" in f["message"]  # the clause: the monthly-active-user cap
    assert f["osd"], "the clause's OSD criteria are cited"
    base_ev = [e for e in f["evidence"] if e["url"] and f"/{NS}/llama2-style-base" in e["url"]]
    assert base_ev and all(e["path"] is None for e in base_ev), "evidence points into the base"
    assert any(e["field"] == "base_model" for e in f["evidence"])
    assert r["freedoms"]["use"] == "withheld"
    (base,) = r["lineage"]
    assert base["license"] == "LicenseRef-osaid-llama-2" and base["verdict"] == "not-open-source-ai"


def test_a_quantization_takes_data_information_and_training_code_from_its_base(hub, cli):
    r = check(cli, f"hf:{NS}/pebble-lm-tiny-gguf")
    (base,) = r["lineage"]
    assert base["relation"] == "quantized" and base["relation_inferred"] is True
    infos = rules(r, "info")
    for item in ("description", "public-data-listing", "training-code"):
        f = infos[f"inherited-element:{item}"]
        assert f"{NS}/pebble-lm-tiny" in f["message"] and f["evidence"]
        assert all(e["url"] and e["path"] is None for e in f["evidence"])
        where = f"/datasets/{NS}/" if item == "public-data-listing" else f"/{NS}/pebble-lm-tiny/"
        assert any(where in e["url"] for e in f["evidence"]), f["evidence"]
    assert r["elements"]["data-information"]["status"] == "met"
    assert r["verdict"] == "open-source-ai"


def test_an_adapter_must_document_its_own_training_data(hub, cli):
    r = check(cli, f"hf:{NS}/pebble-lm-tiny-lora")
    (base,) = r["lineage"]
    assert base["relation"] == "adapter"
    assert "inherited-element:description" not in rules(r)
    assert "data-information-missing:description" in rules(r)
    assert "inherited-element:model-architecture" in rules(r)
    assert r["verdict"] != "open-source-ai"


def test_a_warm_check_of_a_model_with_a_base_asks_the_hub_nothing(hub, cli):
    first = check(cli, f"hf:{NS}/pebble-chat-apache")
    hub.reset()
    again = check(cli, f"hf:{NS}/pebble-chat-apache")
    assert hub.requests == []
    assert again["lineage"] == first["lineage"] and again["verdict"] == first["verdict"]


def test_text_and_markdown_reports_have_a_lineage_section(hub, cli):
    text = cli("check", f"hf:{NS}/pebble-chat-apache").out
    assert "Lineage" in text and f"{NS}/llama2-style-base" in text and "finetune" in text
    md = cli("check", f"hf:{NS}/chain-top", "--format", "markdown").out
    assert "## Lineage" in md and f"| 2 | `{NS}/chain-root` |" in md


# --- local releases, --base mappings, no hub --------------------------------------------------


def test_base_mapping_to_a_local_folder_works_offline(no_hub, tree, cli):
    root = tree(open_card_with("base_model: acme/quarry-7b"))
    mapped = f"acme/quarry-7b={EXAMPLES / 'restricted-weights'}"
    r = check(cli, str(root), "--offline", "--base", mapped)
    assert r["verdict"] == "not-open-source-ai"
    (base,) = r["lineage"]
    assert base["location"] == str(EXAMPLES / "restricted-weights")
    f = rules(r, "blocker")["inherited-terms:acme/quarry-7b"]
    assert "acme/quarry-7b" in f["message"] and "quarry" in f["message"].lower()
    assert any(
        e["url"] and e["url"].startswith("file://") and "restricted-weights/LICENSE" in e["url"]
        for e in f["evidence"]
    )
    # Mapped to an open base instead, the same release is open (and no hub was needed).
    ok = check(cli, str(root), "--base", f"acme/quarry-7b={EXAMPLES / 'open-release'}")
    assert ok["verdict"] == "open-source-ai" and ok["lineage"][0]["verdict"] == "open-source-ai"


@pytest.mark.parametrize("offline", [True, False])
def test_an_unmapped_base_that_cannot_be_fetched_is_insufficient_evidence(
    no_hub, tree, cli, offline
):
    root = tree(open_card_with("base_model: acme/quarry-7b"))
    r = check(cli, str(root), *(["--offline"] if offline else []))
    assert r["verdict"] == "insufficient-evidence"
    f = rules(r, "warning")["base-unavailable:acme/quarry-7b"]
    assert ("offline" if offline else "cannot reach the hub") in f["message"]
    assert r["lineage"][0]["status"] == "unavailable"


def test_a_base_named_as_a_path_is_never_opened(no_hub, tree, cli, tmp_path):
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "README.md").write_text("---\nlicense: mit\n---\n# not part of the release\n")
    root = tree(open_card_with(f"base_model: {secret}"))
    r = check(cli, str(root), "--offline")
    (base,) = r["lineage"]
    assert base["status"] == "unavailable" and base["location"] is None
    assert "not a hub model id" in base["reason"]


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--base", "acme/x"], "expected ID=PATH"),
        (["--base", "acme/x=/no/such/folder"], "no such file or folder"),
        (["--lineage-depth", "-1"], "expected 0 to"),
        (["--lineage-depth", "deep"], "whole number"),
    ],
)
def test_bad_lineage_options_are_one_line_errors(cli, argv, says):
    r = cli("check", str(EXAMPLES / "open-release"), *argv)
    assert r.code == 2 and r.out == "" and says in r.err and r.err.count("\n") == 1


def test_a_release_without_base_model_has_an_empty_lineage(cli):
    r = check(cli, str(EXAMPLES / "open-release"))
    assert r["lineage"] == [] and r["verdict"] == "open-source-ai"


# --- the framework alone, on hand-built facts ---------------------------------------------------


def _facts_with(bases):
    import dataclasses

    from osaid.evidence.extract import extract
    from osaid.sources import load

    facts = extract(load(str(EXAMPLES / "open-release")))
    return dataclasses.replace(facts, bases=tuple(bases))


def test_framework_blocks_on_a_base_whose_terms_are_not_open():
    clause = Finding(
        "restriction:field-of-use",
        Severity.BLOCKER,
        "Some License: field of use",
        (Evidence(url="https://example.org/base/LICENSE#L7", quote="no military"),),
        osd=(6,),
    )
    base = BaseFact(
        id="org/base",
        relation="finetune",
        depth=1,
        status="assessed",
        verdict="not-open-source-ai",
        own_verdict="not-open-source-ai",
        license="LicenseRef-some",
        license_open=False,
        terms=(clause,),
        withholds=("use",),
    )
    a = assess(_facts_with([base]))
    f = next(f for f in a.findings if f.rule == "inherited-terms:org/base")
    assert f.severity is Severity.BLOCKER and "LicenseRef-some" in f.message
    assert f.evidence[0].url.endswith("#L7") and f.osd == (6,)
    assert a.verdict.value == "not-open-source-ai" and a.freedoms["use"] == "withheld"
    # Without the base, the same facts are open.
    assert assess(_facts_with([])).verdict.value == "open-source-ai"


def test_framework_takes_an_item_only_when_the_relation_leaves_it_unchanged():
    import dataclasses

    facts = _facts_with([])
    items = tuple(i for i in facts.data_information if i.id != "description")
    facts = dataclasses.replace(
        facts,
        data_information=items
        + (
            dataclasses.replace(
                next(i for i in facts.data_information if i.id == "description"),
                found=False,
                evidence=(),
                missing=("provenance",),
            ),
        ),
    )
    base_item = ItemResult(
        "description",
        "description",
        "found",
        (Evidence(url="https://example.org/base/README.md#L20"),),
    )
    common = dict(
        id="org/base",
        depth=1,
        status="assessed",
        verdict="open-source-ai",
        own_verdict="open-source-ai",
        license="MIT",
        license_open=True,
        items=(base_item,),
    )
    quant = BaseFact(relation="quantized", takes=("description",), **common)
    fine = BaseFact(relation="finetune", takes=("model-architecture",), **common)
    a = assess(dataclasses.replace(facts, bases=(quant,)))
    assert any(f.rule == "inherited-element:description" for f in a.findings)
    assert a.elements["data-information"].status == "met"
    b = assess(dataclasses.replace(facts, bases=(fine,)))
    assert not any(f.rule.startswith("inherited-element") for f in b.findings)
    assert b.elements["data-information"].status != "met"
