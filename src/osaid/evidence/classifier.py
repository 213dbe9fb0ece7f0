"""The learned clause classifier: scores one clause for each restriction kind.

A linear model (one logistic regression per kind over TF-IDF word 1-2-grams, character 1-3-grams
of runs of CJK ideographs, and character 4-grams) trained with scikit-learn from the release in
models/clause-classifier/; its parameters ship in knowledge/clause_classifier.safetensors
(identical to the release's model.safetensors). This module reads that file and scores clauses
with the standard library only: the n-grams below are those scikit-learn's TfidfVectorizer
yields with the release's settings, which its tests check.
The model is loaded once, on first use.
"""

from __future__ import annotations

import json
import math
import re
import struct
import sys
from array import array
from collections import Counter
from functools import cache
from itertools import chain
from operator import mul
from pathlib import Path

__all__ = ["Model", "model", "scores", "predict"]

WEIGHTS = Path(__file__).resolve().parent.parent / "knowledge" / "clause_classifier.safetensors"
# words: two or more word characters other than CJK ideographs; Chinese is read by the character
# n-grams of its runs of ideographs (the release's code/tokenizer.py)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[^\\W{_CJK}]{{2,}}")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_DTYPES = {"F64": "d", "I64": "q"}


class _PerWord(dict):
    """`fn` of each whitespace-separated word, computed once per word: no token and no `char_wb`
    n-gram spans two words, so a clause's are its words' in order. Cleared when it grows past
    `limit` words."""

    def __init__(self, fn, limit: int = 50_000) -> None:
        super().__init__()
        self.fn, self.limit = fn, limit

    def __missing__(self, word: str) -> tuple[str, ...]:
        value = self.fn(word)
        if len(self) >= self.limit:
            self.clear()
        self[word] = value
        return value


def _char_grams(word: str, vocab: dict, lo: int, hi: int) -> tuple[str, ...]:
    """The character n-grams of one word that are in `vocab`, as scikit-learn's `char_wb`
    analyser yields them: the word padded with a space each side, every n-gram of it, or the
    padded word whole when it is too short."""
    w = " " + word + " "
    wl = len(w)
    out: list[str] = []
    for n in range(lo, hi + 1):
        if wl <= n:
            if w in vocab:
                out.append(w)
            break
        out.extend(
            g
            for g in map(w.__getitem__, map(slice, range(wl - n + 1), range(n, wl + 1)))
            if g in vocab
        )
    return tuple(out)


def _cjk_grams(word: str, lo: int, hi: int) -> tuple[str, ...]:
    """The character `lo`- to `hi`-grams of each run of CJK ideographs in one word."""
    out: list[str] = []
    for run in _CJK_RUN.findall(word):
        for n in range(lo, min(hi, len(run)) + 1):
            out.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return tuple(out)


class _Tf(dict):
    """Sublinear term frequency, 1 + ln(count), computed once per count."""

    def __missing__(self, count: int) -> float:
        v = self[count] = 1.0 + math.log(count)
        return v


class _Scorer:
    """What scoring needs for one set of kinds: per block, the terms with a weight for one of
    them and those weights; the kinds' indexes, intercepts and the linear score each must reach
    to be reported; and each word's positive-weight character n-grams."""

    __slots__ = ("kinds", "base", "need", "pairs", "positive", "char_hits")

    def __init__(self, model: Model, kinds: tuple[int, ...], need: dict[int, float]) -> None:
        self.kinds = kinds
        self.base = list(model.intercept)
        self.need = need
        wanted = set(kinds)
        self.pairs = tuple(
            {
                t: p
                for t, pairs in block.items()
                if (p := tuple((k, w) for k, w in pairs if k in wanted))
            }
            for block in model.weights
        )
        # the terms that can raise the score of a kind that can be reported
        self.positive = tuple(
            {
                t: p
                for t, pairs in block.items()
                if (p := tuple((k, w) for k, w in pairs if w > 0 and k in need))
            }
            for block in self.pairs
        )
        # per word: its character n-grams with a positive weight
        positive = self.positive[1]
        self.char_hits = _PerWord(lambda w: tuple(g for g in model._grams[w] if g in positive))


class Model:
    """The parameters of a clause classifier, read from a safetensors file."""

    def __init__(self, path: Path) -> None:
        raw = Path(path).read_bytes()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8 : 8 + n])
        meta = header.pop("__metadata__")
        t = {}
        for name, spec in header.items():
            a, b = spec["data_offsets"]
            arr = array(_DTYPES[spec["dtype"]])
            arr.frombytes(raw[8 + n + a : 8 + n + b])
            if sys.byteorder != "little":  # pragma: no cover
                arr.byteswap()
            t[name] = arr
        self.kinds: tuple[str, ...] = tuple(json.loads(meta["kinds"]))
        self.thresholds: dict[str, float] = json.loads(meta["thresholds"])
        settings = json.loads(meta["settings"])
        self.word_range = tuple(settings["word_ngram_range"])
        self.cjk_range = tuple(settings["cjk_ngram_range"])
        self.char_range = tuple(settings["char_ngram_range"])
        nfeat = json.loads(meta["coef_shape"])[1]
        rows: dict[int, list[tuple[int, float]]] = {}
        for flat, w in zip(t["coef_index"], t["coef_value"], strict=False):
            rows.setdefault(flat % nfeat, []).append((flat // nfeat, w))
        self.intercept = tuple(t["intercept"])
        # per block (word, char): term -> idf, and term -> ((kind, weight), ...) for the few
        # terms with a non-zero weight
        self.idf: list[dict[str, float]] = []
        self.weights: list[dict[str, tuple[tuple[int, float], ...]]] = []
        col = 0
        for block in ("word", "char"):
            vocab = json.loads(meta[f"vocabulary_{block}"])
            self.idf.append(dict(zip(vocab, t[f"idf_{block}"], strict=False)))
            self.weights.append(
                {
                    vocab[c - col]: tuple(rows[c])
                    for c in sorted(rows)
                    if col <= c < col + len(vocab)
                }
            )
            col += len(vocab)
        self._floor = tuple(min(idf.values(), default=0.0) ** 2 for idf in self.idf)
        lo, hi = self.char_range
        self._tokens = _PerWord(lambda w: tuple(_TOKEN.findall(w)))
        self._cjk = _PerWord(lambda w: _cjk_grams(w, *self.cjk_range))
        self._grams = _PerWord(lambda w: _char_grams(w, self.idf[1], lo, hi))
        self._tf = _Tf()
        self._scorers: dict[frozenset[str] | None, _Scorer] = {}

    def _scorer(self, kinds: frozenset[str] | None) -> _Scorer:
        s = self._scorers.get(kinds)
        if s is None:
            idx = tuple(i for i, k in enumerate(self.kinds) if kinds is None or k in kinds)
            # a kind whose threshold is above 1 is switched off: it can never be reported
            need = {
                i: math.log(self.thresholds[self.kinds[i]] / (1 - self.thresholds[self.kinds[i]]))
                for i in idx
                if self.thresholds[self.kinds[i]] < 1
            }
            s = self._scorers[kinds] = _Scorer(self, idx, need)
        return s

    def _word_counts(self, words: list[str]) -> Counter:
        """Counts of the word n-grams of a clause (given as its whitespace-separated words), as
        scikit-learn's `word` analyser yields them."""
        lo, hi = self.word_range
        tokens = list(chain.from_iterable(map(self._tokens.__getitem__, words)))
        terms = Counter(tokens) if lo == 1 else Counter()
        for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
            terms.update(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
        terms.update(chain.from_iterable(map(self._cjk.__getitem__, words)))
        return terms

    def _char_counts(self, words: list[str]) -> Counter:
        """Counts of the character n-grams of a clause that are in the vocabulary."""
        return Counter(chain.from_iterable(map(self._grams.__getitem__, words)))

    def _raise(
        self, top: dict[int, float], counts: Counter, have, block: int, scorer: _Scorer
    ) -> None:
        """Add to `top` an upper bound of what one block adds to each kind's score.

        A term's feature value is tf * idf / norm, with tf >= 1; the block's norm is at least the
        root of the squared values of the positive-weight terms present plus the smallest idf
        squared for every other term present (`have`). So the block adds at most, for each
        positive-weight term present, its weight times its value over that smaller norm."""
        positive = scorer.positive[block]
        hits = have & positive.keys()
        if not hits:
            return
        tf, idf = self._tf.__getitem__, self.idf[block]
        values = {t: tf(counts[t]) * idf[t] for t in hits}
        least = math.sqrt(
            sum(v * v for v in values.values()) + (len(have) - len(hits)) * self._floor[block]
        )
        for t, v in values.items():
            v /= least
            for k, w in positive[t]:
                top[k] += v * w

    def _linear(
        self,
        counts: tuple[Counter, Counter],
        present: tuple,
        scorer: _Scorer,
    ) -> list[float]:
        """The linear score of each kind of `scorer` (others stay at their intercept);
        `present`: per block, the vocabulary terms of `counts`."""
        acc = list(scorer.base)
        tf = self._tf.__getitem__
        for c, have, idf, pairs in zip(counts, present, self.idf, scorer.pairs, strict=False):
            if not have:
                continue
            values = list(map(mul, map(tf, map(c.__getitem__, have)), map(idf.__getitem__, have)))
            norm = math.sqrt(sum(map(mul, values, values)))
            for term in have & pairs.keys():
                v = tf(c[term]) * idf[term] / norm
                for k, w in pairs[term]:
                    acc[k] += v * w
        return acc

    def decision(self, text: str) -> list[float]:
        """The linear score of each kind (before the sigmoid)."""
        words = text.lower().split()
        wc, cc = self._word_counts(words), self._char_counts(words)
        return self._linear(
            (wc, cc), (wc.keys() & self.idf[0].keys(), cc.keys()), self._scorer(None)
        )

    def scores(self, text: str) -> dict[str, float]:
        """The probability of each kind for one clause."""
        return {k: _sigmoid(d) for k, d in zip(self.kinds, self.decision(text), strict=False)}

    def predict(self, text: str, kinds: frozenset[str] | None = None) -> dict[str, float]:
        """The kinds (of `kinds`, default all) whose probability reaches their calibrated
        threshold, with the probability.

        Most clauses reach no threshold, and two upper bounds of the scores tell most of them
        cheaply: first the word block's bound (`_raise`) plus, for the character block, the
        weight of each positive-weight n-gram present (a feature value is at most 1); then both
        blocks' bounds. Only the clauses left are scored in full."""
        scorer = self._scorer(kinds)
        need = scorer.need
        if not need:
            return {}
        low = text.lower()
        words = low.split()
        wc = self._word_counts(words)
        have = wc.keys() & self.idf[0].keys()
        top = {k: scorer.base[k] for k in need}
        self._raise(top, wc, have, 0, scorer)
        # the character block's positive-weight n-grams, each with a value of at most 1
        capped = dict(top)
        for g in set(chain.from_iterable(map(scorer.char_hits.__getitem__, words))):
            for k, w in scorer.positive[1][g]:
                capped[k] += w
        if all(capped[k] < n for k, n in need.items()):
            return {}
        cc = self._char_counts(words)
        self._raise(top, cc, cc.keys(), 1, scorer)
        if all(top[k] < n for k, n in need.items()):
            return {}
        acc = self._linear((wc, cc), (have, cc.keys()), scorer)
        return {
            self.kinds[k]: p
            for k in need
            if (p := _sigmoid(acc[k])) >= self.thresholds[self.kinds[k]]
        }


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@cache
def model() -> Model | None:
    """The shipped model, loaded on first use (None when the file is missing or unreadable)."""
    try:
        return Model(WEIGHTS)
    except (OSError, ValueError, KeyError, struct.error):
        return None


def scores(text: str) -> dict[str, float]:
    m = model()
    return m.scores(text) if m is not None else {}


def predict(text: str) -> dict[str, float]:
    m = model()
    return m.predict(text) if m is not None else {}
