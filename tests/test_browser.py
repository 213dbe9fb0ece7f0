"""The web index in a real browser: Debian's headless chromium driven by Playwright, against
`osaid serve` on loopback over a database built with `osaid scan`.

Screenshots are kept in the test's tmp folder (printed on failure) and, when OSAID_ARTIFACTS is
set, copied there.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_web import XSS_MARK, XSS_NAME, build_db

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _serve(db: Path, *args: str) -> tuple[subprocess.Popen, int, list[str]]:
    """`osaid serve` on a free port; (process, port, the lines it printed on start)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "osaid", "serve", "--db", str(db), "--port", "0", *args],
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    match = re.search(r"http://[^/]+:(\d+)/", line)
    if not match:
        proc.kill()
        pytest.fail(f"osaid serve did not start: {line}{proc.stderr.read()}")
    lines = [line]
    if "--host" in args and args[args.index("--host") + 1] not in ("127.0.0.1", "::1"):
        lines.append(proc.stderr.readline())
    return proc, int(match.group(1)), lines


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    db = build_db(tmp)
    proc, port, _ = _serve(db, "--host", "127.0.0.1")
    yield f"http://127.0.0.1:{port}", tmp
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, java_script_enabled=True)
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    context.close()


def _keep(path: Path) -> None:
    target = os.environ.get("OSAID_ARTIFACTS")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(path, target)


def test_filter_open_a_subject_follow_evidence_and_badge(server, page):
    base, tmp = server
    page.goto(base + "/")
    assert page.locator("table.subjects tbody tr").count() >= 7
    # filter to not-open with the form (no JavaScript needed: a GET form)
    page.select_option("select[name=verdict]", "not-open-source-ai")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"verdict=not-open-source-ai"))
    verdicts = page.locator("table.subjects tbody td .verdict").all_inner_texts()
    assert verdicts and set(verdicts) == {"not open source AI"}
    page.click("text=restricted-weights")
    page.wait_for_url(re.compile(r"/subjects/restricted-weights"))
    assert "not open source AI" in page.inner_text("#verdict")
    assert page.locator("table.components tbody tr").count() == 17
    # follow the first finding's evidence link
    first = page.locator("li.finding").first
    quote = first.locator("p.ev").inner_text() if first.locator("p.ev").count() else ""
    first.locator("a.evidence-link").click()
    page.wait_for_url(re.compile(r"/findings/1$"))
    assert page.locator("h2", has_text="Evidence").count() == 1
    if quote:
        assert quote.split(":")[0].strip().split()[0] in page.inner_text("main")
    shot = tmp / "finding.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5000
    _keep(shot)
    badge = page.request.get(base + "/badge/restricted-weights.svg")
    assert badge.ok and badge.headers["content-type"].startswith("image/svg+xml")
    assert "not open source AI" in badge.text()
    # the badge renders as an image on the subject page
    page.goto(base + "/subjects/restricted-weights")
    width = page.evaluate("document.querySelector('.badges img').naturalWidth")
    assert width > 50


def test_hostile_card_text_never_runs(server, page):
    base, tmp = server
    from urllib.parse import quote

    page.goto(base + "/?q=" + quote("onerror"))
    link = page.locator("table.subjects tbody a").first
    assert link.inner_text() == XSS_NAME  # shown as text
    link.click()
    page.wait_for_load_state("load")
    assert XSS_NAME in page.inner_text("h1")
    for url in (page.url, base + "/", base + "/landscape", page.url + "/findings/1"):
        page.goto(url)
        page.wait_for_timeout(100)
        assert page.evaluate("window.__osaid_xss") is None
        assert (
            page.evaluate(
                "document.querySelectorAll('script, [onerror], [onload], [onmouseover]').length"
            )
            == 0
        )
        assert (
            page.evaluate("[...document.links].filter(a => a.protocol === 'javascript:').length")
            == 0
        )
    assert page.dialogs == []
    page.goto(page.url.rsplit("/findings", 1)[0])
    assert "<script>" in page.inner_text("main") or XSS_MARK in page.inner_text("main")
    shot = tmp / "hostile.png"
    page.screenshot(path=str(shot), full_page=True)
    _keep(shot)


def test_pages_work_without_javascript(server, browser):
    base, _ = server
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(base + "/?sort=name&order=desc")
    pg.click("th a:has-text('Verdict')")
    assert "sort=verdict" in pg.url
    assert pg.locator("table.subjects tbody tr").count() >= 7
    pg.goto(base + "/landscape")
    assert pg.locator("figure svg").count() == 3
    context.close()


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_each_view_in_the_browser(server, page):
    base, tmp = server
    # the list: tick two subjects and compare them (a GET form, no script)
    page.goto(base + "/?q=2b")
    page.goto(base + "/?sort=name")
    page.check("input[name=s][value=heron-2b]")
    page.check("input[name=s][value=tern-7b]")
    page.click("form.compare button[type=submit]")
    page.wait_for_url(re.compile(r"/compare\?s=heron-2b&s=tern-7b"))
    heads = page.locator("table.compare thead th").all_inner_texts()
    assert "Heron 2B" in heads[1] and "Tern 7B" in heads[2]
    assert "not open source AI" in page.inner_text("table.compare")
    # a component cell opens that component's row on the subject page
    page.click("a[href='/subjects/tern-7b#component-model-parameters-final']")
    page.wait_for_url(re.compile(r"/subjects/tern-7b#component-model-parameters-final$"))
    assert page.evaluate("document.querySelector(':target').id") == (
        "component-model-parameters-final"
    )
    # the matrix: each cell opens its evidence
    page.goto(base + "/matrix?view=mof&q=heron")
    cells = page.locator("a.cell")
    assert cells.count() == 17
    cells.first.click()
    page.wait_for_url(re.compile(r"/subjects/heron-2b#component-"))
    target = page.evaluate("document.querySelector(':target').id")
    assert target.startswith("component-")
    page.goto(base + "/matrix")
    assert page.locator("table.matrix tbody tr").count() >= 8
    # the landscape: a bar segment opens the filtered list
    page.goto(base + "/landscape")
    page.locator("svg.chart a[href*='organisation=Fieldfare']").first.click()
    page.wait_for_url(re.compile(r"organisation=Fieldfare"))
    assert page.locator("table.subjects tbody tr").all_inner_texts()[0].count("Tern 7B") == 1
    # manifest evidence opens at the manifest line, highlighted
    page.goto(base + "/subjects/tern-7b")
    link = page.locator("a.where[href*='source?path=tern.yml#L']").first
    link.click()
    page.wait_for_url(re.compile(r"/source\?path=tern\.yml#L\d+$"))
    row = page.locator("tr:target")
    assert row.count() == 1
    assert page.evaluate(
        "getComputedStyle(document.querySelector('tr:target')).backgroundColor"
    ) not in ("rgba(0, 0, 0, 0)", "transparent")
    # upstream links, the method and the API, in words
    page.goto(base + "/subjects/heron-2b")
    assert page.locator("ul.upstream a").all_inner_texts() == ["hub page", "repository", "paper"]
    page.click("footer a[href='/about']")
    assert "What osaid does not judge" in page.inner_text("main")
    page.click("header nav a[href='/api']")
    assert "GET /api/subjects" in page.inner_text("main")
    shot = tmp / "compare.png"
    page.screenshot(path=str(shot), full_page=True)
    _keep(shot)


def test_the_verdict_box_explains_itself(server, page):
    base, _ = server
    page.goto(base + "/subjects/petrel-3b")
    box = page.locator("section.verdict-box")
    text = box.inner_text()
    assert "insufficient evidence" in text
    assert "keeps it from open source AI" in text or "keep it from open source AI" in text
    assert "MOF Class I counts the components" in text  # why MOF and OSAID differ
    why = box.locator("ul.why > li > a")
    assert why.count() >= 1
    message = why.first.inner_text()
    why.first.click()
    page.wait_for_url(re.compile(r"/subjects/petrel-3b/findings/\d+$"))
    assert message in page.inner_text("p.message")
    # a not-open subject: the blockers, with license names where ids were
    page.goto(base + "/subjects/tern-7b")
    box = page.locator("section.verdict-box")
    assert "because of" in box.inner_text() and "blocker" in box.inner_text()
    assert "LicenseRef-" not in box.inner_text()
    assert box.locator("span.lic[title^='LicenseRef-']").count() >= 1


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/subjects/restricted-weights",
        "/subjects/tern-7b",
        "/subjects/restricted-weights/findings/1",
        "/subjects/restricted-weights/source?path=LICENSE",
        "/matrix",
        "/matrix?view=mof",
        "/compare?s=heron-2b&s=tern-7b&s=open-release&s=petrel-3b",
        "/landscape",
        "/about",
        "/api",
        "/?page=999",
    ],
)
def test_no_sideways_scroll_on_a_phone(server, browser, path):
    base, tmp = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    pg.goto(base + path)
    assert _no_sideways_scroll(pg) <= 0, path
    if path in ("/", "/subjects/restricted-weights"):
        shot = tmp / f"phone{path.replace('/', '-')}.png"
        pg.screenshot(path=str(shot), full_page=True)
        _keep(shot)
    context.close()


def test_edges_in_the_browser(server, page):
    base, _ = server
    r = page.goto(base + "/?page=" + str(2**63 - 1))
    assert r.status == 400 and "past the last page" in page.inner_text("main")
    r = page.goto(base + "/?q=" + "x" * 300)
    assert r.status == 400 and "longer than 200" in page.inner_text("main")
    r = page.goto(base + "/?q=" + "x" * 50_000)
    assert r.status == 400
    csv_text = page.request.get(base + "/landscape/by-organisation.csv").text()
    cells = [row[0] for row in csv.reader(io.StringIO(csv_text))]
    assert '\'=HYPERLINK("https://example.org","x")' in cells
    assert not [c for c in cells if c[:1] in "=+-@"]
    first = page.request.get(base + "/subjects/heron-2b")
    etag = first.headers["etag"]
    again = page.request.get(base + "/subjects/heron-2b", headers={"If-None-Match": etag})
    assert again.status == 304


def test_beyond_loopback_only_allowed_hosts_are_answered(server, browser):
    _, tmp = server
    proc, port, lines = _serve(
        tmp / "index.db", "--host", "0.0.0.0", "--allowed-host", "osaid.example.org"
    )
    try:
        assert lines[1].startswith("warning: listening on 0.0.0.0")
        assert "osaid.example.org" in lines[1]
        context = browser.new_context()
        req = context.request
        url = f"http://127.0.0.1:{port}/"
        assert req.get(url, headers={"Host": "osaid.example.org"}).status == 200
        assert req.get(url, headers={"Host": "attacker.example"}).status == 400
        context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.skipif(
    not os.environ.get("OSAID_DOCS_SCREENSHOTS"),
    reason="writes docs/images/*.png; set OSAID_DOCS_SCREENSHOTS=1 to refresh them",
)
def test_docs_screenshots(tmp_path, browser):
    docs = Path(__file__).resolve().parents[1] / "docs" / "images"
    docs.mkdir(parents=True, exist_ok=True)
    db = build_db(tmp_path, hostile=False)
    proc, port, _ = _serve(db)
    base = f"http://127.0.0.1:{port}"
    try:
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        pg = context.new_page()
        for name, path, full in (
            ("web-index", "/", False),
            ("web-subject", "/subjects/restricted-weights", False),
            ("web-matrix", "/matrix", False),
            ("web-compare", "/compare?s=heron-2b&s=petrel-3b&s=tern-7b", False),
        ):
            pg.goto(base + path)
            pg.screenshot(path=str(docs / f"{name}.png"), full_page=full)
        context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
