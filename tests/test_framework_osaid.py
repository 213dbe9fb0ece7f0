"""The OSAID framework is a pure function of Facts: tested here with no files at all."""

from __future__ import annotations

from dataclasses import replace

from osaid.frameworks.osaid import assess
from osaid.knowledge import components as catalog
from osaid.model import (
    ComponentFact,
    DataInfoItem,
    Evidence,
    Facts,
    LicenseFact,
    Release,
    Restriction,
    Verdict,
)

RELEASE = Release(name="t", source="local", location="/t", revision=None, files=(), documents={})
EV = Evidence(path="x", line=1, quote="x")


def facts(
    status="present",
    lic="Apache-2.0",
    lic_open=True,
    data=True,
    licenses=None,
    overrides=None,
    gated=None,
) -> Facts:
    comps = []
    for e in catalog():
        s, lo, li = status, lic_open, lic
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
            )
        )
    items = tuple(
        DataInfoItem(i, found=data, evidence=(EV,) if data else ())
        for i in ("description", "public-data-listing", "third-party-data-listing")
    )
    lics = (
        licenses
        if licenses is not None
        else (
            LicenseFact(
                id="Apache-2.0", name="Apache", osi_approved=True, open=True, evidence=(EV,)
            ),
        )
    )
    return Facts(
        subject=RELEASE,
        card=None,
        components=tuple(comps),
        licenses=lics,
        data_information=items,
        gated=gated,
    )


def test_everything_open_and_documented_is_open():
    a = assess(facts())
    # no card: a warning, not a blocker, and everything else is shown
    assert a.verdict is Verdict.OPEN
    assert set(a.freedoms.values()) == {"granted"}


def test_never_open_by_default_when_nothing_is_known():
    a = assess(facts(status="missing", data=False, licenses=()))
    assert a.verdict is Verdict.INSUFFICIENT
    assert set(a.freedoms.values()) <= {"unknown"}
    assert {e.status for e in a.elements.values()} == {"unknown"}


def test_unknown_license_on_weights_is_insufficient_not_open():
    a = assess(facts(overrides={"model-parameters-final": ("present", "LicenseRef-x", None)}))
    assert a.verdict is Verdict.INSUFFICIENT
    assert a.elements["parameters"].status == "unknown"
    assert any(f.rule == "license-unknown:model-parameters-final" for f in a.findings)


def test_non_open_weights_license_is_not_open():
    a = assess(facts(overrides={"model-parameters-final": ("present", "CC-BY-NC-4.0", False)}))
    assert a.verdict is Verdict.NOT_OPEN
    assert a.elements["parameters"].status == "not-met"
    assert a.freedoms["use"] == "withheld"


def test_blocking_restriction_in_release_terms():
    cap = Restriction(
        kind="user-threshold",
        osd=(5, 1),
        quote="over 700M MAU need a license",
        path="LICENSE",
        line=12,
        source="rule",
    )
    lic = LicenseFact(
        id="LicenseRef-x",
        name="X license",
        osi_approved=None,
        open=False,
        evidence=(EV,),
        restrictions=(cap,),
    )
    a = assess(facts(licenses=(lic,)))
    assert a.verdict is Verdict.NOT_OPEN
    f = next(f for f in a.findings if f.rule == "restriction:user-threshold")
    assert f.osd == (5, 1)
    assert f.evidence[0].path == "LICENSE" and f.evidence[0].line == 12
    assert f.fix and "fine-tune" in f.fix
    assert a.freedoms["use"] == "withheld" and a.freedoms["share"] == "withheld"


def test_attribution_is_allowed():
    attr = Restriction(kind="attribution", osd=(), quote="keep notices", path="LICENSE", line=3)
    lic = LicenseFact(
        id="Apache-2.0",
        name="Apache",
        osi_approved=True,
        open=True,
        evidence=(EV,),
        restrictions=(attr,),
    )
    a = assess(facts(licenses=(lic,)))
    assert a.verdict is Verdict.OPEN
    assert any(
        f.rule == "restriction-allowed:attribution" and f.severity.value == "info"
        for f in a.findings
    )


def test_withheld_component_is_not_open_missing_one_is_unknown():
    f = facts(overrides={"training-code": ("missing", None, None)})
    a = assess(f)
    assert a.verdict is Verdict.INSUFFICIENT
    assert a.elements["code"].status == "unknown"
    comps = tuple(
        replace(c, withheld=(EV,)) if c.id == "training-code" else c for c in f.components
    )
    a = assess(replace(f, components=comps))
    assert a.verdict is Verdict.NOT_OPEN
    assert a.elements["code"].status == "not-met"
    assert a.freedoms["study"] == "withheld"


def test_declared_component_with_known_license_counts_and_says_so():
    a = assess(facts(overrides={"training-code": ("declared", "MIT", True)}))
    assert a.verdict is Verdict.OPEN
    assert any(f.rule == "component-declared:training-code" for f in a.findings)


def test_incomplete_data_information_is_insufficient():
    a = assess(facts(data=False))
    assert a.verdict is Verdict.INSUFFICIENT
    assert a.elements["data-information"].status == "unknown"
    assert {f.rule for f in a.findings} >= {"data-information-missing:description"}


def test_gated_release_is_not_open():
    a = assess(facts(gated=Evidence(path="README.md", line=4, field="extra_gated_prompt")))
    assert a.verdict is Verdict.NOT_OPEN
    g = next(f for f in a.findings if f.rule == "gated-access")
    assert g.osd == (7,) and g.evidence[0].field == "extra_gated_prompt"


def test_optional_components_do_not_decide():
    a = assess(
        facts(
            overrides={
                "model-parameters-intermediate": ("missing", None, None),
                "research-paper": ("missing", None, None),
            }
        )
    )
    assert a.verdict is Verdict.OPEN


def test_optional_component_under_closed_terms_warns_but_does_not_block():
    a = assess(
        facts(overrides={"model-parameters-intermediate": ("present", "CC-BY-NC-4.0", False)})
    )
    f = next(f for f in a.findings if f.rule == "license-not-open:model-parameters-intermediate")
    assert f.severity.value == "warning"
    assert a.verdict is Verdict.OPEN
