"""The page cache (mofa_site/caching.py): anonymous pages and API reads are served from the
cache, and every committed change to the archive shows on every page at once.

These tests commit for real (``transactional_db``): the content generation goes up on
commit, as in production."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection, connections, transaction
from django.db.models import F
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle
from reversion.models import Revision, Version

from mofa_site import caching
from statements import services
from statements.backup import backup, restore
from statements.models import ContentGeneration, Meeting, Person, Resolution, Statement
from statements.pages import filters, views
from tests.conftest import kept_test_connection, reachable, require, unused_port
from tests.factories import PersonFactory
from tests.paths import SEEDS
from tests.statements.admin.test_admin import error_text, statement_data

pytestmark = pytest.mark.django_db(transaction=True)

RESILIENT = "mofa_site.caching.ResilientRedisCache"
TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
# Its own key prefix per test session: another session on the machine (a fresh clone's
# `make test` beside `.ci/run`) uses the same Redis database, and FLUSHDB (the backend's
# clear()) would empty that session's pages too; forget() deletes this session's only.
REDIS = {
    "BACKEND": RESILIENT,
    "LOCATION": "redis://127.0.0.1:6379/3",
    "OPTIONS": TIMEOUTS,
    "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
}


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def archive():
    """A published statement citing 2397 at a meeting, and a draft citing it too."""
    meeting = services.meeting_create(
        participants=[{"name": "Shinzo Abe", "role": "Prime Minister"}],
        slug="abe-guterres",
        title="Meeting with the Secretary-General",
        kind=Meeting.Kind.BILATERAL,
        date=dt.date(2017, 9, 19),
        timezone="America/New_York",
        location="New York",
    )
    common = {"kind": Statement.Kind.STATEMENT, "section": "Japan and the United Nations"}
    published = services.statement_create(
        paragraphs=[
            {"number": 1, "text": "Japan condemns the launch, contrary to resolution 2397."},
            {"number": 2, "text": "Japan calls on all States to apply the sanctions."},
        ],
        meetings=[meeting],
        slug="on-the-launch",
        title="Statement on the launch",
        date=dt.date(2017, 12, 23),
        status=Statement.Status.PUBLISHED,
        **common,
    )
    draft = services.statement_create(
        paragraphs=[{"number": 1, "text": "Japan welcomes resolution 2397 and its sanctions."}],
        slug="on-the-adoption",
        title="Statement on the adoption",
        date=dt.date(2017, 12, 24),
        status=Statement.Status.DRAFT,
        **common,
    )
    return {"published": published, "draft": draft, "meeting": meeting}


def pages(archive) -> list[str]:
    slug, draft, meeting = archive["published"].slug, archive["draft"].slug, archive["meeting"].slug
    return [
        "/",
        "/statements/",
        f"/statements/{slug}/",
        f"/statements/{draft}/",
        "/resolutions/",
        "/resolutions/2397/",
        "/meetings/",
        f"/meetings/{meeting}/",
        "/search/?q=sanctions",
        "/search/feed/?q=sanctions",
        "/statements/feed/",
        "/statements/feed/?year=2017",
        "/resolutions/2397/feed/",
        "/sitemap.xml",
        "/sitemap-statements.xml",
        "/api/v1/statements/",
        f"/api/v1/statements/{slug}/",
        f"/api/v1/statements/{draft}/",
        "/api/v1/resolutions/2397/",
        f"/api/v1/meetings/{meeting}/",
        "/api/v1/export/statements.jsonl",
    ]


def read(path: str) -> tuple[int, bytes]:
    response = Client().get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if b"<feed" in body and b"<entry>" not in body:
        # An empty feed is "updated" at the time it is rendered (Django's syndication).
        body = re.sub(rb"<updated>[^<]*</updated>", b"", body)
    return response.status_code, body


def snapshot(paths: list[str]) -> dict[str, tuple[int, bytes]]:
    return {path: read(path) for path in paths}


def uncached(settings, paths: list[str]) -> dict[str, tuple[int, bytes]]:
    settings.PAGE_CACHE_SECONDS = 0
    try:
        return snapshot(paths)
    finally:
        settings.PAGE_CACHE_SECONDS = 600


def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("chief", "chief@example.org", "pw"))
    return client


def editor_api() -> APIClient:
    """An editors' tool, authenticated as in production: a token in the header."""
    user = User.objects.filter(username="tool").first() or User.objects.create_superuser(
        "tool", "tool@example.org", "pw"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def publish_in_admin(archive):
    response = staff_client().post(
        "/admin/statements/statement/",
        {"action": "publish", "_selected_action": [archive["draft"].pk]},
    )
    assert response.status_code == 302


def edit_paragraph_through_the_api(archive):
    statement = archive["published"]
    response = editor_api().patch(
        f"/api/v1/statements/{statement.slug}/",
        {
            "version": statement.version,
            "paragraphs": [
                {"number": 1, "text": "Japan condemns the launch, contrary to resolution 2397."},
                {"number": 2, "text": "Japan calls on all States to enforce the sanctions now."},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content


def withdraw_with_the_service(archive):
    services.statement_withdraw(statements=[archive["published"]], note="Issued in error.")


def uncite_through_the_api(archive):
    statement = archive["published"]
    response = editor_api().patch(
        f"/api/v1/statements/{statement.slug}/",
        {
            "version": statement.version,
            "paragraphs": [{"number": 1, "text": "Japan condemns the launch and the sanctions."}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content


def rename_a_participant_through_the_api(archive):
    response = editor_api().patch(
        f"/api/v1/meetings/{archive['meeting'].slug}/",
        {"participants": [{"name": "Taro Kono", "role": "Foreign Minister"}]},
        format="json",
    )
    assert response.status_code == 200, response.content


def delete_through_the_api(archive):
    response = editor_api().delete(f"/api/v1/statements/{archive['published'].slug}/")
    assert response.status_code == 204


# Each change, and pages it must visibly change (every page is checked against a fresh
# render; these make sure the test would notice a stale cache).
CHANGES = {
    "publish": (
        publish_in_admin,
        [
            "/",
            "/statements/",
            "/statements/on-the-adoption/",
            "/resolutions/2397/",
            "/search/?q=sanctions",
            "/search/feed/?q=sanctions",
            "/statements/feed/",
            "/statements/feed/?year=2017",
            "/resolutions/2397/feed/",
            "/sitemap.xml",
            "/sitemap-statements.xml",
            "/api/v1/statements/",
            "/api/v1/statements/on-the-adoption/",
            "/api/v1/export/statements.jsonl",
        ],
    ),
    "edit a paragraph": (
        edit_paragraph_through_the_api,
        [
            "/statements/on-the-launch/",
            "/search/?q=sanctions",
            "/api/v1/statements/on-the-launch/",
            "/api/v1/export/statements.jsonl",
        ],
    ),
    "withdraw": (
        withdraw_with_the_service,
        [
            "/",
            "/statements/",
            "/statements/on-the-launch/",
            "/resolutions/",
            "/resolutions/2397/",
            "/meetings/",
            "/search/?q=sanctions",
            "/search/feed/?q=sanctions",
            "/statements/feed/",
            "/statements/feed/?year=2017",
            "/sitemap.xml",
            "/sitemap-statements.xml",
            "/api/v1/statements/",
            "/api/v1/export/statements.jsonl",
        ],
    ),
    "un-cite a resolution": (
        uncite_through_the_api,
        [
            "/",
            "/statements/on-the-launch/",
            "/resolutions/",
            "/resolutions/2397/",
            "/resolutions/2397/feed/",
            "/api/v1/statements/on-the-launch/",
            "/api/v1/resolutions/2397/",
        ],
    ),
    "edit a meeting participant": (
        rename_a_participant_through_the_api,
        [
            "/meetings/abe-guterres/",
            "/api/v1/meetings/abe-guterres/",
        ],
    ),
    "delete": (
        delete_through_the_api,
        [
            "/",
            "/statements/",
            "/statements/on-the-launch/",
            "/meetings/",
            "/sitemap.xml",
            "/sitemap-statements.xml",
            "/statements/feed/",
            "/api/v1/statements/",
            "/api/v1/statements/on-the-launch/",
            "/api/v1/export/statements.jsonl",
        ],
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_shows_on_every_cached_page_at_once(settings, archive, change):
    shows_on_every_cached_page_at_once(settings, archive, *CHANGES[change])


def revert_in_admin(archive):
    """Back to the published statement's first version, with the revert form as shown."""
    statement = Statement.objects.get(pk=archive["published"].pk)
    first = Version.objects.get_for_object(statement).order_by("pk").first()
    url = reverse("admin:statements_statement_revision", args=[statement.pk, first.pk])
    client = staff_client()
    shown = client.get(url).context["inline_admin_formsets"][0].formset.forms
    paragraphs = [
        {
            **form.initial,
            "id": form.instance.pk,
            "resolutions": [r.pk for r in form.initial["resolutions"]],
        }
        for form in shown
    ]
    data = statement_data(statement, paragraphs, meetings=[str(archive["meeting"].pk)])
    response = client.post(url, data)
    assert response.status_code == 302, error_text(response)


def test_a_revert_in_the_admin_shows_on_every_cached_page_at_once(settings, archive):
    edit_paragraph_through_the_api(archive)  # a version to go back from
    must_change = CHANGES["edit a paragraph"][1]
    shows_on_every_cached_page_at_once(settings, archive, revert_in_admin, must_change)


def test_a_restore_retires_every_page_cached_before_it(settings, archive, tmp_path):
    result = backup(directory=tmp_path)
    for room in ("Room 1", "Room 2"):  # the site goes on after its last backup
        services.meeting_update(meeting=archive["meeting"], location=room)
    with transaction.atomic():  # then the operator empties the database to restore into it
        for model in (Statement, Meeting, Resolution, Revision, User):
            model.objects.all().delete()
        caching.content_changed()
    paths = pages(archive)
    emptied = snapshot(paths)
    cached_at = caching.content_generation()

    restore(path=result.files[0])

    # The generation moves on from the one pages were cached under, in every process,
    # not back to the backup's.
    assert caching.content_generation() > cached_at
    restored = snapshot(paths)
    assert restored == uncached(settings, paths)
    assert restored["/statements/"] != emptied["/statements/"]


def shows_on_every_cached_page_at_once(settings, archive, write, must_change) -> None:
    paths = pages(archive)
    before = snapshot(paths)
    assert snapshot(paths) == before  # served again, now from the cache
    assert len(cache._cache) >= 10  # the HTML pages and API reads were stored

    write(archive)

    after = snapshot(paths)
    fresh = uncached(settings, paths)
    stale = [path for path in paths if after[path] != fresh[path]]
    assert stale == []
    unchanged = [path for path in must_change if before[path] == fresh[path]]
    assert unchanged == []


def test_a_cached_page_costs_one_query_and_answers_conditional_gets(
    archive, django_assert_num_queries
):
    path = f"/statements/{archive['published'].slug}/"
    first = Client().get(path)
    with django_assert_num_queries(1):  # the content generation
        again = Client().get(path)
    assert again.content == first.content
    assert again["Cache-Control"] == first["Cache-Control"]
    with django_assert_num_queries(1):
        revalidated = Client().get(path, headers={"if-none-match": first["ETag"]})
    assert revalidated.status_code == 304
    assert revalidated.content == b""


def start_request() -> None:
    # What Django does to a persistent connection as each request starts (the test client
    # leaves it out): its health check is due again.
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is None or not connection.health_check_done


def test_a_cached_hit_spends_no_health_check_round_trip(archive, monkeypatch):
    path = f"/statements/{archive['published'].slug}/"
    first = Client().get(path)
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    start_request()
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(path)
    assert again.content == first.content
    assert len(queries) == 1
    assert checks == []


def test_a_cached_hit_retries_the_generation_on_a_dropped_connection(archive, monkeypatch):
    path = f"/statements/{archive['published'].slug}/"
    first = Client().get(path)
    real = caching.content_generation
    failures = [OperationalError("server closed the connection unexpectedly")]

    def dropped_once() -> int:
        if failures:
            raise failures.pop()
        return real()

    monkeypatch.setattr(caching, "content_generation", dropped_once)
    start_request()
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(path)
    assert len(queries) == 1  # served from the cache, not rendered again
    assert again.content == first.content
    assert failures == []


def dropped_by_the_server() -> int:
    """This connection's backend ended from another connection, as a restart of the
    server ends it; the backend's pid."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    return pid


def get_trying(path: str) -> tuple[HttpResponse, list[str]]:
    """The response, and every query tried, as the connection ran it: a query that fails
    is not always in CaptureQueriesContext (with server-side binding Django cannot write
    out its SQL on a dead connection)."""
    tried: list[str] = []

    def record(execute, sql, params, many, context):
        tried.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        return Client().get(path), tried


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL drops the backend")
def test_a_cached_hit_survives_the_server_dropping_the_connection(archive):
    path = f"/statements/{archive['published'].slug}/"
    first = Client().get(path)
    pid = dropped_by_the_server()
    start_request()
    again, tried = get_trying(path)
    # The read that met the dropped connection, then the retry: served from the cache.
    assert tried == [caching.generation_sql()] * 2
    assert again.content == first.content
    assert connection.connection.info.backend_pid != pid


# The detail pages, whose first query is the read of their stamps (their ETag's values).
DETAIL_PAGES = ["/statements/on-the-launch/", "/meetings/abe-guterres/", "/resolutions/2397/"]


# Pages whose first query is the content generation's read (the counts they keep by it).
LIST_PAGES = ["/", "/statements/", "/meetings/", "/search/?q=sanctions"]


# API reads whose first query is a compiled read (compiled_rows(): a detail's record, a
# list's tally), which is the connection's health check too.
API_READS = [
    "/api/v1/statements/",
    "/api/v1/statements/on-the-launch/",
    "/api/v1/meetings/",
    "/api/v1/meetings/abe-guterres/",
    "/api/v1/resolutions/2397/",
]


@pytest.mark.parametrize(
    ("path", "conditional"),
    # Uncached, a list sends no ETag (the page cache's); a detail page answers a 304.
    [(path, False) for path in DETAIL_PAGES + LIST_PAGES + API_READS]
    + [(path, True) for path in DETAIL_PAGES],
)
def test_an_uncached_page_spends_no_health_check_round_trip(
    archive, monkeypatch, settings, path, conditional
):
    settings.PAGE_CACHE_SECONDS = 0
    first = Client().get(path)
    headers = {"if-none-match": first["ETag"]} if conditional else {}
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    start_request()
    again = Client().get(path, headers=headers)
    assert again.status_code == (304 if conditional else 200)
    assert checks == []


@pytest.mark.parametrize("path", DETAIL_PAGES + LIST_PAGES + API_READS)
def test_an_uncached_page_reads_again_on_a_dropped_connection(archive, settings, path):
    settings.PAGE_CACHE_SECONDS = 0
    first = Client().get(path)
    failures = [OperationalError("server closed the connection unexpectedly")]

    def dropped_once(execute, sql, params, many, context):
        if failures:
            raise failures.pop()
        return execute(sql, params, many, context)

    start_request()
    with connection.execute_wrapper(dropped_once):
        again = Client().get(path)
    assert failures == []
    assert again.status_code == 200  # not the outage's 503
    assert again.content == first.content


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL drops the backend")
def test_an_uncached_page_survives_the_server_dropping_the_connection(archive, settings):
    settings.PAGE_CACHE_SECONDS = 0
    path = DETAIL_PAGES[0]
    first = Client().get(path)
    pid = dropped_by_the_server()
    start_request()
    again, tried = get_trying(path)
    # The stamps' read met the dropped connection and ran again on a new one.
    assert tried[:2] == [views.STATEMENT_STAMPS_SQL] * 2
    assert again.content == first.content
    assert connection.connection.info.backend_pid != pid


def test_list_pages_get_an_etag_and_a_304_from_the_cache(archive):
    first = Client().get("/statements/")
    assert first["ETag"]
    response = Client().get("/statements/", headers={"if-none-match": first["ETag"]})
    assert response.status_code == 304


def test_query_order_does_not_split_the_cache(archive, django_assert_num_queries):
    Client().get("/statements/?year=2017&kind=statement")
    with django_assert_num_queries(1):
        response = Client().get("/statements/?kind=statement&year=2017")
    assert response.status_code == 200


def test_signed_in_editors_never_get_or_leave_cached_pages(archive):
    draft = f"/api/v1/statements/{archive['draft'].slug}/"
    editor = staff_client()
    assert editor.get(draft).status_code == 200  # an editor may preview the draft
    assert Client().get(draft).status_code == 404  # and that was not cached for readers

    public = Client().get("/statements/")
    assert "public" in public["Cache-Control"]
    mine = editor.get("/statements/")
    assert "private" in mine["Cache-Control"]  # rendered for the editor, not the cached copy
    assert "public" in Client().get("/statements/")["Cache-Control"]


def test_api_token_clients_bypass_the_cache(archive):
    draft = f"/api/v1/statements/{archive['draft'].slug}/"
    assert Client().get(draft).status_code == 404
    assert Client().get("/api/v1/statements/").json()["count"] == 1
    tool = editor_api()
    assert tool.get(draft).status_code == 200
    listed = tool.get("/api/v1/statements/?status=draft")
    assert [s["slug"] for s in listed.json()["results"]] == [archive["draft"].slug]
    assert "private" in tool.get("/api/v1/statements/")["Cache-Control"]


# Every kind of page that writes the request's host and scheme into its body.
ABSOLUTE_URL_PAGES = [
    "/api/v1/meetings/?ordering=title",  # the API's `url` fields
    "/api/v1/statements/on-the-launch/",
    "/statements/on-the-launch/",  # canonical link, og:url, JSON-LD
    "/statements/feed/",
    "/sitemap-statements.xml",
]


@pytest.mark.parametrize("path", ABSOLUTE_URL_PAGES)
def test_a_page_cached_for_one_host_or_scheme_is_never_served_for_another(settings, archive, path):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    odd = Client().get(path, HTTP_HOST="127.0.0.1:6666")
    assert odd.status_code == 200
    assert b"http://127.0.0.1:6666/" in odd.content
    assert b"https://testserver/" in Client().get(path, secure=True).content

    body = Client().get(path).content
    assert b"http://testserver/" in body
    assert b"127.0.0.1:6666" not in body
    assert b"https://testserver" not in body
    assert len([key for key in cache._cache if ":page:" in key]) == 3  # none shared


@pytest.mark.parametrize("cached", [False, True])
def test_a_host_that_is_not_allowed_is_refused_whether_or_not_the_page_is_cached(
    settings, archive, cached
):
    settings.ALLOWED_HOSTS = ["testserver"]
    path = "/api/v1/meetings/?ordering=title"
    if cached:
        assert Client().get(path).status_code == 200
    assert Client().get(path, HTTP_HOST="evil.example").status_code == 400


def miss_and_hit(path: str, headers: dict[str, str]) -> tuple[int, int]:
    """The status of one conditional GET rendered by the view, and of the same GET
    answered from the cache."""
    cache.clear()
    miss = Client().get(path, headers=headers).status_code
    Client().get(path)  # stores the page
    hit = Client().get(path, headers=headers).status_code
    return miss, hit


# The views' own rules: detail pages (HTML and API) honour If-Modified-Since; lists, feeds
# and sitemaps send Last-Modified but can change without it moving, so only their ETag
# answers; If-None-Match wins over If-Modified-Since (RFC 9110).
CONDITIONAL_RULES = [
    ("/statements/on-the-launch/", 304, 304),
    ("/resolutions/2397/", 304, 304),
    ("/meetings/abe-guterres/", 304, 304),
    ("/api/v1/statements/on-the-launch/", 304, 304),
    ("/api/v1/statements/", 304, 200),
    ("/statements/feed/", 304, 200),
    ("/sitemap-statements.xml", 304, 200),
]


@pytest.mark.parametrize(("path", "on_etag", "on_date"), CONDITIONAL_RULES)
def test_a_cached_page_answers_conditional_gets_exactly_as_its_view_does(
    archive, path, on_etag, on_date
):
    page = Client().get(path)
    etag, last_modified = page["ETag"], page["Last-Modified"]
    stale_etag = '"not-the-current-one"'
    assert miss_and_hit(path, {"if-none-match": etag}) == (on_etag, on_etag)
    assert miss_and_hit(path, {"if-modified-since": last_modified}) == (on_date, on_date)
    both = {"if-none-match": stale_etag, "if-modified-since": last_modified}
    assert miss_and_hit(path, both) == (200, 200)
    earlier = {"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    assert miss_and_hit(path, earlier) == (200, 200)


def test_the_api_throttle_counts_only_the_reads_the_cache_cannot_answer(archive, monkeypatch):
    # Decided: the anonymous throttle protects the database and the CPU from uncached
    # work. A hit costs one indexed query and is not counted; every read that reaches a
    # view is. The counts live in the `default` cache: per process in local memory,
    # shared by every process only with REDIS_URL.
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    assert Client().get("/api/v1/resolutions/").status_code == 200  # rendered: 1
    hits = [Client().get("/api/v1/resolutions/").status_code for _ in range(10)]
    assert hits == [200] * 10
    assert Client().get("/api/v1/statements/").status_code == 200  # 2
    assert Client().get("/api/v1/meetings/").status_code == 200  # 3
    assert Client().get("/api/v1/statements/on-the-launch/").status_code == 429
    assert Client().get("/api/v1/statements/on-the-launch/").status_code == 429  # not stored
    assert Client().get("/api/v1/resolutions/").status_code == 200  # still a hit
    assert len(cache.get("throttle_anon_127.0.0.1")) == 3


# --- The content generation --------------------------------------------------------------


def test_every_service_bumps_the_generation_once_per_transaction(archive):
    start = caching.content_generation()
    services.statement_publish(statements=[archive["draft"]])
    assert caching.content_generation() == start + 1
    with transaction.atomic():
        services.statement_withdraw(statements=[archive["published"]], note="Issued in error.")
        services.meeting_update(meeting=Meeting.objects.get(), location="Geneva")
        caching.content_changed()  # a write outside the services, in the same transaction
    assert caching.content_generation() == start + 2


def test_a_rolled_back_write_does_not_lose_the_next_bump(archive):
    start = caching.content_generation()
    with transaction.atomic():
        try:
            with transaction.atomic():
                services.meeting_update(meeting=Meeting.objects.get(), location="Never")
                raise RuntimeError
        except RuntimeError:
            pass
        assert caching.content_generation() == start
        services.meeting_update(meeting=Meeting.objects.get(), location="Kept")
    assert caching.content_generation() == start + 1


def test_reads_do_not_bump_the_generation(archive):
    start = caching.content_generation()
    read("/statements/")
    read("/api/v1/statements/")
    assert caching.content_generation() == start


# --- Counts kept per generation ------------------------------------------------------------

# Pages that count the whole archive (the chart, the filters' counts), and filtered lists
# whose counts of a filter chosen alone are the whole archive's.
COUNTED = [
    "/",
    "/statements/",
    "/statements/?page=1",
    "/statements/?year=2017",
    "/statements/?kind=statement",
    "/statements/?resolution=2397",
    "/statements/?speaker=Taro+Kono",
    "/statements/?year=2017&resolution=2397",
    "/statements/?year=2017&kind=statement&resolution=2397",
    "/meetings/",
    "/resolutions/",
    "/resolutions/2397/",
    "/search/?q=S/RES/2397",
]
KEPT = "published-statement-counts"
SEED_PAGES = [SEEDS / "000_a026e662df115a8c.txt", SEEDS / "003_a464196ed3b8e9c0.txt"]


def counted_afresh(paths: list[str]) -> dict[str, tuple[int, bytes]]:
    """The pages rendered inside a transaction, where nothing kept per generation is read:
    every count from the rows, as before they were kept."""
    with transaction.atomic():
        return snapshot(paths)


def kept_counts() -> object:
    return cache.get(f"kept:{caching.content_generation()}:{KEPT}")


def change_kind_date_and_speaker(archive):
    statement = Statement.objects.get(pk=archive["published"].pk)
    services.statement_update(
        statement=statement,
        expected_version=statement.version,
        kind=Statement.Kind.PRESS_RELEASE,
        date=dt.date(2016, 5, 1),
        speaker="Taro Kono",
    )


def merge_people(archive):
    services.person_merge(keep=Person.objects.get(slug="kono"), remove=Person.objects.get(slug="k"))


def rename_a_person(archive):
    services.person_update(person=Person.objects.get(slug="k"), name="KONO Taro")


def import_pages(archive):
    call_command("import_statements", *map(str, SEED_PAGES), stdout=io.StringIO())


def seed(archive):
    call_command("seed", stdout=io.StringIO())


def empty_the_archive(archive):
    for statement in Statement.objects.all():
        services.statement_delete(statement=statement)


def delete_the_cited_resolution(archive):
    services.resolution_delete(resolution=Resolution.objects.get(number=2397))


def prepare_people(archive):
    """Two people for one speaker (set up before the counts are kept)."""
    kono = PersonFactory(slug="kono", name="Taro Kono")
    other = PersonFactory(slug="k", name="Kono Taro")
    statement = Statement.objects.get(pk=archive["published"].pk)
    services.statement_update(
        statement=statement, expected_version=statement.version, speaker="Taro Kono"
    )
    Statement.objects.filter(pk=statement.pk).update(person=other)
    assert Statement.objects.filter(person=kono).count() == 0


# Every kind of write, what it needs done first, and whether it changes the counts (so
# that the test would notice counts kept from before it).
COUNTED_WRITES = {
    "publish": (None, publish_in_admin, True),
    "edit a paragraph": (None, edit_paragraph_through_the_api, False),
    "withdraw": (None, withdraw_with_the_service, True),
    "un-cite a resolution": (None, uncite_through_the_api, True),
    "edit a meeting participant": (None, rename_a_participant_through_the_api, False),
    "delete": (None, delete_through_the_api, True),
    "revert in the admin": (edit_paragraph_through_the_api, revert_in_admin, False),
    "change kind, date and speaker": (None, change_kind_date_and_speaker, True),
    "merge people": (prepare_people, merge_people, True),
    "rename a person (the speaker choices)": (prepare_people, rename_a_person, True),
    "import": (None, import_pages, False),
    "seed": (empty_the_archive, seed, True),
    "delete a cited resolution": (None, delete_the_cited_resolution, True),
}


@pytest.mark.parametrize("write", list(COUNTED_WRITES))
def test_counts_kept_per_generation_equal_a_fresh_count_after_every_kind_of_write(
    settings, archive, write
):
    prepare, change, changes_counts = COUNTED_WRITES[write]
    if prepare is not None:
        prepare(archive)
    settings.PAGE_CACHE_SECONDS = 0  # the kept counts alone, no page cache
    before = snapshot(COUNTED)
    assert kept_counts() is not None  # kept, and read by the pages below
    assert snapshot(COUNTED) == before == counted_afresh(COUNTED)

    change(archive)

    after, fresh = snapshot(COUNTED), counted_afresh(COUNTED)
    assert [path for path in COUNTED if after[path] != fresh[path]] == []
    assert (after["/statements/"] != before["/statements/"]) == changes_counts
    assert kept_counts() is not None


def test_a_restore_retires_the_kept_counts(settings, archive, tmp_path):
    settings.PAGE_CACHE_SECONDS = 0
    result = backup(directory=tmp_path)
    with transaction.atomic():
        for model in (Statement, Meeting, Resolution, Revision, User):
            model.objects.all().delete()
        caching.content_changed()
    emptied = snapshot(COUNTED)
    restore(path=result.files[0])
    restored = snapshot(COUNTED)
    assert restored == counted_afresh(COUNTED)
    assert restored["/statements/"] != emptied["/statements/"]


def test_the_kept_counts_spare_the_list_its_grouped_reads(settings, archive):
    settings.PAGE_CACHE_SECONDS = 0
    read("/statements/")
    # the generation, read once for everything kept (the filters' choices and the list's
    # length, a tally, too); the page
    with CaptureQueriesContext(connection) as queries:
        read("/statements/")
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert not [q for q in queries if "GROUP BY" in q["sql"]]
    with CaptureQueriesContext(connection) as fresh:
        counted_afresh(["/statements/"])
    # Inside a transaction: the chart, speakers and resolutions too.
    reads = [q["sql"] for q in fresh if q["sql"] not in ("BEGIN", "COMMIT")]
    assert len(reads) == 9, reads


def test_a_list_narrowed_by_a_year_too_cuts_the_kept_grouping_of_its_other_filter(
    settings, archive
):
    settings.PAGE_CACHE_SECONDS = 0
    path = "/statements/?year=2017&resolution=2397"
    read("/statements/?resolution=2397")  # keeps the grouping of the resolution's statements
    read("/statements/?year=2017")  # and the resolutions' counts in that year
    with CaptureQueriesContext(connection) as queries:
        shown = read(path)
    # Before, the list grouped the year's statements citing the resolution on each request.
    assert not [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
    assert shown == counted_afresh([path])[path]


def test_a_list_reads_the_kept_grouping_once_for_itself_and_its_counts(
    settings, archive, monkeypatch
):
    settings.PAGE_CACHE_SECONDS = 0
    path = "/statements/?year=2017&kind=statement&resolution=2397"
    read(path)  # keeps the grouping of the resolution's statements
    keys: list[str] = []

    class Reads:
        def __getattr__(self, name):
            return getattr(cache, name)

        def get(self, key, *args, **kwargs):
            keys.append(key)
            return cache.get(key, *args, **kwargs)

    monkeypatch.setattr(caching, "cache", Reads())
    caching.forget_kept_values()  # so that the values kept are read from the cache
    shown = read(path)
    # The list, its year counts and its kind counts cut the same grouping.
    assert len([key for key in keys if key.endswith(":statements-listed:resolution=2397")]) == 1
    assert shown == counted_afresh([path])[path]


def test_the_list_writes_its_filters_once_per_change_of_the_content_for_the_values_given(
    settings, archive, monkeypatch
):
    settings.PAGE_CACHE_SECONDS = 0
    written: list[dict] = []
    count_choices = filters.StatementFilter.count_choices

    def counting(filterset, listed):
        written.append(dict(filterset.data or {}))
        count_choices(filterset, listed)

    monkeypatch.setattr(filters.StatementFilter, "count_choices", counting)
    unfiltered = read("/statements/")
    assert read("/statements/") == unfiltered
    assert b'<option value="2017">2017 (1)</option>' in unfiltered[1]
    year = read("/statements/?year=2017")
    assert read("/statements/?year=2017") == year
    assert b'<option value="2017" selected>2017 (1)</option>' in year[1]
    assert len(written) == 2

    withdraw_with_the_service(archive)
    withdrawn = read("/statements/")
    assert len(written) == 3
    assert b"2017 (1)" not in withdrawn[1]
    assert withdrawn == counted_afresh(["/statements/"])["/statements/"]


def test_the_charts_are_written_once_per_change_of_the_content(settings, archive, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0
    drawn: list[str] = []
    timeline, per_year = views.charts.timeline, views.statements_per_year

    def drawing_timeline(*args):
        drawn.append("timeline")
        return timeline(*args)

    def drawing_per_year(*args):
        drawn.append("per year")
        return per_year(*args)

    monkeypatch.setattr(views.charts, "timeline", drawing_timeline)
    monkeypatch.setattr(views, "statements_per_year", drawing_per_year)
    # The unfiltered statement list's chart is the home page's: drawn once for both.
    pages = ["/", "/resolutions/2397/", "/statements/"]
    first = snapshot(pages)
    assert snapshot(pages) == first
    assert all(b'<figure class="chart-figure">' in body for _status, body in first.values())
    assert sorted(drawn) == ["per year", "timeline"]

    withdraw_with_the_service(archive)
    for page in ("/", "/statements/"):
        assert read(page) == counted_afresh([page])[page]
        assert read(page) != first[page]
    # After the withdrawal, and in each counted_afresh().
    assert drawn.count("per year") == 4
    # A filtered list draws its own, each time.
    read("/statements/?kind=statement")
    read("/statements/?kind=statement")
    assert drawn.count("per year") == 6


def test_a_list_with_an_invalid_filter_writes_its_error_each_time_and_keeps_nothing(
    settings, archive
):
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        _status, body = read("/statements/?year=1066")
        assert b'aria-invalid="true" aria-describedby="id_year_error"' in body
    _status, body = read("/statements/")
    assert b"aria-invalid" not in body


def test_a_value_kept_per_generation_is_read_from_the_process_until_the_generation_changes(
    archive,
):
    computed: list[int] = []

    def compute() -> list[str]:
        computed.append(1)
        return ["value"]

    first = caching.per_generation("test-value", compute)
    cache.clear()  # the shared copy gone: the process's own is read
    assert caching.per_generation("test-value", compute) is first
    assert len(computed) == 1
    caching.bump_content_generation()
    assert caching.per_generation("test-value", compute) == ["value"]
    assert len(computed) == 2


def test_a_value_kept_in_the_process_is_read_from_the_cache_again_after_a_minute(
    archive, monkeypatch
):
    now = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: now[0])
    assert caching.per_generation("test-value", lambda: "first") == "first"
    cache.set(f"kept:{caching.content_generation()}:test-value", "shared", 600)
    assert caching.per_generation("test-value", lambda: "computed") == "first"
    now[0] += caching.LOCAL_SECONDS + 1
    assert caching.per_generation("test-value", lambda: "computed") == "shared"


def test_the_process_keeps_a_bounded_number_of_values(archive, monkeypatch):
    monkeypatch.setattr(caching, "KEPT_HERE_NAMES", 3)
    for number in range(10):
        assert caching.per_generation(f"test-{number}", lambda number=number: number) == number
    assert len(caching._kept_here) <= 3
    assert caching.per_generation("test-9", lambda: "computed") == 9


def test_pages_sharing_the_values_kept_in_the_process_render_as_counted_afresh(settings, archive):
    # Every request of a process shares the kept values: a page that changed one in place
    # would show it on the next.
    settings.PAGE_CACHE_SECONDS = 0
    fresh = counted_afresh(COUNTED)
    for path in [*COUNTED, *reversed(COUNTED), *COUNTED]:
        assert read(path) == fresh[path], path


# --- Redis -------------------------------------------------------------------------------


def test_pages_are_served_when_redis_is_down_and_the_outage_is_logged_once(
    settings, archive, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": RESILIENT,
            "LOCATION": f"redis://127.0.0.1:{unused_port()}/3",
            "OPTIONS": TIMEOUTS,
        }
    }
    caplog.set_level(logging.WARNING, logger="mofa_site.caching")
    for path in ["/", f"/statements/{archive['published'].slug}/", "/api/v1/statements/"] * 3:
        assert Client().get(path).status_code == 200, path
    warnings = [r for r in caplog.records if r.name == "mofa_site.caching"]
    assert len(warnings) == 1
    assert "Redis cache unavailable" in warnings[0].getMessage()
    ready = Client().get("/healthz/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["down"] == ["cache"]


@pytest.fixture
def redis_server():
    require(reachable("127.0.0.1", 6379), "a Redis server at 127.0.0.1:6379")


def forget(redis_cache) -> None:
    """What this test session stored in Redis, and nothing another session did."""
    client = redis_cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{REDIS['KEY_PREFIX']}:*"):
        client.delete(key)


def test_redis_stores_and_serves_pages_and_forgets_them_on_change(
    redis_server, settings, archive, django_assert_num_queries
):
    settings.CACHES = {"default": REDIS}
    forget(cache)
    path = f"/statements/{archive['published'].slug}/"
    first = read(path)
    with django_assert_num_queries(1):
        assert read(path) == first
    withdraw_with_the_service(archive)
    assert b"Issued in error." in read(path)[1]
    assert Client().get("/healthz/ready").json()["status"] == "ok"
    forget(cache)


def test_with_redis_each_process_serves_its_own_copy_and_still_sees_every_change(
    redis_server, settings, archive, django_assert_num_queries
):
    settings.CACHES = {
        "default": REDIS,
        caching.LOCAL_ALIAS: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-pages-local",
        },
    }
    local = caches[caching.LOCAL_ALIAS]
    forget(cache)
    local.clear()
    path = f"/statements/{archive['published'].slug}/"
    first = read(path)
    # Filled by another process: this one finds it in Redis and keeps a copy.
    local.clear()
    with django_assert_num_queries(1):
        assert read(path) == first
    # Redis loses it (restart, eviction): the local copy still answers.
    forget(cache)
    with django_assert_num_queries(1):
        assert read(path) == first
    withdraw_with_the_service(archive)
    assert b"Issued in error." in read(path)[1]
    forget(cache)
    local.clear()


@contextlib.contextmanager
def one_request():
    """Between request_started and request_finished, as Django's handler sends them (and
    as its test client does, without closing the test's transaction)."""
    with kept_test_connection():
        request_started.send(sender=None)
        yield
        request_finished.send(sender=None)


def another_process_bumps_the_generation() -> None:
    ContentGeneration.objects.filter(pk=1).update(number=F("number") + 1)


def test_a_request_reads_the_generation_once_and_a_command_every_time(archive):
    caching.bump_content_generation()  # the row exists
    first = caching.request_content_generation()
    another_process_bumps_the_generation()
    # Outside a request (a command, a cron job): always the database's.
    assert caching.request_content_generation() == first + 1
    with one_request():
        kept = caching.request_content_generation()
        assert kept == first + 1
        another_process_bumps_the_generation()
        # The one the request started with, as the pages it renders are keyed by.
        assert caching.request_content_generation() == kept
        caching.bump_content_generation()  # this process wrote: read again
        assert caching.request_content_generation() == kept + 2
    another_process_bumps_the_generation()
    assert caching.request_content_generation() == kept + 3


def test_filter_choices_and_citation_counts_follow_the_content(archive):
    assert [number for number, _ in filters.resolution_choices()] == [2397]
    assert [r.citation_count for r in filters.cited_resolutions()] == [1]
    publish_in_admin(archive)  # a second published paragraph cites 2397
    assert [r.citation_count for r in filters.cited_resolutions()] == [2]
