"""The git source: fixture repositories made with the git CLI, reached by file:// URLs, `git:PATH`
and a loopback `git daemon`. No network."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from osaid.sources import load
from osaid.sources.git import GitSource, is_git_target, parse_target
from osaid.sources.interface import SourceError

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

README = "---\nlicense: apache-2.0\n---\n# Heron\n\nA tiny model used to test the git source.\n"
BIG_MARKER = "HERON-BIG-FILE-CONTENT"
LFS_OID = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"


def git(*args: str, cwd: Path | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    """Two commits: v1 (README only), then code, a big file, an LFS pointer and a symlink out."""
    root = tmp_path / "heron"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    (root / "README.md").write_text(README, encoding="utf-8")
    git("add", ".", cwd=root)
    git("commit", "-qm", "first", cwd=root)
    git("tag", "v1", cwd=root)
    (root / "README.md").write_text(README + "\nSecond version.\n", encoding="utf-8")
    (root / "train.py").write_text(
        "# SPDX-License-Identifier: MIT\nimport torch\n\n"
        "def train(model, loader, optimizer):\n    pass\n"
    )
    # Larger than the blob bound used below: must be listed, never fetched.
    (root / "notes.md").write_text(BIG_MARKER + "\n" + "x" * 300_000, encoding="utf-8")
    (root / "model.safetensors").write_text(
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{LFS_OID}\nsize 123456789\n"
    )
    os.symlink("/etc/hostname", root / "outside.md")
    git("add", ".", cwd=root)
    git("commit", "-qm", "second", cwd=root)
    return root


def test_file_url_is_cloned_at_head_and_cleaned_up(repo, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    release = GitSource(blob_limit=64 * 1024).load(repo.as_uri())
    assert release.source == "git"
    assert release.location == repo.as_uri()
    assert release.revision == git("rev-parse", "HEAD", cwd=repo)
    assert release.name == "heron"
    assert "Second version." in release.documents["README.md"].text
    assert "train.py" in release.documents
    assert list(scratch.iterdir()) == []  # the temporary clone is gone


def test_large_files_are_listed_without_content(repo):
    release = GitSource(blob_limit=64 * 1024).load(repo.as_uri())
    files = {f.path: f for f in release.files}
    assert "notes.md" in files and files["notes.md"].size > 64 * 1024
    assert "notes.md" not in release.documents
    assert not any(BIG_MARKER in d.text for d in release.documents.values())
    problem = next(p for p in release.problems if p.rule == "git-files-not-fetched")
    assert problem.evidence[0].path == "notes.md"
    # With a larger bound the same file is fetched and read.
    release = GitSource(blob_limit=1024 * 1024).load(repo.as_uri())
    assert BIG_MARKER in release.documents["notes.md"].text


def test_lfs_pointer_is_listed_as_the_object_it_stands_for(repo):
    release = GitSource().load(repo.as_uri())
    weights = next(f for f in release.files if f.path == "model.safetensors")
    assert weights.size == 123456789 and weights.sha256 == LFS_OID and weights.head == b""


def test_symlink_out_of_the_repository_is_not_followed(repo):
    release = GitSource().load(repo.as_uri())
    assert "outside.md" not in release.documents
    assert any(p.rule == "symlink-outside-root" for p in release.problems)


def test_revision_by_tag_and_by_commit(repo):
    first = git("rev-parse", "v1", cwd=repo)
    for rev in ("v1", first):
        release = GitSource().load(f"{repo.as_uri()}@{rev}")
        assert release.revision == first
        assert "Second version." not in release.documents["README.md"].text
        assert "train.py" not in release.documents


def test_local_work_tree_with_git_prefix_reads_the_committed_tree(repo, cli):
    (repo / "README.md").write_text("uncommitted edit\n", encoding="utf-8")
    release = load(f"git:{repo}")
    assert release.source == "git" and release.location == str(repo)
    assert "Second version." in release.documents["README.md"].text
    r = cli("check", f"git:{repo}", "--format", "json")
    assert r.code in (0, 1)
    assert r.json["subject"]["source"] == "git"
    assert r.json["subject"]["revision"] == git("rev-parse", "HEAD", cwd=repo)


def test_bare_repository_path_ending_in_dot_git(repo, tmp_path, cli):
    bare = tmp_path / "heron.git"
    git("clone", "-q", "--bare", str(repo), str(bare))
    r = cli("check", str(bare) + "@v1", "--format", "json")
    assert r.json["subject"]["source"] == "git"
    assert r.json["subject"]["revision"] == git("rev-parse", "v1", cwd=repo)


def test_submodules_are_not_fetched(repo, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    git("init", "-q", cwd=other)
    (other / "secret.md").write_text("from the submodule\n")
    git("add", ".", cwd=other)
    git("commit", "-qm", "sub", cwd=other)
    git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        other.as_uri(),
        "vendor",
        cwd=repo,
    )
    git("commit", "-qm", "with submodule", cwd=repo)
    release = GitSource().load(repo.as_uri())
    assert "vendor/secret.md" not in release.documents
    assert any(
        p.rule == "git-submodule" and p.evidence[0].path == "vendor" for p in release.problems
    )


def test_users_git_configuration_and_hooks_are_not_used(repo, tmp_path, monkeypatch):
    home = tmp_path / "home"
    hooks = tmp_path / "hooks"
    home.mkdir()
    hooks.mkdir()
    marker = tmp_path / "hook-ran"
    hook = hooks / "reference-transaction"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    (home / ".gitconfig").write_text(f"[core]\n\thooksPath = {hooks}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    monkeypatch.setattr(os, "environ", {**env, "HOME": str(home)})
    # The trap works: a plain clone with this configuration runs the hook.
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", repo.as_uri(), str(tmp_path / "c")],
        env={**env, "HOME": str(home)},
        check=True,
    )
    assert marker.exists()
    marker.unlink()
    GitSource().load(repo.as_uri())
    assert not marker.exists()


# --- errors: one line, exit 2 --------------------------------------------------------------------


def _one_line_error(r, *words: str) -> None:
    assert r.code == 2 and r.out == ""
    assert r.err.count("\n") == 1 and "Traceback" not in r.err, r.err
    for w in words:
        assert w in r.err, r.err


def test_repository_not_found(cli, tmp_path):
    _one_line_error(cli("check", (tmp_path / "nothing.git").as_uri()), "repository not found")


def test_bad_revision(cli, repo):
    _one_line_error(
        cli("check", f"{repo.as_uri()}@no-such-branch"),
        "no-such-branch",
        "no such branch, tag or commit",
    )
    _one_line_error(cli("check", f"{repo.as_uri()}@{'0' * 40}"), "no such branch")
    _one_line_error(cli("check", f"{repo.as_uri()}@-oops"), "malformed revision")


def test_disallowed_protocols(cli):
    _one_line_error(cli("check", "http://example.org/org/repo.git"), "not allowed")
    _one_line_error(cli("check", "ftp://example.org/org/repo.git"), "not allowed")


def test_git_missing(cli, repo, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    _one_line_error(cli("check", repo.as_uri()), "git is not installed")


def _fake_git(tmp_path: Path, pidfile: Path) -> Path:
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    fake = bindir / "git"
    fake.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 30\n")
    fake.chmod(0o755)
    return bindir


def _gone(pid: int) -> bool:
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_timeout_stops_git_and_removes_the_clone(tmp_path, monkeypatch):
    pidfile = tmp_path / "pid"
    bindir = _fake_git(tmp_path, pidfile)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    start = time.monotonic()
    with pytest.raises(SourceError, match="timed out"):
        GitSource(timeout=0.5).load("https://example.invalid/org/repo.git")
    assert time.monotonic() - start < 10
    assert list(scratch.iterdir()) == []
    assert _gone(int(pidfile.read_text()))


def test_interrupt_stops_git_and_removes_the_clone(tmp_path, monkeypatch):
    pidfile = tmp_path / "pid"
    bindir = _fake_git(tmp_path, pidfile)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    real = subprocess.Popen.communicate

    def interrupted(self, *args, **kwargs):
        for _ in range(100):  # let the fake git start and say who it is
            if pidfile.exists() and pidfile.read_text().strip():
                break
            time.sleep(0.02)
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess.Popen, "communicate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        GitSource().load("https://example.invalid/org/repo.git")
    monkeypatch.setattr(subprocess.Popen, "communicate", real)
    assert list(scratch.iterdir()) == []
    assert _gone(int(pidfile.read_text()))


# --- a loopback git daemon: the network path, without a network -----------------------------------


@pytest.fixture
def daemon(repo, tmp_path):
    base = tmp_path
    (repo / ".git" / "git-daemon-export-ok").touch()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={port}",
            f"--base-path={base}",
            "--export-all",
            "--enable=upload-pack",
            "--informative-errors",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.skip("git daemon did not start")
    yield f"git://127.0.0.1:{port}/heron"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=5)


def test_git_protocol_over_loopback(daemon, repo, cli):
    r = cli("check", f"{daemon}@v1", "--format", "json")
    assert r.json["subject"]["source"] == "git"
    assert r.json["subject"]["location"] == daemon
    assert r.json["subject"]["revision"] == git("rev-parse", "v1", cwd=repo)
    # The export names the repository it came from.
    import yaml

    exported = yaml.safe_load(cli("export", daemon).out)
    assert exported["release"]["repository"] == daemon
    assert exported["release"]["name"] == "heron"


# --- targets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target,url,rev,display",
    [
        (
            "https://github.com/org/repo",
            "https://github.com/org/repo",
            None,
            "https://github.com/org/repo",
        ),
        (
            "https://github.com/org/repo.git@v2.1",
            "https://github.com/org/repo.git",
            "v2.1",
            "https://github.com/org/repo.git",
        ),
        (
            "https://user:secret@example.org/org/repo@main",
            "https://user:secret@example.org/org/repo",
            "main",
            "https://example.org/org/repo",
        ),
        (
            "git@github.com:org/repo.git@feature/x",
            "git@github.com:org/repo.git",
            "feature/x",
            "git@github.com:org/repo.git",
        ),
        (
            "ssh://git@example.org/org/repo",
            "ssh://git@example.org/org/repo",
            None,
            "ssh://example.org/org/repo",
        ),
    ],
)
def test_parse_target(target, url, rev, display):
    t = parse_target(target)
    assert (t.url, t.revision, t.display) == (url, rev, display)
    assert is_git_target(target)


def test_local_folders_and_hub_ids_are_not_git_targets(tmp_path):
    assert not is_git_target(str(tmp_path))
    assert not is_git_target("org/model")
    assert is_git_target(f"git:{tmp_path}")
