"""Fingerprints of standard license texts: a verbatim license named without the classifier."""

from __future__ import annotations

import re
from functools import cache

from osaid import regex
from osaid.evidence.identify.common import (
    _CASE_ODD,
    _QUOTES,
    _WORD,
    Identification,
    _current,
    _line_at,
    _spdx_name,
)

_COPYRIGHT_LINE = regex.compile(r"^.*\b(copyright|all rights reserved)\b.*$", re.I | re.M)


def _lines_with(low: str, phrases: tuple[str, ...]) -> list[int]:
    """Offsets of the lines ("\\n"-separated) of `low` holding one of `phrases` as whole words,
    in order: what `^.*\\b(phrase|...)\\b.*$` finds, without a regex scan of the whole text."""
    starts = set()
    for phrase in phrases:
        i = low.find(phrase)
        while i >= 0:
            j = i + len(phrase)
            if (i == 0 or not _word_char(low[i - 1])) and (j == len(low) or not _word_char(low[j])):
                starts.add(low.rfind("\n", 0, i) + 1)
            i = low.find(phrase, i + 1)
    return sorted(starts)


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what `\w` matches


def fingerprint(text: str) -> str:
    """SHA-256 of a license text's words: case, layout, punctuation and copyright lines folded
    away, so two copies of the same license with different owners and wrapping agree."""
    import hashlib

    text = text.translate(_QUOTES)
    if _CASE_ODD.search(text):
        text = _COPYRIGHT_LINE.sub(" ", text).lower()
    else:
        # The same lines, found from their words in the lower-cased text (same offsets).
        low, kept, pos = text.lower(), [], 0
        for start in _lines_with(low, ("copyright", "all rights reserved")):
            end = low.find("\n", start)
            kept += (low[pos:start], " ")
            pos = len(low) if end < 0 else end
        kept.append(low[pos:])
        text = "".join(kept)
    return hashlib.sha256(" ".join(_WORD.findall(text)).encode()).hexdigest()


@cache
def _fingerprints() -> dict[str, str]:
    from osaid.knowledge import load_tsv

    return {row["sha256"]: row["id"] for row in load_tsv("license_fingerprints.tsv")}


def _known_text(text: str) -> list[Identification]:
    """A standard license text, word for word: named from its fingerprint, no classifier."""
    if len(text) > 200_000:
        return []
    lid = _fingerprints().get(fingerprint(text))
    if lid is None:
        return []
    lid = _current(lid)
    first = _WORD.search(text)
    line, quote = _line_at(text, first.start() if first else 0)
    return [Identification(lid, _spdx_name(lid), 1.0, "spdx-fingerprint", line, quote)]
