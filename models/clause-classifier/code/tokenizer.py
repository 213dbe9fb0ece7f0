# SPDX-License-Identifier: Apache-2.0
"""The clause classifier's tokenizer: word, CJK and character n-grams of a clause, in pure Python.

Two feature blocks, as scikit-learn's `TfidfVectorizer` builds them with the settings below:

- `word_terms` (the vectorizer's `analyzer`): the lower-cased words of two or more word
  characters outside CJK ideographs, with their 2-grams, then the character 1- to 3-grams of every
  run of CJK ideographs (Chinese has no spaces between words, so its characters and their short
  runs stand for words). On text without CJK ideographs the words are exactly scikit-learn's
  `token_pattern=r"(?u)\\b\\w\\w+\\b"` words.
- `char_terms`: character 4-grams inside word boundaries (`analyzer="char_wb"`).

Weights trained with scikit-learn are then scored without it; `test_classifier.py` checks that
the two agree.
"""

from __future__ import annotations

import re

WORD = {"ngram_range": (1, 2), "cjk_ngram_range": (1, 3)}
CHAR = {"analyzer": "char_wb", "ngram_range": (4, 4)}
# CJK ideographs: the unified block, extension A and the compatibility block
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[^\W{CJK}]{{2,}}")
_CJK_RUN = re.compile(f"[{CJK}]+")


def cjk_grams(text: str, lo: int = 1, hi: int = 3) -> list[str]:
    """Character `lo`- to `hi`-grams of each run of CJK ideographs in `text` (n-gram size
    first, then position)."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        for n in range(lo, min(hi, len(run)) + 1):
            out.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return out


def word_terms(
    text: str, lo: int = 1, hi: int = 2, cjk: tuple[int, int] | None = (1, 3)
) -> list[str]:
    """Lower-cased word n-grams (scikit-learn's `_word_ngrams` order), then the CJK n-grams."""
    low = text.lower()
    tokens = _TOKEN.findall(low)
    out = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    if cjk is not None:
        out.extend(cjk_grams(low, *cjk))
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
