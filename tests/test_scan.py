"""`osaid scan`: inputs, summaries, resuming, and what a rescan records."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, MOT_FIXTURES, run_cli, write_mot_records, write_tree

MOT = MOT_FIXTURES
OPEN_CARD = (EXAMPLES / "open-release" / "README.md").read_text(encoding="utf-8")


def scan(*argv: str):
    return run_cli("scan", "--jobs", "1", *argv)


def rows(db: Path, sql: str, args=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def old_mtimes(root: Path) -> None:
    """Age every file so the stat fingerprint can be trusted (no racy timestamps)."""
    past = time.time() - 3600
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (past, past), follow_symlinks=False)
    os.utime(root, (past, past))


def test_folder_of_releases_and_manifests_json_summary(tmp_path):
    db = tmp_path / "i.db"
    r = scan(
        str(EXAMPLES),
        str(MOT / "heron-40b.yml"),
        str(MOT / "wren-7b.yml"),
        "--db",
        str(db),
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    out = json.loads(r.out)
    by_name = {x["name"]: x for x in out["results"]}
    assert by_name["open-release"]["verdict"] == "open-source-ai"
    assert by_name["weights-only"]["verdict"] == "not-open-source-ai"
    assert by_name["restricted-weights"]["verdict"] == "not-open-source-ai"
    assert by_name["Heron 40B"]["source"] == "manifest"
    assert by_name["Heron 40B"]["organisation"] == "Heron Labs"
    assert {x["status"] for x in out["results"]} == {"new"}
    assert out["status"] == {"new": 5}
    assert by_name["open-release"]["weights_license"] == "Apache-2.0"


def test_csv_summary_and_rescan_is_unchanged(tmp_path):
    db = tmp_path / "i.db"
    assert scan(str(EXAMPLES), "--db", str(db)).code == 0
    r = scan(str(EXAMPLES), "--db", str(db), "--format", "csv")
    assert r.code == 0
    table = list(csv.DictReader(io.StringIO(r.out)))
    assert [t["status"] for t in table] == ["unchanged"] * 3
    assert {t["name"]: t["verdict"] for t in table}["open-release"] == "open-source-ai"
    # nothing changed: one assessment per subject, however often it is scanned
    assert rows(db, "SELECT count(*) FROM assessments") == [(3,)]


def test_changed_terms_add_a_history_row_with_the_new_verdict(tmp_path):
    release = tmp_path / "releases" / "model-a"
    shutil.copytree(EXAMPLES / "open-release", release)
    db = tmp_path / "i.db"
    assert scan(str(release), "--db", str(db)).code == 0
    # the publisher switches the weights to a non-commercial license
    card = (release / "README.md").read_text(encoding="utf-8")
    (release / "README.md").write_text(
        card.replace("license: apache-2.0", "license: cc-by-nc-4.0"), encoding="utf-8"
    )
    r = scan(str(release), "--db", str(db), "--format", "json")
    assert r.code == 0
    result = json.loads(r.out)["results"][0]
    assert result["status"] == "changed"
    assert result["verdict"] == "not-open-source-ai"
    history = rows(db, "SELECT change, verdict FROM assessments ORDER BY id")
    assert history == [("first", "open-source-ai"), ("content,verdict", "not-open-source-ai")]
    # a change that only touches content (not the verdict) is recorded as such
    (release / "NOTES.md").write_text("# notes\n", encoding="utf-8")
    assert scan(str(release), "--db", str(db)).code == 0
    assert rows(db, "SELECT change FROM assessments ORDER BY id DESC LIMIT 1") == [("content",)]


def test_stat_fingerprint_skips_without_loading(tmp_path, monkeypatch):
    release = tmp_path / "model-b"
    shutil.copytree(EXAMPLES / "weights-only", release)
    old_mtimes(release)
    db = tmp_path / "i.db"
    assert scan(str(release), "--db", str(db)).code == 0
    import osaid.sources

    def boom(*a, **k):
        raise AssertionError("an unchanged release was loaded")

    monkeypatch.setattr(osaid.sources, "load", boom)
    r = scan(str(release), "--db", str(db), "--format", "json")
    assert r.code == 0, r.out
    assert json.loads(r.out)["results"][0]["status"] == "unchanged"


def test_same_content_elsewhere_in_time_is_not_reassessed(tmp_path):
    """Touching files (new mtimes, same bytes) loads the release but adds no history."""
    release = tmp_path / "model-c"
    shutil.copytree(EXAMPLES / "restricted-weights", release)
    old_mtimes(release)
    db = tmp_path / "i.db"
    assert scan(str(release), "--db", str(db)).code == 0
    os.utime(release / "README.md")
    r = scan(str(release), "--db", str(db), "--format", "json")
    assert json.loads(r.out)["results"][0]["status"] == "unchanged"
    assert rows(db, "SELECT count(*) FROM assessments") == [(1,)]


def test_content_hash_ignores_location_and_sees_bytes(tmp_path):
    from osaid.index.scan import content_hash
    from osaid.sources import load

    a = write_tree(tmp_path / "x" / "m", {"README.md": OPEN_CARD, "LICENSE": "Apache-2.0\n"})
    b = write_tree(tmp_path / "y" / "m", {"README.md": OPEN_CARD, "LICENSE": "Apache-2.0\n"})
    assert content_hash(load(str(a))) == content_hash(load(str(b)))
    (b / "LICENSE").write_text("MIT\n", encoding="utf-8")
    assert content_hash(load(str(a))) != content_hash(load(str(b)))


def test_hub_id_list_file_and_bad_inputs(tmp_path):
    from osaid.errors import InputError
    from osaid.index.scan import expand

    ids = tmp_path / "ids.txt"
    ids.write_text(
        "# models\nhf:org-a/model-1\norg-b/model-2  # trailing comment\n\n", encoding="utf-8"
    )
    subjects = expand([str(ids), "org-a/model-1@main"])
    assert [s.key for s in subjects] == ["hf:org-a/model-1", "hf:org-b/model-2"]
    bad = tmp_path / "bad.txt"
    bad.write_text("org/ok\nnot a hub id\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.txt:2"):
        expand([str(bad)])
    r = scan(str(tmp_path / "missing-folder"), "--db", str(tmp_path / "i.db"))
    assert r.code == 2 and "not a hub model id" in r.err and "Traceback" not in r.err


def test_a_broken_subject_is_reported_and_the_rest_scanned(tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(EXAMPLES / "open-release", folder / "good")
    (folder / "broken.yml").write_text("framework: {name: x}\nrelease: [1, 2\n", encoding="utf-8")
    r = scan(str(folder), "--db", str(tmp_path / "i.db"), "--format", "json")
    assert r.code == 1
    results = {Path(x["location"]).name: x for x in json.loads(r.out)["results"]}
    assert results["good"]["status"] == "new"
    assert results["broken.yml"]["status"] == "error"
    assert "manifest" in results["broken.yml"]["error"]


def test_parallel_scan_matches_serial(tmp_path):
    records = sorted(write_mot_records(tmp_path / "mot", 30).glob("*.yml"))
    inputs = [str(EXAMPLES)] + [str(p) for p in records]
    serial = scan(*inputs, "--db", str(tmp_path / "a.db"), "--format", "json")
    parallel = run_cli(
        "scan", "--jobs", "2", *inputs, "--db", str(tmp_path / "b.db"), "--format", "json"
    )
    assert serial.code == parallel.code

    def verdicts(r):
        return {x["location"]: x["verdict"] for x in json.loads(r.out)["results"]}

    assert verdicts(serial) == verdicts(parallel)
    assert len(verdicts(serial)) == 33

    # what is stored is the same too: reports, their hashes, licenses, findings and exports
    def stored(db: Path) -> dict:
        from osaid.index.store import unpack

        out = {}
        for key, aid, content, report_hash, report in rows(
            db,
            "SELECT s.key, a.id, a.content_hash, a.report_hash, a.report "
            "FROM subjects s JOIN assessments a ON a.id = s.current_id",
        ):
            out[key] = (
                content,
                report_hash,
                unpack(report),
                rows(
                    db,
                    "SELECT license_id, name, open, osi_approved, scopes, "
                    "restrictions FROM licenses WHERE assessment_id = ?",
                    (aid,),
                ),
                rows(
                    db,
                    "SELECT rule, severity, element, component, message "
                    "FROM findings WHERE assessment_id = ?",
                    (aid,),
                ),
                {
                    fmt: unpack(body)
                    for fmt, body in rows(
                        db, "SELECT format, body FROM exports WHERE assessment_id = ?", (aid,)
                    )
                },
            )
        return out

    a, b = stored(tmp_path / "a.db"), stored(tmp_path / "b.db")
    assert len(a) == 33 and a == b
    assert all(set(v[5]) == {"mot"} for v in a.values())


def test_ctrl_c_keeps_what_finished_and_a_rerun_resumes(tmp_path):
    db = tmp_path / "i.db"
    records = write_mot_records(tmp_path / "mot", 273)
    env = {**os.environ, "OSAID_NO_PROGRESS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "osaid", "scan", "--jobs", "2", str(records), "--db", str(db)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 60
    done = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                done = rows(db, "SELECT count(*) FROM subjects")[0][0]
            except sqlite3.OperationalError:
                done = 0
            if done >= 16:
                break
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.skip("the scan finished before it could be interrupted")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    kept = rows(db, "SELECT count(*) FROM subjects")[0][0]
    assert 16 <= kept < 273
    r = run_cli("scan", "--jobs", "2", str(records), "--db", str(db), "--format", "json")
    status = json.loads(r.out)["status"]
    assert status.get("new") == 273 - kept
    assert status.get("unchanged") == kept


def test_csv_cells_a_spreadsheet_would_run_are_written_as_text(tmp_path):
    release = tmp_path / "releases" / "=HYPERLINK(1)"
    shutil.copytree(EXAMPLES / "open-release", release)
    r = scan(str(release), "--db", str(tmp_path / "i.db"), "--format", "csv")
    assert r.code == 0
    (row,) = list(csv.DictReader(io.StringIO(r.out)))
    assert row["name"] == "'=HYPERLINK(1)"
