"""Model Openness Framework: class, progress and component statuses from Facts alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES, shared

from osaid.frameworks import mof
from osaid.knowledge import components as catalog
from osaid.model import ComponentFact, Evidence, Facts, Release

RELEASE = Release(name="t", source="local", location="/t", revision=None, files=(), documents={})
EV = Evidence(path="x", line=1, quote="x")
CLASS_III = {
    "model-architecture",
    "model-parameters-final",
    "technical-report",
    "evaluation-results",
    "model-card",
    "data-card",
}
CLASS_II = CLASS_III | {"training-code", "inference-code", "evaluation-code", "evaluation-data"}
CLASS_I = CLASS_II | {
    "datasets",
    "data-preprocessing-code",
    "model-parameters-intermediate",
    "research-paper",
}


def facts(
    present: set[str] | None = None,
    lic: str | None = "Apache-2.0",
    overrides: dict[str, tuple[str, str | None]] | None = None,
) -> Facts:
    """Components in `present` have `lic`; `overrides` gives (status, license) per component."""
    present = {e["id"] for e in catalog()} if present is None else present
    comps = []
    for e in catalog():
        status, li = ("present", lic) if e["id"] in present else ("missing", None)
        if overrides and e["id"] in overrides:
            status, li = overrides[e["id"]]
        comps.append(
            ComponentFact(
                id=e["id"],
                mof_id=e["mof_id"],
                name=e["name"],
                content_type=e["type"],
                status=status,
                evidence=(EV,) if status != "missing" else (),
                license=li,
            )
        )
    return Facts(
        subject=RELEASE, card=None, components=tuple(comps), licenses=(), data_information=()
    )


def block(f: Facts) -> dict:
    return mof.assess(f)["block"]


def test_everything_openly_licensed_is_class_one():
    result = mof.assess(facts())
    b = result["block"]
    assert b["class"] == "I"
    assert b["progress"] == {"I": 1.0, "II": 1.0, "III": 1.0}
    assert b["next_steps"] == []
    assert "Class I" in result["summary"]


def test_nothing_found_is_unclassified_with_every_class_iii_component_to_do():
    b = block(facts(present=set()))
    assert b["class"] is None
    assert b["progress"] == {"I": 0.0, "II": 0.0, "III": 0.0}
    assert b["next_class"] == "III"
    assert {s["component"] for s in b["next_steps"]} == CLASS_III
    assert all(s["status"] == "missing" for s in b["next_steps"])
    assert set(b["components"]) == {e["id"] for e in catalog()}


def test_classes_are_cumulative_and_progress_is_the_included_share():
    b = block(facts(present=CLASS_II - {"training-code"}))
    assert b["class"] == "III"
    assert b["progress"]["III"] == 1.0
    assert b["progress"]["II"] == 0.9  # 9 of 10
    assert b["progress"]["I"] == round(9 / 14, 3)
    assert b["next_class"] == "II"
    assert [s["component"] for s in b["next_steps"]] == ["training-code"]
    # Class I components present without Class II's do not make Class I
    b = block(facts(present=CLASS_I - {"evaluation-data"}))
    assert b["class"] == "III"


def test_a_research_paper_stands_in_for_the_technical_report():
    b = block(facts(present=(CLASS_III - {"technical-report"}) | {"research-paper"}))
    assert b["class"] == "III"
    assert b["components"]["technical-report"]["status"] == "missing"
    b = block(facts(present=CLASS_III - {"technical-report"}))
    assert b["class"] is None
    step = b["next_steps"][0]
    assert step["component"] == "technical-report" and "research paper" in step["action"]


def test_statuses_follow_the_tool_missing_unlicensed_included_invalid():
    b = block(
        facts(
            overrides={
                "training-code": ("missing", None),
                "inference-code": ("present", None),
                "evaluation-code": ("declared", "MIT"),
                "model-parameters-final": ("present", "LicenseRef-osaid-llama-3"),
            }
        )
    )
    comps = b["components"]
    assert comps["training-code"]["status"] == "missing"
    assert comps["inference-code"]["status"] == "unlicensed"
    assert comps["evaluation-code"] == {
        "status": "included",
        "license": "MIT",
        "deciding_license": "MIT",
    }
    assert comps["model-parameters-final"]["status"] == "invalid"
    assert b["class"] is None  # final weights invalid: not even Class III


def test_and_the_most_restrictive_license_decides_and_is_named():
    b = block(
        facts(overrides={"model-parameters-final": ("present", "Apache-2.0 AND CC-BY-NC-4.0")})
    )
    w = b["components"]["model-parameters-final"]
    assert w["status"] == "invalid"
    assert w["license"] == "Apache-2.0 AND CC-BY-NC-4.0"
    assert w["deciding_license"] == "CC-BY-NC-4.0"
    step = next(s for s in b["next_steps"] if s["component"] == "model-parameters-final")
    assert "CC-BY-NC-4.0" in step["action"]


def test_or_the_most_open_choice_decides():
    b = block(facts(overrides={"training-code": ("present", "(CC-BY-NC-4.0 OR MIT)")}))
    tc = b["components"]["training-code"]
    assert tc["status"] == "included" and tc["deciding_license"] == "MIT"


def test_with_exception_is_judged_by_its_license():
    expr = "GPL-2.0-only WITH Classpath-exception-2.0"
    b = block(facts(overrides={"inference-code": ("present", expr)}))
    ic = b["components"]["inference-code"]
    assert ic["status"] == "included"
    assert ic["deciding_license"] == "GPL-2.0-only WITH Classpath-exception-2.0"


def test_mof_open_rule_differs_from_osaid_for_code_and_data():
    # CC-BY-4.0 on code: FSF-libre, so MOF counts it (as the tool does), with a note.
    b = block(
        facts(
            overrides={
                "training-code": ("present", "CC-BY-4.0"),
                "datasets": ("present", "CDLA-Permissive-2.0"),
            }
        )
    )
    tc = b["components"]["training-code"]
    assert tc["status"] == "included" and "not meant for code" in tc["note"]
    # CDLA-Permissive-2.0 is neither OSI-approved nor FSF-libre: open through the open-data list.
    assert b["components"]["datasets"]["status"] == "included"
    assert mof.open_by("CDLA-Permissive-2.0") == "open-data list"
    assert mof.open_by("Apache-2.0") == "OSI-approved"
    assert mof.open_by("CC-BY-NC-4.0") is None


def test_unparseable_expression_is_invalid_not_a_crash():
    b = block(facts(overrides={"model-card": ("present", "MIT AND (")}))
    assert b["components"]["model-card"]["status"] == "invalid"


@pytest.mark.parametrize(
    "expr,tree",
    [
        ("MIT", ("id", "MIT", "MIT")),
        (
            "MIT OR Apache-2.0 AND BSD-3-Clause",
            (
                "or",
                [
                    ("id", "MIT", "MIT"),
                    (
                        "and",
                        [
                            ("id", "Apache-2.0", "Apache-2.0"),
                            ("id", "BSD-3-Clause", "BSD-3-Clause"),
                        ],
                    ),
                ],
            ),
        ),
    ],
)
def test_and_binds_tighter_than_or(expr, tree):
    assert mof.parse(expr) == tree


def test_assess_reads_no_files(monkeypatch):
    import builtins

    def no_open(*a, **k):  # pragma: no cover - fails the test if called
        raise AssertionError("a framework opened a file")

    f = facts()
    mof.assess(f)  # warm the knowledge caches
    monkeypatch.setattr(builtins, "open", no_open)
    assert mof.assess(f)["block"]["class"] == "I"


# --- against the Model Openness Tool's own records ------------------------------------------------

BENCH = Path(__file__).resolve().parent.parent / "bench" / "mof_corpus_agreement.py"


@pytest.fixture(scope="module")
def agreement():
    import importlib.util
    import sys

    pytest.importorskip("osaid.sources.manifest")
    spec = importlib.util.spec_from_file_location("mof_corpus_agreement", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    shared(module.CORPUS / module.SETTINGS)  # the bench reads the tool's settings and records
    return module


def test_reference_follows_the_tools_exact_matching_and_precedence(agreement):
    record = {
        "release": {
            "license": {"distribution": {"name": "Apache-2.0"}, "document": {"name": "CC-BY-4.0"}},
            "components": [
                {"name": "Model architecture"},  # inherits Apache-2.0
                {"name": "Model card"},  # inherits CC-BY-4.0 (document)
                {"name": "Training code", "license": "Apache 2.0"},  # not an exact SPDX id
                {"name": "Inference code", "license": ""},  # set but empty: no license
                {"name": "Evaluation code", "license": "unlicensed"},
            ],
        }
    }
    ref = agreement.mot_reference(record)
    assert ref.licenses[9] == "Apache-2.0" and 9 in ref.included
    assert ref.licenses[13] == "CC-BY-4.0" and 13 in ref.included
    assert 7 not in ref.included  # "Apache 2.0" fails the tool's exact match
    assert ref.licenses[8] == "unlicensed" and ref.licenses[18] == "unlicensed"
    assert agreement.mot_status(ref, 7) == "invalid"
    assert agreement.mot_status(ref, 10) == "missing"
    assert ref.cls == 0


def test_every_disagreement_with_the_tool_on_its_records_is_explained(agreement):
    rows = agreement.compare()
    assert len(rows) == 273
    # No difference (of class or of any component's status) lacks a reason from the facts.
    assert agreement.unexplained(rows) == []
    class_disagreements = {r.record for r in rows if r.mot != r.ours}
    explained = {r.record for r in rows if r.mot != r.ours and r.class_reasons}
    assert class_disagreements == explained
    reasons = {(r.record, x.component): x for r in rows for x in r.reasons}
    # The tool's exact-string matching is what osaid's normalisation changes.
    codet5 = reasons[("CodeT5", "model-architecture")]
    assert codet5.category == "normalised"
    assert codet5.detail == "'BSD-3' normalised to BSD-3-Clause"
    categories = {x.category for x in reasons.values()}
    assert categories <= set(agreement.CATEGORIES) - {"unexplained"}
    assert "normalised" in categories


# --- `osaid check --framework` --------------------------------------------------------------------


def test_check_reports_every_framework_by_default(cli):
    r = cli("check", str(EXAMPLES / "open-release"), "--format", "json")
    report = r.json
    assert {"mof", "osai_index", "eu_ai_act"} <= set(report)
    assert set(report["summaries"]) == {"mof", "osai-index", "eu-ai-act"}
    assert set(report["mof"]["progress"]) == {"I", "II", "III"}
    assert 0.0 <= report["osai_index"]["score"] <= 1.0
    assert report["eu_ai_act"]["open_source_exemption"] in ("likely", "unlikely", "unknown")
    text = cli("check", str(EXAMPLES / "open-release")).out
    lines = text.splitlines()
    verdict = next(i for i, ln in enumerate(lines) if ln.startswith("Verdict:"))
    below = "\n".join(lines[verdict : verdict + 6])
    for name in ("mof:", "osai-index:", "eu-ai-act:"):
        assert name in below


def test_check_reports_only_the_frameworks_asked_for(cli):
    report = cli(
        "check", str(EXAMPLES / "open-release"), "--format", "json", "--framework", "mof"
    ).json
    assert "mof" in report and "osai_index" not in report and "eu_ai_act" not in report
    assert set(report["summaries"]) == {"mof"}
    report = cli(
        "check", str(EXAMPLES / "open-release"), "--format", "json", "--framework", "osaid"
    ).json
    assert "mof" not in report and "summaries" not in report
    assert report["verdict"] == "open-source-ai"  # the verdict is OSAID's either way


def test_unknown_framework_is_a_usage_error_listing_the_known_ones(cli):
    r = cli("check", str(EXAMPLES / "open-release"), "--framework", "mof,spdx")
    assert r.code == 2
    assert len(r.err.strip().splitlines()) == 1
    assert "'spdx'" in r.err
    for name in ("osaid", "mof", "osai-index", "eu-ai-act"):
        assert name in r.err
    assert r.out == ""
