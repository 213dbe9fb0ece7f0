"""Catalog facts (knowledge/licenses.yaml `identify`): titles in the first lines, version and
release-date lines, distinctive defined terms of the AI licenses the SPDX list lacks."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import accumulate

from osaid.evidence.identify.common import (
    _CASE_ODD,
    _MARKUP,
    _QUOTES,
    _WORD,
    HEAD_LINES,
    Identification,
)
from osaid.knowledge import load_yaml


@dataclass(frozen=True)
class _Rule:
    id: str
    name: str
    family: str | None
    title: tuple[_Pattern, ...]
    markers: tuple[_Pattern, ...]
    terms: tuple[_Pattern, ...]
    is_family: bool
    names: bool
    """The markers carry the license's own name (e.g. "Llama 3.1 Version ...")."""


class _Pattern:
    """A catalog pattern (case-insensitive, multi-line), compiled on first use. `needs`: sets of
    lower-cased strings such that every match holds one of each, learnt when it is compiled and
    kept between runs (`evidence.needs`), so a text that lacks them never costs a compile."""

    __slots__ = ("source", "_rx", "needs")

    def __init__(self, source: str) -> None:
        from osaid.evidence.needs import _known_needs

        self.source = source
        self._rx: re.Pattern | None = None
        known = _known_needs().get("catalog:" + source)
        self.needs: tuple[tuple[str, ...], ...] | None = (
            tuple(tuple(n) for n in known) if known is not None else None
        )

    def _build(self) -> re.Pattern:
        """The program from osaid's cache when an earlier run compiled it; else parsed once, for
        both the literal prefilter and the program."""
        from osaid.evidence.needs import compile_with_needs

        self._rx, self.needs = compile_with_needs(
            "catalog:" + self.source, self.source, re.I | re.M
        )
        return self._rx

    def holds_needs(self, low: str) -> bool:
        """False when a string every match holds is absent from `low` (compiles if unknown)."""
        if self.needs is None:
            self._build()
        return all(any(n in low for n in alternatives) for alternatives in self.needs)

    def search(self, text: str, pos: int, end: int) -> re.Match | None:
        return (self._rx or self._build()).search(text, pos, end)


def _compile(pattern: str) -> _Pattern:
    return _Pattern(pattern)


@cache
def _rules() -> tuple[_Rule, ...]:
    entries = load_yaml("licenses.yaml")["licenses"]
    families = {e.get("family") for e in entries if e.get("family")}
    out = []
    for e in entries:
        facts = e.get("identify") or {}
        if not facts.get("title") and not facts.get("markers"):
            continue

        def rx(key: str, facts: dict = facts) -> tuple[_Pattern, ...]:
            return tuple(_compile(p) for p in facts.get(key) or ())

        name = e.get("name") or e["id"]
        word = name.split()[0].lower()
        names = any(word in str(m).lower() for m in facts.get("markers") or ())
        out.append(
            _Rule(
                e["id"],
                name,
                e.get("family"),
                rx("title"),
                rx("markers"),
                rx("terms"),
                e["id"] in families,
                names,
            )
        )
    return tuple(out)


class _Folded:
    """The text's non-empty lines, folded, joined so that one regex search covers them all."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        # Folding maps characters one to one and markup runs never cross a line: folding the
        # whole text keeps its lines.
        folded_all = [
            " ".join(f.split()) for f in _MARKUP.sub(" ", text.translate(_QUOTES)).splitlines()
        ]
        self.numbers = [i for i, f in enumerate(folded_all, 1) if f]
        folded = [f for f in folded_all if f]
        self.starts = list(accumulate((len(f) + 1 for f in folded[:-1]), initial=0))
        self.joined = "\n".join(folded)
        self.head_end = (
            self.starts[HEAD_LINES] if len(self.starts) > HEAD_LINES else len(self.joined)
        )
        self.low = None if _CASE_ODD.search(self.joined) else self.joined.lower()
        self.head_low = self.low[: self.head_end] if self.low is not None else None

    @cached_property
    def words(self) -> int:
        return len(_WORD.findall(self.text))

    def raw(self, number: int) -> str:
        return self.lines[number - 1].strip()

    def word_count(self, number: int) -> int:
        return len(_WORD.findall(self.raw(number))) if 0 < number <= len(self.lines) else 0

    def first(self, patterns, head: bool = False) -> tuple[int, str] | None:
        """(line number, raw line) of the earliest match of any pattern."""
        end = self.head_end if head else len(self.joined)
        hay = self.head_low if head else self.low
        best = None
        for p in patterns:
            if hay is not None and not p.holds_needs(hay):
                continue  # a string every match holds is not in the text
            m = p.search(self.joined, 0, end)
            if m and (best is None or m.start() < best):
                best = m.start()
        if best is None:
            return None
        k = bisect_right(self.starts, best) - 1
        return self.numbers[k], self.raw(self.numbers[k])


def _catalog(lines: _Folded) -> list[Identification]:
    found: list[tuple[float, _Rule, tuple[int, str], str]] = []
    family_hits: dict[str, tuple[int, str]] = {}
    for rule in _rules():
        title = lines.first(rule.title, head=True) if rule.title else None
        if rule.is_family:
            if title:
                family_hits[rule.id] = title
            continue
        marker = None
        # a bare "Last modified: ..." line names no license by itself
        if rule.markers and (title or not rule.title or rule.names):
            marker = lines.first(rule.markers)
        if title and (marker or not rule.markers):
            score, where, method = 1.0, title, "catalog-title"
        elif marker and rule.markers and not rule.title:
            score, where, method = 0.9, marker, "catalog-marker"
        elif title:
            score, where, method = 0.8, title, "catalog-title"  # title right, version line absent
        elif marker:
            score, where, method = 0.7, marker, "catalog-marker"  # version line without title
        else:
            continue
        if rule.terms and lines.first(rule.terms):
            score += 0.05
        found.append((score, rule, where, method))
    found.sort(key=lambda f: -f[0])
    out: list[Identification] = []
    by_family: dict[str, list] = {}
    for f in found:
        by_family.setdefault(f[1].family or f[1].id, []).append(f)
    for fam, hits in by_family.items():
        best = hits[0]
        rivals = [h for h in hits[1:] if h[1].family == fam] if best[1].family else []
        if rivals and best[0] < 1.0:
            # Two versions claim the text, or only a weak hit: tell the family, not a version.
            what = ", ".join(h[1].name for h in [best, *rivals])
            out.append(
                _family(
                    fam,
                    best[2],
                    f"version unknown: the text's title and version "
                    f"lines do not agree on one version ({what})",
                )
            )
            family_hits.pop(fam, None)
            continue
        score, rule, (line, raw), method = best
        coverage = 1.0
        if not rule.id.startswith("LicenseRef-") and lines.words:
            # A standard text named by its title: the title and version lines explain only
            # themselves (a stub naming the license is explained whole; a long text is not).
            named = {line, *(m[0] for m in [lines.first(rule.markers)] if m)}
            coverage = min(1.0, sum(lines.word_count(n) for n in named) / lines.words)
        note = None
        if score < 0.9:
            note = (
                "title matches, but the version or release-date line osaid expects is not in "
                "the text"
                if method == "catalog-title"
                else "a version line matches, but not the title"
            )
        if coverage < 0.9:
            note = (
                f"The title names {rule.id}, but the rest of the text ({1 - coverage:.0%} of "
                "its words) was not recognised as that license's text."
            )
        out.append(Identification(rule.id, rule.name, coverage, method, line, raw[:200], note=note))
        if rule.family:
            family_hits.pop(rule.family, None)
    for fam, where in family_hits.items():
        out.append(
            _family(
                fam, where, "version unknown: no version or release-date line osaid knows was found"
            )
        )
    return out


def _family(fam: str, where: tuple[int, str], why: str) -> Identification:
    rule = next((r for r in _rules() if r.id == fam), None)
    name = rule.name if rule else fam
    short = re.sub(r"\s*\((?:version|variant|license) unknown\)$", "", name)
    return Identification(
        fam,
        name,
        1.0,
        "catalog-family",
        where[0],
        where[1][:200],
        family_only=True,
        note=f"{short}, {why}.",
    )
