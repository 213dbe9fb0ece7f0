"""The web index in a real browser: Debian's headless chromium driven by Playwright, against
`osaid serve` on loopback over a database built with `osaid scan`.

Screenshots are kept in the test's tmp folder (printed on failure) and, when OSAID_ARTIFACTS is
set, copied there.
"""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    db = build_db(tmp)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "osaid",
            "serve",
            "--db",
            str(db),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        proc.kill()
        pytest.fail(f"osaid serve did not start: {line}{proc.stderr.read()}")
    yield f"http://127.0.0.1:{match.group(1)}", tmp
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
