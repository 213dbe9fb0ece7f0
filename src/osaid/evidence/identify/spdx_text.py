"""SPDX license texts matched word by word by `licenseclassifier` (loaded on first use), and SPDX
headers that name a license by id."""

from __future__ import annotations

import re
from functools import cache

from osaid import regex
from osaid.evidence.identify import speedups
from osaid.evidence.identify.common import (
    _SPDX_HEADER,
    _WORD,
    Identification,
    _current,
    _line_at,
    _spdx_name,
)

# Every standard license text grants permissions, disclaims warranties or dedicates to the public
# domain; a text with none of these words (a NOTICE, a use policy) is not worth the classifier's
# start-up (about 0.1 s to load its index).
_LICENSE_WORDS = regex.compile(
    r"warrant|permission|permitted|licen[cs]|redistribut|public domain|"
    r"waive",
    re.I,
)


def _spdx(text: str) -> list[Identification]:
    head = len(_WORD.findall(text, 0, 20_000))
    if head < 25 or not _LICENSE_WORDS.search(text):
        return []
    matches = _classify(text)
    if not matches:
        return []
    spans = sorted((m.start, m.end) for m in matches)
    total = (head if len(text) <= 20_000 else len(_WORD.findall(text))) or 1
    covered_by: dict[str, int] = {}
    first_at: dict[str, int] = {}
    for m in matches:
        lid = _current(m.id)
        covered_by[lid] = covered_by.get(lid, 0) + len(_WORD.findall(text, m.start, m.end))
        first_at.setdefault(lid, m.start)
    covered_all = sum(covered_by.values())
    extra = _uncovered(text, spans) if covered_all / total < 0.95 else None
    out = []
    for lid, words in sorted(covered_by.items(), key=lambda kv: -kv[1]):
        coverage = min(1.0, words / total)
        line, quote = _line_at(text, first_at[lid])
        note = None
        if extra is not None:
            other = total - covered_all
            note = (
                f"The text is {lid} for {coverage:.0%} of its words; {other} other words "
                f'(from line {extra[0]}: "{extra[1][:80]}") are not part of it and may add '
                f"terms."
            )
        elif len(covered_by) > 1:
            note = "The text holds several licenses."
        out.append(
            Identification(lid, _spdx_name(lid), coverage, "spdx-text", line, quote, note=note)
        )
    return out


def _uncovered(text: str, spans: list[tuple[int, int]]) -> tuple[int, str] | None:
    """The first line of the largest stretch of words outside the matched regions."""
    gaps, pos = [], 0
    for s, e in spans + [(len(text), len(text))]:
        if s > pos:
            gaps.append((len(_WORD.findall(text, pos, s)), pos, s))
        pos = max(pos, e)
    gaps = [g for g in gaps if g[0] > 0]
    if not gaps:
        return None
    _, s, e = max(gaps)
    m = _WORD.search(text, s, e)
    return _line_at(text, m.start() if m else s)


def _header(text: str) -> list[Identification]:
    m = _SPDX_HEADER.search(text[:4000])
    if not m:
        return []
    from osaid.knowledge.licensing import catalog

    res = catalog().resolve(m.group(1))
    if not res.expression:
        return []
    total = len(_WORD.findall(text)) or 1
    rest = total - len(_WORD.findall(m.group(0)))
    coverage = 1.0 if rest < 30 else len(_WORD.findall(m.group(0))) / total
    line, quote = _line_at(text, m.start())
    note = (
        None
        if coverage == 1.0
        else "The file names its license by an SPDX header; the rest "
        "of the text is not the license."
    )
    return [
        Identification(
            res.expression,
            _spdx_name(res.expression),
            coverage,
            "spdx-header",
            line,
            quote,
            note=note,
        )
    ]


@cache
def _classifier():
    from licenseclassifier import identify_license

    speedups.install()
    return identify_license


def _classify(text: str):
    # Threshold 0: we want the regions even when other text surrounds them; coverage is ours.
    return _classifier()(text, coverage_threshold=0.0)
