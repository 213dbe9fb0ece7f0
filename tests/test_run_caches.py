"""What osaid keeps between runs (compiled regex programs, what a text was found to be) changes
no result: a run with the caches, without them, and with broken caches all report the same."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from osaid import regex
from osaid.evidence import memo

ROOT = Path(__file__).resolve().parent.parent
RESTRICTED = ROOT / "examples" / "restricted-weights"


def _check(target: Path, cache: Path, **env: str) -> str:
    """A fresh `osaid check --format json` process; the report without its time stamp."""
    run_env = {**os.environ, "OSAID_CACHE_DIR": str(cache), **env}
    for name in ("OSAID_NO_TERMS_CACHE", "OSAID_NO_REGEX_CACHE"):
        if name not in env:
            run_env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-m", "osaid", "check", str(target), "--format", "json"],
        capture_output=True,
        text=True,
        env=run_env,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    report.pop("generated_at", None)
    return json.dumps(report, sort_keys=True)


def test_a_warm_run_reports_what_a_run_without_caches_reports(tmp_path):
    cache = tmp_path / "cache"
    cold = _check(RESTRICTED, cache)
    assert list((cache / "terms").glob("*/*/*.json")), "the license texts were not kept"
    assert list(cache.glob("regex-*.json")), "the compiled patterns were not kept"
    warm = _check(RESTRICTED, cache)
    bare = _check(RESTRICTED, tmp_path / "none", OSAID_NO_TERMS_CACHE="1", OSAID_NO_REGEX_CACHE="1")
    assert cold == warm == bare
    assert not (tmp_path / "none" / "terms").exists()
    assert not list((tmp_path / "none").glob("regex-*.json"))


def test_broken_caches_are_ignored_and_rewritten(tmp_path):
    cache = tmp_path / "cache"
    expected = _check(RESTRICTED, cache)
    entries = list((cache / "terms").glob("*/*/*.json"))
    for i, entry in enumerate(entries):
        # not JSON; JSON of the wrong shape; the right slots holding the wrong shapes
        entry.write_text(
            ["{not json", "[1, 2]", '{"identify": [{"x": 1}], "clauses": [7], "yaml-8": 3}'][i % 3]
        )
    for table in cache.glob("regex-*.json"):
        programs = json.loads(table.read_text())
        # a program the engine refuses, and one that is not even a program
        for n, key in enumerate(programs):
            programs[key] = [0, "AAAAAP////8=", 0, {}, []] if n % 2 else "junk"
        table.write_text(json.dumps(programs))
    assert _check(RESTRICTED, cache) == expected
    for entry in entries:  # each was read afresh and written whole again
        kept = json.loads(entry.read_text())
        assert isinstance(kept, dict) and kept
        for slot in ("identify", "clauses"):
            assert all(isinstance(item, dict) for item in kept.get(slot, []))


def test_a_changed_knowledge_file_starts_a_new_terms_folder(tmp_path, monkeypatch):
    """The code key covers the reader's modules and knowledge files: a change to one of them
    never serves what the old reader found, and the old folder goes."""
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    memo._code_key.cache_clear()
    memo._folder.cache_clear()
    text = "Model License\n\nYou may not use the model for any commercial purpose.\n"
    first = memo.analyse(text, "LICENSE")
    old = {p.name for p in (tmp_path / "terms").iterdir()}
    knowledge = Path(memo.__file__).resolve().parent.parent / "knowledge" / "clauses.yaml"
    st = knowledge.stat()
    try:
        os.utime(knowledge, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        memo._code_key.cache_clear()
        memo._folder.cache_clear()
        assert memo.analyse(text, "LICENSE") == first
        new = {p.name for p in (tmp_path / "terms").iterdir()}
        assert new and new.isdisjoint(old)
    finally:
        os.utime(knowledge, ns=(st.st_atime_ns, st.st_mtime_ns))
        memo._code_key.cache_clear()
        memo._folder.cache_clear()


def test_cached_clauses_carry_the_path_they_are_read_at(tmp_path, monkeypatch):
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    memo._folder.cache_clear()
    text = "Terms\n\nYou shall not use the model for military purposes.\n"
    first = memo.analyse(text, "a/LICENSE")
    again = memo.analyse(text, "b/TERMS.md")
    assert first and [r.path for r in first] == ["a/LICENSE"] * len(first)
    assert [r.path for r in again] == ["b/TERMS.md"] * len(again)
    assert [(r.kind, r.line, r.quote) for r in again] == [(r.kind, r.line, r.quote) for r in first]
    memo._folder.cache_clear()


def test_a_yaml_error_is_kept_and_raised_again(tmp_path, monkeypatch):
    from osaid.evidence import safe_yaml

    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    memo._folder.cache_clear()
    bomb = "a: &x [1]\nb: *x\n"
    for _ in range(2):
        with pytest.raises(safe_yaml.UnsafeYaml) as err:
            safe_yaml.parse(bomb, 8)
        assert "aliases" in err.value.reason and err.value.line == 1
    parsed = safe_yaml.parse("license: mit\ntags: [x, y]\n", 8)
    assert safe_yaml.parse("license: mit\ntags: [x, y]\n", 8) == parsed
    assert parsed.data == {"license": "mit", "tags": ["x", "y"]}
    memo._folder.cache_clear()


SAMPLES = [
    "",
    "Apache License\nVersion 2.0, January 2004\n",
    "You shall not use it for military purposes. 您不得出于军事目的使用。",
    "def forward(self, x):\n    return self.linear(x)\n",
    "İstanbul K ſ ß ẞ ﬁ",
]


@pytest.mark.parametrize(
    "pattern, flags",
    [
        (r"\b(?P<word>licen[cs]e)\b", re.I),
        (r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M),
        (r"(?i:military|军事)|(?-i:Apache)", 0),
        (r"[\u3400-\u9fff]+", 0),
        (r"(?s)def (\w+)\((.*?)\):", 0),
        (r"s+", re.I),  # matches the long s under IGNORECASE
    ],
)
def test_a_program_from_the_cache_behaves_as_re_compile(pattern, flags, tmp_path, monkeypatch):
    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(regex, "_TABLE", None)
    fresh, parsed = regex.compile_parsed(pattern, flags)
    assert parsed is not None  # compiled here, and its program recorded
    regex._save()
    monkeypatch.setattr(regex, "_TABLE", None)  # a later run: the program is read back
    cached, parsed_again = regex.compile_parsed(pattern, flags)
    assert parsed_again is None
    reference = re.compile(pattern, flags)
    for rx in (fresh, cached):
        assert (rx.pattern, rx.flags, rx.groups, rx.groupindex) == (
            reference.pattern,
            reference.flags,
            reference.groups,
            reference.groupindex,
        )
        for text in SAMPLES:
            assert [m.span() for m in rx.finditer(text)] == [
                m.span() for m in reference.finditer(text)
            ]
            assert [m.groups() for m in rx.finditer(text)] == [
                m.groups() for m in reference.finditer(text)
            ]


def test_without_the_regex_internals_patterns_compile_as_re_does(monkeypatch, tmp_path):
    """A Python whose regex internals differ (here: the code generator is not where osaid looks
    for it): `compile` falls back to `re.compile` and records nothing."""

    def elsewhere(*args):
        raise AttributeError("module 're._compiler' has no attribute '_code'")

    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(regex, "_TABLE", None)
    monkeypatch.setattr(regex, "_program", elsewhere)
    rx, parsed = regex.compile_parsed(r"\bnon-?commercial\b", re.I)
    assert parsed is None and rx.search("For NON-COMMERCIAL use").group() == "NON-COMMERCIAL"
    assert regex._table() == {}


def test_code_markers_skipped_by_their_strings_are_those_that_cannot_match():
    """A marker is searched only when the lower-cased text holds the strings its matches need:
    the hits are those of searching every marker."""
    from osaid.evidence.inventory import _markers, rules

    texts = [
        "import torch\nloss.backward()\noptimizer.step()\n",
        "model = XGBClassifier()\nscore = f1_score(y, p)\n",
        "def Forward(self):\n    return nn.Linear(2, 2)\n",  # case differs from the marker
        "İNFERENCE = pipeline('x')  # Kelvin K and long ſ\nmodel.generate(ids)\n",
        "",
        "loss.backward\n(",  # a marker's strings split across lines: no match either way
    ]
    for text in texts:
        for _, _, markers in rules().code_contents:
            every = [(m.re.pattern, m.span()) for m in _markers(text, markers)]
            skipping = [(m.re.pattern, m.span()) for m in _markers(text, markers, text.lower())]
            assert skipping == every, text


def test_a_scan_keeps_license_texts_but_not_cards(tmp_path, monkeypatch):
    """Every release of a scan has a card of its own: keeping them would only grow the cache,
    while the license texts they share are kept."""
    from conftest import run_cli

    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(memo, "KEEP_YAML", True)
    memo._folder.cache_clear()
    terms = "Acme Model License\n\nYou may not use the model for any commercial purpose.\n"
    for name in ("one", "two"):
        release = tmp_path / "releases" / name
        release.mkdir(parents=True)
        (release / "README.md").write_text(
            f"---\nlicense: other\nlicense_name: acme\n---\n# {name}\n"
        )
        (release / "LICENSE").write_text(terms)
    run = run_cli("scan", "--jobs", "1", str(tmp_path / "releases"), "--db", str(tmp_path / "i.db"))
    assert run.code in (0, 1), run.err
    kept = [json.loads(p.read_text()) for p in (tmp_path / "cache" / "terms").glob("*/*/*.json")]
    assert any("clauses" in entry for entry in kept)
    assert not any(slot.startswith("yaml") for entry in kept for slot in entry)
    memo._folder.cache_clear()
