# SPDX-License-Identifier: Apache-2.0
"""Training: fit the clause classifier on data/build/train.tsv and write model.safetensors.

Needs scikit-learn (osaid's `train` extra). Deterministic: fixed settings and seed below, solvers
without randomness, vocabulary ties broken by term order, thresholds from a fixed 5-fold split.

    python code/prepare_data.py && python code/train.py
"""

from __future__ import annotations

import json
import sys
from array import array
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from model import write_safetensors  # noqa: E402
from prepare_data import BUILD, KINDS, NON_BLOCKING, ROOT  # noqa: E402
from tokenizer import CHAR, WORD, word_terms  # noqa: E402

SEED = 20241028
SETTINGS = {
    "word_ngram_range": list(WORD["ngram_range"]),
    "cjk_ngram_range": list(WORD["cjk_ngram_range"]),
    "char_ngram_range": list(CHAR["ngram_range"]),
    "min_df": 2,
    "sublinear_tf": True,
    "C": 4.0,
    "class_weight": "balanced",
    "solver": "liblinear",
    "l1_ratio": 1.0,
    "folds": 5,
    "seed": SEED,
    "min_precision": 0.9,
}


def load_rows(
    path: Path = BUILD / "train.tsv", corpus: Path | None = BUILD / "corpus.tsv"
) -> list[tuple[str, list[str], str]]:
    """(origin, kinds, clause) of the training rows: the written and package rows, then the
    corpus rows when the build drew them (origin `corpus:SLUG` or `open:SLUG`)."""
    rows = []
    for p in (path, corpus):
        if p is None or not p.is_file():
            continue
        for line in p.read_text(encoding="utf-8").splitlines():
            origin, kinds, text = line.split("\t")
            rows.append((origin, [] if kinds == "-" else kinds.split(","), text))
    return rows


def from_corpus(origin: str) -> bool:
    return origin.startswith(("corpus:", "open:"))


def granted(origin: str) -> bool:
    """Rows of texts that grant the freedoms: drawn clauses of OSI-approved licenses and of the
    corpus's open controls (no blocking kind may be reported on them)."""
    return origin.startswith(("spdx:", "open:"))


def vectorizers(vocabulary: tuple[list[str], list[str]] | None = None):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    common = {"min_df": SETTINGS["min_df"], "sublinear_tf": True, "dtype": np.float64}
    vw = TfidfVectorizer(
        analyzer=partial(
            word_terms,
            lo=WORD["ngram_range"][0],
            hi=WORD["ngram_range"][1],
            cjk=WORD["cjk_ngram_range"],
        ),
        vocabulary=vocabulary[0] if vocabulary else None,
        **common,
    )
    vc = TfidfVectorizer(**CHAR, vocabulary=vocabulary[1] if vocabulary else None, **common)
    return vw, vc


def fit(texts: list[str], labels: list[list[str]], vocabulary_texts: list[str] | None = None):
    """(word vectorizer, char vectorizer, {kind: LogisticRegression}) trained on the texts.

    The vocabularies (terms in at least `min_df` texts) come from `vocabulary_texts` when given,
    else from the texts; the IDF and the weights from the texts."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    vocabulary = None
    if vocabulary_texts is not None:
        vocabulary = tuple(sorted(v.fit(vocabulary_texts).vocabulary_) for v in vectorizers())
    vw, vc = vectorizers(vocabulary)
    X = sp.hstack([vw.fit_transform(texts), vc.fit_transform(texts)]).tocsr()
    models = {}
    for kind in KINDS:
        y = [kind in ls for ls in labels]
        m = LogisticRegression(
            C=SETTINGS["C"],
            l1_ratio=SETTINGS["l1_ratio"],
            solver=SETTINGS["solver"],
            class_weight=SETTINGS["class_weight"],
            random_state=SEED,
            max_iter=1000,
            tol=1e-6,
        )
        models[kind] = m.fit(X, y)
    return vw, vc, models


def fit_rows(rows):
    """`fit` on training rows, the vocabularies from the rows not drawn from the corpus: no term
    of a corpus text enters the model unless the project's own or the package texts hold it."""
    return fit(
        [t for _, _, t in rows],
        [ls for _, ls, _ in rows],
        [t for o, _, t in rows if not from_corpus(o)],
    )


def build(rows):
    """(word vectorizer, char vectorizer, models, thresholds): the model of `rows`, with its
    thresholds calibrated on out-of-fold scores."""
    thresholds = calibrate(rows, out_of_fold(rows))
    return (*fit_rows(rows), thresholds)


def transform(vw, vc, texts: list[str]):
    import scipy.sparse as sp

    return sp.hstack([vw.transform(texts), vc.transform(texts)]).tocsr()


def out_of_fold(rows) -> list[dict[str, float]]:
    """Each training row's scores from a model fitted without its fold (fixed, stratified by
    whether the row has any kind)."""
    from sklearn.model_selection import StratifiedKFold

    texts = [t for _, _, t in rows]
    strata = [ls[0] if ls else "-" for _, ls, _ in rows]
    oof: list[dict[str, float]] = [{} for _ in rows]
    folds = StratifiedKFold(SETTINGS["folds"], shuffle=True, random_state=SEED)
    for tr, te in folds.split(texts, strata):
        vw, vc, models = fit_rows([rows[i] for i in tr])
        X = transform(vw, vc, [texts[i] for i in te])
        for kind, m in models.items():
            for i, p in zip(te, m.predict_proba(X)[:, 1], strict=False):
                oof[i][kind] = float(p)
    return oof


def calibrate(rows, oof) -> dict[str, float]:
    """Per kind, the lowest threshold >= 0.5 with out-of-fold precision >= min_precision that no
    drawn clause of a text that grants the freedoms reaches (for blocking kinds); 1.01 when
    none."""
    out = {}
    for kind in KINDS:
        floor = 0.5
        if kind not in NON_BLOCKING:  # above every drawn clause of a text granting the freedoms
            drawn = [s[kind] for (o, _, _), s in zip(rows, oof, strict=False) if granted(o)]
            floor = max([floor] + [x + 1e-3 for x in drawn])
        best = 1.01  # above any probability: the kind is never reported
        for t in sorted({round(s[kind], 3) for s in oof if s[kind] >= floor} | {round(floor, 3)}):
            hits = [(kind in ls) for (_, ls, _), s in zip(rows, oof, strict=False) if s[kind] >= t]
            if hits and sum(hits) / len(hits) >= SETTINGS["min_precision"]:
                best = t
                break
        out[kind] = best
    return out


def export(vw, vc, models, thresholds, path: Path) -> None:
    vocab = {}
    for name, v in (("word", vw), ("char", vc)):
        terms = sorted(v.vocabulary_, key=v.vocabulary_.get)
        vocab[name] = (terms, [float(x) for x in v.idf_])
    nfeat = len(vocab["word"][0]) + len(vocab["char"][0])
    index, value = array("q"), array("d")  # the non-zero weights, row-major (kind, feature)
    for k, kind in enumerate(KINDS):
        row = models[kind].coef_[0]
        assert len(row) == nfeat
        for j, x in enumerate(row.tolist()):
            if x != 0.0:
                index.append(k * nfeat + j)
                value.append(x)
    tensors = {
        "coef_index": ("I64", [len(index)], index),
        "coef_value": ("F64", [len(value)], value),
        "intercept": ("F64", [len(KINDS)], [float(models[k].intercept_[0]) for k in KINDS]),
        "idf_word": ("F64", [len(vocab["word"][1])], vocab["word"][1]),
        "idf_char": ("F64", [len(vocab["char"][1])], vocab["char"][1]),
    }
    meta = {
        "format": "osaid-clause-classifier/1",
        "coef_shape": json.dumps([len(KINDS), nfeat]),
        "kinds": json.dumps(KINDS),
        "thresholds": json.dumps(thresholds, sort_keys=True),
        "settings": json.dumps(SETTINGS, sort_keys=True),
        "vocabulary_word": json.dumps(vocab["word"][0], ensure_ascii=False),
        "vocabulary_char": json.dumps(vocab["char"][0], ensure_ascii=False),
        "license": "Apache-2.0",
    }
    write_safetensors(path, tensors, meta)


def main() -> None:
    # The shipped weights learn from the project's own sentences and the package texts only:
    # nothing osaid ships is built from the labelled corpus, which is kept for measuring (the
    # leave-one-license-out bench trains with it, to ask whether it would help).
    rows = [r for r in load_rows() if not from_corpus(r[0])]
    vw, vc, models, thresholds = build(rows)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "model.safetensors"
    export(vw, vc, models, thresholds, out)
    nnz = sum(int((m.coef_ != 0).sum()) for m in models.values())
    print(
        f"wrote {out}: {len(vw.vocabulary_)} word + {len(vc.vocabulary_)} char features, "
        f"{nnz} non-zero weights; thresholds {json.dumps(thresholds)}"
    )


if __name__ == "__main__":
    main()
