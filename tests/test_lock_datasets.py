"""The terms lock pins the terms documents of the datasets a hub model's card names, and `verify`
reports their drift like the model's own documents."""

from __future__ import annotations

import hashlib
import json

import pytest
from hubserver import FakeRepo, _dataset_card, default_repos, serving

from osaid.sources import hf

NS = "osaid-examples"
DATASET = f"{NS}/fable-dialogues"
MODEL = "acme/fable-lm"

# A short data license written for these tests (not any published license).
DATA_TERMS = b"""Fable dialogues data terms

Anyone may copy, share and adapt these dialogues, in whole or in part, for any purpose.
When you share them, credit the fable dialogues project and keep this notice with the copies.
The dialogues come as they are, without any promise that they are fit for a purpose.
"""

CARD = f"""---
license: apache-2.0
datasets:
  - {DATASET}
---

# fable-lm

A small model trained on made-up dialogues between animals in fables.
""".encode()


def _push(repo: FakeRepo, path: str, content: bytes | None) -> None:
    """A new commit on the fake hub's main branch (None deletes the file)."""
    if content is None:
        repo.files.pop(path)
    else:
        repo.files[path] = content
    repo.refs["main"] = repo.commit()


@pytest.fixture
def hub(monkeypatch, tmp_path):
    extra = [
        FakeRepo(
            DATASET,
            {
                "README.md": _dataset_card(
                    "Fable dialogues",
                    "other",
                    "Made-up dialogues between animals, for the osaid tests.",
                ),
                "LICENSE": DATA_TERMS,
            },
            kind="dataset",
            card_data={"license": "other"},
        ),
        FakeRepo(
            MODEL,
            {"README.md": CARD, "LICENSE": b"Apache License, Version 2.0\n"},
            card_data={"license": "apache-2.0", "datasets": [DATASET]},
        ),
    ]
    with serving(monkeypatch, tmp_path, default_repos() + extra) as h:
        yield h


@pytest.fixture
def locked(hub, cli, tmp_path):
    lock = tmp_path / "osaid.lock"
    r = cli("lock", f"hf:{MODEL}", "--lock", str(lock))
    assert r.code == 0, r.err
    return lock


def _dataset_entry(lock) -> dict:
    (entry,) = json.loads(lock.read_text())["entries"]
    (d,) = entry["datasets"]
    return d


def test_lock_pins_the_dataset_terms_documents(hub, cli, locked):
    d = _dataset_entry(locked)
    repo = hub.repos[("dataset", DATASET)]
    assert d["id"] == DATASET and d["revision"] == repo.refs["main"]
    (doc,) = d["documents"]
    assert doc["path"] == "LICENSE" and doc["truncated"] is False
    assert doc["sha256"] == hashlib.sha256(DATA_TERMS).hexdigest()
    assert doc["normalized_sha256"] == hashlib.sha256(doc["normalized_text"].encode()).hexdigest()
    assert "keep this notice with the copies." in doc["normalized_text"]
    assert d["restrictions"] == []
    r = cli("verify", "--lock", str(locked))
    assert r.code == 0 and "no drift" in r.out, r.out + r.err


def test_a_changed_dataset_license_is_drift_with_a_diff(hub, cli, locked):
    repo = hub.repos[("dataset", DATASET)]
    _push(repo, "LICENSE", DATA_TERMS.replace(b"for any purpose", b"for research only"))
    r = cli("verify", "--lock", str(locked))
    assert r.code == 1, r.out + r.err
    assert f"document-changed: dataset {DATASET}: LICENSE: terms changed" in r.out
    assert f"--- a/datasets/{DATASET}/LICENSE (locked)" in r.out
    lines = [x.strip() for x in r.out.splitlines()]
    assert any(
        x.startswith("-") and "adapt these dialogues, in whole or in part, for any purpose." in x
        for x in lines
    ), r.out
    assert any(
        x.startswith("+") and "adapt these dialogues, in whole or in part, for research only." in x
        for x in lines
    ), r.out
    j = cli("verify", "--lock", str(locked), "--format", "json")
    assert j.code == 1
    (change,) = j.json["targets"][0]["drift"]
    assert change["kind"] == "document-changed"
    assert change["dataset"] == DATASET and change["path"] == "LICENSE"
    assert [x["kind"] for x in change["restrictions_added"]] == ["research-only"]


def test_a_whitespace_only_change_of_dataset_terms_is_not_drift(hub, cli, locked):
    repo = hub.repos[("dataset", DATASET)]
    reflowed = (
        b"\r\n".join(
            b"  " + line.replace(b" the ", b"\n   the ") + b"  " for line in DATA_TERMS.splitlines()
        )
        + b"\r\n\r\n"
    )
    _push(repo, "LICENSE", reflowed)
    r = cli("verify", "--lock", str(locked))
    assert r.code == 0, r.out + r.err
    assert f"dataset {DATASET}: LICENSE reformatted (whitespace only)" in r.out


def test_a_new_restrictive_clause_in_dataset_terms_is_named(hub, cli, locked):
    repo = hub.repos[("dataset", DATASET)]
    _push(
        repo, "LICENSE", DATA_TERMS + b"\nYou agree not to use the Dataset for military purposes.\n"
    )
    r = cli("verify", "--lock", str(locked), "--format", "json")
    assert r.code == 1
    (change,) = r.json["targets"][0]["drift"]
    assert change["kind"] == "document-changed" and change["dataset"] == DATASET
    assert [(x["kind"], x["quote"]) for x in change["restrictions_added"]] == [
        ("field-of-use", "You agree not to use the Dataset for military purposes.")
    ]
    text = cli("verify", "--lock", str(locked)).out
    assert (
        '+ restriction field-of-use: "You agree not to use the Dataset for military '
        'purposes."' in text
    )


def test_dataset_terms_removed_and_added(hub, cli, locked):
    repo = hub.repos[("dataset", DATASET)]
    _push(repo, "LICENSE", None)
    _push(repo, "NOTICE.md", b"The dialogues may not be used for commercial purposes.\n")
    r = cli("verify", "--lock", str(locked), "--format", "json")
    assert r.code == 1
    kinds = {d["kind"]: d for d in r.json["targets"][0]["drift"]}
    assert kinds["document-removed"]["path"] == "LICENSE"
    added = kinds["document-added"]
    assert added["path"] == "NOTICE.md" and added["dataset"] == DATASET
    assert [x["kind"] for x in added["restrictions_added"]] == ["non-commercial"]


def test_dataset_terms_that_cannot_be_read_any_more_are_drift(hub, cli, locked):
    hub.repos[("dataset", DATASET)].gated = "manual"
    r = cli("verify", "--lock", str(locked), "--format", "json")
    assert r.code == 1
    kinds = {d["kind"]: d for d in r.json["targets"][0]["drift"]}
    assert "gated" in kinds["dataset-terms-unreadable"]["message"]
    assert kinds["dataset-terms-unreadable"]["dataset"] == DATASET


def test_an_old_lock_without_dataset_terms_still_verifies(hub, cli, locked):
    data = json.loads(locked.read_text())
    for d in data["entries"][0]["datasets"]:
        del d["documents"], d["restrictions"]
    locked.write_text(json.dumps(data))
    r = cli("verify", "--lock", str(locked))
    assert r.code == 0, r.out + r.err
    assert f"dataset {DATASET}: terms documents not pinned" in r.out


def test_spdx_dataset_package_has_the_hub_release_time(hub, cli):
    r = cli("bom", f"hf:{MODEL}", "--format", "spdx3")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    pkg = next(n for n in doc["@graph"] if n.get("type") == "dataset_DatasetPackage")
    assert pkg["name"] == DATASET
    assert pkg["releaseTime"] == "2024-05-01T12:00:00Z"
    assert f"DatasetPackage {DATASET}: no release time" not in r.err


def test_dataset_terms_are_bounded(hub, tmp_path):
    repo = hub.repos[("dataset", DATASET)]
    big = DATA_TERMS * (300 * 1024 // len(DATA_TERMS) + 1)
    _push(repo, "LICENSE", big)
    for path in ("sub/LICENSE", "USE_POLICY.md", "TERMS.txt", "data/COPYING"):
        _push(repo, path, b"Written for the osaid tests.\n")
    source = hf.HubSource(cache_dir=str(tmp_path / "c"))
    release = source.load(f"hf:{MODEL}")
    (d,) = release.metadata["datasets"]
    assert d["terms_error"] is None and d["last_modified"] == "2024-05-01T12:00:00.000Z"
    terms = {t["path"]: t for t in d["terms"]}
    assert sorted(terms) == ["LICENSE", "TERMS.txt", "USE_POLICY.md"]  # top level first, 3 at most
    cut = terms["LICENSE"]
    assert cut["truncated"] is True and len(cut["text"].encode()) == source.limits.text_bytes
    assert cut["sha256"] == hashlib.sha256(big[: source.limits.text_bytes]).hexdigest()
    json.dumps(release.metadata)  # plain data only (the cache stores it)


def test_a_snapshot_cached_in_the_old_format_is_a_miss(hub, tmp_path):
    from osaid.sources import cache

    root = tmp_path / "c"
    first = hf.HubSource(cache_dir=str(root))
    first.load(f"hf:{MODEL}")
    (snap,) = (root / "hf").rglob(f"snapshots/{hub.repos[('model', MODEL)].refs['main']}.json")
    entry = json.loads(snap.read_text())
    assert entry["format"] == cache.FORMAT
    entry["format"] = 1
    for d in entry["release"]["metadata"]["datasets"]:
        del d["terms"], d["terms_error"], d["last_modified"]
    snap.write_text(json.dumps(entry))
    hub.reset()
    again = hf.HubSource(cache_dir=str(root)).load(f"hf:{MODEL}@{entry['revision']}")
    assert any(p.startswith(f"/api/models/{MODEL}") for p in hub.paths())
    assert again.metadata["datasets"][0]["terms"][0]["path"] == "LICENSE"
