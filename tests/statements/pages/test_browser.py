"""The public pages in a real browser: they render, permalinks scroll, nothing overflows a
small phone, and axe-core (the copy shipped inside the axe-playwright-python wheel, never
fetched) finds no serious or critical accessibility violation. Screenshots of every page
at 1280 and 375 px go to the git-ignored screenshots/ folder for a person to look at."""

import os
from pathlib import Path

import pytest

from statements import services
from statements.importing import parse_document
from statements.models import Statement
from tests.conftest import FIXTURES, ROOT, require
from tests.paths import GOLDEN

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "screenshots"
WIDTHS = (1280, 375)
DETAIL = "/statements/2017-12-23-statement-on-the-adoption-of-un-security-council-resolution-2397/"
PAGES = {
    "home": "/",
    "statement-list": "/statements/",
    "statement-detail": DETAIL,
    "resolution": "/resolutions/2397/",
    "resolution-list": "/resolutions/",
    "meeting": "/meetings/2017-09-19-meeting-between-prime-minister-shinzo-abe-and-"
    "secretary-general-antonio-guterres/",
    # Mentioned, not reported, by the 2397 statement: its paragraph 3 alone.
    "meeting-mentioned": "/meetings/2017-12-15-un-security-council-ministerial-level-meeting-"
    "on-the-north-korean-issue/",
    "person-list": "/people/",
    "person": "/people/shinzo-abe/",
    "search": "/search/?q=abductions",
    "search-symbol": "/search/?q=S/RES/2397",
    "search-sorted": "/search/?q=sanctions&sort=oldest&from=2017-01-01&to=2017-12-31",
    "search-bad-date": "/search/?q=sanctions&from=2017-13-01",
    "statement-list-filtered": "/statements/?year=2017&resolution=2397",
    "resolution-list-filtered": "/resolutions/?adopted_after=2017-01-01&ordering=-citations",
    "meeting-list-filtered": "/meetings/?kind=bilateral&participant=guterres&date_after=2017-01-01",
    "not-found": "/no-such-page/",
}

pytestmark = pytest.mark.browser


def require_chromium():
    """Debian's Chromium (apt-get install -y chromium; .ci/run installs it) and Playwright."""
    require(CHROMIUM.exists(), "Debian's Chromium at /usr/bin/chromium")
    try:
        from playwright import sync_api
    except ImportError:
        require(False, "Playwright (pip install playwright)")
    return sync_api


@pytest.fixture(scope="module")
def browser():
    sync_api = require_chromium()
    # Playwright's sync API keeps an event loop in this thread; Django's ORM, used by the
    # fixtures between pages, must be told that this is not an async context.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(transactional_db, live_server) -> str:
    # As `make run` loads the seeds (with "First published."), then a correction, so the
    # statement page shows its "Last updated" and list of updates.
    services.fixtures_load(paths=FIXTURES)
    statement = Statement.objects.get(slug=DETAIL.split("/")[2])
    services.statement_update(
        statement=statement,
        expected_version=statement.version,
        major=True,
        change_note="Added the Council's vote on Resolution 2397.",
    )
    return live_server.url


def open_page(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 800})
    response = page.goto(url)
    return page, response


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_renders_accessibly_and_fits_the_screen(browser, site, name, width):
    page, response = open_page(browser, site + PAGES[name], width)
    try:
        assert response.status == (404 if name == "not-found" else 200)
        assert page.locator("h1").first.is_visible()
        stylesheet = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "system-ui" in stylesheet, "the stylesheet did not load"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert serious_violations(page) == []
    finally:
        page.close()


def test_the_permalink_of_paragraph_3_scrolls_to_it(browser, site):
    page, _ = open_page(browser, site + DETAIL, 375)
    try:
        paragraph = page.locator("#p3")
        viewport_height = page.viewport_size["height"]
        assert paragraph.bounding_box()["y"] > viewport_height  # below the fold at first
        paragraph.get_by_role("link", name="Paragraph 3, permalink").click()
        page.wait_for_url("**#p3")
        box = paragraph.bounding_box()
        assert 0 <= box["y"] < viewport_height
        background = paragraph.evaluate("el => getComputedStyle(el).backgroundColor")
        assert background != "rgba(0, 0, 0, 0)", "the cited paragraph is not highlighted"
    finally:
        page.close()


def test_a_resolution_link_leads_to_every_paragraph_citing_it(browser, site):
    page, _ = open_page(browser, site + DETAIL, 1280)
    try:
        page.locator("#p6").get_by_role("link", name="2397").click()
        page.wait_for_url("**/resolutions/2397/")
        page.get_by_role("link", name="Paragraph 6").click()
        page.wait_for_url("**#p6")
    finally:
        page.close()


def test_search_from_the_home_page_lands_on_the_paragraph(browser, site):
    page, _ = open_page(browser, site + "/", 1280)
    try:
        page.get_by_label("Search statements").fill("abductions")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/search/?q=abductions")
        page.locator(".result__title a").first.click()
        page.wait_for_url("**#p3")
        assert "abductions" in page.locator(":target").inner_text()
    finally:
        page.close()


def test_no_page_scrolls_sideways_on_a_320_px_screen(browser, site):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        for name, path in PAGES.items():
            page.goto(site + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px"
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_nested_statement_renders_accessibly_and_fits_the_screen(browser, site, width):
    text = (GOLDEN / "handmade_headings_subitems.txt").read_text(encoding="utf-8")
    [outcome] = services.statements_import(pages=[services.ImportPage(parse_document(text), text)])
    statement = outcome.statement
    services.statement_publish(statements=[statement])
    page, response = open_page(browser, site + statement.get_absolute_url(), width)
    try:
        assert response.status == 200
        assert page.get_by_role("heading", name="Reform of the Security Council").is_visible()
        item = page.locator("#p2-2-a").bounding_box()
        parent = page.locator("#p2-2").bounding_box()
        assert item["x"] > parent["x"]  # indented under its parent
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the nested page scrolls sideways by {overflow}px at {width}px"
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"statement-nested-{width}.png"), full_page=True)
        assert serious_violations(page) == []
    finally:
        page.close()
