"""`osaid license` and `osaid licenses`: exit codes, JSON shape, errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

COMMON = Path("/usr/share/common-licenses")


def _write(tmp_path: Path, text: str, name: str = "LICENSE") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_llama_license_is_not_open(cli, tmp_path):
    path = _write(
        tmp_path,
        "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n",
    )
    r = cli("license", path, "--format", "json")
    assert r.code == 1, r.err
    doc = r.json
    assert doc["schema"] == "osaid.license/1"
    assert doc["verdict"] == "not open"
    lic = doc["licenses"][0]
    assert lic["id"] == "LicenseRef-osaid-llama-3.1"
    assert set(lic) >= {
        "id",
        "name",
        "coverage",
        "method",
        "line",
        "quote",
        "family_only",
        "note",
        "open",
    }
    kinds = {x["kind"] for x in doc["restrictions"] if x.get("license") == lic["id"]}
    assert {"user-threshold", "acceptable-use-policy"} <= kinds
    for x in doc["restrictions"]:
        assert set(x) >= {"kind", "osd", "quote"}


def test_open_license_exits_zero(cli):
    path = COMMON / "Apache-2.0"
    if not path.exists():
        pytest.skip("no Apache-2.0 text")
    r = cli("license", str(path), "--format", "json")
    assert r.code == 0, r.out
    assert r.json["licenses"][0]["id"] == "Apache-2.0"
    assert r.json["verdict"] == "open"


def test_unidentified_text_exits_one(cli, tmp_path):
    r = cli("license", _write(tmp_path, "Do what you like, mostly.\n"), "--format", "json")
    assert r.code == 1
    assert r.json["licenses"] == []


def test_text_output(cli, tmp_path):
    path = _write(
        tmp_path,
        "META LLAMA 3 COMMUNITY LICENSE AGREEMENT\n"
        "Meta Llama 3 Version Release Date: April 18, 2024\n",
    )
    r = cli("license", path)
    assert r.code == 1
    assert "LicenseRef-osaid-llama-3" in r.out and "NOT OPEN" in r.out
    assert "\x1b[" not in r.out  # not a terminal: plain text


def test_missing_file_is_an_input_error(cli, tmp_path):
    r = cli("license", str(tmp_path / "nope"))
    assert r.code == 2
    assert "no such file" in r.err


def test_folder_is_an_input_error(cli, tmp_path):
    r = cli("license", str(tmp_path))
    assert r.code == 2 and "folder" in r.err


def test_stdin(cli, monkeypatch):
    data = b"LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    r = cli("license", "-", "--format", "json")
    assert r.json["path"] is None
    assert r.json["licenses"][0]["id"] == "LicenseRef-osaid-llama-2"


def test_input_is_bounded(cli, tmp_path):
    big = tmp_path / "BIG"
    big.write_bytes(b"word " * 300_000)
    r = cli("license", str(big), "--format", "json")
    assert r.json["truncated"] is True


def test_licenses_json_and_filters(cli):
    r = cli("licenses", "--format", "json")
    assert r.code == 0
    doc = r.json
    assert doc["count"] == len(doc["licenses"]) > 40
    row = next(x for x in doc["licenses"] if x["id"] == "LicenseRef-osaid-llama-3")
    assert row["open"] is False and "user-threshold" in row["restriction_kinds"]
    assert row["note"]
    not_open = cli("licenses", "--not-open", "--format", "json").json["licenses"]
    assert not_open and all(x["open"] is False for x in not_open)
    opened = cli("licenses", "--open", "--format", "json").json["licenses"]
    assert opened and all(x["open"] is True for x in opened)
    found = cli("licenses", "--search", "qianwen", "--format", "json").json["licenses"]
    assert [x["id"] for x in found] == ["LicenseRef-osaid-tongyi-qianwen"]
    none = cli("licenses", "--search", "no-such-license-zzz", "--format", "json")
    assert none.code == 1 and none.json["count"] == 0


def test_licenses_text_says_why_without_color(cli, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    r = cli("licenses", "--search", "gemma")
    assert r.code == 0
    assert "NOT OPEN" in r.out and "LicenseRef-osaid-gemma" in r.out
    assert "\x1b[" not in r.out


def test_a_pipe_is_refused_not_read(tmp_path):
    import os
    import subprocess
    import sys

    fifo = tmp_path / "LICENSE"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "osaid", "license", str(fifo)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2 and "not a regular file" in proc.stderr
