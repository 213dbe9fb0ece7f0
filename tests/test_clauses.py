"""The clause analyser: restrictive clauses in any license or policy text, with line and quote."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from clause_fixtures import (
    BILINGUAL,
    BILINGUAL_KINDS,
    BOUNDARY,
    CHINESE,
    CHINESE_PERMISSIVE,
    CUSTOM_LICENSE,
    CUSTOM_LICENSE_KINDS,
    HARD,
    MARKDOWN_LICENSE,
    MARKDOWN_LICENSE_KINDS,
    NEGATIVE,
    POSITIVE,
    WORDINGS,
    find_real_texts,
)
from conftest import SHARED, shared

from osaid.evidence.clauses import analyse, explain
from osaid.knowledge import load_yaml, restriction_kinds
from osaid.model import Restriction

KINDS = restriction_kinds()
BLOCKING = {k for k, v in KINDS.items() if v.get("blocking")}


def kinds_of(text: str) -> set[str]:
    return {r.kind for r in analyse(text)}


# --- fixtures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", POSITIVE, ids=[t[:50] for t, _ in POSITIVE])
def test_positive_fixture(text, expected):
    assert kinds_of(text) == expected


@pytest.mark.parametrize("text", NEGATIVE, ids=[t[:50] or "empty" for t in NEGATIVE])
def test_negative_fixture(text):
    assert kinds_of(text) == set()


@pytest.mark.parametrize("text,expected", HARD, ids=[t[:50] for t, _ in HARD])
@pytest.mark.xfail(reason="known miss: wording the patterns do not cover", strict=True)
def test_hard_fixture(text, expected):
    # the patterns' limits; the classifier (tests/test_classifier.py) may catch some of these
    assert expected <= {r.kind for r in analyse(text) if r.source == "rule"}


@pytest.mark.parametrize("text,expected", BOUNDARY, ids=[t[:50] for t, _ in BOUNDARY])
def test_kind_boundaries(text, expected):
    assert kinds_of(text) == expected


@pytest.mark.parametrize("text,expected", WORDINGS, ids=[t[:50] for t, _ in WORDINGS])
def test_wordings_of_each_kind(text, expected):
    assert kinds_of(text) == expected


@pytest.mark.parametrize("text,expected", CHINESE, ids=[t[:20] for t, _ in CHINESE])
def test_chinese_clauses_read_with_the_same_kinds(text, expected):
    found = analyse(text)
    assert {r.kind for r in found} == expected
    for r in found:  # the Chinese clause itself is quoted
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.quote)


def test_bilingual_license_yields_each_kind_in_both_halves():
    found = analyse(BILINGUAL, "LICENSE")
    assert {r.kind for r in found} == BILINGUAL_KINDS
    lines = BILINGUAL.splitlines()
    zh_start = next(i for i, ln in enumerate(lines, 1) if "星光" in ln)
    for kind in BILINGUAL_KINDS:
        where = {r.line >= zh_start for r in found if r.kind == kind}
        assert where == {False, True}, kind
        zh = next(r for r in found if r.kind == kind and r.line >= zh_start)
        assert zh.quote in " ".join(lines[zh.line - 1 :])  # a verbatim Chinese clause


def test_markdown_license_is_read_by_its_structure():
    found = analyse(MARKDOWN_LICENSE, "LICENSE.md")
    assert {r.kind for r in found} == MARKDOWN_LICENSE_KINDS
    lines = MARKDOWN_LICENSE.splitlines()
    toc_end = lines.index("## 1. Definitions")
    assert all(r.line > toc_end for r in found)  # the table of contents is no clause
    by_kind = {r.kind: r for r in found}
    # the narrowing definition is quoted where it stands; list items inherit "You shall not:"
    assert by_kind["research-only"].quote.startswith('**"Permitted Use"** means')
    assert by_kind["non-commercial"].quote.startswith("- use the Model for Commercial Use")


def test_permissive_chinese_license_yields_only_attribution():
    found = analyse(CHINESE_PERMISSIVE)
    assert {r.kind for r in found} == {"attribution"}
    # the section heading above the clause is not part of the quote
    assert all(not r.quote.startswith("4.") for r in found)


def test_numbered_sections_are_not_cut_at_their_number():
    text = "3. You may not use the model for commercial purposes.\n4.2. Other terms.\n"
    (r,) = analyse(text)
    assert r.quote.startswith("3. You may not use") and r.line == 1


def test_headings_titles_and_dates_are_never_quoted():
    text = (
        "ACME NON-COMMERCIAL MODEL LICENSE\n\nLast revised: 1 May 2025\n\n"
        "## Updates to These Terms\n\nThe weights are free to use.\n"
    )
    assert analyse(text) == []


def test_definitions_restrict_only_when_a_grant_is_limited_to_them():
    definition = '"Study Uses" means research that is not meant for commercial gain.\n\n'
    assert kinds_of(definition + "We grant you a license to use the weights.\n") == set()
    narrowed = definition + "We grant you a license to use the weights solely for Study Uses.\n"
    found = analyse(narrowed)
    assert {r.kind for r in found} == {"non-commercial", "research-only"}
    assert next(r for r in found if r.kind == "non-commercial").line == 1


def test_prohibited_uses_heading_opens_a_list_without_a_colon():
    text = "## Prohibited Uses\n\n- for warfare\n- to track people\n"
    assert kinds_of(text) == {"acceptable-use-policy", "field-of-use"}


def test_every_kind_has_positive_fixtures():
    covered = set().union(*(k for _, k in POSITIVE))
    assert covered == set(KINDS)


def test_custom_license_kinds_lines_and_quotes():
    found = analyse(CUSTOM_LICENSE, "LICENSE")
    assert {r.kind for r in found} == CUSTOM_LICENSE_KINDS
    lines = CUSTOM_LICENSE.splitlines()
    for r in found:
        assert r.path == "LICENSE" and r.source == "rule"
        assert r.osd == tuple(KINDS[r.kind]["osd"])
        assert 1 <= r.line <= len(lines)
        assert len(r.quote) <= 200
    by_kind = {r.kind: r for r in found}

    # the line is the line the quote starts on: the quote is that line's own words onwards
    for r in found:
        head = " ".join(r.quote.lstrip("…").split()[:3])
        assert head in " ".join(lines[r.line - 1].split()), (r.kind, r.line, r.quote)
    assert by_kind["output-use"].quote.startswith("d. You will not use the outputs")
    # ordered by line
    assert [r.line for r in found] == sorted(r.line for r in found)


def test_line_of_a_wrapped_sentence_is_where_its_quote_starts():
    text = (
        "Preamble.\n\nThe weights are released\nto everyone, but they may\nnot be used in\n"
        "the European Union.\n"
    )
    (r,) = analyse(text)
    assert r.kind == "geographic" and r.line == 3
    assert r.quote == (
        "The weights are released to everyone, but they may not be used in the European Union."
    )


def test_long_clause_quote_is_trimmed_around_the_match():
    filler = "and this sentence goes on about unrelated matters of packaging and naming " * 6
    text = (
        f"The licensee agrees that {filler} the Model is for non-commercial purposes only, "
        f"{filler}."
    )
    (r,) = analyse(text)
    assert r.kind == "non-commercial"
    assert len(r.quote) <= 200
    assert "non-commercial purposes only" in r.quote
    assert r.quote.startswith("…") and r.quote.endswith("…")


def test_one_restriction_per_kind_per_clause_and_a_cap_per_kind():
    one = "You may not use the Model for commercial purposes or for any commercial advantage."
    assert [r.kind for r in analyse(one)] == ["non-commercial"]
    many = "\n".join(f"Clause {i}. Commercial use requires a separate license." for i in range(12))
    assert len([r for r in analyse(many) if r.kind == "non-commercial"]) == 5


def test_prohibited_use_list_items_inherit_the_prohibition():
    text = (
        "Use restrictions\n\nYou agree not to use the Model:\n"
        "- to break the law;\n- for weapons development;\n- to track people;\n\n"
        "Weapons are mentioned again here in a plain paragraph.\n"
    )
    found = analyse(text)
    fou = [r for r in found if r.kind == "field-of-use"]
    assert [r.line for r in fou] == [5]
    assert any(r.kind == "acceptable-use-policy" for r in found)


def test_advice_list_in_a_card_is_not_a_restriction():
    card = (
        "## Out-of-Scope Use\n\nThe model is not intended for:\n- military use\n"
        "- medical diagnosis\n- surveillance\n"
    )
    assert analyse(card) == []


def test_restriction_shape():
    (r,) = analyse("Commercial use requires a separate license.", "terms/LICENSE.md")
    assert isinstance(r, Restriction)
    assert r.to_json() == {
        "kind": "non-commercial",
        "osd": [6],
        "quote": "Commercial use requires a separate license.",
        "path": "terms/LICENSE.md",
        "line": 1,
        "source": "rule",
    }
    (h,) = explain("Commercial use requires a separate license.")
    assert h.pattern == "commercial-needs-permission"


# --- real texts ---------------------------------------------------------------------------------

REAL = find_real_texts()


@pytest.mark.skipif(not REAL, reason="no license texts installed on this machine")
def test_real_permissive_and_copyleft_texts_have_no_blocking_restriction():
    bad = [
        (path, r.kind, r.line, r.quote)
        for _, path, text in REAL
        for r in analyse(text, path)
        if r.kind in BLOCKING
    ]
    assert bad == []


@pytest.mark.skipif(not REAL, reason="no license texts installed on this machine")
def test_real_texts_cover_the_main_families():
    families = {f for f, _, _ in REAL}
    assert {"MIT", "BSD"} <= families


@pytest.mark.skipif(not any(f == "MIT" for f, _, _ in REAL), reason="no MIT text installed")
def test_mit_text_yields_only_attribution():
    text = next(t for f, _, t in REAL if f == "MIT")
    assert kinds_of(text) <= {"attribution"}


@pytest.mark.skipif(not any(f == "GPL" for f, _, _ in REAL), reason="no GPL text installed")
def test_gpl_text_is_copyleft_not_blocking():
    for f, _, text in REAL:
        if f == "GPL":
            found = kinds_of(text)
            assert not found & BLOCKING


# --- robustness ---------------------------------------------------------------------------------


def _junk(n: int) -> str:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(n)).decode("utf-8", "replace")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\n",
        ":",
        "#",
        "- ",
        "...",
        "\x00\x01\x02",
        "İSTANBUL may not be used in İzmir.",
        _junk(200_000),
        "x" * 1_000_000,
        "you shall not use the model for " * 32_000,
        "You may not use the outputs to train any other model. " * 18_000,
        ("1. " * 50_000),
        ("a" * 5000 + ". ") * 40,
        "\n".join(["- item"] * 20_000),
    ],
    ids=[
        "empty",
        "space",
        "newlines",
        "colon",
        "hash",
        "dash",
        "dots",
        "controls",
        "dotted-I",
        "junk",
        "1MB-line",
        "prohibitive-words",
        "restrictive-sentences",
        "list-marks",
        "long-words",
        "many-items",
    ],
)
def test_pathological_inputs_do_not_crash(text):
    found = analyse(text)
    assert isinstance(found, list)
    for r in found:
        assert r.kind in KINDS and len(r.quote) <= 200 and r.line >= 1


def test_offsets_survive_lowercasing_that_changes_length():
    text = "İİİİ İİ.\nThe Model may not be used in the European Union."
    (r,) = analyse(text)
    assert r.line == 2


# --- the labelled corpus of real AI licenses (measuring only; nothing from it is in the project)


def test_corpus_open_controls_have_no_blocking_kind_and_chinese_texts_are_read():
    corpus = shared(SHARED / "corpus" / "ai-licenses" / "labels.yaml").parent
    import yaml

    data = yaml.safe_load((corpus / "labels.yaml").read_text(encoding="utf-8"))
    for entry in data["licenses"]:
        text = (corpus / entry["file"]).read_text(encoding="utf-8")
        got = kinds_of(text)
        labelled = {k["kind"] for k in entry["kinds"]}
        if entry.get("open"):
            assert not (got & BLOCKING) - labelled, entry["slug"]
        if entry.get("language") == "zh":
            strong = {k["kind"] for k in entry["kinds"] if not k.get("weak")}
            assert strong <= got, entry["slug"]


def test_patterns_have_sources_and_known_kinds():
    data = load_yaml("clauses.yaml")
    assert set(data["kinds"]) <= set(KINDS)
    for kind, spec in data["kinds"].items():
        assert spec["triggers"], kind
        for p in spec["patterns"]:
            assert p.get("source") and p.get("id") and p.get("re"), (kind, p)
            for k in p.get("yield_to") or ():
                assert k in KINDS


def test_no_unbounded_gaps_in_patterns():
    data = load_yaml("clauses.yaml")
    for spec in data["kinds"].values():
        for p in spec["patterns"]:
            assert ".*" not in p["re"] and ".+" not in p["re"], p["id"]


def test_import_is_light():
    code = (
        "import sys; import osaid.evidence.clauses; "
        "print(sorted(m for m in ('torch','numpy','sklearn','regex') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_learnt_needs_skip_compiling_and_never_change_a_result(tmp_path, monkeypatch):
    from osaid.evidence import clauses, needs

    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(needs, "_NEEDS", None)
    fresh = clauses._Rx(r"commercial\s+use", {})
    assert fresh.search("Commercial use needs a license.", "commercial use needs a license.")
    needs._save_needs()  # what an exiting run writes
    monkeypatch.setattr(needs, "_NEEDS", None)  # a later run reads it
    learnt = clauses._Rx(r"commercial\s+use", {})
    assert learnt.search("Use it freely.", "use it freely.") is None
    assert learnt._rx is None  # its strings are absent: never compiled
    assert learnt.search("Commercial use needs a license.", "commercial use needs a license.")
    # an unreadable cache is ignored
    next(tmp_path.glob("pattern-needs-*.json")).write_text("{not json")
    monkeypatch.setattr(needs, "_NEEDS", None)
    again = clauses._Rx(r"commercial\s+use", {})
    assert again.search("Commercial use needs a license.", "commercial use needs a license.")
