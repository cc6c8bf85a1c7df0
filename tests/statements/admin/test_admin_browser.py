"""End to end in headless Chromium: an editor imports a page, reviews it, saves it as a
draft, publishes it and opens the public page. Screenshots go to screenshots/."""

import os

import pytest

from statements.models import Statement
from tests.paths import ROOT, SEEDS
from tests.statements.pages.test_browser import CHROMIUM, require_chromium

SCREENSHOTS = ROOT / "screenshots"
SEED_PAGE = SEEDS / "000_a026e662df115a8c.txt"

pytestmark = pytest.mark.browser


@pytest.fixture
def page():
    sync_api = require_chromium()
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


@pytest.mark.django_db(transaction=True)
def test_an_editor_imports_reviews_publishes_and_reads_a_page(page, live_server, editor):
    log_in(page, live_server, "editor", "editor-password")

    # Import: paste the page, review what was understood, save it as a draft.
    page.goto(f"{live_server.url}/admin/statements/statement/import/")
    page.fill("#id_text", SEED_PAGE.read_text(encoding="utf-8"))
    page.click("input[name=_preview]")
    page.wait_for_selector(".import-preview")
    preview = page.inner_text(".import-preview")
    assert "Dec. 23, 2017" in preview
    assert "2397" in preview
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    statement = Statement.objects.get()
    assert statement.status == Statement.Status.DRAFT
    assert statement.paragraphs.count() >= 3
    assert [r.number for r in statement.cited_resolutions] == [2397]

    # Review the draft in its change form, fix the title.
    page.goto(f"{live_server.url}/admin/statements/statement/{statement.pk}/change/")
    page.screenshot(path=str(SCREENSHOTS / "statement-change-form.png"), full_page=True)
    page.fill("#id_title", "Statement by Foreign Minister Taro Kono on UNSC Resolution 2397")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    # The history compares the import with the edit.
    page.goto(f"{live_server.url}/admin/statements/statement/{statement.pk}/history/")
    page.click("input[type=submit]")  # compare the two newest versions
    page.wait_for_selector("del, ins")
    added = " ".join(page.locator(".field-diff ins").all_inner_texts())
    assert "Taro Kono" in added
    page.screenshot(path=str(SCREENSHOTS / "history-diff.png"), full_page=True)

    # Publish from the list, then read it as the public does.
    page.goto(f"{live_server.url}/admin/statements/statement/")
    page.check(f"input[name=_selected_action][value='{statement.pk}']")
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .success")
    statement.refresh_from_db()
    assert statement.is_published

    page.goto(live_server.url + statement.get_absolute_url())
    assert (
        page.inner_text("h1") == "Statement by Foreign Minister Taro Kono on UNSC Resolution 2397"
    )
    assert "2397" in page.inner_text("article")
    page.screenshot(path=str(SCREENSHOTS / "public-page.png"), full_page=True)
