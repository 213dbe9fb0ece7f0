"""The index database: migrations, read-only opening, and complete assessments after a kill."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import EXAMPLES, run_cli, write_mot_records


def test_new_database_is_at_the_current_schema_version(tmp_path):
    from osaid.index.store import SCHEMA_VERSION, Store

    store = Store.open(tmp_path / "i.db")
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"subjects", "assessments", "licenses", "findings", "exports", "scans"} <= tables
    store.close()


def test_migrations_run_in_order_and_only_once(tmp_path, monkeypatch):
    from osaid.index import store as store_mod

    path = tmp_path / "i.db"
    store_mod.Store.open(path).close()
    extra = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)"
    monkeypatch.setattr(store_mod, "MIGRATIONS", (*store_mod.MIGRATIONS, extra))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", len(store_mod.MIGRATIONS))
    s = store_mod.Store.open(path)
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == len(store_mod.MIGRATIONS)
    s.conn.execute("INSERT INTO notes (text) VALUES ('kept')")
    s.close()
    s = store_mod.Store.open(path)  # nothing to migrate: the table and its row are still there
    assert [tuple(r) for r in s.conn.execute("SELECT text FROM notes")] == [("kept",)]
    s.close()


def test_a_newer_database_is_refused_in_one_line(tmp_path):
    path = tmp_path / "i.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    r = run_cli("scan", "--jobs", "1", str(EXAMPLES / "open-release"), "--db", str(path))
    assert r.code == 2
    assert "newer" in r.err and "Traceback" not in r.err


def test_serve_refuses_a_missing_database(tmp_path):
    r = run_cli("serve", "--db", str(tmp_path / "none.db"))
    assert r.code == 2 and "osaid scan" in r.err


def test_read_only_store_cannot_write(tmp_path):
    from osaid.index.store import Store

    path = tmp_path / "i.db"
    assert run_cli("scan", "--jobs", "1", str(EXAMPLES), "--db", str(path)).code == 0
    ro = Store.open(path, readonly=True)
    with pytest.raises(sqlite3.OperationalError):
        ro.conn.execute("DELETE FROM subjects")
    ro.close()


def test_killed_scan_leaves_only_complete_assessments(tmp_path):
    db = tmp_path / "i.db"
    records = write_mot_records(tmp_path / "mot", 273)
    env = {**os.environ, "OSAID_NO_PROGRESS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "osaid", "scan", "--jobs", "2", str(records), "--db", str(db)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        try:
            if (
                db.exists()
                and sqlite3.connect(db).execute("SELECT count(*) FROM assessments").fetchone()[0]
                >= 10
            ):
                break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.01)
    if proc.poll() is not None:
        pytest.skip("the scan finished before it could be killed")
    os.killpg(proc.pid, signal.SIGKILL)  # the scan and its workers, mid-write
    proc.wait(timeout=30)

    from osaid.index.store import Store, unpack

    store = Store.open(db)  # recovers the WAL
    c = store.conn
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assessments = c.execute(
        "SELECT id, subject_id, n_licenses, n_findings, report FROM assessments"
    ).fetchall()
    assert 10 <= len(assessments) < 273
    for aid, sid, n_lic, n_find, blob in assessments:
        report = json.loads(unpack(blob))
        assert report["schema"] == "osaid.report/1"
        assert (
            len(report["licenses"])
            == n_lic
            == c.execute(
                "SELECT count(*) FROM licenses WHERE assessment_id = ?", (aid,)
            ).fetchone()[0]
        )
        assert (
            len(report["findings"])
            == n_find
            == c.execute(
                "SELECT count(*) FROM findings WHERE assessment_id = ?", (aid,)
            ).fetchone()[0]
        )
        assert (
            c.execute("SELECT count(*) FROM exports WHERE assessment_id = ?", (aid,)).fetchone()[0]
            == 1
        )
    # every subject points at a stored assessment of its own
    assert (
        c.execute(
            "SELECT count(*) FROM subjects s LEFT JOIN assessments a "
            "ON a.id = s.current_id AND a.subject_id = s.id "
            "WHERE a.id IS NULL"
        ).fetchone()[0]
        == 0
    )
    store.close()
