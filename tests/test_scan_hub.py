"""`osaid scan` over hub ids against the fake hub (tests/hubserver.py), and what the web index
shows of them: the lineage graph of a stored report's `lineage` list."""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from pathlib import Path

import pytest
from conftest import run_cli
from hubserver import default_repos, serving

NS = "osaid-examples"
MODELS = [
    "pebble-lm-tiny",
    "pebble-lm-gated",
    "huge-weights",
    "taken-down",
    "chain-root",
    "chain-mid",
    "chain-top",
    "loop-a",
    "loop-b",
    "orphan-ft",
    "llama2-style-base",
    "pebble-chat-apache",
    "pebble-lm-tiny-gguf",
    "pebble-lm-tiny-lora",
]
"""More than one chunk of work, so `--jobs 2` runs on worker processes."""


@pytest.fixture
def hub(monkeypatch, tmp_path):
    with serving(monkeypatch, tmp_path, default_repos()) as h:
        yield h


def ids_file(tmp_path: Path) -> Path:
    ids = tmp_path / "models.txt"
    ids.write_text("# the fixture hub\n" + "".join(f"{NS}/{m}\n" for m in MODELS), encoding="utf-8")
    return ids


def scan(*argv: str):
    r = run_cli("scan", *argv, "--format", "json")
    return r, json.loads(r.out)


def stored(db: Path) -> dict[str, dict]:
    """key -> the current assessment's revision, change and report."""
    conn = sqlite3.connect(db)
    try:
        return {
            key: {"revision": rev, "change": change, "report": json.loads(zlib.decompress(blob))}
            for key, rev, change, blob in conn.execute(
                "SELECT s.key, a.revision, a.change, a.report FROM subjects s "
                "JOIN assessments a ON a.id = s.current_id"
            )
        }
    finally:
        conn.close()


def test_scan_hub_ids_serial_and_parallel_then_rescan(hub, tmp_path):
    ids = ids_file(tmp_path)
    # the same model at a tag is the same subject (the revision is what is fetched)
    r, out = scan(
        "--jobs", "1", str(ids), f"hf:{NS}/pebble-lm-tiny@v1.0", "--db", str(tmp_path / "a.db")
    )
    assert r.code == 1, r.err  # one repository is disabled on the hub
    by_location = {x["location"]: x for x in out["results"]}
    assert len(by_location) == len(MODELS)
    down = by_location[f"hf:{NS}/taken-down"]
    assert down["status"] == "error" and "disabled" in down["error"]
    assessed = [x for x in out["results"] if x["status"] != "error"]
    assert {x["status"] for x in assessed} == {"new"}
    assert {x["source"] for x in out["results"]} == {"hf"}
    assert {x["organisation"] for x in assessed} == {NS}
    assert by_location[f"hf:{NS}/pebble-lm-tiny"]["verdict"] == "open-source-ai"
    assert by_location[f"hf:{NS}/llama2-style-base"]["verdict"] == "not-open-source-ai"

    a = stored(tmp_path / "a.db")
    assert set(a) == {f"hf:{NS}/{m}" for m in MODELS if m != "taken-down"}
    assert all(re.fullmatch(r"[0-9a-f]{40}", v["revision"]) for v in a.values())
    # the scan follows the bases a card names, and stores them in the report
    lineage = a[f"hf:{NS}/chain-top"]["report"]["lineage"]
    assert [(b["id"], b["depth"], b["via"]) for b in lineage] == [
        (f"{NS}/chain-mid", 1, None),
        (f"{NS}/chain-root", 2, f"{NS}/chain-mid"),
    ]
    base = a[f"hf:{NS}/pebble-chat-apache"]["report"]["lineage"][0]
    assert (base["id"], base["verdict"]) == (f"{NS}/llama2-style-base", "not-open-source-ai")
    assert not a[f"hf:{NS}/pebble-lm-tiny"]["report"].get("lineage")

    # worker processes store the same
    r2, out2 = scan("--jobs", "2", str(ids), "--db", str(tmp_path / "b.db"))
    assert r2.code == 1, r2.err
    assert {x["location"]: (x["status"], x["verdict"]) for x in out2["results"]} == {
        x["location"]: (x["status"], x["verdict"]) for x in out["results"]
    }
    assert stored(tmp_path / "b.db") == a

    # hub subjects have no stat fingerprint: a rescan fetches them, finds the same content and
    # adds no history
    r3, out3 = scan("--jobs", "2", str(ids), "--db", str(tmp_path / "a.db"))
    assert r3.code == 1
    assert out3["status"] == {"unchanged": len(MODELS) - 1, "error": 1}
    assert stored(tmp_path / "a.db") == a
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("SELECT count(*) FROM assessments").fetchone()[0] == len(MODELS) - 1
    conn.close()


def test_subject_page_draws_the_lineage_of_the_stored_report(hub, tmp_path):
    pytest.importorskip("httpx")
    from starlette.testclient import TestClient

    from osaid.index.store import pack
    from osaid.index.web import create_app

    db = tmp_path / "i.db"
    r, _ = scan(
        "--jobs",
        "1",
        f"{NS}/chain-top",
        f"{NS}/pebble-lm-tiny",
        f"{NS}/pebble-lm-tiny-lora",
        "--db",
        str(db),
    )
    assert r.code == 0, r.err
    # a hostile base id, as a stored report could carry it: drawn as text, never as markup
    conn = sqlite3.connect(db)
    aid, blob = conn.execute(
        "SELECT a.id, a.report FROM subjects s JOIN assessments a "
        "ON a.id = s.current_id WHERE s.key = ?",
        (f"hf:{NS}/pebble-lm-tiny-lora",),
    ).fetchone()
    report = json.loads(zlib.decompress(blob))
    report["lineage"].append(
        {
            "id": "<script>alert(1)</script>",
            "relation": "merge",
            "license": None,
            "verdict": "insufficient-evidence",
            "depth": 2,
            "status": "unavailable",
            "via": f"{NS}/pebble-lm-tiny",
        }
    )
    conn.execute("UPDATE assessments SET report = ? WHERE id = ?", (pack(json.dumps(report)), aid))
    conn.commit()
    conn.close()

    with TestClient(create_app(str(db))) as client:
        subjects = {s["name"]: s["id"] for s in client.get("/api/subjects").json()["subjects"]}

        page = client.get(f"/subjects/{subjects[f'{NS}/chain-top']}")
        assert page.status_code == 200
        svg = re.search(r'<svg class="lineage".*?</svg>', page.text, re.S)
        assert svg, "the subject page draws the lineage"
        graph = svg.group(0)
        # the release itself and its two bases, one above the other, joined by two lines
        for name in (f"{NS}/chain-top", f"{NS}/chain-mid", f"{NS}/chain-root"):
            assert f"<title>{name}" in graph
        assert graph.count("<rect") == 3 and graph.count("<line") == 2
        assert "finetune" in graph

        plain = client.get(f"/subjects/{subjects[f'{NS}/pebble-lm-tiny']}")
        assert plain.status_code == 200
        assert 'class="lineage"' not in plain.text  # no bases, no graph

        lora = client.get(f"/subjects/{subjects[f'{NS}/pebble-lm-tiny-lora']}").text
        graph = re.search(r'<svg class="lineage".*?</svg>', lora, re.S).group(0)
        assert graph.count("<rect") == 3 and graph.count("<line") == 2
        assert "adapter" in graph
        assert "<script>" not in lora and "&lt;script&gt;" in graph
