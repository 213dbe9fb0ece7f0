"""European Open Source AI Index style grading, from Facts alone (and through `osaid check`)."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import SHARED

from osaid.frameworks import osai_index
from osaid.knowledge import components as catalog
from osaid.knowledge import load_yaml
from osaid.model import (
    BaseFact,
    CardFacts,
    ComponentFact,
    DataInfoItem,
    Evidence,
    Facts,
    ItemResult,
    LicenseFact,
    Release,
    Restriction,
)

RELEASE = Release(name="t", source="local", location="/t", revision=None, files=(), documents={})
EV = Evidence(path="x", line=1, quote="x")
DIMENSIONS = {
    "base-model-data",
    "end-model-data",
    "base-model-weights",
    "end-model-weights",
    "training-code",
    "code-documentation",
    "hardware-architecture",
    "preprint",
    "peer-reviewed-paper",
    "model-card",
    "datasheet",
    "licenses",
}
FULL_CARD = CardFacts(
    path="README.md",
    fields={"license": "apache-2.0"},
    field_lines={"license": 2},
    sections=(
        ("Intended uses", 10, "For research and products."),
        ("Limitations and bias", 14, "It makes mistakes."),
        ("Training procedure", 20, "Trained from scratch for 3 epochs with AdamW."),
        ("Evaluation", 26, "| task | score |"),
        ("Usage", 30, "python generate.py"),
        ("Hardware", 34, "8 H100 GPUs for 40 hours."),
    ),
)
PAPER = Evidence(
    path="README.md", line=5, url="https://aclanthology.org/2024.acl-long.1/", quote="paper"
)
NO_CODE = {
    c: ("missing", None, None)
    for c in (
        "training-code",
        "data-preprocessing-code",
        "inference-code",
        "evaluation-code",
        "model-architecture",
        "supporting-libraries-and-tools",
    )
}


def facts(
    status="present",
    lic="Apache-2.0",
    lic_open=True,
    card=FULL_CARD,
    data=True,
    overrides=None,
    gated=None,
    withheld=None,
    evidence=None,
    subject=RELEASE,
    licenses=(),
    bases=(),
    data_evidence=(EV,),
) -> Facts:
    comps = []
    for e in catalog():
        s, li, lo = status, lic, lic_open
        if overrides and e["id"] in overrides:
            s, li, lo = overrides[e["id"]]
        ev = (evidence or {}).get(e["id"]) or ((PAPER,) if e["id"] == "research-paper" else (EV,))
        comps.append(
            ComponentFact(
                id=e["id"],
                mof_id=e["mof_id"],
                name=e["name"],
                content_type=e["type"],
                status=s,
                evidence=ev if s != "missing" else (),
                license=li if s != "missing" else None,
                license_open=lo if s != "missing" else None,
                withheld=(withheld or {}).get(e["id"], ()),
            )
        )
    items = tuple(
        DataInfoItem(i, found=data, evidence=data_evidence if data else ())
        for i in ("description", "public-data-listing", "third-party-data-listing")
    )
    return Facts(
        subject=subject,
        card=card,
        components=tuple(comps),
        licenses=tuple(licenses),
        data_information=items,
        gated=gated,
        bases=tuple(bases),
    )


def block(f: Facts) -> dict:
    return osai_index.assess(f)["block"]


def grades(f: Facts) -> dict[str, str]:
    return {k: v["grade"] for k, v in block(f)["dimensions"].items()}


def dim(f: Facts, name: str) -> dict:
    return block(f)["dimensions"][name]


def card_with(*sections, fields=None, links=()) -> CardFacts:
    return CardFacts(
        path="README.md",
        fields=fields or {},
        field_lines={k: 2 for k in fields or {}},
        sections=tuple(sections),
        links=tuple(links),
    )


def with_evidence(cid: str, *ev: Evidence, status="present", f: Facts | None = None) -> Facts:
    base = f or facts()
    comps = tuple(
        dataclasses.replace(c, evidence=ev, status=status) if c.id == cid else c
        for c in base.components
    )
    return dataclasses.replace(base, components=comps)


# --- the grades and the score ---------------------------------------------------------------------


def test_a_fully_documented_open_release_is_open_everywhere():
    result = osai_index.assess(facts())
    b = result["block"]
    assert set(b["dimensions"]) == DIMENSIONS
    assert set(grades(facts()).values()) == {"open"}
    assert b["score"] == 1.0 and b["graded"] == 12 and b["not_assessed"] == []
    assert "12 open" in result["summary"]
    # every open grade is backed by evidence
    assert all(d["evidence"] for d in b["dimensions"].values())
    # a release trained from scratch is its own base: the card's sentence is the evidence
    base = b["dimensions"]["base-model-weights"]
    assert base["rule"] == "own-base" and base["evidence"][0]["line"] == 21


def test_nothing_known_is_closed_and_what_cannot_be_shown_is_not_assessed():
    f = facts(status="missing", card=None, data=False)
    b = block(f)
    g = grades(f)
    assert {g["base-model-data"], g["base-model-weights"]} == {"not-assessed"}
    assert {v for k, v in g.items() if not k.startswith("base-")} == {"closed"}
    assert b["score"] == 0.0 and b["graded"] == 10
    # closed dimensions say what would open them; not-assessed ones are not told to "fix" anything
    for d in b["dimensions"].values():
        assert bool(d.get("fix")) == (d["grade"] == "closed")


def test_score_is_the_mean_of_the_graded_dimensions_only():
    gate = Evidence(path="README.md", line=3, field="extra_gated_prompt")
    card = dataclasses.replace(FULL_CARD, sections=FULL_CARD.sections[:2])
    f = facts(gated=gate, card=card, overrides=NO_CODE)
    b = block(f)
    values = {"open": 1.0, "partial": 0.5, "closed": 0.0}
    graded = [d for d in b["dimensions"].values() if d["grade"] != "not-assessed"]
    assert len(graded) == 10
    assert b["score"] == round(sum(values[d["grade"]] for d in graded) / 10, 3)
    assert b["dimensions"]["training-code"]["grade"] == "closed"
    assert 0 < b["score"] < 1.0


def test_every_reported_rule_is_documented_with_the_index_definition():
    data = load_yaml("osai_index.yaml")
    # every kind of input a source produces says what it holds, and every need is a known kind
    assert set(data["inputs"]) == {"local", "hf", "git", "manifest"}
    kinds = {k for i in data["inputs"].values() for k in i["holds"]}
    for entry in data["dimensions"]:
        assert set(entry["needs"]) <= kinds, entry["id"]
        assert entry["index_key"] and entry["definition"]["url"].startswith("https://")
        assert entry["definition"]["section"]
        for rid, rule in entry["rules"].items():
            assert rule["when"] and rule["why"], rid
    cases = [
        facts(),
        facts(status="missing", card=None, data=False),
        facts(status="declared", card=None, subject=MANIFEST_RELEASE),
        facts(overrides=NO_CODE),
        facts(lic="LicenseRef-x", lic_open=False),
    ]
    for f in cases:
        for name, d in block(f)["dimensions"].items():
            assert d["rule"] in osai_index.rule_ids(name), (name, d["rule"])


# --- not assessed: evidence the input cannot hold -------------------------------------------------

MANIFEST = {
    "path": "pebble.yml",
    "data": {"release": {"name": "pebble", "origin": "Apache-2.0"}},
    "lines": {"release.origin": 7},
}
MANIFEST_RELEASE = Release(
    name="pebble",
    source="manifest",
    location="pebble.yml",
    revision=None,
    files=(),
    documents={},
    metadata={"manifest": MANIFEST},
)
LISTED = Evidence(path="pebble.yml", line=12, field="release.components[0].name", quote="x")


def test_a_manifest_cannot_show_hardware_so_it_is_not_assessed_and_kept_out_of_the_score():
    f = facts(status="declared", card=None, subject=MANIFEST_RELEASE, evidence={})
    result = osai_index.assess(f)
    d = result["block"]["dimensions"]["hardware-architecture"]
    assert d["grade"] == "not-assessed" and "no model-card text" in d["note"]
    assert "hardware-architecture" in result["block"]["not_assessed"]
    assert "not assessed: " in result["summary"] and "hardware-architecture" in result["summary"]
    # a folder with no card is a different matter: the card could have been there
    assert grades(facts(card=None))["hardware-architecture"] == "closed"


def test_the_manifest_origin_is_not_read_as_a_base_model_and_nothing_is_copied():
    f = facts(subject=MANIFEST_RELEASE, card=None)
    assert grades(f)["end-model-weights"] == "open"
    d = dim(f, "base-model-weights")
    assert d["grade"] == "not-assessed" and d["rule"] == "no-lineage"
    assert d["evidence"][0]["field"] == "release.origin" and d["evidence"][0]["line"] == 7
    assert "not read as a base-model id" in d["note"]


def test_without_lineage_base_dimensions_are_not_copied_from_the_end_model():
    card = dataclasses.replace(FULL_CARD, sections=FULL_CARD.sections[:2])
    g = grades(facts(card=card))
    assert g["end-model-data"] == "open" and g["end-model-weights"] == "open"
    assert g["base-model-data"] == g["base-model-weights"] == "not-assessed"


@pytest.mark.parametrize(
    "sentence",
    ["Pre-trained from scratch on 2T tokens.", "We trained it from random initialization."],
)
def test_a_card_that_says_trained_from_scratch_makes_the_model_its_own_base(sentence):
    card = card_with(("Training", 8, f"Some words first.\n{sentence}"))
    d = dim(facts(card=card), "base-model-data")
    assert d["grade"] == "open" and d["rule"] == "own-base"
    assert d["evidence"][0]["line"] == 10 and d["evidence"][0]["quote"] == sentence


def test_a_named_base_that_was_not_read_is_not_assessed_and_named():
    card = dataclasses.replace(
        FULL_CARD,
        fields={**FULL_CARD.fields, "base_model": "org/base-7b"},
        field_lines={"license": 2, "base_model": 4},
    )
    b = block(facts(card=card))
    for name in ("base-model-data", "base-model-weights"):
        d = b["dimensions"][name]
        assert d["grade"] == "not-assessed" and d["rule"] == "base-not-read"
        assert "org/base-7b" in d["note"]
        assert d["evidence"][0]["field"] == "base_model"
    assert b["dimensions"]["end-model-weights"]["grade"] == "open"


def test_a_base_read_through_lineage_is_graded_from_its_own_facts():
    named = Evidence(path="README.md", line=4, field="base_model", quote="org/base-7b")
    listing = Evidence(path="README.md", line=30, quote="Trained on the tiny stories set.")
    base = BaseFact(
        id="org/base-7b",
        relation="finetune",
        depth=1,
        status="assessed",
        license="LicenseRef-osaid-llama-2",
        license_open=False,
        named_at=(named,),
        items=(
            ItemResult("description", "description", "found", (listing,)),
            ItemResult("public-data-listing", "public", "not-found"),
            ItemResult("third-party-data-listing", "third party", "not-found"),
        ),
    )
    g = grades(facts(bases=[base]))
    assert g["base-model-weights"] == "partial"  # shared under terms that are not open
    assert g["base-model-data"] == "partial"  # documents some of its data
    unread = dataclasses.replace(base, status="unavailable", reason="offline")
    d = dim(facts(bases=[unread]), "base-model-data")
    assert d["grade"] == "not-assessed" and "offline" in d["note"]


# --- model card -----------------------------------------------------------------------------------


def test_a_declared_model_card_is_partial_and_a_read_card_is_graded_on_its_content():
    linked = Evidence(
        path="pebble.yml", line=20, quote="Model card", url="https://example.org/pebble/card"
    )
    f = with_evidence(
        "model-card",
        linked,
        status="declared",
        f=facts(card=None, subject=MANIFEST_RELEASE),
    )
    d = dim(f, "model-card")
    assert d["grade"] == "partial" and d["rule"] == "card-declared"
    assert d["evidence"][0]["url"] == "https://example.org/pebble/card"
    thin = card_with(("About", 3, "A small model."))
    assert dim(facts(card=thin), "model-card")["grade"] == "partial"
    assert dim(facts(card=FULL_CARD), "model-card")["grade"] == "open"
    assert grades(facts(card=None, status="missing"))["model-card"] == "closed"


# --- training code and its documentation ----------------------------------------------------------


def test_inference_or_evaluation_code_alone_is_not_training_code():
    only = {k: v for k, v in NO_CODE.items() if k not in ("inference-code", "evaluation-code")}
    d = dim(facts(overrides=only), "training-code")
    assert d["grade"] == "closed" and d["rule"] == "minimal-code"
    assert "inference code" in d["note"]
    prep = {k: v for k, v in NO_CODE.items() if k != "data-preprocessing-code"}
    assert dim(facts(overrides=prep), "training-code")["grade"] == "partial"


def test_withheld_training_code_is_closed_with_the_quote():
    said = Evidence(path="README.md", line=18, quote="The training code will not be released.")
    f = facts(
        overrides={"training-code": ("missing", None, None)}, withheld={"training-code": (said,)}
    )
    d = dim(f, "training-code")
    assert d["grade"] == "closed" and d["evidence"][0]["quote"] == said.quote


def test_code_documentation_needs_training_code_to_document():
    only_inference = {k: v for k, v in NO_CODE.items() if k != "inference-code"}
    d = dim(facts(overrides=only_inference), "code-documentation")
    # the card has a usage section and inference code exists: still nothing of training to document
    assert d["grade"] == "closed" and d["rule"] == "no-training-code"
    assert "inference code" in d["note"]
    assert grades(facts())["code-documentation"] == "open"
    usage_only = card_with(("Usage", 3, "python generate.py"))
    assert grades(facts(card=usage_only))["code-documentation"] == "partial"


def test_declared_training_code_in_a_manifest_has_documentation_not_assessed():
    f = facts(status="declared", card=None, subject=MANIFEST_RELEASE, evidence={})
    d = dim(f, "code-documentation")
    assert d["grade"] == "not-assessed" and d["rule"] == "documentation-not-in-input"


# --- weights --------------------------------------------------------------------------------------


def test_gated_weights_count_as_partial():
    gate = Evidence(path="README.md", line=3, field="extra_gated_prompt", quote="agree first")
    d = dim(facts(gated=gate), "end-model-weights")
    assert d["grade"] == "partial" and d["evidence"][-1]["field"] == "extra_gated_prompt"


def test_weights_under_terms_that_are_not_open_are_partial():
    w = {"model-parameters-final": ("present", "LicenseRef-pebble-community", False)}
    d = dim(facts(overrides=w), "end-model-weights")
    assert d["grade"] == "partial" and d["rule"] == "weights-restricted"
    assert "LicenseRef-pebble-community" in d["note"]


def test_weights_whose_license_binds_a_use_policy_are_partial_even_when_openness_is_unknown():
    clause = Restriction(
        kind="acceptable-use-policy",
        osd=(6,),
        quote="You must follow the pebble use policy.",
        path="LICENSE",
        line=9,
    )
    lf = LicenseFact(
        id="LicenseRef-pebble",
        name="pebble terms",
        osi_approved=None,
        open=None,
        evidence=(EV,),
        restrictions=(clause,),
    )
    w = {"model-parameters-final": ("present", "LicenseRef-pebble", None)}
    d = dim(facts(overrides=w, licenses=[lf]), "end-model-weights")
    assert d["grade"] == "partial"
    assert d["evidence"][-1]["path"] == "LICENSE" and d["evidence"][-1]["line"] == 9


# --- papers ---------------------------------------------------------------------------------------

ARXIV = Evidence(path="README.md", line=5, url="https://arxiv.org/abs/2401.00001", quote="report")


def test_an_arxiv_technical_report_is_a_preprint_and_not_peer_reviewed():
    f = with_evidence("technical-report", ARXIV)
    f = with_evidence("research-paper", status="missing", f=f)
    f = dataclasses.replace(
        f,
        components=tuple(
            dataclasses.replace(c, status="missing") if c.id == "research-paper" else c
            for c in f.components
        ),
    )
    d = dim(f, "preprint")
    assert d["grade"] == "open" and d["rule"] == "preprint-archived"
    p = dim(f, "peer-reviewed-paper")
    assert p["grade"] == "closed" and "peer review cannot be shown" in p["note"]


def test_a_report_that_is_not_archived_is_a_partial_preprint():
    blog = Evidence(path="README.md", line=5, url="https://example.org/blog/pebble", quote="blog")
    f = with_evidence("technical-report", blog)
    f = dataclasses.replace(
        f,
        components=tuple(
            dataclasses.replace(c, status="missing", evidence=()) if c.id == "research-paper" else c
            for c in f.components
        ),
    )
    assert dim(f, "preprint")["rule"] == "technical-report-only"
    assert grades(f)["preprint"] == "partial"


@pytest.mark.parametrize(
    ("url", "peer_reviewed"),
    [
        ("https://www.nature.com/articles/s41586-000-0000-0", True),
        ("https://doi.org/10.1145/3630106.3659005", True),
        ("https://proceedings.mlr.press/v202/pebble23a.html", True),
        ("https://doi.org/10.48550/arXiv.2401.00001", False),
        ("https://arxiv.org/abs/2401.00001", False),
        ("https://example.org/pebble.pdf", False),
    ],
)
def test_peer_reviewed_venues_are_recognised_beyond_dois(url, peer_reviewed):
    f = with_evidence("research-paper", Evidence(path="README.md", line=5, url=url))
    assert (grades(f)["peer-reviewed-paper"] == "open") is peer_reviewed


def test_a_card_citation_in_proceedings_shows_peer_review_and_an_arxiv_journal_does_not():
    f = with_evidence("research-paper", ARXIV)
    cited = card_with(
        (
            "Citation",
            40,
            "@inproceedings{pebble2024,\n  title={Pebble},\n  booktitle={Proc. of X}\n}",
        )
    )
    d = dim(dataclasses.replace(f, card=cited), "peer-reviewed-paper")
    assert d["grade"] == "open" and d["rule"] == "venue-citation"
    assert d["evidence"][0]["line"] == 41
    preprint = card_with(
        (
            "Citation",
            40,
            "@article{pebble2024,\n  title={Pebble},\n  journal={arXiv preprint arXiv:2401.00001}\n}",
        )
    )
    assert grades(dataclasses.replace(f, card=preprint))["peer-reviewed-paper"] == "closed"


def test_a_card_link_to_a_venue_counts_for_peer_review():
    link = ("https://aclanthology.org/2024.pebble-1.1/", 44, "our paper")
    f = with_evidence("research-paper", ARXIV)
    f = dataclasses.replace(f, card=dataclasses.replace(FULL_CARD, links=(link,)))
    d = dim(f, "peer-reviewed-paper")
    assert d["grade"] == "open" and d["evidence"][0]["line"] == 44


def test_venue_links_about_other_works_and_later_citations_do_not_count():
    f = with_evidence("research-paper", ARXIV)
    dataset_link = ("https://aclanthology.org/2021.gravel-1.2/", 30, "the gravel corpus")
    card = card_with(
        ("Training data", 28, "We used the gravel corpus."),
        (
            "Citation",
            40,
            "@article{pebble2024,\n  journal={arXiv preprint arXiv:2401.00001}\n}\n"
            "@inproceedings{gravel2021,\n  booktitle={Proc. of Y}\n}",
        ),
        links=(dataset_link,),
    )
    d = dim(dataclasses.replace(f, card=card), "peer-reviewed-paper")
    assert d["grade"] == "closed" and d["rule"] == "preprint-only"


# --- licenses -------------------------------------------------------------------------------------


def test_open_weights_with_closed_code_and_data_are_partial_licenses():
    f = facts(
        overrides={
            "training-code": ("present", "LicenseRef-x", False),
            "datasets": ("missing", None, None),
        }
    )
    d = dim(f, "licenses")
    assert d["grade"] == "partial" and d["rule"] == "weights-or-two-open"
    assert "Datasets: not found" in d["note"]


def test_licenses_two_of_three_open_is_partial_and_closed_weights_with_one_more_is_closed():
    f = facts(overrides={"model-parameters-final": ("present", "LicenseRef-x", False)})
    assert grades(f)["licenses"] == "partial"  # code and data open
    f = facts(
        overrides={
            "model-parameters-final": ("present", "LicenseRef-x", False),
            "datasets": ("missing", None, None),
        }
    )
    assert grades(f)["licenses"] == "closed"
    assert grades(facts())["licenses"] == "open"


# --- declared-only evidence -----------------------------------------------------------------------


def test_declared_only_evidence_caps_the_grade_at_partial_with_a_note():
    declared = facts(status="declared", data_evidence=(LISTED,), subject=MANIFEST_RELEASE)
    g = grades(declared)
    for name in ("training-code", "end-model-data", "datasheet"):
        assert g[name] == "partial", name
        d = dim(declared, name)
        assert d["rule"] == "declared-only" and "declared, not read" in d["note"]
    # the same facts read from files are open
    assert {grades(facts())[n] for n in ("training-code", "end-model-data", "datasheet")} == {
        "open"
    }


def test_the_basis_of_a_component_decides_over_its_status():
    f = facts()
    f = dataclasses.replace(
        f,
        components=tuple(
            dataclasses.replace(c, basis="declared") if c.id == "training-code" else c
            for c in f.components
        ),
    )
    assert grades(f)["training-code"] == "partial"
    f = facts(overrides={"training-code": ("declared", "Apache-2.0", True)})
    f = dataclasses.replace(
        f,
        components=tuple(
            dataclasses.replace(c, basis="content") if c.id == "training-code" else c
            for c in f.components
        ),
    )
    assert grades(f)["training-code"] == "open"


# --- through `osaid check` ------------------------------------------------------------------------

PEBBLE_MANIFEST = """\
framework:
  name: 'Model Openness Framework'
  version: '1.0'
release:
  name: pebble-lm
  origin: pebble
  license:
    distribution:
      name: Apache-2.0
  components:
    - name: 'Model parameters (Final)'
    - name: 'Training code'
    - name: 'Inference code'
    - name: 'Model card'
      component_path: 'https://example.org/pebble-lm/card'
"""


def test_not_assessed_is_shown_in_json_text_and_markdown(cli, tmp_path):
    path = tmp_path / "pebble.yml"
    path.write_text(PEBBLE_MANIFEST, encoding="utf-8")
    report = cli("check", str(path), "-f", "json", "--framework", "osai-index").json
    block = report["osai_index"]
    hw = block["dimensions"]["hardware-architecture"]
    assert hw["grade"] == "not-assessed" and hw["rule"] == "not-in-input"
    assert "hardware-architecture" in block["not_assessed"]
    assert block["dimensions"]["model-card"]["grade"] == "partial"
    assert block["dimensions"]["training-code"]["grade"] == "partial"
    for fmt in ("text", "markdown"):
        out = cli("check", str(path), "-f", fmt, "--framework", "osai-index").out
        assert "not assessed" in out and "hardware-architecture" in out, fmt


@pytest.mark.skipif(
    not (SHARED / "corpus" / "mot-models").is_dir(), reason="../shared/corpus/mot-models absent"
)
def test_no_mot_record_is_graded_open_on_declarations_or_closed_for_what_it_cannot_hold():
    from osaid.pipeline import Settings, assess_target

    records = sorted((SHARED / "corpus" / "mot-models").glob("*.yml"))
    records = [p for p in records if p.name != "mof.settings.yml"]
    assert len(records) > 200
    for path in records:
        a = assess_target(str(path), Settings(frameworks=("osai-index",), lineage_depth=0))
        dims = a.extra["osai_index"]["dimensions"]
        assert dims["hardware-architecture"]["grade"] == "not-assessed", path.name
        assert dims["base-model-weights"]["grade"] == "not-assessed", path.name
        for name in ("end-model-data", "training-code", "datasheet"):
            assert dims[name]["grade"] != "open", (path.name, name)


def test_base_dimensions_come_from_lineage_through_check(cli, tmp_path):
    from conftest import EXAMPLES

    (tmp_path / "README.md").write_text(
        "---\nlicense: apache-2.0\nbase_model: osaid-examples/open-release\n---\n# ft\n\nTuned.\n",
        encoding="utf-8",
    )
    args = ("check", str(tmp_path), "-f", "json", "--framework", "osai-index", "--offline")
    followed = cli(*args, "--base", f"osaid-examples/open-release={EXAMPLES / 'open-release'}")
    dims = followed.json["osai_index"]["dimensions"]
    assert dims["base-model-data"]["grade"] == "open"
    assert dims["base-model-data"]["rule"] == "base-assessed"
    assert dims["base-model-data"]["evidence"][0]["field"] == "base_model"
    # the fine-tune itself lists no data: its own grade is not copied onto its base, nor back
    assert dims["end-model-data"]["grade"] == "closed"
    unread = cli(*args).json["osai_index"]["dimensions"]["base-model-weights"]
    assert unread["grade"] == "not-assessed" and unread["rule"] == "base-not-read"
