"""Find restrictive clauses in any license or policy text, English or Chinese, with the line and
a quote for each.

A generic engine over the patterns in knowledge/clauses.yaml (docs/clauses.md):

1. cut the text into clauses as licenses are written: sentences (Chinese ones at 。；！？ too),
   list items and numbered sections (the number stays with its text), headings and heading
   lines, colon-ended lead-ins, each with its offsets (so a match maps back to a 1-based line);
2. one pass of a keyword regex (the kinds' `triggers`, merged into a trie; Chinese triggers in a
   second trie run only on texts with CJK) tells which kinds can possibly match which clause;
3. only those kinds' patterns run on those clauses; headings, titles and dates are never matched
   (but by a pattern marked `heading`); a definition ("X" means ...) is read for a
   `definitions: narrowing` kind only when it narrows a grant; `unless` patterns, the
   blocking-kind exclusions and `yield_to` drop what is not a restriction;
4. one `Restriction` per (kind, clause), at most `max_per_kind` per kind, ordered by line.

Items of a prohibited-uses list ("You agree not to use the Model: - for military use; ...") inherit
the prohibition of their lead-in clause, so `in_list` patterns can match a bare field name there.
Everything is compiled once per process; every gap in a pattern is bounded, and clauses are at most
`max_clause_chars` long, so the cost stays linear in the size of the text. The learned classifier
(evidence/classifier.py) adds its hits only when asked (`classifier=True`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from osaid import regex
from osaid.evidence.needs import _known_needs, checks_of, compile_with_needs
from osaid.knowledge import load_yaml, restriction_kinds
from osaid.model import Restriction

if TYPE_CHECKING:
    from osaid.evidence.classifier import Model

__all__ = ["analyse", "Hit", "explain"]

_FLAGS = re.IGNORECASE | re.DOTALL
_SEP = r"(?:[\s*_>|]+)"
"""What a space in a pattern stands for: whitespace and markdown decoration."""

# --- compiling the knowledge ---------------------------------------------------------------------


def _expand(pattern: str, defs: dict[str, str]) -> str:
    """Replace %NAME% by its definition and plain spaces (outside [...]) by `_SEP`."""
    for _ in range(4):  # defs may use defs
        if "%" not in pattern:
            break
        pattern = re.sub(r"%([A-Z_]+)%", lambda m: defs[m.group(1)], pattern)
    out: list[str] = []
    in_class = escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            if ch == "]":
                in_class = False
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == " ":
            if out and out[-1] == _SEP:
                continue
            out.append(_SEP)
        else:
            out.append(ch)
    return "".join(out)


def _split_top(body: str) -> list[str] | None:
    """The top-level alternatives of a regex body, or None when it cannot be split safely."""
    out, depth, cls, esc, start = [], 0, False, False, 0
    for i, ch in enumerate(body):
        if esc:
            esc = False
        elif ch == "\\":
            esc = True
        elif cls:
            cls = ch != "]"
        elif ch == "[":
            cls = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
    if depth or cls or esc:
        return None
    out.append(body[start:])
    return out


def _factor(pattern: str) -> str:
    """A `(?:a|b|...)` alternation with its alternatives grouped by a leading plain letter:
    `re` tries every branch of an alternation in turn, so one long list of field or place names
    costs far less when the first letter picks the few branches worth trying. Same language."""
    if not (pattern.startswith("(?:") and pattern.endswith(")")):
        return pattern
    alts = _split_top(pattern[3:-1])
    if alts is None or len(alts) < 8:
        return pattern
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for a in alts:
        if len(a) > 1 and a[0].isascii() and a[0].isalpha() and a[1] not in "?*+{":
            groups.setdefault(a[0].lower(), []).append(a[1:])
        else:
            rest.append(a)
    parts = [
        c + (tails[0] if len(tails) == 1 else "(?:" + "|".join(tails) + ")")
        for c, tails in sorted(groups.items())
    ]
    return "(?:" + "|".join(parts + rest) + ")"


def _trie_regex(words: list[str]) -> str:
    """An alternation of `words` as a prefix trie (fast in `re`), longest alternative first."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return build(trie)


def _lower_pattern(pattern: str) -> str:
    """Lower-case the letters of a pattern, leaving escapes (\\W, \\S, \\B ...) alone."""
    out: list[str] = []
    escaped = False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = not escaped and ch == "\\"
    return "".join(out)


class _Rx:
    """A pattern, compiled on first use, and how to run it cheaply.

    Most patterns are compiled lower-cased and case-sensitive, and run on the lower-cased text
    (much faster in `re` than IGNORECASE); patterns with a case-sensitive part `(?-i:...)` run
    case-insensitively on the original text. `needs`: sets of strings such that every match
    contains one string of each set, checked with `in` before the regex runs.

    Compiling all patterns costs more than a whole `osaid check` may take, and most texts give
    most kinds nothing to match: a pattern is parsed and compiled only when a clause first
    reaches it.
    """

    __slots__ = ("_pattern", "_defs", "on_original", "_rx", "_needs", "_checks")

    def __init__(self, pattern: str, defs: dict[str, str]) -> None:
        self._pattern, self._defs = pattern, defs
        self.on_original = False
        self._rx: re.Pattern | None = None
        self._needs: tuple[tuple[str, ...], ...] = ()
        self._checks: tuple[str | tuple[str, ...], ...] = ()
        """`_needs`, a set of one string given as the string."""
        known = _known_needs().get(pattern)
        if known is not None:  # what an earlier run learnt: checked before compiling at all
            self._needs = tuple(tuple(n) for n in known)
            self._checks = checks_of(self._needs)

    def _build(self) -> re.Pattern:
        src = _expand(self._pattern, self._defs)
        self.on_original = "(?-i:" in src
        if not self.on_original:
            src = _lower_pattern(src)
        flags = _FLAGS if self.on_original else re.DOTALL
        self._rx, self._needs = compile_with_needs(self._pattern, src, flags)
        self._checks = checks_of(self._needs)
        return self._rx

    @property
    def rx(self) -> re.Pattern:
        return self._rx if self._rx is not None else self._build()

    @property
    def needs(self) -> tuple[tuple[str, ...], ...]:
        if self._rx is None:
            self._build()
        return self._needs

    def search(self, body: str, low: str) -> re.Match | None:
        for need in self._checks:  # known before compiling when an earlier run learnt them
            if need.__class__ is str:
                if need not in low:
                    return None
            elif not any(map(low.__contains__, need)):
                return None
        rx = self._rx
        if rx is None:  # compiled now: its needs may be known only now
            rx = self._build()
            for need in self._checks:
                if need.__class__ is str:
                    if need not in low:
                        return None
                elif not any(map(low.__contains__, need)):
                    return None
        return rx.search(body if self.on_original else low)


def _compile(pattern: str, defs: dict[str, str]) -> _Rx:
    return _Rx(pattern, defs)


@dataclass(frozen=True)
class _Pattern:
    id: str
    kind: str
    rx: _Rx
    unless: _Rx | None
    in_list: bool
    yield_to: frozenset[str]
    heading: bool
    """True when the pattern may match a heading (a "Prohibited Uses" section title)."""
    zh: bool
    """A pattern for Chinese wording (its id starts with "zh-"): tried only on clauses with CJK."""
    definition: bool = False
    """True when the pattern reads only the definition of a term a grant is limited to ("'Permitted
    Purpose' means academic research" where the grant is "only for the Permitted Purpose")."""


@dataclass(frozen=True)
class _Kind:
    name: str
    osd: tuple[int, ...]
    blocking: bool
    unless: _Rx | None
    patterns: tuple[_Pattern, ...]
    narrowing_only: bool
    """A definition is read as this kind only when it narrows a grant: a grant is limited to the
    term elsewhere ("solely for Research Uses"), or the definition limits itself ("... only").
    Otherwise it describes a term ("Commercial Use" means ...) and restricts nothing."""


@dataclass(frozen=True)
class _Engine:
    kinds: dict[str, _Kind]
    stem_rx: re.Pattern | None
    stem_kinds: dict[str, frozenset[str]]
    """Lower-cased matched stem -> kinds whose triggers are a prefix of it."""
    cjk_rx: re.Pattern | None
    exact_rx: re.Pattern | None
    exact_kinds: dict[str, frozenset[str]]
    lead_in: tuple[_Rx, ...]
    lead_in_unless: _Rx | None
    exclude_blocking: _Rx | None
    max_per_kind: int
    max_clause: int
    max_text: int


def _union(patterns: list[str], defs: dict[str, str]) -> _Rx | None:
    if not patterns:
        return None
    return _compile("|".join(f"(?:{p})" for p in patterns), defs)


@cache
def _engine() -> _Engine:
    data = load_yaml("clauses.yaml")
    defs: dict[str, str] = {k: _factor(v) for k, v in (data.get("defs") or {}).items()}
    known = restriction_kinds()
    kinds: dict[str, _Kind] = {}
    stem_owner: dict[str, set[str]] = {}
    exact_owner: dict[str, set[str]] = {}
    for name, spec in data["kinds"].items():
        meta = known[name]  # a KeyError here is a bug in the knowledge files
        pats = tuple(
            _Pattern(
                id=p["id"],
                kind=name,
                rx=_compile(p["re"], defs),
                unless=_union(list(p.get("unless") or ()), defs),
                in_list=bool(p.get("in_list")),
                yield_to=frozenset(p.get("yield_to") or ()),
                heading=bool(p.get("heading")),
                definition=bool(p.get("definition")),
                zh=str(p["id"]).startswith("zh-"),
            )
            for p in spec["patterns"]
        )
        kinds[name] = _Kind(
            name=name,
            osd=tuple(meta.get("osd") or ()),
            blocking=bool(meta.get("blocking")),
            unless=_union(list(spec.get("unless") or ()), defs),
            patterns=pats,
            narrowing_only=spec.get("definitions") == "narrowing",
        )
        for t in spec.get("triggers") or ():
            t = str(t)
            if t.startswith("="):
                exact_owner.setdefault(t[1:], set()).add(name)
            else:
                stem_owner.setdefault(t.lower(), set()).add(name)
    # a matched stem stands for every trigger that is a prefix of it
    stem_kinds = {
        s: frozenset(k for i in range(1, len(s) + 1) for k in stem_owner.get(s[:i], ()))
        for s in stem_owner
    }
    # word stems start at a word boundary; CJK has none between words, so its triggers are
    # literals, in a regex of their own that runs only on texts with CJK characters
    words = [s for s in stem_owner if s[:1].isascii() and s[:1].isalnum()]
    literals = [s for s in stem_owner if s[:1].isascii() and not s[:1].isalnum()]
    cjk = [s for s in stem_owner if not s[:1].isascii()]
    parts = []
    if words:
        parts.append(r"\b" + _trie_regex(words))
    if literals:
        parts.append(_trie_regex(literals))
    stem_rx = regex.compile("|".join(parts)) if parts else None  # run on the lower-cased text
    cjk_rx = regex.compile(_trie_regex(cjk)) if cjk else None
    exact_rx = (
        regex.compile(
            r"\b(?:" + "|".join(map(re.escape, sorted(exact_owner, key=len, reverse=True))) + r")\b"
        )
        if exact_owner
        else None
    )
    lead = data.get("list_lead_in") or {}
    return _Engine(
        kinds=kinds,
        stem_rx=stem_rx,
        stem_kinds=stem_kinds,
        cjk_rx=cjk_rx,
        exact_rx=exact_rx,
        exact_kinds={w: frozenset(k) for w, k in exact_owner.items()},
        lead_in=tuple(_compile(p["re"], defs) for p in lead.get("patterns", ())),
        lead_in_unless=_union(list(lead.get("unless") or ()), defs),
        exclude_blocking=_union([e["re"] for e in data.get("exclude_blocking") or ()], defs),
        max_per_kind=int(data.get("max_per_kind", 5)),
        max_clause=int(data.get("max_clause_chars", 800)),
        max_text=int(data.get("max_text_chars", 300_000)),
    )


# --- cutting a text into clauses ---------------------------------------------------------------

_LIST_MARK = (
    r"(?:[-*•+–]|\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)]|\d{1,2}(?:\.\d{1,2}){1,3}\.?)[ \t]"
    r"|[（(]?[一二三四五六七八九十]{1,3}[、）)]|\d{1,3}[、）]|第[一二三四五六七八九十百\d]{1,4}[条章节款]"
)
"""Where a list item or numbered section starts: bullets, "1." "(a)" "iv)" "2.3", and in Chinese
"一、" "（二）" "3、" "第四条"."""
_BOUNDARY = regex.compile(
    r"[.!?;](?=[\s\"'”’)\]]|$)"  # end of a sentence
    r"|[。；！？][”’）)」』]?"  # a Chinese sentence ends wherever its mark is
    r"|[:：][ \t]*(?=\r?\n)"  # a colon ending a line (lead-in of a list)
    r"|\n(?:[ \t]*\r?\n"  # a blank line
    r"|(?=[ \t]*(?:#|" + _LIST_MARK + r")))"
)  # a heading or a list item starts
_ABBREV = frozenset(
    "e.g i.e etc vs inc ltd co corp no nos sec art cf st mr mrs ms dr fig approx "
    "u.s u.k e.u p.r para incl v al".split()
)
_SHORT_LINE = regex.compile(
    r"^[ \t#>*]*+([A-Z\d\u3400-\u9fff（(“\"][^\n]{1,59}+)\n(?=[ \t>*]*[A-Z\d\u3400-\u9fff（(“\"#])",
    re.M,
)
"""A short line without a closing mark, directly followed by text: a heading when it reads as one."""
_NUMBER_MARK = regex.compile(r"(?:^|\n)[ \t>*_#]*(?:\d{1,3}(?:\.\d{1,3}){0,3}|[ivxIVX]{1,5})\.$")
_WORD_BEFORE = regex.compile(r"([A-Za-z.]{1,6})$")
_ITEM_START = regex.compile(r"[ \t>]*(?:" + _LIST_MARK + r")")
_LABELLED_ITEM = regex.compile(
    r"[ \t>*_]*[^\W\d_](?:[^\n:：.;。；!?！？\d]{0,48}?[^\W\d_])?[*_]{0,2}[:：][*_]{0,2}[ \t]+[^\W\d_]"
)
"""A paragraph that opens with a short label and a colon ("Fraud and scams: using the model to
...", "**Scams:** ..."): use policies write the items of a prohibited-use list this way, one
paragraph each. A label with a number ("Section 5: ...") is the text's structure, not an item."""
_PARA_BEFORE = regex.compile(r"\n[ \t]*\r?\n\s*$")


def _clauses(text: str, max_len: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the clauses of `text`, in order, none empty or over `max_len`."""
    cuts: list[int] = []
    if text.lstrip(" \t").startswith("#"):
        cuts.append(text.find("\n") + 1 or len(text))
    for m in _SHORT_LINE.finditer(text):
        line = m.group(1).rstrip()
        if line and line[-1] not in ".;:,!?。；：，！？" and _is_heading(line):
            cuts.append(m.end())  # a heading line directly above its text
    for m in _BOUNDARY.finditer(text):
        c = text[m.start()]
        if c == ".":
            w = _WORD_BEFORE.search(text, max(0, m.start() - 6), m.start())
            if w and (w.group(1).lower().lstrip(".") in _ABBREV or len(w.group(1).strip(".")) == 1):
                continue
            if _NUMBER_MARK.search(text, max(0, m.start() - 12), m.start() + 1):
                continue  # "3." or "2.1." numbering a section or an item
        cuts.append(m.end())
        if c == "\n" and text[m.end() : m.end() + 8].lstrip(" \t").startswith("#"):
            cuts.append(text.find("\n", m.end()) + 1 or len(text))  # a heading is a clause
    cuts.append(len(text))
    cuts.sort()
    out: list[tuple[int, int]] = []
    prev = 0
    for cut in cuts:
        if cut <= prev:
            continue
        s, e = prev, cut
        prev = cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if e - s <= max_len:
            out.append((s, e))
        else:
            out.extend(_chunks(text, s, e, max_len))
    return out


def _chunks(text: str, s: int, e: int, max_len: int) -> list[tuple[int, int]]:
    """Cut an over-long clause at whitespace so no piece exceeds `max_len` characters."""
    out = []
    while e - s > max_len:
        cut = text.rfind(" ", s + max_len // 2, s + max_len)
        if cut <= s:
            cut = s + max_len
        out.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if s < e:
        out.append((s, e))
    return out


def _lower(text: str) -> str:
    """`text` lower-cased with every offset kept (str.lower can lengthen a few characters)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return text.replace("\u0130", "i").lower()  # U+0130 is the only one (Unicode 15)


# --- matching ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A restriction with the pattern that found it (for benchmarks and debugging)."""

    restriction: Restriction
    pattern: str


def analyse(
    text: str, path: str | None = None, *, classifier: bool | Model = False
) -> list[Restriction]:
    """The restrictive clauses of `text`, one per (kind, clause), ordered by line.

    `classifier=True` adds the learned classifier's hits (evidence/classifier.py) for clauses no
    rule caught; it is off by default because on the labelled corpus of real AI licenses it adds
    no recall to the rules (docs/classifier.md). A `classifier.Model` instead of True scores with
    that model (benchmarks retrain one per held-out license)."""
    return [h.restriction for h in explain(text, path, classifier=classifier)]


def explain(text: str, path: str | None = None, *, classifier: bool | Model = False) -> list[Hit]:
    """Like `analyse`, with the id of the pattern behind each restriction."""
    if not text or not isinstance(text, str):
        return []
    eng = _engine()
    if len(text) > eng.max_text:  # a license is far shorter; bound the work on anything else
        cut = text.rfind("\n", 0, eng.max_text)
        text = text[: cut if cut > eng.max_text // 2 else eng.max_text]
    clauses = _clauses(text, eng.max_clause)
    if not clauses:
        return []
    low = _lower(text)
    starts = [c[0] for c in clauses]
    wanted: dict[int, set[str]] = {}

    def mark(pos: int, kinds: frozenset[str]) -> None:
        i = bisect_right(starts, pos) - 1
        if i >= 0 and pos < clauses[i][1]:
            wanted.setdefault(i, set()).update(kinds)

    if eng.stem_rx is not None:
        for m in eng.stem_rx.finditer(low):
            mark(m.start(), eng.stem_kinds[m.group()])
    if eng.cjk_rx is not None and _CJK.search(text):
        for m in eng.cjk_rx.finditer(text):
            mark(m.start(), eng.stem_kinds[m.group()])
    if eng.exact_rx is not None:
        for m in eng.exact_rx.finditer(text):
            mark(m.start(), eng.exact_kinds[m.group()])
    heads: dict[int, bool] = {}
    in_list = _list_items(text, low, clauses, eng, heads) if wanted else set()
    narrowing = _narrowing_terms(text, low, clauses, wanted)
    per_kind: dict[str, int] = {}
    hits: list[tuple[int, int, Hit]] = []
    newlines: list[int] | None = None
    for i in sorted(wanted):
        cstart, cend = clauses[i]
        body, lbody = text[cstart:cend], low[cstart:cend]
        found: list[tuple[_Pattern, re.Match]] = []
        excluded: bool | None = None
        heading = heads[i] if i in heads else _is_heading(body)
        term: str | None = _defined_term(body)
        narrows = bool(term) and term.lower() in narrowing
        cjk = _CJK.search(body) is not None
        latin = not cjk or _LATIN.search(body) is not None
        for kname in sorted(wanted[i]):
            kind = eng.kinds[kname]
            if per_kind.get(kname, 0) >= eng.max_per_kind:
                continue
            if term and kind.narrowing_only and not narrows and not _SELF_LIMITING.search(lbody):
                continue
            m_p = _match_kind(kind, body, lbody, i in in_list, heading, cjk, latin, narrows)
            if m_p is None:
                continue
            if kind.blocking:
                if excluded is None:
                    excluded = bool(
                        eng.exclude_blocking and eng.exclude_blocking.search(body, lbody)
                    )
                if excluded:
                    continue
            found.append(m_p)
        kinds_here = {p.kind for p, _ in found}
        for pat, m in found:
            if pat.yield_to & kinds_here:
                continue
            kind = eng.kinds[pat.kind]
            per_kind[kind.name] = per_kind.get(kind.name, 0) + 1
            if newlines is None:
                newlines = [n.start() for n in re.finditer("\n", text)]
            pos = cstart + m.start()
            quote = _quote(body, m.start(), m.end())
            line = bisect_right(newlines, cstart + _quote_start(body, quote) - 1) + 1
            r = Restriction(
                kind=kind.name,
                osd=kind.osd,
                quote=quote,
                path=path,
                line=line,
                source="rule",
            )
            hits.append((line, pos, Hit(r, pat.id)))
    if classifier:
        hits.extend(_classifier_hits(text, low, path, clauses, eng, per_kind, hits, classifier))
    hits.sort(key=lambda h: (h[0], h[1], h[2].restriction.kind))
    return [h for _, _, h in hits]


_NOTICE = regex.compile(r"[\W_]*(?:copyright|\(c\)|©)", re.I)


def _too_short(text: str, start: int, end: int) -> bool:
    """A clause too short for the classifier to score: under 20 characters, or under 8 in
    Chinese, where a character often is a word."""
    return end - start < (8 if _CJK.search(text, start, end) else 20)


def _classifier_hits(
    text: str,
    low: str,
    path: str | None,
    clauses: list[tuple[int, int]],
    eng: _Engine,
    per_kind: dict[str, int],
    rule_hits: list,
    classifier: bool | Model = True,
) -> list:
    """Clauses the learned classifier (evidence/classifier.py) puts in a blocking kind at or above
    that kind's calibrated threshold, where no rule found that kind in the clause. Copyright
    notices and clauses too short to judge are not scored; the filters that drop
    non-restrictions for the rules (a kind's `unless`, `exclude_blocking`) apply too."""
    from osaid.evidence.classifier import model

    clf = model() if classifier is True else classifier
    if not clf:
        return []
    blocking = frozenset(k.name for k in eng.kinds.values() if k.blocking)
    starts = [c[0] for c in clauses]
    ruled = {(bisect_right(starts, pos) - 1, h.restriction.kind) for _, pos, h in rule_hits}
    newlines: list[int] | None = None
    out = []
    scored: dict[str, dict[str, float]] = {}  # a clause repeated in the text is scored once
    for i, (cstart, cend) in enumerate(clauses):
        if _too_short(text, cstart, cend) or _NOTICE.match(text, cstart, cend):
            continue
        body, lbody = text[cstart:cend], low[cstart:cend]
        if _is_heading(body):
            continue
        found = scored.get(body)
        if found is None:
            found = scored[body] = clf.predict(body, blocking)
        for kname, score in found.items():
            kind = eng.kinds.get(kname)
            if (
                kind is None
                or not kind.blocking
                or (i, kname) in ruled
                or per_kind.get(kname, 0) >= eng.max_per_kind
            ):
                continue
            if kind.unless is not None and kind.unless.search(body, lbody):
                continue
            if kind.blocking and eng.exclude_blocking and eng.exclude_blocking.search(body, lbody):
                continue
            per_kind[kname] = per_kind.get(kname, 0) + 1
            if newlines is None:
                newlines = [n.start() for n in re.finditer("\n", text)]
            quote = _quote(body, 0, 0)
            line = bisect_right(newlines, cstart + _quote_start(body, quote) - 1) + 1
            r = Restriction(
                kind=kname,
                osd=kind.osd,
                quote=quote,
                path=path,
                line=line,
                source="classifier",
                score=score,
            )
            out.append((line, cstart, Hit(r, "classifier")))
    return out


def _match_kind(
    kind: _Kind,
    body: str,
    low: str,
    listed: bool,
    heading: bool,
    cjk: bool,
    latin: bool = True,
    narrows: bool = False,
) -> tuple[_Pattern, re.Match] | None:
    """The first pattern of `kind` that holds in the clause (with its match), if any. Chinese
    patterns run only on clauses with CJK characters, the others only on clauses with Latin
    words; `definition` patterns only on the definition of a term a grant is limited to."""
    first: tuple[_Pattern, re.Match] | None = None
    for pat in kind.patterns:
        if (
            (pat.in_list and not listed)
            or (pat.definition and not narrows)
            or (heading and not pat.heading)
            or (not cjk if pat.zh else not latin)
        ):
            continue
        m = pat.rx.search(body, low)
        if m is None or (pat.unless is not None and pat.unless.search(body, low)):
            continue
        if first is None or m.start() < first[1].start():
            first = (pat, m)
        if not pat.yield_to:
            break  # a specific pattern holds: it is the one reported
    if first is None or (kind.unless is not None and kind.unless.search(body, low)):
        return None
    return first


def _list_items(
    text: str, low: str, clauses: list[tuple[int, int]], eng: _Engine, heads: dict[int, bool]
) -> set[int]:
    """Indexes of clauses inside a prohibited-uses list (after a lead-in, until the list ends).

    A list opened by a colon lead-in takes the paragraph right after it (its items may have no
    marks, one a line) and ends at the next paragraph that is neither a list item nor a labelled
    paragraph ("Harassment: ..."); one opened by a heading ends at the next heading; none runs
    for more than 80 clauses."""
    items: set[int] = set()
    scope: str | None = None  # "colon" or "heading"
    count = 0
    for i, (s, e) in enumerate(clauses):
        heading = text[s] == "#" or _is_heading(text[s:e])
        heads[i] = heading
        if scope is not None:
            if (
                heading
                or count >= 80
                or (
                    scope == "colon"
                    and count > 0  # the paragraph right after the colon is what it announces
                    and _starts_paragraph(text, s)
                    and not _ITEM_START.match(text, s, s + 12)
                    and not _LABELLED_ITEM.match(text, s, s + 64)
                )
            ):
                scope = None
            else:
                items.add(i)
                count += 1
        hanging = (
            text[e - 1] not in ".;!?。；！？"
            and i + 1 < len(clauses)
            and _ITEM_START.match(text, clauses[i + 1][0], clauses[i + 1][0] + 12) is not None
        )
        if e - s < 400 and (heading or text[e - 1] in ":：" or hanging):
            body, lbody = text[s:e], low[s:e]
            if any(rx.search(body, lbody) for rx in eng.lead_in) and not (
                eng.lead_in_unless and eng.lead_in_unless.search(body, lbody)
            ):
                scope, count = ("heading" if heading else "colon"), 0
    return items


_NUMBERING = regex.compile(
    r"^[ \t>#*_]*(?:(?:section|article|part|clause|schedule|appendix|annex|exhibit|attachment)"
    r"[ \t]+)?(?:[\dIVXivx]{1,4}(?:\.\d{1,3})*[.):]?|\(?[a-zA-Z\d]{1,3}\)|[-*•+–])?[ \t]*",
    re.I,
)
_META_LINE = regex.compile(
    r"(?:last |date )?(?:updated|modified|revised|effective|released|published|version|dated?|"
    r"v\d|更新|修订|发布|生效|版本)(?:[ \t]+(?:on|date|as of))?[ \t]*[:：]?[ \t]*[\w ,./:-]{0,40}$",
    re.I,
)
_MODAL = regex.compile(
    r"\b(?:may|shall|must|will|not|cannot|agree|accept|please|before|unless|except|without|you|we"
    r"|is|are|means|refers|includes|grants?|granted)\b|不得|禁止|应当|须|可以|您|你|是指",
    re.I,
)
_LETTERS = regex.compile(r"[^\W\d_]+")
_CJK = regex.compile(r"[\u3400-\u9fff]")
_LATIN = regex.compile(r"[A-Za-z]{2}")


def _is_heading(body: str) -> bool:
    """Whether a clause is a heading, a title, a date or version line or a table-of-contents
    entry rather than a sentence: these name a subject and never state a term themselves.

    A heading is one short line, after its numbering, that is a date or version line, or has no
    modal or party word ("may", "shall", "you", 不得, 您 ...) and is in title case (English) or
    has no sentence mark (Chinese)."""
    body = body.strip()
    if not body or len(body) > 120 or body[-1] in "。；！？;:,，：" or "\n" in body:
        return False
    b = _NUMBERING.sub("", body, count=1).strip(" \t*_#>")
    if not b:
        return False  # a bare number or mark: part of what follows
    if _META_LINE.match(b) and any(c.isdigit() for c in b):
        return True
    if b[-1] in ",;:，；：" or _MODAL.search(b):
        return False
    if _CJK.search(b):
        return len(b) <= 40 and not re.search(r"[。！？.!?]", b)
    words = [w for w in _LETTERS.findall(b) if len(w) > 3]
    if not words or len(_LETTERS.findall(b)) > 10:
        return False
    return sum(1 for w in words if not w.islower()) >= 0.7 * len(words)


_DEFINITION = regex.compile(
    r"^[ \t>#*_]*(?:[\dIVXivx.()a-z]{1,8}[ \t]+)?[\"“‘'*_]{1,3}([^\"”’'*\n]{2,60}?)[\"”’'*_]{1,3}"
    r"[ \t]*(?:\([^)]{0,40}\)[ \t]*)?(?:shall mean|means|refers to|is defined as|shall refer to"
    r"|has the meaning|shall have the meaning|是指|指|：)",
    re.I,
)


_LIMITER = regex.compile(
    r"(?:\b(?:solely|only|exclusively|limited to|restricted to)\s+(?:for\s+|to\s+|in\s+|as\s+)?"
    r"(?:an?\s+|your\s+|the\s+|its\s+|their\s+)?(?:own\s+)?|仅限于?|仅(?:可)?(?:出于|用于)|只能(?:出于|用于)"
    r")[\"“'‘]?"
)


_SELF_LIMITING = regex.compile(
    r"\b(?:only|solely|exclusively|exclud\w*|(?:restricted|limited) to)\b|仅|只|限于"
)


def _narrowing_terms(
    text: str, low: str, clauses: list[tuple[int, int]], wanted: dict[int, set[str]]
) -> frozenset[str]:
    """Lower-cased defined terms that a grant is limited to somewhere in the text ("solely for
    Research Uses"): their definitions narrow the grant and are read as restrictions, while the
    definition of a term no grant is limited to only describes it."""
    terms = {t.lower() for i in wanted if (t := _defined_term(text[clauses[i][0] : clauses[i][1]]))}
    if not terms:
        return frozenset()
    out = set()
    for m in _LIMITER.finditer(low):
        out.update(t for t in terms if low.startswith(t, m.end()))
    return frozenset(out)


def _defined_term(body: str) -> str | None:
    """The term a definition clause defines ("X" means ...; “X”是指...), else None."""
    m = _DEFINITION.match(body)
    return m.group(1).strip() if m else None


def _starts_paragraph(text: str, s: int) -> bool:
    return (s < 64 and not text[:s].strip()) or bool(_PARA_BEFORE.search(text, max(0, s - 64), s))


_WS = regex.compile(r"\s+")


def _quote_start(body: str, quote: str) -> int:
    """Where in `body` the quote begins (its first words, whitespace folded), so the line cited
    for a clause is the line its quote starts on."""
    words = quote.lstrip("…").split()[:4]
    if not words:
        return 0
    m = re.search(r"\s+".join(map(re.escape, words)), body)
    return m.start() if m else 0


def _quote(body: str, ms: int, me: int, limit: int = 200) -> str:
    """The clause with whitespace collapsed, trimmed to `limit` characters around the match."""
    text = _WS.sub(" ", body).strip().lstrip("#> ").strip()
    if len(text) <= limit:
        return text
    # where the match is in the collapsed text
    pre = _WS.sub(" ", body[:ms]).lstrip().lstrip("#> ")
    mid = len(_WS.sub(" ", body[ms:me]))
    a = max(0, len(pre) - max(20, (limit - 2 - mid) // 3))
    a = min(a, max(0, len(text) - (limit - 2)))
    b = min(len(text), a + limit - 2)
    if a > 0:
        sp = text.find(" ", a, a + 15)
        a = sp + 1 if sp != -1 else a
    if b < len(text):
        sp = text.rfind(" ", b - 15, b)
        b = sp if sp > a else b
    return ("…" if a > 0 else "") + text[a:b].strip() + ("…" if b < len(text) else "")
