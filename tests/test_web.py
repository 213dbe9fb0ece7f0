"""The web index (`osaid serve`) through Starlette's test client, over a database built by scan."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, run_cli, safetensors_bytes, write_tree

pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402

# Model Openness Tool manifests made up for these tests.
HERON = """\
framework:
  name: 'Model Openness Framework'
  version: '1.0'
  date: '2024-12-15'
release:
  name: Heron
  version: 2B
  date: '2025-03-01'
  producer: Example Lab
  repository: 'https://example.org/git/heron'
  huggingface: 'https://huggingface.co/example-lab/heron-2b'
  license:
    distribution:
      name: Apache-2.0
      path: ''
  components:
    -
      name: 'Model architecture'
      description: 'the layers'
    -
      name: 'Data preprocessing code'
      description: 'cleaning scripts'
      component_path: 'https://example.org/git/heron-data'
      license: MIT
    -
      name: 'Training code'
      description: 'the trainer'
      license: MIT
    -
      name: 'Inference code'
      description: 'the runner'
    -
      name: 'Evaluation code'
      description: 'the scorer'
      license: MIT
    -
      name: 'Supporting libraries and tools'
      description: 'helpers'
    -
      name: 'Model parameters (Final)'
      description: 'the weights'
    -
      name: 'Model parameters (Intermediate)'
      description: 'checkpoints'
    -
      name: Datasets
      description: 'what it read'
      component_path: 'https://example.org/data/heron'
    -
      name: 'Evaluation data'
      description: 'held-out sets'
    -
      name: 'Model metadata'
      description: 'settings'
    -
      name: 'Model card'
      description: 'the card'
    -
      name: 'Data card'
      description: 'about the data'
    -
      name: 'Research paper'
      description: 'the write-up'
      component_path: 'https://arxiv.org/abs/2501.00001'
      license: CC-BY-4.0
    -
      name: 'Evaluation results'
      description: 'scores'
"""
# Heron without supporting libraries: a MOF class, yet not enough evidence for OSAID.
PETREL = (
    HERON.replace("name: Heron", "name: Petrel")
    .replace("version: 2B", "version: 3B")
    .replace(
        "    -\n      name: 'Supporting libraries and tools'\n      description: 'helpers'\n", ""
    )
)
TERN = """\
framework:
  name: 'Model Openness Framework'
  version: '1.0'
  date: '2024-12-15'
release:
  name: Tern
  version: 7B
  date: '2025-04-01'
  producer: Fieldfare Institute
  license:
    distribution:
      name: BigScience-BLOOM-RAIL-1.0
      path: ''
  components:
    -
      name: 'Model architecture'
      description: 'the layers'
    -
      name: 'Training code'
      description: 'the trainer'
    -
      name: 'Model parameters (Final)'
      description: 'the weights'
    -
      name: 'Research paper'
      description: 'the write-up'
      component_path: 'https://arxiv.org/abs/2501.00002'
      license: CC-BY-4.0
"""
# A producer name a spreadsheet would run as a formula.
GANNET = """\
framework:
  name: 'Model Openness Framework'
  version: '1.0'
  date: '2024-12-15'
release:
  name: Gannet
  version: 1B
  date: '2025-05-01'
  producer: '=HYPERLINK("https://example.org","x")'
  license:
    distribution:
      name: Apache-2.0
      path: ''
  components:
    -
      name: 'Model parameters (Final)'
      description: 'the weights'
"""
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


def write_manifests(folder: Path, hostile: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("heron.yml", HERON),
        ("petrel.yml", PETREL),
        ("tern.yml", TERN),
        *((("gannet.yml", GANNET),) if hostile else ()),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build_db(tmp: Path, hostile: bool = True) -> Path:
    releases = tmp / "releases"
    shutil.copytree(EXAMPLES, releases)
    if hostile:
        xss_release(releases)
    manifests = write_manifests(tmp / "manifests", hostile)
    db = tmp / "index.db"
    r = run_cli(
        "scan",
        "--jobs",
        "1",
        str(releases),
        str(manifests),
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
    for name in ("open-release", "weights-only", "restricted-weights", "Tern 7B", "Heron 2B"):
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
    found = client.get("/api/subjects", params={"q": "tern"}).json()["subjects"]
    assert [s["name"] for s in found] == ["Tern 7B"]
    desc = client.get("/api/subjects", params={"sort": "name", "order": "desc"}).json()
    names = [s["name"].lower() for s in desc["subjects"]]
    assert names == sorted(names, reverse=True)
    p1 = client.get("/api/subjects", params={"per_page": 2, "page": 1}).json()
    p2 = client.get("/api/subjects", params={"per_page": 2, "page": 2}).json()
    assert p1["pages"] == (p1["total"] + 1) // 2 and len(p1["subjects"]) == 2
    assert not {s["id"] for s in p1["subjects"]} & {s["id"] for s in p2["subjects"]}
    html = client.get("/", params={"verdict": "open-source-ai"}).text
    assert "open-release" in html and "weights-only" not in html
    org = client.get("/api/subjects", params={"organisation": "Fieldfare Institute"}).json()
    assert [s["name"] for s in org["subjects"]] == ["Tern 7B"]
    assert client.get("/api/subjects", params={"page": "x"}).status_code == 400


def test_subject_page_explains_the_verdict(client):
    slug = slug_of(client, "restricted-weights")
    html = client.get(f"/subjects/{slug}").text
    assert "not open source AI" in html
    assert "withheld" in html  # the four freedoms
    assert len(re.findall(r'<tr id="component-[^"]+" class="c-', html)) == 17  # 17 MOF components
    weights = html.split('<tr id="component-model-parameters-final"', 1)[1].split("</tr>", 1)[0]
    assert "Class III" in weights  # the class that first needs it
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
    slug = slug_of(client, "Tern 7B")
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
    # the report is typed by the JSON Schema osaid ships, served beside the API
    ref = spec["components"]["schemas"]["Report"]["$ref"]
    schema = client.get(ref)
    assert schema.status_code == 200
    from jsonschema import Draft202012Validator

    Draft202012Validator(schema.json()).validate(one["report"])


def test_badges(client):
    slug = slug_of(client, "open-release")
    r = client.get(f"/badge/{slug}.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert "open source AI" in r.text and "#1a7f37" in r.text
    mof = client.get(f"/badge/{slug_of(client, 'Heron 2B')}.svg", params={"kind": "mof"})
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


def _event_handlers(html: str) -> list[tuple[str, str]]:
    """(tag, attribute) of every on* attribute, as a browser would parse the page."""
    from html.parser import HTMLParser

    found: list[tuple[str, str]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend((tag, a) for a, _ in attrs if a.lower().startswith("on"))

    P().feed(html)
    return found


def test_card_markup_is_escaped_everywhere(client):
    slug = slug_of(client, XSS_NAME)
    other = slug_of(client, "open-release")
    pages = [
        client.get(u).text
        for u in (
            "/",
            f"/subjects/{slug}",
            "/landscape",
            f"/subjects/{slug}/findings/1",
            f"/subjects/{slug}/source?path=LICENSE",
            f"/subjects/{slug}/source?path=README.md",
            "/matrix",
            "/matrix?view=mof",
            f"/compare?s={slug}&s={other}",
        )
    ]
    assert "&lt;svg onload=" in pages[4]  # the license file, shown as text
    for html in pages:
        assert "<script>" not in html and "<img src=x" not in html
        assert not _event_handlers(html)  # no event-handler attribute on any element
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


# --- the verdict explains itself --------------------------------------------------------------


def _verdict_box(html: str) -> str:
    return html.split('<section class="verdict-box', 1)[1].split("</section>", 1)[0]


def test_verdict_box_lists_the_blockers_each_linked_to_its_evidence(client):
    slug = slug_of(client, "restricted-weights")
    report = client.get(f"/subjects/{slug}/report.json").json()
    blockers = [i for i, f in enumerate(report["findings"], 1) if f["severity"] == "blocker"]
    box = _verdict_box(client.get(f"/subjects/{slug}").text)
    assert f"because of {len(blockers)} blocker" in box
    for n in blockers[:8]:
        assert f'href="/subjects/{slug}/findings/{n}"' in box
    # the first blocker's evidence, opened at its line in the release's own file
    ev = report["findings"][blockers[0] - 1]["evidence"][0]
    assert f"/subjects/{slug}/source?path={ev['path']}#L{ev['line']}" in box


def test_insufficient_evidence_names_the_warnings_and_why_mof_differs(client):
    slug = slug_of(client, "Petrel 3B")
    report = client.get(f"/subjects/{slug}/report.json").json()
    assert report["verdict"] == "insufficient-evidence" and report["mof"]["class"]
    warnings = [i for i, f in enumerate(report["findings"], 1) if f["severity"] == "warning"]
    box = _verdict_box(client.get(f"/subjects/{slug}").text)
    assert re.search(r"(this warning keeps|these \d+ warnings keep) it from open source AI", box)
    assert all(f"/findings/{n}" in box for n in warnings[:8])
    assert "supporting libraries" in box.lower()  # the missing component, said in words
    assert f"MOF Class {report['mof']['class']} counts the components" in box
    # an open release says so, with no MOF sentence needed when it holds a class too
    open_box = _verdict_box(client.get(f"/subjects/{slug_of(client, 'Heron 2B')}").text)
    assert "All three OSAID elements are met" in open_box and "MOF Class I counts" not in open_box


# --- names, links, method -------------------------------------------------------------------


def test_license_names_are_shown_with_the_id_beside(client):
    slug = slug_of(client, "Tern 7B")
    row = client.get(f"/api/subjects/{slug}").json()
    lid = row["weights_license"]
    assert lid.startswith("LicenseRef-")
    name = next(lf["name"] for lf in row["report"]["licenses"] if lf["id"] == lid)
    index = client.get("/", params={"q": "tern"}).text
    assert f'<span class="lic" title="{lid}">{name}</span>' in index
    box = _verdict_box(client.get(f"/subjects/{slug}").text)
    assert f'title="{lid}">{name}</span>' in box  # blocker messages name it too
    assert f">{lid} covers" not in box
    # the filter and the chart show names as well
    assert ">OpenRAIL license family<" in index or f">{name}<" in index
    landscape = client.get("/landscape").text
    chart = landscape.split("<figure>", 1)[1].split("</figure>", 1)[0]
    shown = re.sub(r'href="[^"]*"', "", chart)  # links filter by id; what is read is names
    assert "LicenseRef-quarry" not in shown and "LicenseRef-osaid" not in shown


def test_upstream_links_hub_repository_and_paper(client):
    html = client.get(f"/subjects/{slug_of(client, 'Heron 2B')}").text
    links = html.split('<ul class="upstream"', 1)[1].split("</ul>", 1)[0]
    assert 'href="https://huggingface.co/example-lab/heron-2b"' in links
    assert 'href="https://example.org/git/heron"' in links
    assert 'href="https://arxiv.org/abs/2501.00001"' in links


def test_manifest_evidence_opens_at_the_manifest_line(client):
    slug = slug_of(client, "Tern 7B")
    report = client.get(f"/subjects/{slug}/report.json").json()
    ev = next(e for lf in report["licenses"] for e in lf["evidence"] if e.get("line"))
    assert ev["path"] == "tern.yml"
    html = client.get(f"/subjects/{slug}").text
    href = f"/subjects/{slug}/source?path=tern.yml#L{ev['line']}"
    assert href in html
    source = client.get(href.split("#")[0]).text
    line = source.split(f'<tr id="L{ev["line"]}">', 1)[1].split("</tr>", 1)[0]
    assert ev["quote"] in line


def test_source_page_serves_only_cited_files_never_through_links(client, tmp_path):
    slug = slug_of(client, "restricted-weights")
    assert client.get(f"/subjects/{slug}/source", params={"path": "LICENSE"}).status_code == 200
    for bad in ("../tern.yml", "/etc/passwd", "README.md/../LICENSE", "not-cited.txt"):
        r = client.get(f"/subjects/{slug}/source", params={"path": bad})
        assert r.status_code == 404, bad


def test_source_file_reader_refuses_symlinks(tmp_path):
    from osaid.index.present import read_evidence_file

    root = write_tree(tmp_path / "r", {"LICENSE": "MIT\n"})
    (tmp_path / "secret").write_text("server secret\n")
    (root / "link").symlink_to(tmp_path / "secret")
    (root / "sub").symlink_to(tmp_path)
    assert read_evidence_file(str(root), "LICENSE") == ["MIT"]
    assert read_evidence_file(str(root), "link") is None
    assert read_evidence_file(str(root), "sub/secret") is None


def test_no_server_path_in_pages_api_or_exports(client):
    spec_root = str(Path(client.app.state.index.db_path).parent)
    slug = slug_of(client, "Tern 7B")
    local = slug_of(client, "restricted-weights")
    for url in (
        "/",
        f"/subjects/{slug}",
        f"/subjects/{local}",
        f"/subjects/{local}/findings/1",
        f"/api/subjects/{slug}",
        f"/api/subjects/{local}",
        f"/subjects/{slug}/report.json",
        f"/subjects/{slug}/export/mot",
        "/api/subjects",
        "/matrix",
        f"/compare?s={slug}&s={local}",
    ):
        body = client.get(url).text
        assert spec_root not in body, url
    row = client.get(f"/api/subjects/{local}").json()
    assert row["location"] == "releases/restricted-weights"
    assert row["report"]["subject"]["location"] == "releases/restricted-weights"
    assert client.get(f"/api/subjects/{slug}").json()["location"] == "manifests/tern.yml"


def test_about_page_states_the_method_with_sources(client):
    html = client.get("/about").text
    for words in (
        "use, study, modify and share",
        "Data information",
        "insufficient evidence",
        "declared",
        "not the OSAID verdict",
        "does not judge",
    ):
        assert words in html, words
    assert 'href="https://opensource.org/ai/open-source-ai-definition"' in html
    assert 'href="https://arxiv.org/abs/2403.13784"' in html


def test_api_page_is_readable_and_badge_snippet_is_absolute(client):
    html = client.get("/api").text
    assert "GET /api/subjects/{id}/history" in html and "/api/openapi.json" in html
    spec = client.get("/api/openapi.json").json()
    detail = spec["components"]["schemas"]["SubjectDetail"]["allOf"][1]["properties"]
    assert detail["report"] == {"$ref": "#/components/schemas/Report"}
    slug = slug_of(client, "open-release")
    page = client.get(f"/subjects/{slug}").text
    assert f"[![OSAID](http://testserver/badge/{slug}.svg)](http://testserver/subjects/{slug})" in (
        page
    )


def test_public_url_makes_badge_and_api_links_absolute(tmp_path):
    from osaid.index.web import create_app

    db = tmp_path / "i.db"
    assert run_cli("scan", "--jobs", "1", str(EXAMPLES / "weights-only"), "--db", str(db)).code == 0
    with TestClient(create_app(str(db), public_url="https://osaid.example.org")) as c:
        page = c.get("/subjects/weights-only").text
        assert "(https://osaid.example.org/badge/weights-only.svg)" in page
        history = c.get("/api/subjects/weights-only").json()["history"]
        assert history == "https://osaid.example.org/api/subjects/weights-only/history"


# --- views ------------------------------------------------------------------------------------


def test_matrix_every_cell_links_to_its_evidence(client):
    total = client.get("/api/subjects").json()["total"]
    for view, anchor in (("osaid", "#item-"), ("mof", "#component-")):
        html = client.get("/matrix", params={"view": view, "per_page": 50}).text
        rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")
        assert rows == total
        cells = re.findall(r'<a class="cell s-([\w-]+)" href="/subjects/([^"#]+)(#[^"]+)"', html)
        assert cells and all(a.startswith(anchor) for _, _, a in cells)
        # each cell's anchor is an element on that subject's page
        status, slug, a = cells[0]
        assert f'id="{a[1:]}"' in client.get(f"/subjects/{slug}").text
    mof = client.get("/matrix", params={"view": "mof", "q": "heron"}).text
    assert mof.count('<a class="cell s-') == 17
    assert client.get("/matrix", params={"view": "x"}).status_code == 400


def test_compare_two_to_four_subjects_side_by_side(client):
    a, b, c = (slug_of(client, n) for n in ("Heron 2B", "Tern 7B", "open-release"))
    html = client.get(f"/compare?s={a}&s={b}&s={c}").text
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert head.count('<th scope="col">') == 4
    assert "open source AI" in html and "not open source AI" in html
    assert f'href="/subjects/{b}/findings/' in html  # why, linked
    assert f'href="/subjects/{a}#component-model-parameters-final"' in html
    for bad in (f"/compare?s={a}", "/compare?" + "&".join(f"s={x}" for x in "abcde")):
        assert client.get(bad).status_code == 400
    assert client.get(f"/compare?s={a}&s=nope").status_code == 404


def test_token_search_over_name_organisation_and_license_name(client):
    def names(q):
        return {s["name"] for s in client.get("/api/subjects", params={"q": q}).json()["subjects"]}

    assert names("heron 2b") == {"Heron 2B"}
    assert names("2B heron") == {"Heron 2B"}
    assert names("fieldfare") == {"Tern 7B"}
    assert "Tern 7B" in names("rail")  # the license's name, not its id
    assert names("example lab petrel") == {"Petrel 3B"}
    assert names("heron nothing-like-this") == set()


def test_sorting_by_verdict_severity_and_mof_class(client):
    verdicts = [
        s["verdict"]
        for s in client.get("/api/subjects", params={"sort": "verdict", "per_page": 100}).json()[
            "subjects"
        ]
    ]
    rank = {"not-open-source-ai": 0, "insufficient-evidence": 1, "open-source-ai": 2}
    assert [rank[v] for v in verdicts] == sorted(rank[v] for v in verdicts)
    classes = [
        s["mof_class"]
        for s in client.get("/api/subjects", params={"sort": "mof", "per_page": 100}).json()[
            "subjects"
        ]
    ]
    order = {"I": 1, "II": 2, "III": 3, None: 4}
    assert [order[c] for c in classes] == sorted(order[c] for c in classes)
    assert classes[0] == "I"


def test_chart_bars_open_the_filtered_list(client):
    html = client.get("/landscape").text
    hrefs = re.findall(r'<a href="(/\?[^"]+)"><rect', html)
    assert hrefs
    from html import unescape

    href = unescape(next(h for h in hrefs if "organisation=Fieldfare" in h))
    listed = client.get("/api/subjects" + href[1:]).json()["subjects"]
    assert [s["name"] for s in listed] == ["Tern 7B"]


# --- caching ----------------------------------------------------------------------------------


def test_etag_cache_control_and_304(client):
    slug = slug_of(client, "Heron 2B")
    for url, control in (
        (f"/subjects/{slug}", "no-cache"),
        ("/api/subjects", "no-cache"),
        (f"/badge/{slug}.svg", "public, max-age=300"),
    ):
        r = client.get(url)
        assert r.headers["cache-control"] == control
        etag = r.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_a_new_scan_changes_the_etag(tmp_path):
    import time

    from osaid.index.web import GENERATION_TTL, create_app

    db = tmp_path / "i.db"
    assert run_cli("scan", "--jobs", "1", str(EXAMPLES / "weights-only"), "--db", str(db)).code == 0
    with TestClient(create_app(str(db))) as c:
        before = c.get("/").headers["etag"]
        assert "open-release" not in c.get("/").text
        assert run_cli("scan", "--jobs", "1", str(EXAMPLES), "--db", str(db)).code == 0
        time.sleep(GENERATION_TTL * 2)  # the documented delay before a commit shows
        after = c.get("/", headers={"If-None-Match": before})
        assert after.status_code == 200 and "open-release" in after.text


# --- edges ------------------------------------------------------------------------------------


def test_out_of_range_pages_and_oversized_queries_are_400(client):
    for params in (
        {"page": str(2**63 - 1)},
        {"page": "99999"},
        {"page": "0"},
        {"per_page": "100000"},
        {"q": "x" * 50_000},
        {"q": "y" * 201},
    ):
        for url in ("/", "/api/subjects", "/matrix"):
            r = client.get(url, params=params)
            assert r.status_code == 400, (url, params)
    assert (
        "past the last page" in client.get("/api/subjects", params={"page": "99"}).json()["error"]
    )


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/landscape/by-organisation.csv").text)))
    labels = [r["organisation"] for r in rows]
    assert '\'=HYPERLINK("https://example.org","x")' in labels
    assert not any(label[:1] in "=+-@" for label in labels)


def test_unknown_grade_values_render(tmp_path):
    import json
    import sqlite3

    from osaid.index.store import pack, unpack
    from osaid.index.web import create_app

    db = tmp_path / "i.db"
    assert run_cli("scan", "--jobs", "1", str(EXAMPLES / "weights-only"), "--db", str(db)).code == 0
    conn = sqlite3.connect(db)
    (aid, blob) = conn.execute("SELECT id, report FROM assessments").fetchone()
    report = json.loads(unpack(blob))
    dims = report["osai_index"]["dimensions"]
    first = next(iter(dims))
    dims[first]["grade"] = "not-assessed"
    dims[next(k for k in dims if k != first)]["grade"] = "some-future-grade"
    conn.execute("UPDATE assessments SET report = ? WHERE id = ?", (pack(json.dumps(report)), aid))
    conn.commit()
    conn.close()
    with TestClient(create_app(str(db))) as c:
        r = c.get("/subjects/weights-only")
        assert r.status_code == 200
        assert 'class="status s-not-assessed">not-assessed</span>' in r.text
        assert ">some-future-grade</span>" in r.text


def test_newer_schema_is_refused_with_one_message(tmp_path):
    import sqlite3

    db = tmp_path / "i.db"
    assert run_cli("scan", "--jobs", "1", str(EXAMPLES / "weights-only"), "--db", str(db)).code == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    serve = run_cli("serve", "--db", str(db), "--port", "0")
    scan = run_cli("scan", "--jobs", "1", str(EXAMPLES / "weights-only"), "--db", str(db))
    assert serve.code == scan.code == 2
    for err in (serve.err, scan.err):
        assert "index schema version 99 is newer than this osaid's" in err
        assert "upgrade osaid" in err and "rerun" not in err


def test_wal_database_on_read_only_media_opens(tmp_path):
    """As an unprivileged user, a WAL database in a folder it cannot write (no -shm can be
    made) is read with immutable=1 instead of refused."""
    import subprocess

    if os.geteuid() != 0 or not shutil.which("setpriv") or not os.path.exists("/usr/bin/python3"):
        pytest.skip("needs root, setpriv and /usr/bin/python3 to drop to an unprivileged user")
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="osaid-ro-"))  # under /tmp, which anyone may enter
    top.chmod(0o755)
    db = top / "ro" / "i.db"
    assert run_cli("scan", "--jobs", "1", str(EXAMPLES / "weights-only"), "--db", str(db)).code == 0
    for extra in ("-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    db.chmod(0o444)
    db.parent.chmod(0o555)
    src = Path(__file__).resolve().parents[1] / "src"
    code = (
        "import sqlite3, sys\n"
        "from osaid.index.store import Store\n"
        f"s = Store.open({str(db)!r}, readonly=True)\n"
        "print(s.conn.execute('SELECT name FROM subjects').fetchone()[0])\n"
    )
    r = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "/usr/bin/python3",
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    db.parent.chmod(0o755)
    shutil.rmtree(top)
    if "No module named" in r.stderr:
        pytest.skip(f"/usr/bin/python3 lacks a module osaid's store needs: {r.stderr[-200:]}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "weights-only"


def test_locations_and_upstream_links_by_source():
    from osaid.index.present import display_location, server_prefix, upstream

    roots = ["/srv/scans/releases", "/srv/scans"]
    assert display_location("local", "/srv/scans/releases/a", roots) == "releases/a"
    assert display_location("manifest", "/srv/scans/m.yml", roots) == "scans/m.yml"
    assert display_location("local", "/elsewhere/deep/b", roots) == "deep/b"
    assert display_location("hf", "hf:org/name", roots) == "hf:org/name"
    assert display_location("git", "git:/srv/scans/repo", roots) == "git:scans/repo"
    assert server_prefix("/srv/scans/releases/a", "releases/a") == "/srv/scans/"
    assert server_prefix("/data/x", display_location("local", "/data/x", roots)) == ""
    hub = upstream("hf", "hf:org/name", {}, None)
    assert hub == [("hub page", "https://huggingface.co/org/name", "hub id")]
    git = upstream("git", "https://example.org/org/repo@v1", {}, None)
    assert git[0][:2] == ("repository", "https://example.org/org/repo")
    # only http(s) links leave the index, whatever a manifest says
    hostile = {"release": {"huggingface": "javascript:alert(1)", "repository": "data:x"}}
    assert upstream("manifest", "/srv/m.yml", {}, hostile) == []
