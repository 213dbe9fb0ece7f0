"""The learned clause classifier: pure-Python scoring equals scikit-learn's, and its hits reach
users through the clause analyser with their source and score."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from osaid.evidence import classifier
from osaid.evidence.clauses import analyse
from osaid.knowledge import restriction_kinds

RELEASE = Path(__file__).resolve().parent.parent / "models" / "clause-classifier"
BLOCKING = {k for k, v in restriction_kinds().items() if v.get("blocking")}
SAMPLE = [
    "You may use the model for non-commercial purposes only.",
    "Permission is hereby granted, free of charge, to any person obtaining a copy.",
    "You must not use the outputs to train another model that competes with ours.",
    "Redistributions must retain the above copyright notice.",
    "We recommend against using the model for medical decisions.",
    "x",
    "",
]


def test_model_loads_with_every_kind_and_a_threshold():
    m = classifier.model()
    assert m is not None
    assert set(m.kinds) == set(restriction_kinds())  # every kind, no-derivatives too
    assert set(m.thresholds) == set(m.kinds)
    assert all(0.5 <= t <= 1.01 for t in m.thresholds.values())


def test_scores_are_probabilities_for_any_input():
    for text in SAMPLE + ["\u0130stanbul " * 50, "\x00\ufffd" * 100]:
        s = classifier.scores(text)
        assert set(s) == set(classifier.model().kinds)
        assert all(0.0 <= v <= 1.0 for v in s.values())


def _clauses() -> list[str]:
    """Clauses of every sort: the fixtures, a custom license and real license texts cut as the
    analyser cuts them, and odd spacing and characters."""
    from clause_fixtures import CUSTOM_LICENSE, HARD, NEGATIVE, POSITIVE, find_real_texts

    from osaid.evidence.clauses import _clauses as cut

    texts = SAMPLE + [t for t, _ in POSITIVE] + list(NEGATIVE) + [t for t, _ in HARD]
    for text in [CUSTOM_LICENSE] + [t for _, _, t in find_real_texts(limit=40)]:
        texts += [text[a:b] for a, b in cut(text, 800)]
    texts += [
        "Ünïcode  tabs\t\nand\u00a0nbsp, CAFÉ",
        "\u0130stanbul ıi",
        "snake_case __x__ a_b",
        "don't can't won't",
        "ab " * 300,
        "line\u2028break\x1cfs",
        "x y",
        "  ",
        "1 2 34",
        "The model's outputs must not be used to train other models; research only.",
    ]
    return texts


def test_osaid_scores_equal_the_release_inference_code():
    sys.path.insert(0, str(RELEASE / "code"))
    try:
        from model import ClauseClassifier

        rel = ClauseClassifier(RELEASE / "model.safetensors")
    finally:
        sys.path.remove(str(RELEASE / "code"))
    for text in _clauses():
        a, b = classifier.scores(text), rel.scores(text)
        assert a == pytest.approx(b, abs=1e-12), text


def test_predict_skips_no_clause_that_reaches_a_threshold():
    """The bounds `predict` uses to skip clauses never hide a kind that reaches its threshold."""
    m = classifier.model()
    reported = 0
    for kinds in (None, frozenset(BLOCKING), frozenset({"attribution", "research-only"})):
        for text in _clauses():
            want = {
                k: p
                for k, p in m.scores(text).items()
                if (kinds is None or k in kinds) and p >= m.thresholds[k]
            }
            got = m.predict(text, kinds)
            assert got.keys() == want.keys(), text
            assert got == pytest.approx(want, abs=1e-12)
            reported += len(got)
    assert reported > 20  # the texts reach thresholds, so the check means something


@pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None,
    reason="scikit-learn not installed (pip install 'osaid[train]')",
)
def test_pure_python_scores_equal_scikit_learn(tmp_path):
    """Fit a small model with the release's training code and compare pure-Python scores with
    scikit-learn's predict_proba on a sample."""
    sys.path.insert(0, str(RELEASE / "code"))
    try:
        import prepare_data
        import train

        own = prepare_data.own_sentences()  # a few written sentences of each kind, and negatives
        rows = []
        for kind in train.KINDS + ["-"]:
            rows += [(t, [] if k == "-" else k.split(",")) for k, t in own if k == kind][:4]
        texts = [t for t, _ in rows]
        vw, vc, models = train.fit(texts, [ls for _, ls in rows])
        path = tmp_path / "m.safetensors"
        train.export(vw, vc, models, {k: 0.5 for k in train.KINDS}, path)
        probe = SAMPLE[:5] + ["research only, commercial use not permitted, retain notice"]
        probe += texts + _clauses()
        X = train.transform(vw, vc, probe)
        proba = {kind: models[kind].predict_proba(X)[:, 1] for kind in train.KINDS}
        m = classifier.Model(path)
        for i, text in enumerate(probe):
            got = m.scores(text)
            for kind in train.KINDS:
                assert got[kind] == pytest.approx(proba[kind][i], abs=1e-9), (text, kind)
    finally:
        sys.path.remove(str(RELEASE / "code"))


# wording not in the training data, which no pattern matches
UNRULED = "Before the files are released to you, our staff must approve your written request."


def test_classifier_hit_is_reported_with_source_and_score():
    text = "Intro.\n" + UNRULED
    assert analyse(text, "LICENSE") == []  # the rules alone: the default path
    found = analyse(text, "LICENSE", classifier=True)
    assert [(r.kind, r.source) for r in found] == [("acceptance-required", "classifier")]
    r = found[0]
    assert r.score >= classifier.model().thresholds["acceptance-required"]
    assert r.path == "LICENSE" and r.line == 2 and r.quote.startswith("Before the files")
    assert r.osd == tuple(restriction_kinds()["acceptance-required"]["osd"])
    assert r.to_json()["source"] == "classifier" and "score" in r.to_json()


def test_classifier_hit_reaches_osaid_license_only_when_asked(tmp_path, capsys):
    import json

    from osaid.cli import main

    terms = tmp_path / "LICENSE"
    terms.write_text(f"Custom terms.\n\nYou may use and share the model. {UNRULED}\n")
    main(["license", str(terms), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["restrictions"] == []
    main(["license", str(terms), "--format", "json", "--classifier"])
    restrictions = json.loads(capsys.readouterr().out)["restrictions"]
    assert [(r["kind"], r["source"]) for r in restrictions] == [
        ("acceptance-required", "classifier")
    ]
    assert restrictions[0]["score"] >= classifier.model().thresholds["acceptance-required"]


def test_rule_hits_stay_rule_hits():
    found = analyse("You may use the model for non-commercial purposes only.")
    assert [(r.kind, r.source) for r in found] == [("non-commercial", "rule")]


def test_advice_and_permissive_wording_give_no_classifier_hit():
    for text in [
        "We recommend against using the model for medical decisions.",
        "The model is not intended for use in high-risk settings such as healthcare.",
        "You may use the model for any purpose, commercial or not, without asking us.",
        "Copyright 2010-2012, D. E. Shaw Research.",
    ]:
        assert [r for r in analyse(text, classifier=True) if r.source == "classifier"] == [], text


def test_check_does_not_import_numpy_or_sklearn():
    code = (
        "import sys; from osaid.evidence import classifier, clauses; "
        "clauses.analyse('You must not use outputs to train other models.'); "
        "classifier.model(); print(sorted(m for m in ('numpy', 'sklearn', 'scipy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _release_code(name: str):
    sys.path.insert(0, str(RELEASE / "code"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(RELEASE / "code"))


def test_chinese_is_read_by_character_n_grams():
    tok = _release_code("tokenizer")
    terms = tok.word_terms("仅限非商业用途 (non-commercial use) 1亿")
    assert {"仅", "仅限", "仅限非", "商业", "商业用", "non", "commercial", "non commercial"} <= set(
        terms
    )
    assert "仅限非商业用途" not in terms and "1亿" not in terms  # no run of ideographs is a word
    # osaid's scorer counts the same terms as the release's tokenizer
    words = "仅限非商业用途 (non-commercial use) 1亿".lower().split()
    counts = classifier.model()._word_counts(words)
    assert sorted(counts.elements()) == sorted(t for t in terms if t in counts)
    assert set(terms) == set(counts)


def test_corpus_clauses_are_labelled_from_the_quotes(tmp_path):
    """A made-up corpus: clauses overlapping a strong quote carry its kind, the other clauses of
    a restrictive text and clauses overlapping a weak quote are left out, and every clause of an
    open control is a negative for the blocking kinds."""
    prep = _release_code("prepare_data")
    (tmp_path / "a.txt").write_text(
        "Terms for the Example weights.\n\n"
        "1. You may run the weights only for studies at a university.\n\n"
        "2. Anyone who uses the weights agrees to these terms by using them.\n\n"
        "3. The licensor has no duty to support the weights in any way.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        "Open terms for other weights.\n\n"
        "You can use, change and share these weights for any purpose at all.\n\n"
        "Keep this notice with every copy of the weights that you share.\n",
        encoding="utf-8",
    )
    source = {"repo": "example/x", "path": "L", "commit": "0" * 40, "url": "https://example.org"}
    labels = {
        "licenses": [
            {
                "slug": "a",
                "file": "a.txt",
                "name": "A",
                "source": source,
                "open": False,
                "kinds": [
                    {"kind": "research-only", "quote": "only for studies at a university"},
                    {"kind": "acceptance-required", "quote": "agrees to these", "weak": True},
                ],
            },
            {
                "slug": "b",
                "file": "b.txt",
                "name": "B",
                "source": source,
                "open": True,
                "kinds": [{"kind": "attribution", "quote": "Keep this notice with every copy"}],
            },
        ]
    }
    (tmp_path / "labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    rows, sources = prep.corpus_rows(tmp_path, set())
    assert [(o, k) for o, k, _ in rows] == [
        ("corpus:a", "research-only"),
        ("open:b", "-"),
        ("open:b", "attribution"),
    ]
    assert rows[0][2].startswith("1. You may run the weights only")
    assert [s["url"] for s in sources] == ["https://example.org"] * 2


def test_chinese_clause_the_rules_miss_is_found():
    # "Profit-making organisations may not deploy these weights." in Chinese, in words of its own
    text = "说明。\n营利机构不得部署这些权重。"
    assert analyse(text) == []
    found = analyse(text, classifier=True)
    assert [(r.kind, r.source, r.line) for r in found] == [("non-commercial", "classifier", 2)]


def test_trademark_and_update_clauses_are_not_restrictions_to_the_classifier():
    m = classifier.model()
    for text in [
        "You may not use the licensor's trademarks to promote your product.",
        "No trademark rights are granted by this license.",
        "您不得使用许可方的商标推广您的产品。",
        "We may publish new versions of the weights with fixes.",
        "我们可能会发布模型的新版本。",
        "Registration is optional and only used to send you news about releases.",
    ]:
        assert m.predict(text) == {}, text


def test_analyse_scores_with_a_given_model():
    text = "Intro.\n" + UNRULED
    m = classifier.Model(classifier.WEIGHTS)
    assert analyse(text, classifier=m) == analyse(text, classifier=True)
