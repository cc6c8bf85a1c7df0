"""The Content-Security-Policy in a real browser: no page, admin screen or API docs page
has anything blocked, and the docs still render (Swagger UI lists its operations)."""

import pytest

from statements.models import Statement
from tests.statements.admin.test_admin_browser import log_in
from tests.statements.pages.test_browser import PAGES, browser, site  # noqa: F401 (fixtures)

# The browser fixture skips, or under CI fails, where Chromium is missing.
pytestmark = pytest.mark.browser

# Recorded in the page from its first script on, so nothing reported early is missed.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def watched_page(browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    return page, console


def violations(page, console: list[str]) -> list[str]:
    reported = page.evaluate("window.__cspViolations")
    return reported + [text for text in console if "Content Security Policy" in text]


@pytest.mark.parametrize("name", [name for name in PAGES if name != "not-found"])
def test_public_page_breaks_no_rule_of_the_policy(browser, site, name):  # noqa: F811
    page, console = watched_page(browser)
    response = page.goto(site + PAGES[name])
    assert response.ok
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert violations(page, console) == []
    page.close()


def test_swagger_ui_renders_its_operations_under_the_policy(browser, site):  # noqa: F811
    page, console = watched_page(browser)
    page.goto(site + "/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/statements/" in path for path in paths)
    assert violations(page, console) == []
    page.close()


def test_redoc_renders_the_api_under_the_policy(browser, site):  # noqa: F811
    page, console = watched_page(browser)
    page.goto(site + "/api/docs/redoc/")
    page.wait_for_selector("text=/api/v1/statements/", timeout=20_000)
    page.wait_for_load_state("networkidle")
    # Redoc's sidebar shows its maker's logo from their CDN: the policy blocking that
    # third-party image is the policy working, and the page is complete without it.
    found = [text for text in violations(page, console) if "cdn.redoc.ly" not in text]
    assert found == []
    page.close()


def test_admin_screens_break_no_rule_of_the_policy(browser, site, editor):  # noqa: F811
    statement = Statement.objects.published().first()
    page, console = watched_page(browser)
    log_in(page, type("Server", (), {"url": site}), "editor", "editor-password")
    for path in (
        "/admin/",
        "/admin/statements/statement/",
        f"/admin/statements/statement/{statement.pk}/change/",
        f"/admin/statements/statement/{statement.pk}/history/",
        "/admin/statements/statement/import/",
    ):
        response = page.goto(site + path)
        assert response.ok, path
        page.wait_for_load_state("networkidle")
        assert violations(page, console) == [], path
    page.close()
