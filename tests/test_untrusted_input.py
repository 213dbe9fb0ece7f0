"""A release is hostile until proven otherwise: links, pipes, huge files, bad text, bad YAML."""

from __future__ import annotations

import os
import time

import pytest
from conftest import safetensors_bytes

from osaid.evidence.card import parse_card
from osaid.model import TextDocument
from osaid.sources.local import Limits, LocalSource

CARD = "---\nlicense: apache-2.0\n---\n# m\n"


def rules(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"]}


def test_symlink_out_of_root_is_reported_and_not_followed(tree, tmp_path, cli):
    secret = tmp_path / "outside.txt"
    secret.write_text("SECRET CONTENT")
    root = tree({"README.md": CARD})
    os.symlink(secret, root / "LICENSE")
    os.symlink("/etc", root / "etc-link")
    report = cli("check", str(root), "--format", "json").json
    outs = [f for f in report["findings"] if f["rule"] == "symlink-outside-root"]
    assert {f["evidence"][0]["path"] for f in outs} == {"LICENSE", "etc-link"}
    assert "SECRET CONTENT" not in str(report)
    release = LocalSource().load(str(root))
    assert "LICENSE" not in release.documents


def test_fifo_is_not_opened(tree, cli):
    root = tree({"README.md": CARD})
    os.mkfifo(root / "LICENSE.fifo")
    start = time.monotonic()
    report = cli("check", str(root), "--format", "json").json
    assert time.monotonic() - start < 10  # opening the pipe would block forever
    assert "special-file" in rules(report)


def test_huge_sparse_weights_cost_nothing(tree):
    root = tree({"README.md": CARD})
    with open(root / "model.safetensors", "wb") as fh:
        fh.write(safetensors_bytes())
        fh.truncate(50 * 1024**3)  # 50 GB, sparse
    release = LocalSource().load(str(root))
    entry = next(f for f in release.files if f.path == "model.safetensors")
    assert entry.size == 50 * 1024**3
    assert len(entry.head) <= 64


def test_text_reads_are_bounded(tree):
    root = tree({"README.md": CARD, "notes.md": "x" * 400_000})
    release = LocalSource(Limits(text_bytes=1000)).load(str(root))
    doc = release.documents["notes.md"]
    assert len(doc.text) == 1000 and doc.truncated


def test_total_text_budget(tree):
    files = {f"doc{i}.md": "y" * 5000 for i in range(20)}
    root = tree({"README.md": CARD, **files})
    release = LocalSource(Limits(text_total=20_000)).load(str(root))
    assert sum(len(d.text) for d in release.documents.values()) <= 20_000
    assert any(p.rule == "read-budget-exhausted" for p in release.problems)


def test_undecodable_text_is_a_finding(tree, cli):
    root = tree({"README.md": CARD, "LICENSE": b"\xff\xfe\x00garbage \x80\x81 licence"})
    r = cli("check", str(root), "--format", "json")
    assert r.code in (0, 1)
    assert "undecodable-text" in rules(r.json)


def test_empty_files(tree, cli):
    root = tree({"README.md": "", "LICENSE": "", "model.safetensors": b""})
    report = cli("check", str(root), "--format", "json").json
    assert {"empty-card", "empty-license-file", "empty-weights"} <= rules(report)
    assert report["verdict"] == "insufficient-evidence"


def test_deep_tree_is_bounded(tree):
    root = tree({"README.md": CARD})
    deep = root
    for i in range(60):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "train.py").write_text("print('hi')")
    release = LocalSource(Limits(max_depth=10)).load(str(root))
    assert any(p.rule == "tree-too-deep" for p in release.problems)


def test_many_files_are_bounded(tree):
    root = tree({"README.md": CARD})
    for i in range(50):
        (root / f"f{i}.bin").write_bytes(b"x")
    release = LocalSource(Limits(max_files=20)).load(str(root))
    assert len(release.files) == 20
    assert any(p.rule == "tree-too-large" for p in release.problems)


def test_pickle_weights_are_flagged_never_loaded(tree, cli):
    # A pickle that would run code if loaded: osaid only looks at its first bytes.
    payload = b"\x80\x04\x95" + b"cos\nsystem\n(S'touch /tmp/osaid-pwned'\ntR."
    root = tree({"README.md": CARD, "pytorch_model.bin": payload})
    report = cli("check", str(root), "--format", "json").json
    assert "pickle-weights" in rules(report)
    assert not os.path.exists("/tmp/osaid-pwned")


def test_mismatched_weights_extension(tree, cli):
    root = tree({"README.md": CARD, "model.safetensors": b"this is not a tensor file"})
    report = cli("check", str(root), "--format", "json").json
    assert "unrecognised-weights" in rules(report)


def card(text: str):
    return parse_card(TextDocument(path="README.md", text=text))


def test_yaml_alias_bomb_is_refused_quickly():
    bomb = (
        "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
            f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(9)
        )
        + "license: mit\n---\nbody\n"
    )
    start = time.monotonic()
    facts, problems = card(bomb)
    assert time.monotonic() - start < 2
    assert facts.fields == {}
    assert problems and problems[0].rule == "card-front-matter-invalid"
    assert "aliases" in problems[0].message


@pytest.mark.parametrize(
    "front",
    [
        "license: [unclosed\n",
        "license: apache-2.0\n  bad: indent\n",
        "- just\n- a list\n",
        "[" * 5000 + "]" * 5000 + "\n",
        "!!python/object/apply:os.system ['echo pwned']\n",
    ],
)
def test_malformed_front_matter_is_a_finding(front):
    facts, problems = card(f"---\n{front}---\n# body\n")
    assert facts.fields == {}
    assert [p.rule for p in problems] == ["card-front-matter-invalid"]


def test_unclosed_front_matter():
    facts, problems = card("---\nlicense: mit\n# never closed\n")
    assert [p.rule for p in problems] == ["card-front-matter-unclosed"]


def test_front_matter_field_lines_are_file_lines():
    facts, problems = card("---\n# comment\nlicense: mit\n\ndatasets:\n  - a/b\n---\n# T\n")
    assert not problems
    assert facts.field_lines == {"license": 3, "datasets": 5}
    assert facts.fields["datasets"] == ["a/b"]


def test_malformed_card_still_gets_a_report(tree, cli):
    root = tree({"README.md": "---\nlicense: [\n---\n# x\n", "LICENSE": "MIT-ish"})
    r = cli("check", str(root), "--format", "json")
    assert r.code == 1
    assert "card-front-matter-invalid" in rules(r.json)
    finding = next(f for f in r.json["findings"] if f["rule"] == "card-front-matter-invalid")
    assert finding["evidence"][0]["path"] == "README.md"


def test_terms_deep_in_a_big_tree_are_read_before_code(tmp_path):
    from conftest import write_tree

    from osaid.evidence.extract import extract
    from osaid.sources.local import Limits, LocalSource

    files = {f"a/pkg{i:03d}/mod.py": "x = 1\n" * 300 for i in range(60)}
    files["z/deep/terms/LICENSE"] = "# Zebra Terms\n\nYou may not use this model commercially.\n"
    files["README.md"] = "---\nlicense: other\n---\n# zebra\n"
    root = write_tree(tmp_path / "big", files)
    release = LocalSource(Limits(text_total=8 * 1024)).load(str(root))
    assert "z/deep/terms/LICENSE" in release.documents
    assert "README.md" in release.documents
    facts = extract(release)
    assert any(lf.name == "Zebra Terms" for lf in facts.licenses)
    assert not [p for p in release.problems if p.rule == "license-unread"]


def test_a_terms_file_left_unread_is_a_warning_that_names_it(tmp_path):
    from conftest import write_tree

    from osaid.sources.local import Limits, LocalSource

    root = write_tree(
        tmp_path / "r",
        {"README.md": "# r\n" + "words " * 200, "sub/LICENSE-MODEL": "Terms.\n" * 10},
    )
    release = LocalSource(Limits(text_total=300)).load(str(root))
    unread = [p for p in release.problems if p.rule == "license-unread"]
    assert [e.path for p in unread for e in p.evidence] == ["sub/LICENSE-MODEL"]
