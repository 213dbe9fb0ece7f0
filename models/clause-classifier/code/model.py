# SPDX-License-Identifier: Apache-2.0
"""The clause classifier's architecture: one logistic regression per restriction kind over
TF-IDF-weighted word (with CJK) and character n-grams, and its parameters in a safetensors file.

    x      = [l2(tfidf(word and CJK n-grams)), l2(tfidf(char n-grams))]   tf = 1 + ln(count)
    p_kind = sigmoid(coef[kind] . x + intercept[kind])

`model.safetensors` holds the non-zero weights of the (kinds x features) matrix `coef` as
`coef_index` (I64, flat row-major index) and `coef_value` (F64), then `intercept` (F64, kinds),
`idf_word` and `idf_char` (F64); its `__metadata__` holds `coef_shape`, the kinds, the two
vocabularies (terms in column order), the tokenizer settings and the per-kind decision thresholds,
as JSON strings.
Reading and scoring need only the standard library.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from array import array
from collections import Counter
from pathlib import Path

from tokenizer import char_terms, word_terms

_DTYPES = {"F64": "d", "F32": "f", "I64": "q", "I32": "i"}


def write_safetensors(
    path: Path, tensors: dict[str, tuple[str, list[int], array]], metadata: dict[str, str]
) -> None:
    """Write `tensors` (name -> (dtype, shape, flat array)) deterministically: sorted names,
    little-endian data, header padded with spaces to a multiple of 8 bytes."""
    header: dict = {"__metadata__": dict(sorted(metadata.items()))}
    blobs, offset = [], 0
    for name in sorted(tensors):
        dtype, shape, data = tensors[name]
        raw = array(_DTYPES[dtype], data)
        if sys.byteorder != "little":
            raw.byteswap()
        b = raw.tobytes()
        header[name] = {
            "dtype": dtype,
            "shape": list(shape),
            "data_offsets": [offset, offset + len(b)],
        }
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * (-len(h) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(path: Path) -> tuple[dict[str, tuple[list[int], array]], dict[str, str]]:
    """(name -> (shape, flat array), metadata) of a safetensors file."""
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, spec in header.items():
        a, b = spec["data_offsets"]
        arr = array(_DTYPES[spec["dtype"]])
        arr.frombytes(raw[8 + n + a : 8 + n + b])
        if sys.byteorder != "little":
            arr.byteswap()
        out[name] = (spec["shape"], arr)
    return out, meta


class ClauseClassifier:
    """Scores one clause: {kind: probability}, and the kinds at or above their threshold."""

    def __init__(self, path: Path) -> None:
        tensors, meta = read_safetensors(path)
        self.kinds: list[str] = json.loads(meta["kinds"])
        self.thresholds: dict[str, float] = json.loads(meta["thresholds"])
        settings = json.loads(meta["settings"])
        self.word_range = tuple(settings["word_ngram_range"])
        self.cjk_range = tuple(settings["cjk_ngram_range"])
        self.char_range = tuple(settings["char_ngram_range"])
        nfeat = json.loads(meta["coef_shape"])[1]
        rows: dict[int, list[tuple[int, float]]] = {}
        for flat, w in zip(tensors["coef_index"][1], tensors["coef_value"][1], strict=False):
            rows.setdefault(flat % nfeat, []).append((flat // nfeat, w))
        self.intercept = list(tensors["intercept"][1])
        self.tables = []
        col = 0
        for block in ("word", "char"):
            vocab = json.loads(meta[f"vocabulary_{block}"])
            idf = tensors[f"idf_{block}"][1]
            table = {}
            for i, term in enumerate(vocab):
                table[term] = (idf[i], tuple(rows.get(col + i, ())))
            self.tables.append(table)
            col += len(vocab)

    def decision(self, text: str) -> list[float]:
        """The linear score of each kind (before the sigmoid)."""
        acc = list(self.intercept)
        for table, terms in (
            (self.tables[0], word_terms(text, *self.word_range, cjk=self.cjk_range)),
            (self.tables[1], char_terms(text, *self.char_range)),
        ):
            feats, ss = [], 0.0
            for term, count in Counter(terms).items():
                entry = table.get(term)
                if entry is not None:
                    v = (1.0 + math.log(count)) * entry[0]
                    ss += v * v
                    if entry[1]:
                        feats.append((v, entry[1]))
            if not feats:
                continue
            norm = math.sqrt(ss)
            for v, pairs in feats:
                v /= norm
                for k, w in pairs:
                    acc[k] += v * w
        return acc

    def scores(self, text: str) -> dict[str, float]:
        return {k: _sigmoid(d) for k, d in zip(self.kinds, self.decision(text), strict=False)}

    def predict(self, text: str) -> dict[str, float]:
        """The kinds whose score reaches their threshold, with the score."""
        return {k: s for k, s in self.scores(text).items() if s >= self.thresholds[k]}


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
