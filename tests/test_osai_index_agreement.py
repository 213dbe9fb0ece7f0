"""bench/osai_index_agreement.py: pairing, mapping, agreement and kappa, on made-up records."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from osaid.knowledge import load_yaml

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench" / "osai_index_agreement.py"
FIXTURES = REPO / "tests" / "fixtures" / "osai-agreement"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("osai_index_agreement", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_names_fold_case_and_punctuation_but_keep_sizes(bench):
    assert bench.fold("Llama-2-13B") == bench.fold("llama 2 13b")
    assert bench.fold("Llama-2-13B") != bench.fold("Llama-2-7B")
    assert bench.hf_ids(["https://huggingface.co/Org/Model-1B/tree/main", None]) == {"org/model-1b"}
    assert bench.hf_ids("https://huggingface.co/datasets/org/data") == set()
    assert [bench.grade(v) for v in ("Open", "🟧 partial", "", None, "n/a")] == [
        "open",
        "partial",
        None,
        None,
        None,
    ]


def test_only_records_of_the_same_model_are_paired(bench):
    records = bench.read_index(FIXTURES / "index")
    assert sorted(r.path for r in records) == [
        "gravel.yaml",
        "pebble.yaml",
        "slate-a.yaml",
        "slate-b.yaml",
    ]  # notes.yaml is not a record
    manifests = bench.read_manifests(FIXTURES / "manifests")
    pairs, ambiguous = bench.pair(manifests, records)
    got = {(p.manifest.path.name, p.record.path, p.role, p.how) for p in pairs}
    assert got == {
        ("pebble-lm-1b.yml", "pebble.yaml", "end", "hub-id"),
        ("gravel-7b.yml", "gravel.yaml", "base", "name"),
    }
    assert ambiguous == ["slate.yml"]


def test_agreement_kappa_and_disagreement_classes(bench):
    r = bench.compare(FIXTURES / "index", FIXTURES / "manifests")
    # pebble (end model): 12 dimensions, 4 not assessed from a manifest; gravel (base model):
    # only the two base dimensions compared
    assert len(r.rows) == 10
    assert sum(r.not_assessed.values()) == 4
    assert r.not_assessed["hardware-architecture"] == 1
    gravel = {x.index_key for x in r.rows if x.model == "gravel-7b.yml"}
    assert gravel == {"datasources_basemodel", "weights_basemodel"}
    agree = sum(1 for x in r.rows if x.ours == x.theirs)
    assert agree == 7
    # osaid: 4 open, 4 partial, 2 closed; index: 5 open, 2 partial, 3 closed
    chance = (4 * 5 + 4 * 2 + 2 * 3) / 100
    expected = (0.7 - chance) / (1 - chance)
    assert bench.kappa([(x.ours, x.theirs) for x in r.rows]) == pytest.approx(expected)
    found = bench.classes(r.rows)
    assert found == {
        ("training-code", "declared-only", "partial", "open"): 1,
        ("end-model-data", "declared-only", "partial", "open"): 1,
        ("end-model-weights", "weights-shared", "open", "closed"): 1,
    }
    assert bench.explanation("training-code", "declared-only", "open") == "missing-evidence"
    # a label can hold for some of the index's grades only
    assert bench.explanation("end-model-weights", "weights-shared", "partial") == "deliberate"
    assert bench.explanation("end-model-weights", "weights-shared", "closed") == "unexplained"


def test_every_disagreement_label_is_a_known_word_for_a_known_grade(bench):
    data = load_yaml("osai_index.yaml")
    rules = [r for d in data["dimensions"] for r in d["rules"].values()]
    rules += list(data["common_rules"].values())
    for rule in rules:
        label = rule.get("disagreement")
        labels = label.items() if isinstance(label, dict) else [("open", label)]
        for grade, word in labels:
            assert grade in bench.GRADES and word in (None, "deliberate", "missing-evidence")


def test_kappa_is_zero_for_chance_and_one_for_perfect_agreement(bench):
    assert bench.kappa([("open", "open"), ("closed", "closed")]) == 1.0
    chance = [("open", "open"), ("open", "closed"), ("closed", "open"), ("closed", "closed")]
    assert bench.kappa(chance) == pytest.approx(0.0)
    assert bench.kappa([]) is None


def test_the_bench_prints_numbers_and_fails_on_unexplained_classes(bench, capsys):
    code = bench.main([str(FIXTURES / "index"), str(FIXTURES / "manifests")])
    out = capsys.readouterr().out
    assert "exact agreement: 7/10 (70.0%)" in out
    assert "Cohen's kappa: 0.545" in out
    assert "[unexplained]" in out and code == 1
    assert bench.main([]) == 2  # no index records supplied: usage, not a made-up number
    assert "must be supplied" in capsys.readouterr().err


def test_grades_only_needs_no_index_records(bench, capsys):
    assert bench.main(["--grades-only", str(FIXTURES / "manifests")]) == 0
    out = capsys.readouterr().out
    assert "over 4 manifests" in out
    row = next(line for line in out.splitlines() if line.startswith("hardware-architecture"))
    assert row.split()[1:] == ["0", "0", "0", "4"]  # open, partial, closed, not assessed


def test_a_family_name_never_pairs_with_a_model(bench, tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "i").mkdir()
    (tmp_path / "m" / "pebble.yml").write_text(
        "framework: {name: 'Model Openness Framework'}\n"
        "release: {name: Pebble, version: 3B, components: []}\n",
        encoding="utf-8",
    )
    (tmp_path / "i" / "family.yaml").write_text(
        "system: {name: Pebble}\nweights_endmodel: {class: open}\n", encoding="utf-8"
    )
    (tmp_path / "i" / "model.yaml").write_text(
        "system: {name: Pebble, endmodelname: pebble-3b}\nweights_endmodel: {class: open}\n",
        encoding="utf-8",
    )
    manifests = bench.read_manifests(tmp_path / "m")
    assert manifests[0].names == {"pebble3b"}
    pairs, _ = bench.pair(manifests, bench.read_index(tmp_path / "i"))
    assert [(p.record.path, p.how) for p in pairs] == [("model.yaml", "name")]
