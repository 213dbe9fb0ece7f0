"""Exit codes and error behaviour a CI gate relies on."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import EXAMPLES


def test_missing_path_is_exit_2_one_line(cli, tmp_path):
    r = cli("check", str(tmp_path / "nope"))
    assert r.code == 2
    assert r.out == ""
    assert r.err.count("\n") == 1 and "no such file or directory" in r.err
    assert "Traceback" not in r.err


def test_file_instead_of_folder(cli, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("x")
    r = cli("check", str(f))
    assert r.code == 2 and "not a folder" in r.err


def test_unreadable_folder(cli, tmp_path):
    d = tmp_path / "locked"
    d.mkdir()
    d.chmod(0)
    try:
        if os.access(d, os.R_OK):  # running as root: permissions do not bind
            return
        r = cli("check", str(d))
        assert r.code == 2 and "permission denied" in r.err
    finally:
        d.chmod(0o755)


def test_fail_on_not_open(cli, tree):
    root = tree({"README.md": "---\nlicense: mit\n---\n# tiny\n"})
    assert cli("check", str(root)).code == 1  # insufficient evidence fails by default
    assert cli("check", str(root), "--fail-on", "not-open").code == 0
    assert cli("check", str(EXAMPLES / "weights-only"), "--fail-on", "not-open").code == 1


def test_usage_errors_exit_2(cli):
    proc = subprocess.run([sys.executable, "-m", "osaid", "check"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "osaid", "check", "--format", "pdf", "."],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    proc = subprocess.run([sys.executable, "-m", "osaid"], capture_output=True, text=True)
    assert proc.returncode == 2


def test_output_file_written_whole(cli, tmp_path):
    out = tmp_path / "report.json"
    r = cli("check", str(EXAMPLES / "open-release"), "--format", "json", "-o", str(out))
    assert r.code == 0 and r.out == ""
    assert out.read_text().startswith("{")
    bad = tmp_path / "no-such-dir" / "r.json"
    r = cli("check", str(EXAMPLES / "open-release"), "-o", str(bad))
    assert r.code == 2 and "cannot write" in r.err
    assert not bad.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".osaid-")]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not a 0600 temp file


def test_no_color_and_force_color(tmp_path):
    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    colored = subprocess.run(
        [sys.executable, "-m", "osaid", "check", str(EXAMPLES / "open-release")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "\x1b[" in colored.stdout
    env["NO_COLOR"] = "1"
    plain = subprocess.run(
        [sys.executable, "-m", "osaid", "check", str(EXAMPLES / "open-release")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "\x1b[" not in plain.stdout
    assert "OPEN SOURCE AI" in plain.stdout


def test_debug_shows_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "osaid", "check", str(tmp_path / "x"), "--debug"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0 and "Traceback" in proc.stderr
