"""The web index (`osaid serve`) through Starlette's test client, over a database built by scan."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, MOT_FIXTURES, run_cli, safetensors_bytes, write_tree

pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

MOT = MOT_FIXTURES
XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_MARK = "window.__osaid_xss = 1"


def xss_release(root: Path) -> Path:
    """A hostile release: markup and event handlers in its name, card, links and license."""
    card = f"""---
license: other
license_name: "<script>{XSS_MARK}</script>"
license_link: "javascript:alert(document.cookie)"
---
# <script>{XSS_MARK}</script> model

<img src=x onerror="{XSS_MARK}">

The training data is <b onmouseover="{XSS_MARK}">described</b> in
[the code](javascript:alert(1)).

## License

<script>{XSS_MARK}</script> You may not use this model for military purposes.
"""
    return write_tree(
        root / XSS_NAME,
        {
            "README.md": card,
            "LICENSE": f'<svg onload="{XSS_MARK}"></svg> Non-commercial use only.\n',
            "model.safetensors": safetensors_bytes(),
        },
    )


def build_db(tmp: Path) -> Path:
    releases = tmp / "releases"
    shutil.copytree(EXAMPLES, releases)
    xss_release(releases)
    db = tmp / "index.db"
    r = run_cli(
        "scan",
        "--jobs",
        "1",
        str(releases),
        str(MOT / "heron-40b.yml"),
        str(MOT / "wren-7b.yml"),
        str(MOT / "plover-8b.yml"),
        "--db",
        str(db),
        "--export",
        "mot",
    )
    assert r.code == 0, r.out + r.err
    return db


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from osaid.index.web import create_app

    db = build_db(tmp_path_factory.mktemp("web"))
    with TestClient(create_app(str(db))) as c:
        yield c


def slug_of(client, name: str) -> str:
    subjects = client.get("/api/subjects", params={"q": name}).json()["subjects"]
    return next(s["id"] for s in subjects if s["name"] == name)


def test_index_lists_every_subject_with_counts(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    for name in ("open-release", "weights-only", "restricted-weights", "Heron 40B"):
        assert name in html
    counts = client.get("/api/subjects").json()["counts"]
    assert counts["open-source-ai"] >= 1
    assert f"<strong>{counts['open-source-ai']}</strong> open source AI" in html
    assert f"<strong>{counts['not-open-source-ai']}</strong> not open source AI" in html
    assert "Content-Security-Policy" in r.headers or "content-security-policy" in r.headers
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none'


def test_index_filters_sorts_searches_and_paginates(client):
    page = client.get("/api/subjects", params={"verdict": "not-open-source-ai"}).json()
    assert page["total"] >= 3
    assert {s["verdict"] for s in page["subjects"]} == {"not-open-source-ai"}
    apache = client.get("/api/subjects", params={"license": "Apache"}).json()["subjects"]
    assert "open-release" in {s["name"] for s in apache}
    assert all(s["license_family"] == "Apache" for s in apache)
    found = client.get("/api/subjects", params={"q": "heron"}).json()["subjects"]
    assert [s["name"] for s in found] == ["Heron 40B"]
    desc = client.get("/api/subjects", params={"sort": "name", "order": "desc"}).json()
    names = [s["name"].lower() for s in desc["subjects"]]
    assert names == sorted(names, reverse=True)
    p1 = client.get("/api/subjects", params={"per_page": 2, "page": 1}).json()
    p2 = client.get("/api/subjects", params={"per_page": 2, "page": 2}).json()
    assert p1["pages"] == (p1["total"] + 1) // 2 and len(p1["subjects"]) == 2
    assert not {s["id"] for s in p1["subjects"]} & {s["id"] for s in p2["subjects"]}
    html = client.get("/", params={"verdict": "open-source-ai"}).text
    assert "open-release" in html and "weights-only" not in html
    org = client.get("/api/subjects", params={"organisation": "Heron Labs"}).json()
    assert [s["name"] for s in org["subjects"]] == ["Heron 40B"]
    assert client.get("/api/subjects", params={"page": "x"}).status_code == 400


def test_subject_page_explains_the_verdict(client):
    slug = slug_of(client, "restricted-weights")
    html = client.get(f"/subjects/{slug}").text
    assert "not open source AI" in html
    assert "withheld" in html  # the four freedoms
    assert html.count('<tr class="c-') == 17  # the 17 MOF components
    assert "restriction:" in html  # findings with rule ids
    assert "USE_POLICY" in html or "LICENSE" in html  # evidence paths
    assert "History" in html and "first" in html
    assert f"/subjects/{slug}/report.json" in html and f"/subjects/{slug}/export/mot" in html
    report = client.get(f"/subjects/{slug}/report.json").json()
    assert report["schema"] == "osaid.report/1" and report["verdict"] == "not-open-source-ai"
    mot = client.get(f"/subjects/{slug}/export/mot")
    assert mot.status_code == 200 and "framework:" in mot.text
    assert client.get(f"/subjects/{slug}/export/cyclonedx").status_code == 404


def test_finding_page_shows_its_evidence(client):
    slug = slug_of(client, "restricted-weights")
    report = client.get(f"/subjects/{slug}/report.json").json()
    n = next(i for i, f in enumerate(report["findings"], 1) if f["evidence"])
    html = client.get(f"/subjects/{slug}/findings/{n}").text
    ev = report["findings"][n - 1]["evidence"][0]
    assert ev["path"] in html
    assert client.get(f"/subjects/{slug}/findings/999").status_code == 404


def test_api_subject_history_and_openapi(client):
    slug = slug_of(client, "Heron 40B")
    one = client.get(f"/api/subjects/{slug}").json()
    assert one["id"] == slug and one["report"]["subject"]["source"] == "manifest"
    history = client.get(f"/api/subjects/{slug}/history").json()
    assert len(history) == 1 and history[0]["change"] == "first"
    r = client.get("/api/subjects/no-such-thing")
    assert r.status_code == 404 and "error" in r.json()
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/subjects", "/api/subjects/{id}", "/api/subjects/{id}/history"} <= set(
        spec["paths"]
    )


def test_badges(client):
    slug = slug_of(client, "open-release")
    r = client.get(f"/badge/{slug}.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert "open source AI" in r.text and "#1a7f37" in r.text
    mof = client.get(f"/badge/{slug_of(client, 'Wren-7B')}.svg", params={"kind": "mof"})
    assert "MOF" in mof.text and "Class" in mof.text
    assert client.get(f"/badge/{slug}.svg", params={"kind": "nope"}).status_code == 400


def test_landscape_charts_and_csv(client):
    html = client.get("/landscape").text
    assert html.count("<svg") == 3
    table = list(csv.DictReader(io.StringIO(client.get("/landscape/by-license.csv").text)))
    total = client.get("/api/subjects").json()["total"]
    assert sum(int(r["total"]) for r in table) == total
    over = list(csv.DictReader(io.StringIO(client.get("/landscape/over-time.csv").text)))
    assert int(over[-1]["total"]) == total


def test_card_markup_is_escaped_everywhere(client):
    slug = slug_of(client, XSS_NAME)
    pages = [
        client.get(u).text
        for u in ("/", f"/subjects/{slug}", "/landscape", f"/subjects/{slug}/findings/1")
    ]
    for html in pages:
        assert "<script>" not in html and "<img src=x" not in html
        assert not re.search(r"<[^>]*\son\w+\s*=", html)  # no event-handler attribute
        assert 'href="javascript:' not in html.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1]
    badge = client.get(f"/badge/{slug}.svg").text
    assert "<script" not in badge and "onerror" not in badge.replace("onerror=alert", "")


def test_serve_opens_the_database_read_only(tmp_path):
    from osaid.index.web import create_app

    db = tmp_path / "i.db"
    assert run_cli("scan", "--jobs", "1", str(EXAMPLES / "weights-only"), "--db", str(db)).code == 0
    app = create_app(str(db))
    store = app.state.index.store
    import sqlite3

    with pytest.raises(sqlite3.OperationalError):
        store.conn.execute("UPDATE subjects SET verdict = 'open-source-ai'")
