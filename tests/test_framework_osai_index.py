"""European Open Source AI Index style grading, from Facts alone."""

from __future__ import annotations

from osaid.frameworks import osai_index
from osaid.knowledge import components as catalog
from osaid.model import CardFacts, ComponentFact, DataInfoItem, Evidence, Facts, Release

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
        ("Training procedure", 20, "Trained for 3 epochs with AdamW."),
        ("Evaluation", 26, "| task | score |"),
        ("Usage", 30, "python generate.py"),
        ("Hardware", 34, "8 H100 GPUs for 40 hours."),
    ),
)
PAPER = Evidence(
    path="README.md", line=5, url="https://aclanthology.org/2024.acl-long.1/", quote="paper"
)


def facts(
    status="present",
    lic="Apache-2.0",
    lic_open=True,
    card=FULL_CARD,
    data=True,
    overrides=None,
    gated=None,
    withheld=None,
) -> Facts:
    comps = []
    for e in catalog():
        s, li, lo = status, lic, lic_open
        if overrides and e["id"] in overrides:
            s, li, lo = overrides[e["id"]]
        ev = (PAPER,) if e["id"] == "research-paper" else (EV,)
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
        DataInfoItem(i, found=data, evidence=(EV,) if data else ())
        for i in ("description", "public-data-listing", "third-party-data-listing")
    )
    return Facts(
        subject=RELEASE,
        card=card,
        components=tuple(comps),
        licenses=(),
        data_information=items,
        gated=gated,
    )


def grades(f: Facts) -> dict[str, str]:
    return {k: v["grade"] for k, v in osai_index.assess(f)["block"]["dimensions"].items()}


def test_a_fully_documented_open_release_is_open_everywhere():
    result = osai_index.assess(facts())
    block = result["block"]
    assert set(block["dimensions"]) == DIMENSIONS
    assert set(grades(facts()).values()) == {"open"}
    assert block["score"] == 1.0
    assert "12 open" in result["summary"]
    # every open grade is backed by evidence
    assert all(d["evidence"] for d in block["dimensions"].values())


def test_nothing_known_is_closed_everywhere_and_scores_zero():
    f = facts(status="missing", card=None, data=False)
    block = osai_index.assess(f)["block"]
    assert set(grades(f).values()) == {"closed"}
    assert block["score"] == 0.0
    # closed dimensions say what would open them
    assert all(d.get("fix") for d in block["dimensions"].values())


def test_gated_weights_count_as_partial():
    gate = Evidence(path="README.md", line=3, field="extra_gated_prompt", quote="agree first")
    f = facts(gated=gate)
    g = grades(f)
    assert g["end-model-weights"] == "partial"
    dim = osai_index.assess(f)["block"]["dimensions"]["end-model-weights"]
    assert dim["evidence"][-1]["field"] == "extra_gated_prompt"


def test_score_is_the_unweighted_mean():
    gate = Evidence(path="README.md", line=3, field="extra_gated_prompt")
    f = facts(
        gated=gate,
        overrides={
            "training-code": ("missing", None, None),
            "data-preprocessing-code": ("missing", None, None),
            "inference-code": ("missing", None, None),
            "evaluation-code": ("missing", None, None),
        },
    )
    block = osai_index.assess(f)["block"]
    values = {"open": 1.0, "partial": 0.5, "closed": 0.0}
    expected = sum(values[d["grade"]] for d in block["dimensions"].values()) / 12
    assert block["score"] == round(expected, 3)
    assert block["dimensions"]["training-code"]["grade"] == "closed"
    assert block["score"] < 1.0


def test_a_declared_base_model_cannot_be_shown_and_says_why():
    card = CardFacts(
        path="README.md",
        fields={**FULL_CARD.fields, "base_model": "org/base-7b"},
        field_lines={"license": 2, "base_model": 4},
        sections=FULL_CARD.sections,
    )
    block = osai_index.assess(facts(card=card))["block"]
    for dim in ("base-model-data", "base-model-weights"):
        d = block["dimensions"][dim]
        assert d["grade"] == "closed"
        assert "org/base-7b" in d["note"] and "lineage" in d["note"]
        assert d["evidence"][0]["field"] == "base_model"
    # the end model itself is still open
    assert block["dimensions"]["end-model-weights"]["grade"] == "open"


def test_licenses_partial_when_two_of_weights_code_data_are_open():
    f = facts(overrides={"datasets": ("declared", None, None)})
    d = osai_index.assess(f)["block"]["dimensions"]["licenses"]
    assert d["grade"] == "partial"
    assert "Datasets" in d["note"]
    f = facts(
        overrides={
            "datasets": ("declared", None, None),
            "training-code": ("present", "LicenseRef-x", False),
        }
    )
    assert grades(f)["licenses"] == "closed"


def test_withheld_training_code_is_closed_with_the_quote():
    said = Evidence(path="README.md", line=18, quote="The training code will not be released.")
    f = facts(
        overrides={"training-code": ("missing", None, None)}, withheld={"training-code": (said,)}
    )
    d = osai_index.assess(f)["block"]["dimensions"]["training-code"]
    assert d["grade"] == "closed"
    assert d["evidence"][0]["quote"] == said.quote


def test_only_other_code_is_partial_training_code():
    f = facts(overrides={"training-code": ("missing", None, None)})
    d = osai_index.assess(f)["block"]["dimensions"]["training-code"]
    assert d["grade"] == "partial" and "no training code" in d["note"]


def test_preprint_only_is_not_peer_reviewed():
    arxiv = Evidence(path="README.md", line=5, url="https://arxiv.org/abs/2401.00001")
    comps = []
    for c in facts().components:
        if c.id == "research-paper":
            c = ComponentFact(**{**c.__dict__, "evidence": (arxiv,)})
        comps.append(c)
    f = facts()
    f = Facts(
        subject=f.subject,
        card=f.card,
        components=tuple(comps),
        licenses=(),
        data_information=f.data_information,
    )
    g = grades(f)
    assert g["preprint"] == "open" and g["peer-reviewed-paper"] == "closed"
    note = osai_index.assess(f)["block"]["dimensions"]["peer-reviewed-paper"]["note"]
    assert "peer review cannot be shown" in note


def test_thin_card_is_partial_and_names_what_it_lacks():
    card = CardFacts(
        path="README.md", fields={}, field_lines={}, sections=(("Model", 5, "A model."),)
    )
    d = osai_index.assess(facts(card=card))["block"]["dimensions"]["model-card"]
    assert d["grade"] == "partial"
    assert "limitations" in d["note"]
    assert grades(facts(card=card))["hardware-architecture"] == "closed"
