"""Security headers and the Content-Security-Policy: every kind of response carries them,
and no page (public, admin, API docs) holds inline script or style the policy would block."""

import base64
import hashlib
from html.parser import HTMLParser

import pytest
import reversion
from django.urls import reverse

from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    ResolutionFactory,
    StatementFactory,
)

HSTS = "max-age=31536000; includeSubDomains; preload"
EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_secure_headers(response) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    everything = " ".join(value for values in directives.values() for value in values)
    assert "unsafe-inline" not in everything
    assert "unsafe-eval" not in everything
    assert "http" not in everything  # no third-party origin


@pytest.fixture
def statement(db):
    statement = StatementFactory(speaker="Ambassador Bessho")
    ParagraphFactory(statement=statement, text="Japan welcomes resolution 2397.")
    meeting = MeetingFactory()
    ParticipantFactory(meeting=meeting)
    statement.meetings.add(meeting)
    return statement


@pytest.mark.parametrize("path", ["/", "/statements/", "/search/?q=japan", "/no-such-page/"])
def test_public_responses_carry_the_security_headers(client, statement, path):
    assert_secure_headers(client.get(path))


def test_the_statement_page_carries_the_security_headers(client, statement):
    assert_secure_headers(client.get(statement.get_absolute_url()))


@pytest.mark.parametrize("path", ["/api/v1/statements/", "/api/v1/no-such-thing/", "/api/schema/"])
def test_api_responses_carry_the_security_headers(client, statement, path):
    assert_secure_headers(client.get(path))


def test_the_admin_login_page_carries_the_security_headers(client, db):
    assert_secure_headers(client.get("/admin/login/"))


def test_https_responses_tell_browsers_to_stay_on_https(client, db):
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_plain_http_is_redirected_to_https_in_production(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/statements/?year=2017")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/statements/?year=2017"


# --- No inline script or style the policy would block --------------------------------


DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}


class InlineContent(HTMLParser):
    """Collects what a strict policy blocks: <script> without src and without the right
    nonce, <style> elements, style= attributes, on…= handlers and javascript: URLs; and
    counts the data blocks (JSON, JSON-LD), which are never executed."""

    def __init__(self, nonce: str | None, style_hashes: set[str]) -> None:
        super().__init__()
        self.nonce = nonce
        # With 'unsafe-hashes', a style attribute whose value has a listed hash is allowed.
        self.style_hashes = style_hashes
        self.blocked: list[str] = []
        self.data_blocks = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        # A data block is never executed, so script-src does not apply to it.
        is_data = (attributes.get("type") or "").lower() in DATA_BLOCK_TYPES
        if tag == "script" and is_data:
            self.data_blocks += 1
        elif (
            tag == "script"
            and not attributes.get("src")
            and not (self.nonce and attributes.get("nonce") == self.nonce)
        ):
            self.blocked.append(self.get_starttag_text() or tag)
        if tag == "style":
            self.blocked.append("<style>")
        for name, value in attrs:
            if name == "style" and sha256(value or "") in self.style_hashes:
                continue
            if name == "style" or name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().startswith(
                "javascript:"
            ):
                self.blocked.append(f"<{tag} {name}=javascript:…>")


def sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def blocked_inline_content(response) -> tuple[list[str], int]:
    nonces = [
        value.removeprefix("'nonce-").removesuffix("'")
        for value in policy(response).get("script-src", [])
        if value.startswith("'nonce-")
    ]
    style_src = policy(response).get("style-src", [])
    hashes = {v[len("'sha256-") : -1] for v in style_src if v.startswith("'sha256-")}
    parser = InlineContent(
        nonces[0] if nonces else None, hashes if "'unsafe-hashes'" in style_src else set()
    )
    parser.feed(response.content.decode())
    return parser.blocked, parser.data_blocks


@pytest.mark.parametrize(
    "path",
    ["/", "/statements/", "/resolutions/", "/meetings/", "/search/?q=japan", "/no-such-page/"],
)
def test_public_lists_hold_no_inline_script_or_style(client, statement, path):
    response = client.get(path)
    assert blocked_inline_content(response) == ([], 0)


def test_detail_pages_hold_only_the_json_ld_data_block(client, statement):
    resolution = ResolutionFactory(number=2397)
    statement.paragraphs.get().resolutions.add(resolution)
    meeting = statement.meetings.get()
    for url in (
        statement.get_absolute_url(),
        resolution.get_absolute_url(),
        meeting.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert blocked_inline_content(response) == ([], 1), url


@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs/redoc/", "/api/v1/statements/"])
def test_api_documentation_holds_no_inline_script_or_style(client, statement, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    blocked, _ = blocked_inline_content(response)
    assert blocked == []


def test_swagger_ui_loads_its_settings_as_a_script_of_our_own_origin(client, db):
    page = client.get("/api/docs/").content.decode()
    assert 'src="/api/docs/?script=' in page
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def admin_pages(statement) -> list[str]:
    with reversion.create_revision():
        statement.save()
    with reversion.create_revision():
        statement.title = "Statement, revised"
        statement.save()
    versions = reversion.models.Version.objects.get_for_object(statement).order_by("pk")
    pk = statement.pk
    return [
        reverse("admin:index"),
        reverse("admin:statements_statement_changelist"),
        reverse("admin:statements_statement_add"),
        reverse("admin:statements_statement_change", args=[pk]),
        reverse("admin:statements_statement_history", args=[pk]),
        reverse("admin:statements_statement_compare", args=[pk])
        + f"?version_id1={versions[0].pk}&version_id2={versions[1].pk}",
        reverse("admin:statements_statement_revision", args=[pk, versions[0].pk]),
        reverse("admin:statements_statement_import"),
        reverse("admin:statements_meeting_changelist"),
        reverse("admin:statements_meeting_change", args=[statement.meetings.get().pk]),
        reverse("admin:statements_resolution_changelist"),
    ]


def test_admin_pages_hold_no_inline_script_or_style(admin_client, statement):
    statement.source_text = "The page as it was imported."
    for path in admin_pages(statement):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert_secure_headers(response)
        blocked, _ = blocked_inline_content(response)
        assert blocked == [], path


def test_the_admin_login_page_holds_no_inline_script_or_style(client, db):
    assert blocked_inline_content(client.get("/admin/login/")) == ([], 0)


# --- Whose word is taken for the client's address and scheme -----------------------------


@pytest.fixture
def three_a_minute(monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")


def test_a_client_cannot_escape_the_api_throttle_by_naming_new_addresses(
    client, db, three_a_minute
):
    # Without a declared proxy, X-Forwarded-For is whatever the client wrote.
    statuses = [
        client.get("/api/v1/resolutions/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(1, 6)
    ]
    assert statuses[3:] == [429, 429]


def test_behind_the_proxy_the_throttle_counts_the_address_the_proxy_saw(
    client, db, settings, three_a_minute
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def get(forwarded_for: str) -> int:
        # The proxy appends the address it saw to whatever the client sent.
        return client.get("/api/v1/resolutions/", HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    assert [get(f"203.0.113.{n}, 198.51.100.7") for n in range(1, 6)][3:] == [429, 429]
    assert get("198.51.100.8") == 200  # another reader behind the same proxy
