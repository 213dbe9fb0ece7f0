"""EU AI Act Art. 53(2) open-source exemption, from Facts alone."""

from __future__ import annotations

from osaid.frameworks import eu_ai_act
from osaid.knowledge import components as catalog
from osaid.model import (
    CardFacts,
    ComponentFact,
    DataInfoItem,
    Evidence,
    Facts,
    LicenseFact,
    Release,
    Restriction,
)

RELEASE = Release(name="t", source="local", location="/t", revision=None, files=(), documents={})
EV = Evidence(path="x", line=1, quote="x")
CARD = CardFacts(
    path="README.md",
    fields={"license": "apache-2.0"},
    field_lines={"license": 2},
    sections=(("How to use", 10, "python generate.py"),),
)
APACHE = LicenseFact(
    id="Apache-2.0",
    name="Apache License 2.0",
    osi_approved=True,
    open=True,
    evidence=(Evidence(path="LICENSE", line=1, quote="Apache License"),),
)


def facts(
    status="present",
    lic="Apache-2.0",
    lic_open=True,
    overrides=None,
    licenses=(APACHE,),
    gated=None,
    card=CARD,
    withheld=None,
) -> Facts:
    comps = []
    for e in catalog():
        s, li, lo = status, lic, lic_open
        if overrides and e["id"] in overrides:
            s, li, lo = overrides[e["id"]]
        comps.append(
            ComponentFact(
                id=e["id"],
                mof_id=e["mof_id"],
                name=e["name"],
                content_type=e["type"],
                status=s,
                evidence=(EV,) if s != "missing" else (),
                license=li if s != "missing" else None,
                license_open=lo if s != "missing" else None,
                license_evidence=APACHE.evidence if s != "missing" and li else (),
                withheld=(withheld or {}).get(e["id"], ()),
            )
        )
    items = tuple(
        DataInfoItem(i, found=False)
        for i in ("description", "public-data-listing", "third-party-data-listing")
    )
    return Facts(
        subject=RELEASE,
        card=card,
        components=tuple(comps),
        licenses=licenses,
        data_information=items,
        gated=gated,
    )


def result(f: Facts) -> dict:
    return eu_ai_act.assess(f)["block"]


def reason(block: dict, condition: str) -> dict:
    return next(r for r in block["reasons"] if r["condition"] == condition)


def test_open_weights_with_architecture_and_usage_are_likely_exempt():
    out = eu_ai_act.assess(facts())
    block = out["block"]
    assert block["open_source_exemption"] == "likely"
    assert {r["status"] for r in block["reasons"]} == {"met"}
    assert reason(block, "usage")["evidence"][0]["quote"] == "How to use"
    # information, not advice; systemic risk excluded - always said
    assert any("not legal advice" in c for c in block["caveats"])
    assert any("systemic risk" in c for c in block["caveats"])
    assert "not legal advice" in out["summary"] and "systemic-risk" in out["summary"]


def test_training_data_is_not_a_condition_of_the_exemption():
    # Unlike OSAID: weights-only, no data information, no training code - still likely.
    f = facts(
        overrides={
            c: ("missing", None, None)
            for c in ("training-code", "datasets", "data-preprocessing-code", "data-card")
        }
    )
    assert result(f)["open_source_exemption"] == "likely"


def test_a_blocking_clause_makes_it_unlikely_and_is_quoted():
    cap = Restriction(
        kind="user-threshold",
        osd=(5,),
        quote="over 700 million monthly users need a separate license",
        path="LICENSE",
        line=40,
        source="rule",
    )
    custom = LicenseFact(
        id="LicenseRef-x",
        name="X Community License",
        osi_approved=None,
        open=False,
        evidence=(Evidence(path="LICENSE", line=1),),
        restrictions=(cap,),
    )
    f = facts(lic="LicenseRef-x", lic_open=False, licenses=(custom,))
    block = result(f)
    assert block["open_source_exemption"] == "unlikely"
    r = reason(block, "license")
    assert r["status"] == "not-met"
    assert "LicenseRef-x" in r["message"]
    assert any(e["line"] == 40 and "700 million" in e["quote"] for e in r["evidence"])


def test_missing_weights_or_unknown_terms_are_unknown_not_likely():
    f = facts(overrides={"model-parameters-final": ("missing", None, None)})
    block = result(f)
    assert block["open_source_exemption"] == "unknown"
    assert reason(block, "parameters")["status"] == "unknown"
    f = facts(overrides={"model-parameters-final": ("present", "LicenseRef-y", None)}, licenses=())
    assert reason(result(f), "license")["status"] == "unknown"


def test_weights_said_to_be_withheld_are_unlikely():
    said = Evidence(path="README.md", line=9, quote="The weights will not be released.")
    f = facts(
        overrides={"model-parameters-final": ("missing", None, None)},
        withheld={"model-parameters-final": (said,)},
    )
    block = result(f)
    assert block["open_source_exemption"] == "unlikely"
    assert reason(block, "parameters")["evidence"][0]["line"] == 9


def test_gated_access_is_left_unknown_with_the_gate_as_evidence():
    gate = Evidence(path="README.md", line=3, field="extra_gated_fields")
    block = result(facts(gated=gate))
    assert block["open_source_exemption"] == "unknown"
    r = reason(block, "access")
    assert r["status"] == "unknown" and r["evidence"][0]["field"] == "extra_gated_fields"


def test_no_usage_information_is_unknown():
    card = CardFacts(path="README.md", fields={}, field_lines={}, sections=(("Model", 5, ""),))
    f = facts(card=card, overrides={"inference-code": ("missing", None, None)})
    assert reason(result(f), "usage")["status"] == "unknown"
