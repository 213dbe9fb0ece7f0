# SPDX-License-Identifier: Apache-2.0
"""The clause classifier's tokenizer: word and character n-grams of a clause, in pure Python.

It yields exactly the terms scikit-learn's `TfidfVectorizer` yields with the settings below
(`analyzer="word"`, `token_pattern=r"(?u)\\b\\w\\w+\\b"`, lower-cased, and `analyzer="char_wb"`),
so that weights trained with scikit-learn can be scored without it. `test_classifier.py` checks
that the two agree.
"""

from __future__ import annotations

import re

WORD = {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w\w+\b"}
CHAR = {"analyzer": "char_wb", "ngram_range": (4, 4)}

_TOKEN = re.compile(WORD["token_pattern"])


def word_terms(text: str, lo: int = 1, hi: int = 2) -> list[str]:
    """Lower-cased word n-grams (sklearn's `_word_ngrams` order)."""
    tokens = _TOKEN.findall(text.lower())
    out = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_terms(text: str, lo: int = 4, hi: int = 4) -> list[str]:
    """Character n-grams inside word boundaries, each word padded with a space (`char_wb`)."""
    out: list[str] = []
    for w in text.lower().split():
        w = " " + w + " "
        wl = len(w)
        for n in range(lo, hi + 1):
            if wl <= n:
                out.append(w)  # a short word counts once, whole
                break
            out.extend(w[i : i + n] for i in range(wl - n + 1))
    return out
