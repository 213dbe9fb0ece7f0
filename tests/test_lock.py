"""`osaid lock` / `osaid verify`: a terms lock that catches a vendor changing course."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import EXAMPLES
from hubserver import default_repos, serving

from osaid.lock import normalize


@pytest.fixture
def release(tmp_path):
    root = tmp_path / "repo" / "model"
    shutil.copytree(EXAMPLES / "restricted-weights", root)
    return root


def lock_and(cli, *targets, lock):
    r = cli("lock", *map(str, targets), "--lock", str(lock))
    assert r.code == 0, r.err
    return json.loads(lock.read_text())


def test_unchanged_release_verifies_clean(cli, release, tmp_path):
    lock = tmp_path / "repo" / "osaid.lock"
    data = lock_and(cli, release, EXAMPLES / "open-release", lock=lock)
    entry = data["entries"][0]
    assert entry["target"] == "./model"  # relative to the lock file: works from any checkout
    assert [d["path"] for d in entry["documents"]] == ["LICENSE", "USE_POLICY.md"]
    assert entry["verdict"] == "not-open-source-ai"
    # an unidentified text is named by its content, the same text always the same id
    assert any(i.startswith("LicenseRef-osaid-unidentified-") for i in entry["licenses"])
    assert {r["kind"] for r in entry["restrictions"]} >= {"user-threshold", "field-of-use"}
    r = cli("verify", "--lock", str(lock))
    assert r.code == 0 and "no drift" in r.out, r.out + r.err


def test_changed_license_is_drift_with_a_diff(cli, release, tmp_path):
    lock = tmp_path / "osaid.lock"
    lock_and(cli, release, lock=lock)
    text = (release / "LICENSE").read_text()
    assert "50 million monthly" in text
    (release / "LICENSE").write_text(text.replace("50 million monthly", "5 million monthly"))
    r = cli("verify", "--lock", str(lock))
    assert r.code == 1, r.out + r.err
    assert "document-changed: LICENSE: terms changed" in r.out
    minus = [x for x in r.out.splitlines() if x.strip().startswith("-If") and "50 million" in x]
    plus = [x for x in r.out.splitlines() if x.strip().startswith("+If") and " 5 million" in x]
    assert len(minus) == 1 and len(plus) == 1, r.out
    j = cli("verify", "--lock", str(lock), "--format", "json")
    assert j.code == 1 and j.json["drift"] is True
    change = j.json["targets"][0]["drift"][0]
    assert change["kind"] == "document-changed" and change["path"] == "LICENSE"
    assert any(line.startswith("+") and "5 million" in line for line in change["diff"])
    # The user-threshold clause quote changed: the old one went, the new one came.
    assert [x["kind"] for x in change["restrictions_added"]] == ["user-threshold"]
    assert [x["kind"] for x in change["restrictions_removed"]] == ["user-threshold"]


def test_whitespace_only_change_is_not_drift(cli, release, tmp_path):
    lock = tmp_path / "osaid.lock"
    lock_and(cli, release, lock=lock)
    text = (release / "LICENSE").read_text()
    reflowed = (
        "\r\n".join("  " + line.replace(" the ", "   the\n") + "  " for line in text.splitlines())
        + "\r\n\r\n"
    )
    (release / "LICENSE").write_bytes(reflowed.encode())
    assert normalize(reflowed) == normalize(text)
    r = cli("verify", "--lock", str(lock))
    assert r.code == 0, r.out
    assert "LICENSE reformatted (whitespace only)" in r.out


def test_new_use_policy_clause_names_the_new_restriction(cli, release, tmp_path):
    lock = tmp_path / "osaid.lock"
    lock_and(cli, release, lock=lock)
    with open(release / "USE_POLICY.md", "a", encoding="utf-8") as fh:
        fh.write("\nYou agree not to use the Model for military purposes.\n")
    r = cli("verify", "--lock", str(lock))
    assert r.code == 1
    assert "document-changed: USE_POLICY.md" in r.out
    assert (
        '+ restriction field-of-use: "You agree not to use the Model for military purposes."'
    ) in r.out
    assert "+You agree not to use the Model for military purposes." in r.out


def test_license_id_change_in_card_and_removed_document(cli, tmp_path):
    root = tmp_path / "open"
    shutil.copytree(EXAMPLES / "open-release", root)
    lock = tmp_path / "osaid.lock"
    lock_and(cli, root, lock=lock)
    card = (root / "README.md").read_text()
    assert "license: apache-2.0" in card
    (root / "README.md").write_text(card.replace("license: apache-2.0", "license: mit", 1))
    (root / "LICENSE").unlink()
    r = cli("verify", "--lock", str(lock), "--format", "json")
    assert r.code == 1
    kinds = {d["kind"]: d for d in r.json["targets"][0]["drift"]}
    assert kinds["document-removed"]["path"] == "LICENSE"
    assert "MIT" in kinds["license-changed"]["after"]
    assert "Apache-2.0" in kinds["license-changed"]["before"]


def test_a_lock_with_deprecated_spdx_ids_is_not_drift(cli, tmp_path):
    root = tmp_path / "open"
    shutil.copytree(EXAMPLES / "open-release", root)
    card = (root / "README.md").read_text()
    (root / "README.md").write_text(card.replace("license: apache-2.0", "license: gpl-3.0", 1))
    lock = tmp_path / "osaid.lock"
    data = lock_and(cli, root, lock=lock)
    assert "GPL-3.0-only" in data["entries"][0]["licenses"]
    # as an older osaid wrote it: the deprecated id
    entry = data["entries"][0]
    entry["licenses"] = sorted("GPL-3.0" if i == "GPL-3.0-only" else i for i in entry["licenses"])
    lock.write_text(json.dumps(data))
    r = cli("verify", "--lock", str(lock))
    assert r.code == 0 and "no drift" in r.out, r.out + r.err


def test_verify_errors_exit_2_with_one_line(cli, release, tmp_path):
    r = cli("verify", "--lock", str(tmp_path / "none.lock"))
    assert r.code == 2 and "no such lock file" in r.err and r.err.count("\n") == 1
    bad = tmp_path / "bad.lock"
    bad.write_text("{not json")
    r = cli("verify", "--lock", str(bad))
    assert r.code == 2 and "not a JSON lock file" in r.err
    bad.write_text(json.dumps({"schema": "something/else"}))
    r = cli("verify", "--lock", str(bad))
    assert r.code == 2 and "not an osaid lock" in r.err
    lock = tmp_path / "osaid.lock"
    lock_and(cli, release, lock=lock)
    shutil.rmtree(release)
    r = cli("verify", "--lock", str(lock))
    assert r.code == 2 and r.err.count("\n") == 1, r.err
    # A lock that cannot be written leaves nothing behind.
    r = cli("lock", str(EXAMPLES / "open-release"), "--lock", str(tmp_path / "no" / "x.lock"))
    assert r.code == 2 and not (tmp_path / "no").exists()


# --- hub targets and base models -----------------------------------------------------------------


@pytest.fixture
def hub(monkeypatch, tmp_path):
    with serving(monkeypatch, tmp_path, default_repos()) as h:
        yield h


def _push(repo, path: str, content: bytes) -> None:
    """A new commit on the fake hub's main branch."""
    repo.files[path] = content
    repo.refs["main"] = repo.commit()


def test_hub_lock_follows_base_models_and_catches_their_drift(hub, cli, tmp_path):
    from test_bom import derived_repo

    derived = derived_repo(hub)
    base = hub.repos[("model", "osaid-examples/pebble-lm-tiny")]
    lock = tmp_path / "osaid.lock"
    data = lock_and(cli, "hf:acme/pebble-chat", "osaid-examples/pebble-lm-tiny", lock=lock)
    chat, tiny = data["entries"]
    assert chat["subject"]["revision"] == derived.refs["main"]
    assert tiny["target"] == "hf:osaid-examples/pebble-lm-tiny"
    assert [d["id"] for d in chat["datasets"]] == ["osaid-examples/tiny-stories-en"]
    assert chat["datasets"][0]["license"] == "CC-BY-4.0"
    (b,) = chat["base_models"]
    assert b["id"] == "osaid-examples/pebble-lm-tiny" and b["lock"]["verdict"] == "open-source-ai"
    assert cli("verify", "--lock", str(lock)).code == 0

    # The base model's vendor adds a use restriction; the derived model's card names a new base.
    _push(
        base,
        "LICENSE",
        base.files["LICENSE"] + b"\nYou agree not to use the Model for military purposes.\n",
    )
    card = derived.files["README.md"].replace(
        b"base_model: osaid-examples/pebble-lm-tiny",
        b"base_model:\n- osaid-examples/pebble-lm-tiny\n- osaid-examples/huge-weights",
    )
    _push(derived, "README.md", card)
    r = cli("verify", "--lock", str(lock), "--format", "json")
    assert r.code == 1, r.err
    by_target = {t["target"]: t for t in r.json["targets"]}
    chat_drift = {d["kind"] for d in by_target["hf:acme/pebble-chat"]["drift"]}
    assert {"base-model-added", "document-changed"} <= chat_drift  # the base's LICENSE, via chat
    assert any("revision" in n for n in by_target["hf:acme/pebble-chat"]["notes"])
    tiny_changes = by_target["hf:osaid-examples/pebble-lm-tiny"]["drift"]
    changed = next(d for d in tiny_changes if d["kind"] == "document-changed")
    assert [x["kind"] for x in changed["restrictions_added"]] == ["field-of-use"]
    assert "verdict-changed" in {d["kind"] for d in tiny_changes}
