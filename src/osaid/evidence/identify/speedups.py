"""Shortcuts for licenseclassifier's tokenizer and matcher (same results, several times faster),
for the pinned version only; `OSAID_NO_SPEEDUPS=1` turns them off."""

from __future__ import annotations

import os
import re
from itertools import chain
from operator import itemgetter

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


def enabled() -> bool:
    """The shortcuts apply unless `OSAID_NO_SPEEDUPS` is set (to compare with the library's own
    code, or to rule them out when something looks wrong)."""
    return not os.environ.get("OSAID_NO_SPEEDUPS")


def install() -> None:
    """Install every shortcut (each checks the library version it mirrors)."""
    if not enabled():
        return
    _install_fast_load()
    _install_fast_split()
    _install_fast_match()


def _cache_file(version: str, artifact) -> object:
    import sys

    from osaid.knowledge import cache_dir

    st = artifact.stat()
    tag = f"{version}-{st.st_size}-{int(st.st_mtime)}-py{sys.version_info[0]}{sys.version_info[1]}"
    return cache_dir() / f"licenseclassifier-scanner-{tag}.marshal"


def _install_fast_load() -> None:
    """Load the classifier's prebuilt index in one read instead of tens of thousands of small
    reads through `GzipFile` (about 110 ms to 30 ms), and keep the uncompressed index in osaid's
    cache (keyed by the library and Python versions and the index file's size and time, written
    atomically, rebuilt when missing, stale or unreadable) so later runs skip the decompression.
    The index is the library's own build artifact; a cache file that does not load as one is
    ignored."""
    import gzip
    import importlib
    import marshal

    import licenseclassifier

    # the module, not the `scan` function the package exports under the same name
    scan = importlib.import_module("licenseclassifier._engine.scan")
    if getattr(licenseclassifier, "__version__", None) != _PINNED or getattr(
        scan._load_prebuilt, "_osaid", False
    ):
        return
    original = scan._load_prebuilt

    def load():
        try:
            artifact = scan._ARTIFACT_PATH
            cached = _cache_file(_PINNED, artifact)
            try:
                data = marshal.loads(cached.read_bytes())
            except (OSError, ValueError, EOFError, TypeError):
                raw = gzip.decompress(artifact.read_bytes())
                data = marshal.loads(raw)
                try:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
                    tmp.write_bytes(raw)
                    os.replace(tmp, cached)
                except OSError:
                    pass  # an unwritable cache only costs the next run the decompression
            if not isinstance(data, dict) or data.get("version") != scan.FORMAT_VERSION:
                return original()
            return scan.Scanner.from_compiled(data)
        except (OSError, ValueError, EOFError, KeyError, TypeError):
            return original()

    load._osaid = True
    scan._load_prebuilt = load
