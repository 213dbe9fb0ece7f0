"""Declared license strings resolve to SPDX expressions through data tables."""

from __future__ import annotations

import pytest

from osaid.knowledge.licensing import catalog


@pytest.mark.parametrize("raw, expected", [
    ("apache-2.0", "Apache-2.0"),
    ("Apache 2.0", "Apache-2.0"),
    ("MIT", "MIT"),
    ("bsd-3", "BSD-3-Clause"),
    ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
    ("llama3.1", "LicenseRef-osaid-llama-3.1"),
    ("apache-2.0 OR mit", "Apache-2.0 OR MIT"),
    ("MIT AND LicenseRef-custom", "MIT AND LicenseRef-custom"),
    ("GPL-3.0-or-later WITH Classpath-exception-2.0", "GPL-3.0-or-later WITH Classpath-exception-2.0"),
])
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
