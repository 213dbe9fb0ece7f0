"""The learned clause classifier: scores one clause for each restriction kind.

A linear model (one logistic regression per kind over TF-IDF word 1-2-grams and character
4-grams) trained with scikit-learn from the release in models/clause-classifier/; its parameters
ship in knowledge/clause_classifier.safetensors (identical to the release's model.safetensors). This
module reads that file and scores clauses with the standard library only: the n-grams below are
those scikit-learn's TfidfVectorizer yields with the release's settings, which its tests check.
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
from pathlib import Path

__all__ = ["Model", "model", "scores", "predict"]

WEIGHTS = Path(__file__).resolve().parent.parent / "knowledge" / "clause_classifier.safetensors"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_DTYPES = {"F64": "d", "I64": "q"}


def _word_terms(text: str, lo: int, hi: int) -> list[str]:
    tokens = _TOKEN.findall(text)
    out = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def _char_grams(text: str, n: int) -> Counter:
    """Counts of the character n-grams scikit-learn's `char_wb` analyser yields, plus some that
    span two words (an inner space), which no vocabulary term has, so they never match.

    The words are joined by single spaces and padded, and every n-gram of that string is taken at
    C speed; words too short to hold an n-gram with their padding are added whole, as
    `char_wb` does."""
    words = text.split()
    s = " " + " ".join(words) + " "
    grams = Counter(map(s.__getitem__, map(slice, range(len(s) - n + 1), range(n, len(s) + 1))))
    grams.update(" " + w + " " for w in words if len(w) + 2 < n)
    return grams


class Model:
    """The parameters of a clause classifier, read from a safetensors file."""

    def __init__(self, path: Path) -> None:
        raw = Path(path).read_bytes()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        meta = header.pop("__metadata__")
        t = {}
        for name, spec in header.items():
            a, b = spec["data_offsets"]
            arr = array(_DTYPES[spec["dtype"]])
            arr.frombytes(raw[8 + n + a:8 + n + b])
            if sys.byteorder != "little":  # pragma: no cover
                arr.byteswap()
            t[name] = arr
        self.kinds: tuple[str, ...] = tuple(json.loads(meta["kinds"]))
        self.thresholds: dict[str, float] = json.loads(meta["thresholds"])
        settings = json.loads(meta["settings"])
        self.word_range = tuple(settings["word_ngram_range"])
        self.char_range = tuple(settings["char_ngram_range"])
        nfeat = json.loads(meta["coef_shape"])[1]
        rows: dict[int, list[tuple[int, float]]] = {}
        for flat, w in zip(t["coef_index"], t["coef_value"]):
            rows.setdefault(flat % nfeat, []).append((flat // nfeat, w))
        self.intercept = tuple(t["intercept"])
        self.tables: list[dict[str, tuple[float, tuple]]] = []
        col = 0
        for block in ("word", "char"):
            vocab = json.loads(meta[f"vocabulary_{block}"])
            idf = t[f"idf_{block}"]
            self.tables.append({term: (idf[i], tuple(rows.get(col + i, ())))
                                for i, term in enumerate(vocab)})
            col += len(vocab)
        # For `predict`: the kinds that can be reported, the linear score each must reach, and
        # the terms with a positive weight for one of them. A clause's score for a kind is at most
        # its intercept plus the positive weights of its terms (each feature value is at most 1),
        # so a clause whose bound stays below every kind's threshold needs no further work.
        self._logit = {k: math.log(t / (1 - t)) for k, t in self.thresholds.items() if t < 1}
        enabled = {i for i, k in enumerate(self.kinds) if k in self._logit}
        self._positive = {term: pos for table in self.tables for term, (_, pairs) in table.items()
                          if (pos := tuple((k, w) for k, w in pairs if w > 0 and k in enabled))}

    def _terms(self, low: str) -> tuple[Counter, Counter]:
        lo, hi = self.char_range
        chars = _char_grams(low, lo)
        for n in range(lo + 1, hi + 1):
            chars.update(_char_grams(low, n))
        return Counter(_word_terms(low, *self.word_range)), chars

    def decision(self, text: str, terms: tuple[Counter, Counter] | None = None) -> list[float]:
        """The linear score of each kind (before the sigmoid)."""
        acc = list(self.intercept)
        for table, counts in zip(self.tables, terms or self._terms(text.lower())):
            feats, ss = [], 0.0
            for term in counts.keys() & table.keys():
                idf, pairs = table[term]
                v = (1.0 + math.log(counts[term])) * idf
                ss += v * v
                if pairs:
                    feats.append((v, pairs))
            if feats:
                norm = math.sqrt(ss)
                for v, pairs in feats:
                    v /= norm
                    for k, w in pairs:
                        acc[k] += v * w
        return acc

    def scores(self, text: str) -> dict[str, float]:
        """The probability of each kind for one clause."""
        return {k: _sigmoid(d) for k, d in zip(self.kinds, self.decision(text))}

    def predict(self, text: str, kinds: frozenset[str] | None = None) -> dict[str, float]:
        """The kinds (of `kinds`, default all) whose probability reaches their calibrated
        threshold, with the probability."""
        terms = self._terms(text.lower())
        bound = [self.intercept[i] if k in self._logit and (kinds is None or k in kinds)
                 else -math.inf for i, k in enumerate(self.kinds)]
        for counts in terms:
            for term in counts.keys() & self._positive.keys():
                for k, w in self._positive[term]:
                    bound[k] += w
        if not any(b >= self._logit[k] for k, b in zip(self.kinds, bound) if b > -math.inf):
            return {}
        return {k: p for k, d in zip(self.kinds, self.decision(text, terms))
                if (kinds is None or k in kinds) and (p := _sigmoid(d)) >= self.thresholds[k]}


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
