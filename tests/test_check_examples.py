"""The bundled examples get the verdicts their documents call for, with checkable evidence."""

from __future__ import annotations

from conftest import EXAMPLES

FREEDOMS = {"use", "study", "modify", "share"}
ELEMENTS = {"data-information", "code", "parameters"}


def test_open_release_is_open_source_ai(cli):
    r = cli("check", str(EXAMPLES / "open-release"), "--format", "json")
    assert r.code == 0, r.err
    report = r.json
    assert report["verdict"] == "open-source-ai"
    assert report["freedoms"] == {f: "granted" for f in FREEDOMS}
    assert {k: v["status"] for k, v in report["elements"].items()} == {e: "met" for e in ELEMENTS}
    assert not [f for f in report["findings"] if f["severity"] == "blocker"]
    weights = next(c for c in report["components"] if c["id"] == "model-parameters-final")
    assert weights["status"] == "present" and weights["license"] == "Apache-2.0"
    assert weights["evidence"][0]["path"] == "model.safetensors"


def test_weights_only_release_is_not_open_because_it_says_so(cli):
    r = cli("check", str(EXAMPLES / "weights-only"), "--format", "json")
    assert r.code == 1
    report = r.json
    assert report["verdict"] == "not-open-source-ai"
    withheld = [f for f in report["findings"] if f["rule"] == "component-withheld:training-code"]
    assert withheld and withheld[0]["severity"] == "blocker"
    ev = withheld[0]["evidence"][0]
    assert ev["path"] == "README.md" and ev["line"] == 18
    assert "will not be released" in ev["quote"]
    assert report["elements"]["code"]["status"] == "not-met"
    assert report["elements"]["data-information"]["status"] == "not-met"
    assert report["freedoms"]["study"] == "withheld"


def test_restricted_weights_quote_the_clauses(cli):
    r = cli("check", str(EXAMPLES / "restricted-weights"), "--format", "json")
    assert r.code == 1
    report = r.json
    assert report["verdict"] == "not-open-source-ai"
    kinds = {
        f["rule"].split(":", 1)[1]
        for f in report["findings"]
        if f["rule"].startswith("restriction:") and f["severity"] == "blocker"
    }
    assert {"user-threshold", "field-of-use"} <= kinds
    cap = next(f for f in report["findings"] if f["rule"] == "restriction:user-threshold")
    assert cap["osd"] == [5, 1]
    assert cap["evidence"][0]["path"] == "LICENSE"
    assert "monthly active users" in cap["evidence"][0]["quote"]
    weights = next(c for c in report["components"] if c["id"] == "model-parameters-final")
    assert weights["license_open"] is False
    code = next(c for c in report["components"] if c["id"] == "training-code")
    assert code["license"] == "Apache-2.0" and code["license_open"] is True
    assert report["freedoms"]["use"] == "withheld"


def test_json_contract_shape(cli):
    report = cli("check", str(EXAMPLES / "restricted-weights"), "--format", "json").json
    assert {
        "schema",
        "tool",
        "subject",
        "verdict",
        "freedoms",
        "elements",
        "components",
        "licenses",
        "findings",
    } <= set(report)
    assert report["schema"] == "osaid.report/1"
    assert report["tool"]["name"] == "osaid"
    assert report["subject"]["source"] == "local" and report["subject"]["revision"] is None
    assert len(report["components"]) == 17
    assert len({c["mof_id"] for c in report["components"]}) == 17
    for c in report["components"]:
        assert c["status"] in {"present", "declared", "missing"}
        assert set(c) >= {"id", "mof_id", "name", "status", "license", "license_open", "evidence"}
    for lic in report["licenses"]:
        assert set(lic) >= {"id", "name", "osi_approved", "evidence", "restrictions"}
        for r in lic["restrictions"]:
            assert set(r) >= {"kind", "osd", "quote", "path", "line"}
    for f in report["findings"]:
        assert f["severity"] in {"blocker", "warning", "info"}
        assert set(f) >= {"rule", "element", "component", "osd", "message", "evidence"}
        for ev in f["evidence"]:
            assert set(ev) == {"path", "line", "quote", "field", "url", "basis", "note"}
            assert ev["quote"] is None or len(ev["quote"]) <= 200
    for name, e in report["elements"].items():
        assert e["status"] in {"met", "not-met", "unknown"}
        assert all(isinstance(rule, str) for rule in e["findings"])


def test_every_blocker_has_evidence(cli):
    for example in ("weights-only", "restricted-weights"):
        report = cli("check", str(EXAMPLES / example), "--format", "json").json
        for f in report["findings"]:
            if f["severity"] == "blocker":
                assert f["evidence"], f
                assert any(ev["path"] or ev["field"] for ev in f["evidence"]), f


def test_markdown_and_text_reports(cli):
    md = cli("check", str(EXAMPLES / "restricted-weights"), "--format", "markdown")
    assert md.code == 1
    assert md.out.startswith("# Open Source AI assessment")
    assert "| 10 | Model parameters (Final) | present |" in md.out
    assert "restriction:user-threshold" in md.out
    text = cli("check", str(EXAMPLES / "open-release"))
    assert text.code == 0
    assert "Verdict: OPEN SOURCE AI" in text.out
    assert "\x1b[" not in text.out  # not a TTY: plain text
    assert "Model parameters (Final)" in text.out
