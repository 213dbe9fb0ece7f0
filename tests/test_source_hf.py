"""The hub source against a fake hub on loopback: what is fetched, what is not, cache, errors."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time

import pytest
from conftest import EXAMPLES, REPO
from hubserver import GRANTED_TOKEN, HUGE, FakeRepo, LfsBlob, default_repos, serving

from osaid.sources import hf
from osaid.sources.hf import HubSource

OPEN = "osaid-examples/pebble-lm-tiny"
GATED = "osaid-examples/pebble-lm-gated"


@pytest.fixture
def hub(monkeypatch, tmp_path):
    """A fresh fake hub with the fixture repos; the environment points osaid at it."""
    with serving(monkeypatch, tmp_path, default_repos()) as h:
        yield h


def _evidence(report: dict):
    """Every evidence object anywhere in a JSON report."""
    stack = [report]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if set(v) >= {"path", "line", "quote", "field", "url"}:
                yield v
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def _one_line_error(r) -> str:
    assert r.code == 2, (r.code, r.out, r.err)
    assert r.out == ""
    assert r.err.startswith("osaid: error: ") and r.err.count("\n") == 1, r.err
    assert "Traceback" not in r.err
    return r.err


# --- a hub model is assessed like the same files on disk, with links ------------------------------


def test_hub_model_verdict_matches_local_and_evidence_links_to_the_revision(hub, cli):
    local = cli("check", str(EXAMPLES / "open-release"), "--format", "json")
    r = cli("check", f"hf:{OPEN}", "--format", "json")
    assert r.code == local.code, r.err
    report = r.json
    assert report["verdict"] == local.json["verdict"]
    subject = report["subject"]
    assert subject["source"] == "hf" and subject["name"] == OPEN
    assert subject["location"] == f"hf:{OPEN}"
    sha = subject["revision"]
    assert re.fullmatch(r"[0-9a-f]{40}", sha)
    base = f"{hub.url}/{OPEN}/blob/{sha}/"
    with_path = [e for e in _evidence(report) if e["path"]]
    assert with_path, "the report cites files"
    for e in with_path:
        assert e["url"] and e["url"].startswith(base + e["path"]), e
    assert any(e["url"] == f"{base}README.md#L{e['line']}" for e in with_path if e["line"]), (
        "card evidence links to its line"
    )
    # Same licenses and component statuses as the local copy of the same files.
    assert [lf["id"] for lf in report["licenses"]] == [lf["id"] for lf in local.json["licenses"]]
    assert {c["id"]: c["status"] for c in report["components"]} == {
        c["id"]: c["status"] for c in local.json["components"]
    }


def test_weights_are_never_downloaded_but_listed_with_size_and_hash(hub, cli):
    r = cli("check", "hf:osaid-examples/huge-weights", "--format", "json")
    assert r.code in (0, 1), r.err
    assert not [p for p in hub.paths() if p.endswith(".safetensors")], hub.paths()
    params = next(c for c in r.json["components"] if c["id"] == "model-parameters-final")
    assert params["status"] == "present"
    assert params["evidence"][0]["path"] == "model.safetensors"
    assert "50.0 GB" in params["evidence"][0]["note"]
    assert params["basis"] == "metadata"  # an LFS object of that size, never read
    hub.reset()
    release = HubSource().load("hf:osaid-examples/huge-weights")  # from the cache
    assert hub.requests == []
    entry = next(f for f in release.files if f.path == "model.safetensors")
    assert entry.size == HUGE and entry.head == b"" and re.fullmatch(r"[0-9a-f]{64}", entry.sha256)


def test_reads_only_what_judgement_needs_and_bounds_long_texts(hub, monkeypatch, tmp_path):
    long_card = b"---\nlicense: mit\n---\n# A long card\n\n" + b"words and more words\n" * 40_000
    hub.repos[("model", "acme/long")] = FakeRepo(
        "acme/long",
        {
            "README.md": long_card,
            "notes.bin": b"\x00" * 100,
            "weights/pytorch_model.bin": LfsBlob(7 * 1000**3, "ab" * 32),
            "../escape.md": b"outside",
        },
    )
    src = HubSource(cache_dir=str(tmp_path / "c"))
    release = src.load("hf:acme/long")
    card = release.documents["README.md"]
    assert card.truncated and len(card.text.encode()) <= src.limits.text_bytes
    fetched = [r for r in hub.requests if "/resolve/" in r.path]
    assert [r.path.rsplit("/", 1)[-1] for r in fetched] == ["README.md"]
    assert fetched[0].range == f"bytes=0-{src.limits.text_bytes}"
    assert any(p.rule == "unsafe-path" for p in release.problems)
    assert "../escape.md" not in {f.path for f in release.files}


# --- cache ----------------------------------------------------------------------------------------


def test_second_check_of_a_recent_ref_makes_no_request(hub, cli):
    first = cli("check", f"hf:{OPEN}", "--format", "json")
    assert hub.requests
    hub.reset()
    second = cli("check", f"hf:{OPEN}", "--format", "json")
    assert hub.requests == []
    assert first.code in (0, 1) and second.out == first.out and second.code == first.code


def test_full_sha_is_served_from_cache_and_old_refs_are_re_resolved(hub, cli, monkeypatch):
    monkeypatch.setenv("OSAID_HF_REF_TTL", "0")  # never trust a ref resolution
    sha = cli("check", f"hf:{OPEN}", "--format", "json").json["subject"]["revision"]
    hub.reset()
    assert cli("check", f"hf:{OPEN}@{sha}").code in (0, 1)
    assert hub.requests == [], "a commit sha already checked needs no request"
    r = cli("check", f"hf:{OPEN}@v1.0", "--format", "json")
    assert r.json["subject"]["revision"] == sha
    # A ref is re-resolved (one metadata request), but its files are not fetched again.
    assert hub.paths() == [f"/api/models/{OPEN}/revision/v1.0"]


def test_offline_without_cache_fails_clearly_and_asks_nobody(hub, cli):
    err = _one_line_error(cli("check", f"hf:{OPEN}", "--offline"))
    assert "not in the cache" in err and "--offline" in err
    assert hub.requests == []


def test_offline_with_cache_works_however_old_the_resolution(hub, cli, monkeypatch):
    online = cli("check", f"hf:{OPEN}", "--format", "json")
    hub.stop()  # the hub is gone
    monkeypatch.setenv("OSAID_HF_REF_TTL", "0")
    offline = cli("check", f"hf:{OPEN}", "--format", "json", "--offline")
    assert offline.code == online.code and offline.out == online.out


def test_hf_hub_offline_env_means_offline(hub, cli, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "not in the cache" in _one_line_error(cli("check", f"hf:{OPEN}"))
    assert hub.requests == []


def test_corrupt_cache_entry_is_a_miss(hub, cli, tmp_path):
    first = cli("check", f"hf:{OPEN}", "--format", "json")
    snaps = list((tmp_path / "cache").rglob("snapshots/*.json"))
    assert len(snaps) == 1
    snaps[0].write_text("{not json")
    hub.reset()
    again = cli("check", f"hf:{OPEN}", "--format", "json")
    assert again.out == first.out
    assert any("/resolve/" in p for p in hub.paths()), "refetched after a corrupt entry"
    assert not list((tmp_path / "cache").rglob(".tmp-*")), "no temporary files left behind"


def test_cache_dir_option_is_honoured(hub, cli, tmp_path):
    where = tmp_path / "elsewhere"
    assert cli("check", f"hf:{OPEN}", "--cache-dir", str(where)).code in (0, 1)
    assert list(where.rglob("snapshots/*.json"))
    assert not (tmp_path / "cache").exists()


# --- gated repositories ---------------------------------------------------------------------------


def test_gated_without_access_assesses_metadata_and_reports_it(hub, cli):
    r = cli("check", f"hf:{GATED}", "--format", "json")
    assert r.code == 1, r.err
    report = r.json
    assert report["verdict"] == "not-open-source-ai"
    rules = {f["rule"]: f for f in report["findings"]}
    assert "acceptance-required" in rules and "gated-access" in rules
    assert rules["gated-access"]["severity"] == "blocker"
    assert any(
        e["field"] == "gated" and "manual" in (e["quote"] or "")
        for e in rules["gated-access"]["evidence"]
    )
    # One refused file request, then no more attempts; the file list still came through.
    resolves = [p for p in hub.paths() if p.startswith(f"/{GATED}/resolve/")]
    assert len(resolves) == 1
    params = next(c for c in report["components"] if c["id"] == "model-parameters-final")
    assert params["status"] == "present"
    # The card could not be read, but the hub's card fields still name the license.
    lic = next(
        x for x in report["licenses"] if x["id"] == "LicenseRef-quarry-community-license-1.0"
    )
    assert any(e["field"] == "license_name" for e in lic["evidence"])
    assert "no-license" not in rules


def test_gated_with_a_granted_token_reads_the_files(hub, cli, monkeypatch):
    assert cli("check", f"hf:{GATED}").code == 1  # cached as metadata-only
    monkeypatch.setenv("HF_TOKEN", GRANTED_TOKEN)
    hub.reset()
    report = cli("check", f"hf:{GATED}", "--format", "json").json
    rules = {f["rule"] for f in report["findings"]}
    assert "acceptance-required" not in rules and "gated-access" in rules
    assert any("USE_POLICY.md" in p for p in hub.paths()), "files read with the token"
    assert all(r.authorized for r in hub.requests if "/resolve/" in r.path)


def test_token_option_works_like_hf_token(hub, cli):
    report = cli("check", f"hf:{GATED}", "--token", GRANTED_TOKEN, "--format", "json").json
    assert "acceptance-required" not in {f["rule"] for f in report["findings"]}


def test_private_repo_needs_a_token(hub, cli):
    err = _one_line_error(cli("check", "hf:osaid-examples/secret-lm"))
    assert "no such model on the hub" in err and "HF_TOKEN" in err
    assert cli("check", "hf:osaid-examples/secret-lm", "--token", GRANTED_TOKEN).code in (0, 1)


# --- errors: one line, exit 2 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, words",
    [
        ("hf:osaid-examples/no-such-model", "no such model on the hub"),
        (f"hf:{OPEN}@no-such-branch", "no revision 'no-such-branch'"),
        ("hf:osaid-examples/taken-down", "disabled"),
        ("hf:not a repo", "not a hub model id"),
        (f"hf:{OPEN}@", "malformed revision"),
    ],
)
def test_errors_are_one_line_exit_2(hub, cli, target, words):
    assert words in _one_line_error(cli("check", target))


def test_rate_limited_retries_then_succeeds(hub, cli):
    r = cli("check", "hf:osaid-examples/pebble-lm-busy", "--format", "json")
    assert r.code in (0, 1), r.err
    info = [p for p in hub.paths() if p.startswith("/api/models/")]
    assert len(info) == 3  # two 429s, then the answer


def test_rate_limited_for_good_gives_up_after_bounded_tries(hub, cli):
    t0 = time.monotonic()
    err = _one_line_error(cli("check", "hf:osaid-examples/pebble-lm-throttled"))
    assert "rate-limited" in err and "429" in err
    assert len([p for p in hub.paths() if p.startswith("/api/models/")]) == 3
    assert time.monotonic() - t0 < 5


def test_retry_after_is_waited_out_and_a_longer_one_is_refused_without_asking_again(hub, tmp_path):
    repo = hub.repos[("model", "osaid-examples/pebble-lm-busy")]
    repo.retry_after = "1"
    src = HubSource(cache_dir=str(tmp_path / "c"), max_wait=5)
    t0 = time.monotonic()
    src.load("hf:osaid-examples/pebble-lm-busy")
    elapsed = time.monotonic() - t0
    assert 1.0 <= elapsed < 4.5, elapsed  # two 429s, each waited out for the second it asked

    # a hold longer than osaid accepts to wait: refused at once, and the hub is not asked again
    repo.busy, repo.retry_after = 5, "3600"
    hub.reset()
    src = HubSource(cache_dir=str(tmp_path / "c2"), max_wait=0.2)
    t0 = time.monotonic()
    with pytest.raises(hf.RateLimited) as exc:
        src.load("hf:osaid-examples/pebble-lm-busy")
    assert time.monotonic() - t0 < 2
    assert "api rate limit is spent" in str(exc.value) and exc.value.bucket == "api"
    assert len(hub.paths()) == 1


def test_connection_refused_is_one_line(cli, monkeypatch, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(hf, "_stored_token", lambda: None)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    err = _one_line_error(cli("check", f"hf:{OPEN}", "--cache-dir", str(tmp_path)))
    assert "cannot reach the hub" in err and "connection refused" in err


def test_cli_subprocess_exit_code_and_single_line(hub, tmp_path):
    env = {
        "HF_ENDPOINT": hub.url,
        "OSAID_CACHE_DIR": str(tmp_path / "c"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "HF_HOME": str(tmp_path / "hfhome"),
        "NO_PROXY": "127.0.0.1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    p = subprocess.run(
        [sys.executable, "-m", "osaid", "check", "hf:osaid-examples/nothing-here"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and "no such model on the hub" in p.stderr


# --- targets --------------------------------------------------------------------------------------


def test_bare_org_name_is_a_hub_id_unless_such_a_folder_exists(hub, cli, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    r = cli("check", OPEN, "--format", "json")
    assert r.json["subject"]["source"] == "hf"
    (tmp_path / OPEN).mkdir(parents=True)
    (tmp_path / OPEN / "README.md").write_text("# local copy\n")
    r = cli("check", OPEN, "--format", "json")
    assert r.json["subject"]["source"] == "local"


# --- datasets named in the card -------------------------------------------------------------------


def test_card_datasets_are_looked_up_and_bounded(hub, tmp_path):
    names = ["osaid-examples/tiny-stories-en", "ghost/none", "not a dataset id!"] + [
        f"filler/set-{i}" for i in range(12)
    ]
    hub.repos[("model", "acme/many-sets")] = FakeRepo(
        "acme/many-sets",
        {"README.md": b"---\nlicense: mit\n---\n# many sets\n"},
        card_data={"license": "mit", "datasets": names},
    )
    release = HubSource(cache_dir=str(tmp_path / "c")).load("hf:acme/many-sets")
    sets = release.metadata["datasets"]
    assert len(sets) == hf.MAX_DATASETS and release.metadata["datasets_not_fetched"] == 5
    by_id = {d["id"]: d for d in sets}
    tiny = by_id["osaid-examples/tiny-stories-en"]
    assert tiny["license"] == "cc-by-4.0" and tiny["error"] is None
    assert tiny["size_category"] == "10K<n<100K"
    assert "made-up stories" in tiny["card_excerpt"]
    assert tiny["url"] == f"{hub.url}/datasets/osaid-examples/tiny-stories-en"
    assert by_id["ghost/none"]["error"] == "not found on the hub"
    assert by_id["not a dataset id!"]["error"] == "not a hub dataset id"
    json.dumps(release.metadata)  # plain data only


def test_a_local_folder_pays_nothing_for_the_hub_source():
    code = (
        "import sys; from osaid.sources import load; load(sys.argv[1]); "
        "print(sorted(m for m in ('httpx2', 'httpx', 'huggingface_hub') if m in sys.modules))"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES / "open-release")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_hub_reads_terms_before_code_and_warns_of_unread_terms(monkeypatch, tmp_path):
    from osaid.sources.local import Limits

    files = {f"src/mod{i:02d}.py": b"x = 1\n" * 200 for i in range(20)}
    files["README.md"] = b"---\nlicense: other\n---\n# deep\n"
    files["z/terms/LICENSE"] = b"# Deep Terms\n\nYou may not use the model commercially.\n" + (
        b"More terms. " * 300
    )  # longer than what is left of the budget: read in part, and nothing is left
    files["z/terms/USE_POLICY.md"] = b"# Use policy\n\nNo surveillance.\n"
    repo = FakeRepo("acme/deep-terms", files)
    with serving(monkeypatch, tmp_path, [repo]):
        release = HubSource(limits=Limits(text_total=2048)).load("hf:acme/deep-terms")
    # the card and the license deep in the tree are read; the code is not
    assert {"README.md", "z/terms/LICENSE"} <= set(release.documents)
    assert not any(p.startswith("src/") for p in release.documents)
    unread = [e.path for p in release.problems if p.rule == "license-unread" for e in p.evidence]
    assert unread == ["z/terms/USE_POLICY.md"]
