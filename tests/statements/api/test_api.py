"""The read side of the REST API: fields, filters, ordering, pagination, visibility, HTTP."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils.http import http_date
from rest_framework.test import APIClient

from statements import search
from statements.api import pagination
from statements.models import Meeting, Paragraph, Participant, Resolution, Statement, search_key
from statements.search import MAX_QUERY_LENGTH, reading
from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    PersonFactory,
    ResolutionFactory,
    StatementFactory,
    UserFactory,
)
from tests.statements.search.test_search import HOSTILE

pytestmark = pytest.mark.django_db

SEED_RESOLUTION_STATEMENT = (
    "2017-12-23-statement-on-the-adoption-of-un-security-council-resolution-2397"
)
EDITOR_PERMISSIONS = [
    f"statements.{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for model in ("statement", "paragraph", "resolution", "meeting", "participant")
]


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def editor():
    return UserFactory(username="editor", permissions=EDITOR_PERMISSIONS)


@pytest.fixture
def reader():
    """Authenticated, but without any model permission."""
    return UserFactory(username="reader")


def get(client, url, **params):
    response = client.get(url, params)
    return response, response.json()


def slugs(body) -> list[str]:
    return [item["slug"] for item in body["results"]]


def statement_with(paragraphs: list[tuple[int | None, str, list[int]]], **fields) -> Statement:
    statement = StatementFactory(**fields)
    for position, (number, text, cited) in enumerate(paragraphs, start=1):
        paragraph = ParagraphFactory(
            statement=statement, position=position, number=number, text=text
        )
        paragraph.resolutions.set(ResolutionFactory(number=n) for n in cited)
    return statement


# --- Statements --------------------------------------------------------------------------


def test_list_rows_cite_what_their_statements_cite_in_number_order(client, db):
    cited = statement_with(
        [(1, "Recalls 2397.", [2397, 87]), (2, "And 1718.", [1718, 2397]), (3, "None.", [])],
        slug="cites",
    )
    statement_with([(1, "Nothing cited.", [])], slug="cites-nothing")
    _, body = get(client, "/api/v1/statements/")
    rows = {row["slug"]: row["cited_resolutions"] for row in body["results"]}
    assert rows == {"cites": [87, 1718, 2397], "cites-nothing": []}
    _, detail = get(client, f"/api/v1/statements/{cited.slug}/")
    assert detail["cited_resolutions"] == [87, 1718, 2397]


def test_the_seed_statement_citing_2397_is_the_only_match(client, seeded):
    response, body = get(client, "/api/v1/statements/", resolution=2397)
    assert response.status_code == 200
    assert slugs(body) == [SEED_RESOLUTION_STATEMENT]
    item = body["results"][0]
    assert item["date"] == "2017-12-23"
    assert item["cited_resolutions"] == [2397]
    assert item["meetings"] == [Meeting.objects.get(date=dt.date(2017, 12, 15)).slug]
    assert item["public_url"] == f"http://testserver/statements/{SEED_RESOLUTION_STATEMENT}/"


def test_statement_list_items_carry_the_documented_fields_newest_first(client):
    older = statement_with([(1, "See resolution 2375.", [2375])], date=dt.date(2017, 9, 19))
    newer = statement_with(
        [(1, "Resolutions 2397 and 2375.", [2397, 2375])],
        date=dt.date(2017, 12, 23),
        speaker="Foreign Minister Taro Kono",
        kind=Statement.Kind.PRESS_RELEASE,
    )
    newer.meetings.add(MeetingFactory(slug="unsc-meeting"))
    _, body = get(client, "/api/v1/statements/")
    assert slugs(body) == [newer.slug, older.slug]
    assert body["results"][0] == {
        "url": f"http://testserver/api/v1/statements/{newer.slug}/",
        "public_url": f"http://testserver/statements/{newer.slug}/",
        "slug": newer.slug,
        "title": newer.title,
        "date": "2017-12-23",
        "kind": "press_release",
        "speaker": "Foreign Minister Taro Kono",
        "status": "published",
        "cited_resolutions": [2375, 2397],
        "meetings": ["unsc-meeting"],
        "version": 1,
        "updated_at": body["results"][0]["updated_at"],
    }


def test_statement_detail_lists_paragraphs_in_order_with_citations_and_permalinks(client):
    statement = statement_with(
        [(None, "Opening.", []), (1, "On resolution 2397.", [2397]), (2, "Closing.", [])]
    )
    response, body = get(client, f"/api/v1/statements/{statement.slug}/")
    assert response.status_code == 200
    assert body["paragraphs"] == [
        {
            "position": 1,
            "number": None,
            "kind": "paragraph",
            "label": "",
            "depth": 0,
            "parent": None,
            "anchor": "p-1",
            "text": "Opening.",
            "cited_resolutions": [],
            "permalink": f"http://testserver/statements/{statement.slug}/#p-1",
        },
        {
            "position": 2,
            "number": 1,
            "kind": "paragraph",
            "label": "1",
            "depth": 0,
            "parent": None,
            "anchor": "p1",
            "text": "On resolution 2397.",
            "cited_resolutions": [2397],
            "permalink": f"http://testserver/statements/{statement.slug}/#p1",
        },
        {
            "position": 3,
            "number": 2,
            "kind": "paragraph",
            "label": "2",
            "depth": 0,
            "parent": None,
            "anchor": "p2",
            "text": "Closing.",
            "cited_resolutions": [],
            "permalink": f"http://testserver/statements/{statement.slug}/#p2",
        },
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_after": "2017-10-01"}, ["dec"]),
        ({"date_before": "2017-10-01"}, ["sep", "2016"]),
        ({"date_after": "2017-01-01", "date_before": "2017-09-30"}, ["sep"]),
        ({"year": "2016"}, ["2016"]),
        ({"kind": "meeting_summary"}, ["sep"]),
        ({"speaker": "kono"}, ["dec", "2016"]),
        ({"resolution": "2375"}, ["dec", "sep"]),
        ({"resolution": "2375", "year": "2017", "kind": "statement"}, ["dec"]),
        ({"meeting": "unga-72"}, ["sep"]),
        ({"meeting": "unga-72", "resolution": "2397"}, []),
        ({"speaker": "Kono", "date_after": "2017-01-01"}, ["dec"]),
        ({"q": "reaffirmed"}, ["dec"]),
        ({"q": "RESOLUTIONS"}, ["dec", "sep", "2016"]),
        ({"q": "resolution", "year": "2017"}, ["dec", "sep"]),
        ({"q": "2321 or reaffirmed", "speaker": "kono"}, ["dec", "2016"]),
        ({"q": "2375 -reaffirmed", "meeting": "unga-72"}, ["sep"]),
        ({"q": '"resolution 2375"', "resolution": "2397"}, ["dec"]),
        ({"q": "resolution", "kind": "meeting_summary", "ordering": "title"}, ["sep"]),
        ({"q": "resolution", "ordering": "date"}, ["2016", "sep", "dec"]),
        ({"q": "-resolution"}, []),
        ({"q": "   "}, ["dec", "sep", "2016"]),
    ],
)
def test_statement_filters_alone_and_combined(client, params, expected):
    statement_with(
        [
            (1, "Resolution 2397 and resolution 2375.", [2397, 2375]),
            (2, "2375 reaffirmed.", [2375]),
        ],
        slug="dec",
        date=dt.date(2017, 12, 23),
        speaker="Foreign Minister Taro Kono",
    )
    sep = statement_with(
        [(1, "Resolution 2375.", [2375])],
        slug="sep",
        date=dt.date(2017, 9, 19),
        kind=Statement.Kind.MEETING_SUMMARY,
    )
    sep.meetings.add(MeetingFactory(slug="unga-72"))
    statement_with(
        [(1, "Resolution 2321.", [2321])],
        slug="2016",
        date=dt.date(2016, 12, 1),
        speaker="Foreign Minister Fumio Kishida; Kono",
    )
    response, body = get(client, "/api/v1/statements/", **params)
    assert response.status_code == 200, body
    assert slugs(body) == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("date", ["a", "b", "c"]),
        ("-date", ["c", "b", "a"]),
        ("title", ["b", "c", "a"]),
        ("-title", ["a", "c", "b"]),
    ],
)
def test_statements_can_be_ordered(client, ordering, expected):
    StatementFactory(slug="a", title="Zeta", date=dt.date(2017, 1, 1))
    StatementFactory(slug="b", title="Alpha", date=dt.date(2017, 2, 1))
    StatementFactory(slug="c", title="Mu", date=dt.date(2017, 3, 1))
    _, body = get(client, "/api/v1/statements/", ordering=ordering)
    assert slugs(body) == expected


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"date_after": "2017-13-01"}, "date_after", "valid date"),
        ({"date_before": "yesterday"}, "date_before", "valid date"),
        ({"kind": "speech"}, "kind", "valid choice"),
        ({"resolution": "abc"}, "resolution", "whole number"),
        ({"resolution": "0"}, "resolution", "greater than or equal to 1"),
        ({"resolution": "12345"}, "resolution", "less than or equal to 9999"),
        ({"year": "99999"}, "year", "less than or equal to 2999"),
        ({"year": "2017.5"}, "year", "whole number"),
        ({"ordering": "colour"}, "ordering", "valid choice"),
        # An empty item between commas names no field (schemathesis found "," accepted).
        ({"ordering": ","}, "ordering", "names no sort field"),
        ({"ordering": "date,"}, "ordering", "names no sort field"),
        ({"ordering": "-date,,title"}, "ordering", "names no sort field"),
        ({"status": "secret"}, "status", "valid choice"),
        ({"page": "abc"}, "page", "whole number"),
        ({"page": "0"}, "page", "1 or more"),
        ({"page_size": "1000"}, "page_size", "between 1 and 100"),
        ({"page_size": "-1"}, "page_size", "between 1 and 100"),
        ({"resolutions": "2397"}, "resolutions", "Unknown query parameter"),
        ({"speaker": "a\x00b"}, "speaker", "Null characters"),
    ],
)
def test_statement_list_rejects_bad_input_naming_the_parameter(client, params, parameter, message):
    StatementFactory()
    response, body = get(client, "/api/v1/statements/", **params)
    assert response.status_code == 400
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [parameter]
    assert message in body["errors"][parameter][0]


def test_statement_pagination_counts_links_and_bounds(client):
    for day in range(1, 26):
        StatementFactory(date=dt.date(2017, 1, day))
    _, first = get(client, "/api/v1/statements/")
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/statements/?page=2"
    _, second = get(client, "/api/v1/statements/", page=2)
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert not set(slugs(first)) & set(slugs(second))
    _, small = get(client, "/api/v1/statements/", page_size=10, page=3)
    assert len(small["results"]) == 5
    response, body = get(client, "/api/v1/statements/", page=4)
    assert response.status_code == 404
    assert body["code"] == "not_found"
    assert body["detail"] == "Page 4 does not exist: there are 2 page(s) of 20."


# --- Visibility and permissions on reads -------------------------------------------------


@pytest.fixture
def mixed_statuses():
    published = StatementFactory(slug="published")
    draft = StatementFactory(slug="draft", status=Statement.Status.DRAFT)
    withdrawn = StatementFactory(
        slug="withdrawn", status=Statement.Status.WITHDRAWN, withdrawn_note="Duplicate."
    )
    resolution = ResolutionFactory(number=2397)
    for statement in (published, draft, withdrawn):
        paragraph = ParagraphFactory(statement=statement, text=f"{statement.slug}: resolution 2397")
        paragraph.resolutions.add(resolution)
    return published, draft, withdrawn


@pytest.fixture(params=[None, "reader"])
def public_client(client, request):
    """Anonymous, then signed in without any editor's permission: the public either way."""
    if request.param:
        client.force_authenticate(request.getfixturevalue(request.param))
    return client


def test_drafts_are_invisible_to_the_public_and_withdrawn_statements_kept_out_of_lists(
    public_client, mixed_statuses
):
    client = public_client
    _, body = get(client, "/api/v1/statements/")
    assert slugs(body) == ["published"]
    response = client.get("/api/v1/statements/draft/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    _, paragraphs = get(client, "/api/v1/paragraphs/")
    assert [p["statement"] for p in paragraphs["results"]] == ["published"]
    _, resolution = get(client, "/api/v1/resolutions/2397/")
    assert resolution["citation_count"] == 1
    assert [p["statement"] for p in resolution["citing_paragraphs"]] == ["published"]


def test_a_withdrawn_statement_opens_marked_withdrawn_as_its_page_does(
    public_client, mixed_statuses
):
    client = public_client
    response, body = get(client, "/api/v1/statements/withdrawn/")
    assert response.status_code == 200
    assert (body["status"], body["withdrawn_note"]) == ("withdrawn", "Duplicate.")
    assert [p["text"] for p in body["paragraphs"]] == ["withdrawn: resolution 2397"]
    assert Client().get("/statements/withdrawn/").status_code == 200  # the page agrees
    _, listed = get(client, "/api/v1/statements/", status="withdrawn")
    assert slugs(listed) == ["withdrawn"]
    assert [s["status"] for s in listed["results"]] == ["withdrawn"]


@pytest.mark.parametrize(("user_fixture", "status_code"), [(None, 401), ("reader", 403)])
def test_only_editors_may_list_drafts(client, mixed_statuses, request, user_fixture, status_code):
    if user_fixture:
        client.force_authenticate(request.getfixturevalue(user_fixture))
    response, body = get(client, "/api/v1/statements/", status="draft")
    assert response.status_code == status_code
    assert body["status"] == status_code


def test_editors_see_drafts_when_they_ask(client, mixed_statuses, editor):
    client.force_authenticate(editor)
    assert slugs(get(client, "/api/v1/statements/")[1]) == ["published"]
    assert slugs(get(client, "/api/v1/statements/", status="draft")[1]) == ["draft"]
    assert slugs(get(client, "/api/v1/statements/", status="withdrawn")[1]) == ["withdrawn"]
    response, body = get(client, "/api/v1/statements/draft/")
    assert response.status_code == 200
    assert body["status"] == "draft"


def test_editors_authenticate_with_a_token(mixed_statuses, editor):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    assert slugs(get(client, "/api/v1/statements/", status="draft")[1]) == ["draft"]
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response, body = get(client, "/api/v1/statements/")
    assert response.status_code == 401
    assert body["code"] == "authentication_failed"


# --- Paragraphs --------------------------------------------------------------------------


def test_paragraphs_carry_their_statement_citations_and_permalink(client):
    statement = statement_with(
        [(None, "Opening.", []), (1, "Resolution 2397.", [2397])], slug="dec"
    )
    _, body = get(client, "/api/v1/paragraphs/")
    assert body["count"] == 2
    assert body["results"][1] == {
        "statement": "dec",
        "statement_url": "http://testserver/api/v1/statements/dec/",
        "statement_title": statement.title,
        "statement_date": "2017-12-23",
        "position": 2,
        "number": 1,
        "kind": "paragraph",
        "label": "1",
        "depth": 0,
        "parent": None,
        "anchor": "p1",
        "text": "Resolution 2397.",
        "cited_resolutions": [2397],
        "permalink": "http://testserver/statements/dec/#p1",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"statement": "dec"}, [("dec", 1), ("dec", 2)]),
        ({"resolution": "2375"}, [("dec", 2), ("sep", 1)]),
        ({"statement": "sep", "resolution": "2375"}, [("sep", 1)]),
        ({"statement": "sep", "resolution": "2397"}, []),
        ({"ordering": "date"}, [("sep", 1), ("dec", 1), ("dec", 2)]),
        ({"q": "2375"}, [("dec", 2), ("sep", 1)]),
        ({"q": "2375", "statement": "sep"}, [("sep", 1)]),
        ({"q": "resolution", "resolution": "2397"}, [("dec", 1)]),
        ({"q": "2375 or 2397", "ordering": "date"}, [("sep", 1), ("dec", 1), ("dec", 2)]),
        ({"q": "dec"}, []),
    ],
)
def test_paragraph_filters(client, params, expected):
    statement_with(
        [(1, "Resolution 2397.", [2397]), (2, "Resolution 2375.", [2375])],
        slug="dec",
        date=dt.date(2017, 12, 23),
    )
    statement_with([(1, "Resolution 2375.", [2375])], slug="sep", date=dt.date(2017, 9, 19))
    response, body = get(client, "/api/v1/paragraphs/", **params)
    assert response.status_code == 200, body
    assert [(p["statement"], p["position"]) for p in body["results"]] == expected


def archive_of_matches(years=range(2014, 2019), paragraphs=2) -> None:
    """A statement a year, each with ``paragraphs`` paragraphs mentioning peacebuilding."""
    for year in years:
        statement_with(
            [(n, "Peacebuilding, again.", []) for n in range(1, paragraphs + 1)],
            slug=f"s{year}",
            date=dt.date(year, 5, 1),
            title=f"Statement of {year}",
        )


def test_a_paragraph_search_serves_its_newest_matches_and_says_there_are_more(client, monkeypatch):
    monkeypatch.setattr(reading, "MAX_HITS", 3)
    archive_of_matches()
    response, body = get(client, "/api/v1/paragraphs/", q="peacebuilding")
    assert response.status_code == 200, body
    assert body["count"] == 3 and body["more"] is True
    assert [(p["statement"], p["position"]) for p in body["results"]] == [
        ("s2018", 1),
        ("s2018", 2),
        ("s2017", 1),
    ]
    # Narrowed below the bound, the count is exact again and any order is served.
    _, body = get(client, "/api/v1/paragraphs/", q="peacebuilding", statement="s2015")
    assert body["count"] == 2 and body["more"] is False
    _, body = get(client, "/api/v1/paragraphs/", q="peacebuilding", statement="s2014")
    assert [(p["statement"], p["position"]) for p in body["results"]] == [
        ("s2014", 1),
        ("s2014", 2),
    ]
    _, body = get(client, "/api/v1/paragraphs/")
    assert body["more"] is False


def test_a_statement_search_serves_the_newest_statements_it_can_vouch_for(client, monkeypatch):
    monkeypatch.setattr(reading, "MAX_HITS", 3)
    archive_of_matches()
    response, body = get(client, "/api/v1/statements/", q="peacebuilding")
    assert response.status_code == 200, body
    # Four paragraphs read (2018, 2018, 2017, 2017): every statement down to 2017.
    assert slugs(body) == ["s2018", "s2017"] and body["count"] == 2 and body["more"] is True
    _, body = get(client, "/api/v1/statements/", q="peacebuilding", date_before="2014-12-31")
    assert slugs(body) == ["s2014"] and body["more"] is False
    _, body = get(client, "/api/v1/statements/", q="peacebuilding", year=2014, ordering="title")
    assert slugs(body) == ["s2014"]


def test_a_search_with_more_matches_orders_what_it_serves(client, monkeypatch):
    monkeypatch.setattr(reading, "MAX_HITS", 3)
    archive_of_matches()
    response, body = get(client, "/api/v1/paragraphs/", q="peacebuilding", ordering="date")
    assert response.status_code == 200, body
    assert body["more"] is True
    assert [(p["statement"], p["position"]) for p in body["results"]] == [
        ("s2017", 1),
        ("s2018", 1),
        ("s2018", 2),
    ]
    response, body = get(client, "/api/v1/statements/", q="peacebuilding", ordering="date")
    assert response.status_code == 200, body
    assert slugs(body) == ["s2017", "s2018"] and body["more"] is True


@pytest.mark.parametrize("url", ["/api/v1/statements/", "/api/v1/paragraphs/"])
def test_a_search_with_more_matches_serves_no_page_past_them(client, monkeypatch, url):
    monkeypatch.setattr(reading, "MAX_HITS", 3)
    archive_of_matches()
    response, body = get(client, url, q="peacebuilding", page=4, page_size=1)
    # Not served, as a page past the end: a 404 that says how to reach the others.
    assert response.status_code == 404, body
    assert body["code"] == "not_found" and "narrow" in body["detail"]


@pytest.mark.parametrize("url", ["/api/v1/statements/", "/api/v1/paragraphs/"])
def test_a_search_reads_a_bounded_number_of_matches_and_counts_none(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    archive_of_matches(paragraphs=3)
    with CaptureQueriesContext(connection) as captured:
        response, body = get(client, url, q="peacebuilding")
    assert response.status_code == 200, body
    sqls = [query["sql"] for query in captured.captured_queries]
    # The only reads of the full-text index are capped at MAX_HITS + 1 matches...
    reads = [sql for sql in sqls if "MATCH" in sql or "@@" in sql]
    assert reads and all(sql.rstrip().endswith(f"LIMIT {search.MAX_HITS + 1}") for sql in reads)
    # ...and the list is not counted again, nor its ids' statements walked for a status.
    assert not [sql for sql in sqls if "COUNT(" in sql], sqls
    assert not [sql for sql in sqls if '"status" = ' in sql], sqls


def test_sqlite_reads_a_page_of_search_results_by_their_ids(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner is rule-based; PostgreSQL's picks by cost and table size")
    archive_of_matches(paragraphs=3)
    with CaptureQueriesContext(connection) as captured:
        get(client, "/api/v1/paragraphs/", q="peacebuilding", ordering="position")
    sqls = [query["sql"] for query in captured.captured_queries]
    [page] = [sql for sql in sqls if 'WHERE "statements_paragraph"."id" IN (' in sql]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + page)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    # By primary key, not by walking every published statement and probing the ids.
    assert "statement_list_order_idx" not in plan, plan
    assert "USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan


@pytest.mark.parametrize("url", ["/api/v1/statements/", "/api/v1/paragraphs/", "/api/v1/meetings/"])
def test_lists_serve_no_page_past_the_result_window(client, monkeypatch, url):
    monkeypatch.setattr(pagination, "MAX_RESULT_WINDOW", 4)
    archive_of_matches()
    for statement in Statement.objects.all():
        statement.meetings.add(MeetingFactory())
    response, body = get(client, url, page=2, page_size=2)
    assert response.status_code == 200, body
    response, body = get(client, url, page=3, page_size=2)
    # A 404 like a page past the end: the schema allows any page, so a 400 would refuse
    # a valid request.
    assert response.status_code == 404, body
    assert body["code"] == "not_found" and "at most 4" in body["detail"]


def sqlite_plan_of_a_page(client, url: str, params: dict) -> str:
    """SQLite's plan for the query that reads a page of three (``page_size`` 3) of ``url``
    over ``archive_of_matches()``: how the list reads its order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner is rule-based; PostgreSQL's picks by cost and table size")
    archive_of_matches()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {**params, "page_size": 3})
    assert response.status_code == 200
    [page] = [q["sql"] for q in captured.captured_queries if "LIMIT 3" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + page)
        return " ".join(row[-1] for row in cursor.fetchall())


def test_ordering_statements_by_title_reads_them_in_title_order_instead_of_sorting_all(client):
    plan = sqlite_plan_of_a_page(client, "/api/v1/statements/", {"ordering": "title"})
    # Sorting every published statement took 4.5 s cold at 100,000 statements.
    assert "statement_status_title_idx" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_a_page_past_the_window_is_refused_before_any_search(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    archive_of_matches()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            "/api/v1/paragraphs/", {"q": "peacebuilding", "page": 51, "page_size": 100}
        )
    assert response.status_code == 404
    # The bench's attacker case read a thousand matches before answering (101 req/s).
    assert captured.captured_queries == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/statements/?ordering=title",
        "/api/v1/paragraphs/?ordering=date",
        "/api/v1/meetings/?ordering=title",
    ],
)
def test_a_reordered_list_is_counted_by_its_tally_not_by_a_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    archive_of_matches()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # Counting every published paragraph took 1 s on PostgreSQL at 100,000 statements.
    assert not [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]


def test_the_statement_list_reads_cited_numbers_for_its_page_only(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    archive_of_matches()
    with CaptureQueriesContext(connection) as captured:
        _, body = get(client, "/api/v1/statements/", ordering="title", page=2, page_size=2)
    assert slugs(body) == ["s2016", "s2017"]
    [page] = [q["sql"] for q in captured.captured_queries if "OFFSET 2" in q["sql"]]
    # Not for every row the OFFSET skips or the sort reads (1-4 s at 100,000 statements).
    assert "statements_paragraph_resolutions" not in page and "source_text" not in page


def test_position_orders_paragraphs_within_each_statement(client):
    archive_of_matches(years=range(2016, 2019))

    def places(**params):
        response, body = get(client, "/api/v1/paragraphs/", **params)
        assert response.status_code == 200, body
        return [(p["statement"], p["position"]) for p in body["results"]]

    assert places(ordering="position") == [
        ("s2018", 1), ("s2018", 2), ("s2017", 1), ("s2017", 2), ("s2016", 1), ("s2016", 2),
    ]  # fmt: skip
    assert places(ordering="-position") == [
        ("s2018", 2), ("s2018", 1), ("s2017", 2), ("s2017", 1), ("s2016", 2), ("s2016", 1),
    ]  # fmt: skip
    assert places(ordering="date,position") == [
        ("s2016", 1), ("s2016", 2), ("s2017", 1), ("s2017", 2), ("s2018", 1), ("s2018", 2),
    ]  # fmt: skip
    assert places(ordering="-position", statement="s2016") == [("s2016", 2), ("s2016", 1)]
    assert places(ordering="date", q="peacebuilding")[:2] == [("s2016", 1), ("s2016", 2)]


def test_ordering_by_position_walks_the_statements_instead_of_sorting_every_paragraph(client):
    plan = sqlite_plan_of_a_page(client, "/api/v1/paragraphs/", {"ordering": "position"})
    # Statements in list order from their index, each one's few paragraphs sorted in turn;
    # a global sort by position read and sorted every paragraph (9 s at 100,000 statements).
    assert "statement_list_order_idx" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_full_text_search_ignores_accents_and_never_shows_drafts(client):
    statement_with([(1, "The minister met António Guterres.", [])], slug="met")
    statement_with([(1, "Antonio Guterres was not there.", [])], slug="draft", status="draft")
    for url in ("/api/v1/statements/", "/api/v1/paragraphs/"):
        for query in ("antonio guterres", "ANTÓNIO", '"met antonio"'):
            _, body = get(client, url, q=query)
            assert [item.get("slug", item.get("statement")) for item in body["results"]] == [
                "met"
            ], (url, query)


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("url", ["/api/v1/statements/", "/api/v1/paragraphs/"])
def test_hostile_search_queries_are_answered_or_refused_never_an_error(client, url, query):
    statement_with([(1, "Japan condemns the launch.", [])], slug="launch")
    response, body = (
        get(client, url, q=query, year="2017")
        if "statements" in url
        else get(client, url, q=query, statement="launch")
    )
    assert response.status_code in (200, 400), body
    if response.status_code == 400:
        # Only what a form field refuses: a null character, or more than 200 characters.
        assert list(body["errors"]) == ["q"]
        assert "\x00" in query or len(query.strip()) > MAX_QUERY_LENGTH
    else:
        assert body["count"] == len(body["results"]) <= 1


def test_search_queries_longer_than_the_limit_are_refused_naming_the_parameter(client):
    statement_with([(1, "Japan condemns the launch.", [])], slug="launch")
    _, body = get(client, "/api/v1/statements/", q="launch or " + "x" * (MAX_QUERY_LENGTH - 10))
    assert slugs(body) == ["launch"]
    response, body = get(client, "/api/v1/paragraphs/", q="launch " * 2000)
    assert response.status_code == 400
    assert "at most 200 characters" in body["errors"]["q"][0]


def test_paragraphs_have_no_detail_route_and_reject_unknown_parameters(client):
    ParagraphFactory()
    paragraph = Paragraph.objects.get()
    response = client.get(f"/api/v1/paragraphs/{paragraph.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response, body = get(client, "/api/v1/paragraphs/", query="x", kind="statement")
    assert response.status_code == 400
    assert sorted(body["errors"]) == ["kind", "query"]


# --- Resolutions -------------------------------------------------------------------------


@pytest.fixture
def cited_and_uncited():
    statement_with(
        [(1, "Resolution 2397.", [2397]), (2, "2397 again, and 2375.", [2397, 2375])],
        slug="dec",
    )
    draft = statement_with(
        [(1, "Resolution 2270.", [2270])], slug="draft", status=Statement.Status.DRAFT
    )
    Resolution.objects.filter(number=2397).update(adopted_on=dt.date(2017, 12, 22))
    Resolution.objects.filter(number=2375).update(adopted_on=dt.date(2017, 9, 11))
    Resolution.objects.filter(number=2270).update(adopted_on=dt.date(2016, 3, 2))
    ResolutionFactory(number=1718, adopted_on=dt.date(2006, 10, 14))
    return draft


def test_resolutions_count_citations_by_published_paragraphs_only(client, cited_and_uncited):
    _, body = get(client, "/api/v1/resolutions/")
    assert [(r["number"], r["citation_count"]) for r in body["results"]] == [
        (2397, 2),
        (2375, 1),
        (2270, 0),
        (1718, 0),
    ]
    first = body["results"][0]
    assert first["url"] == "http://testserver/api/v1/resolutions/2397/"
    assert first["public_url"] == "http://testserver/resolutions/2397/"
    assert first["is_unanimous"] is True


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cited": "true"}, [2397, 2375]),
        ({"cited": "false"}, [2270, 1718]),
        ({"adopted_after": "2017-01-01"}, [2397, 2375]),
        ({"adopted_before": "2016-12-31"}, [2270, 1718]),
        ({"adopted_after": "2016-01-01", "cited": "false"}, [2270]),
        ({"ordering": "number"}, [1718, 2270, 2375, 2397]),
        ({"ordering": "-citations"}, [2397, 2375, 2270, 1718]),
    ],
)
def test_resolution_filters(client, cited_and_uncited, params, expected):
    response, body = get(client, "/api/v1/resolutions/", **params)
    assert response.status_code == 200, body
    assert [r["number"] for r in body["results"]] == expected


def test_resolution_detail_shows_the_newest_citations_and_links_to_all(client, monkeypatch):
    from statements.api import serializers

    monkeypatch.setattr(serializers, "CITING_PARAGRAPHS_SHOWN", 2)
    resolution = ResolutionFactory(number=2397)
    for day in (1, 2, 3):
        statement = StatementFactory(slug=f"day-{day}", date=dt.date(2018, 1, day))
        ParagraphFactory(statement=statement).resolutions.add(resolution)
    _, body = get(client, "/api/v1/resolutions/2397/")
    assert body["citation_count"] == 3
    assert [p["statement"] for p in body["citing_paragraphs"]] == ["day-3", "day-2"]
    assert body["citing_paragraphs_url"] == ("http://testserver/api/v1/paragraphs/?resolution=2397")
    _, everything = get(client, body["citing_paragraphs_url"].removeprefix("http://testserver"))
    assert [p["statement"] for p in everything["results"]] == ["day-3", "day-2", "day-1"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"cited": "maybe"}, "cited"), ({"adopted_after": "2017"}, "adopted_after")],
)
def test_resolution_filters_reject_bad_values(client, params, parameter):
    response, body = get(client, "/api/v1/resolutions/", **params)
    assert response.status_code == 400
    assert list(body["errors"]) == [parameter]


def test_resolution_detail_lists_the_published_paragraphs_citing_it(client, cited_and_uncited):
    response, body = get(client, "/api/v1/resolutions/2397/")
    assert response.status_code == 200
    assert body["symbol"] == "S/RES/2397 (2017)"
    assert [(p["statement"], p["number"]) for p in body["citing_paragraphs"]] == [
        ("dec", 1),
        ("dec", 2),
    ]
    assert body["citing_paragraphs"][1]["cited_resolutions"] == [2375, 2397]
    assert client.get("/api/v1/resolutions/2270/").json()["citing_paragraphs"] == []
    response = client.get("/api/v1/resolutions/9999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Meetings ----------------------------------------------------------------------------


@pytest.fixture
def meetings():
    new_york = MeetingFactory(
        slug="abe-guterres",
        title="Abe meets Guterres",
        date=dt.date(2017, 9, 19),
        start_time=dt.time(12, 5),
        timezone="America/New_York",
        duration_minutes=15,
        location="New York",
        occasion="72nd UN General Assembly",
    )
    ParticipantFactory(meeting=new_york, position=1, name="Shinzo Abe", role="Prime Minister")
    ParticipantFactory(
        meeting=new_york,
        position=2,
        name="António Guterres",
        role="Secretary-General",
        organisation="United Nations",
    )
    ParticipantFactory(
        meeting=new_york,
        position=3,
        name="Motohide Yoshikawa",
        role="Ambassador",
        organisation="Japan",
        in_attendance=True,
    )
    tokyo = MeetingFactory(
        slug="tokyo-talks", date=dt.date(2017, 11, 6), timezone="Asia/Tokyo", location="Tokyo"
    )
    ParticipantFactory(meeting=tokyo, name="Élise Müller")
    unreported = MeetingFactory(slug="unreported", location="Geneva")
    StatementFactory(slug="summary").meetings.add(new_york, tokyo)
    StatementFactory(slug="draft", status=Statement.Status.DRAFT).meetings.add(unreported)
    return new_york, tokyo, unreported


def test_meeting_shows_participants_and_the_start_in_local_and_japan_time(client, meetings):
    response, body = get(client, "/api/v1/meetings/abe-guterres/")
    assert response.status_code == 200
    assert body["starts_at"] == "2017-09-19T12:05:00-04:00"
    assert body["starts_at_japan"] == "2017-09-20T01:05:00+09:00"
    assert body["timezone"] == "America/New_York"
    assert body["duration_minutes"] == 15
    assert body["location"] == "New York"
    assert body["occasion"] == "72nd UN General Assembly"
    assert body["participants"] == [
        {
            "name": "Shinzo Abe",
            "role": "Prime Minister",
            "organisation": "",
            "in_attendance": False,
        },
        {
            "name": "António Guterres",
            "role": "Secretary-General",
            "organisation": "United Nations",
            "in_attendance": False,
        },
        {
            "name": "Motohide Yoshikawa",
            "role": "Ambassador",
            "organisation": "Japan",
            "in_attendance": True,
        },
    ]
    assert body["statements"] == ["summary"]
    assert body["public_url"] == "http://testserver/meetings/abe-guterres/"


def test_meetings_reported_only_by_drafts_are_not_public(client, meetings):
    assert slugs(get(client, "/api/v1/meetings/")[1]) == ["tokyo-talks", "abe-guterres"]
    assert client.get("/api/v1/meetings/unreported/").status_code == 404
    assert get(client, "/api/v1/meetings/tokyo-talks/")[1]["starts_at"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"participant": "Antonio Guterres"}, ["abe-guterres"]),
        ({"participant": "antónio"}, ["abe-guterres"]),
        ({"participant": "GUTERRES"}, ["abe-guterres"]),
        ({"participant": "elise muller"}, ["tokyo-talks"]),
        ({"participant": "Ban Ki-moon"}, []),
        ({"location": "new york"}, ["abe-guterres"]),
        ({"location": "Geneva"}, []),
        ({"date_after": "2017-10-01"}, ["tokyo-talks"]),
        ({"date_before": "2017-10-01"}, ["abe-guterres"]),
        ({"date_before": "2017-12-31", "participant": "abe"}, ["abe-guterres"]),
        ({"ordering": "date"}, ["abe-guterres", "tokyo-talks"]),
    ],
)
def test_meeting_filters(client, meetings, params, expected):
    response, body = get(client, "/api/v1/meetings/", **params)
    assert response.status_code == 200, body
    assert slugs(body) == expected


def test_participant_search_key_ignores_case_and_accents():
    assert search_key("António GUTERRES") == search_key("antonio guterres") == "antonio guterres"
    assert search_key("Élise Müller") == "elise muller"


def test_every_seed_participant_is_findable_without_accents(client, seeded):
    for participant in Participant.objects.all():
        assert participant.name_search == search_key(participant.name)
    _, body = get(client, "/api/v1/meetings/", participant="Antonio Guterres")
    assert slugs(body) == [Meeting.objects.get(participants__name="António Guterres").slug]


# --- HTTP --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/statements/", "/api/v1/statements/s/"])
def test_conditional_get_answers_304_while_the_etag_is_current(client, url):
    statement = StatementFactory(slug="s")
    ParagraphFactory(statement=statement)
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    Statement.objects.filter(pk=statement.pk).update(title="Changed")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_detail_honours_if_modified_since(client):
    statement = StatementFactory(slug="s")
    first = client.get("/api/v1/statements/s/")
    assert (
        client.get(
            "/api/v1/statements/s/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        ).status_code
        == 304
    )
    Statement.objects.filter(pk=statement.pk).update(
        updated_at=statement.updated_at + dt.timedelta(minutes=5)
    )
    assert (
        client.get(
            "/api/v1/statements/s/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        ).status_code
        == 200
    )


def test_a_resolution_detail_is_modified_when_a_citation_it_shows_is(client):
    """Its Last-Modified counted the resolution only, so If-Modified-Since got a 304 for a
    body whose citing paragraphs had changed."""
    resolution = ResolutionFactory(number=2397)
    statement = StatementFactory(slug="s")
    ParagraphFactory(statement=statement).resolutions.add(resolution)
    Resolution.objects.filter(pk=resolution.pk).update(updated_at=statement.updated_at)
    first = client.get("/api/v1/resolutions/2397/")
    since = {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]}
    assert client.get("/api/v1/resolutions/2397/", **since).status_code == 304
    Statement.objects.filter(pk=statement.pk).update(
        title="Renamed", updated_at=statement.updated_at + dt.timedelta(minutes=5)
    )
    changed = client.get("/api/v1/resolutions/2397/", **since)
    assert changed.status_code == 200
    assert changed.json()["citing_paragraphs"][0]["statement_title"] == "Renamed"
    later = statement.updated_at + dt.timedelta(minutes=5)
    assert changed["Last-Modified"] == http_date(later.timestamp())
    # The paragraph's own change, later still, is the later of the two.
    Paragraph.objects.filter(statement=statement).update(updated_at=later + dt.timedelta(hours=1))
    edited = client.get("/api/v1/resolutions/2397/")
    assert edited["Last-Modified"] == http_date((later + dt.timedelta(hours=1)).timestamp())


@pytest.mark.parametrize("url", ["/api/v1/meetings/", "/api/v1/meetings/abe-guterres/"])
@pytest.mark.parametrize(
    ("meeting_at", "participant_at"),
    [
        # The later of the two, to the microsecond and across a day, a month and a year:
        # the times are compared as the database writes them.
        ("2024-12-31T23:59:59.999999", "2025-01-01T00:00:00"),
        ("2025-01-01T00:00:00", "2024-12-31T23:59:59.999999"),
        ("2025-03-09T10:00:00.5", "2025-03-09T10:00:00.25"),
        ("2025-03-09T09:59:59", "2025-03-09T10:00:00.000001"),
    ],
)
def test_a_meeting_is_modified_when_it_or_a_participant_is(
    client, meetings, url, meeting_at, participant_at
):
    new_york, tokyo, _ = meetings
    utc = dt.UTC
    meeting_time = dt.datetime.fromisoformat(meeting_at).replace(tzinfo=utc)
    participant_time = dt.datetime.fromisoformat(participant_at).replace(tzinfo=utc)
    older = dt.datetime(2020, 1, 1, tzinfo=utc)
    Meeting.objects.filter(pk__in=[new_york.pk, tokyo.pk]).update(updated_at=older)
    Participant.objects.filter(meeting__in=[new_york, tokyo]).update(updated_at=older)
    Meeting.objects.filter(pk=new_york.pk).update(updated_at=meeting_time)
    Participant.objects.filter(meeting=new_york, position=2).update(updated_at=participant_time)
    response = client.get(url)
    assert response.status_code == 200
    newest = max(meeting_time, participant_time)
    assert response["Last-Modified"] == http_date(newest.timestamp())


def test_anonymous_reads_are_publicly_cacheable_and_editors_reads_private(client, editor):
    StatementFactory()
    anonymous = client.get("/api/v1/statements/")
    assert "public" in anonymous["Cache-Control"]
    assert "max-age=300" in anonymous["Cache-Control"]
    assert "Authorization" in anonymous["Vary"]
    client.force_authenticate(editor)
    private = client.get("/api/v1/statements/")
    assert "private" in private["Cache-Control"]
    assert "public" not in private["Cache-Control"]


def test_cors_is_open_for_anonymous_reads_only(client):
    StatementFactory()
    response = client.get("/api/v1/statements/", HTTP_ORIGIN="https://news.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        "/api/v1/statements/",
        HTTP_ORIGIN="https://news.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert "authorization" not in preflight.get("Access-Control-Allow-Headers", "")
    page = client.get("/", HTTP_ORIGIN="https://news.example")
    assert "Access-Control-Allow-Origin" not in page


def test_anonymous_clients_are_throttled_with_retry_after(client, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    for _ in range(3):
        assert client.get("/api/v1/resolutions/").status_code == 200
    response = client.get("/api/v1/resolutions/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"


def test_a_throttle_history_kept_as_a_list_still_counts(client, monkeypatch):
    # DRF's own throttle kept a list; the site's packs the times, and reads either.
    import time

    from django.core.cache import cache
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    cache.set("throttle_anon_127.0.0.1", [time.time() - 1, time.time() - 2], 60)
    assert client.get("/api/v1/resolutions/").status_code == 200
    assert len(cache.get("throttle_anon_127.0.0.1")) == 3
    assert client.get("/api/v1/resolutions/").status_code == 429


def test_editors_are_not_throttled(client, editor, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "1/minute")
    client.force_authenticate(editor)
    assert [client.get("/api/v1/resolutions/").status_code for _ in range(3)] == [200] * 3


@pytest.mark.parametrize(
    ("method", "url", "status_code", "code"),
    [
        ("get", "/api/v1/no-such-thing/", 404, "not_found"),
        ("get", "/api/v1/resolutions/abc/", 404, "not_found"),
        ("get", "/api/v1/statements/no-such-statement/", 404, "not_found"),
        ("post", "/api/v1/paragraphs/", 405, "method_not_allowed"),
        ("delete", "/api/v1/statements/", 405, "method_not_allowed"),
    ],
)
def test_errors_are_json_with_one_shape(client, editor, method, url, status_code, code):
    client.force_authenticate(editor)
    response = getattr(client, method)(url)
    assert response.status_code == status_code
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status_code
    assert body["code"] == code
    assert body["detail"]


def test_pages_outside_the_api_keep_django_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


# --- Export ------------------------------------------------------------------------------


def test_export_streams_every_published_statement_with_its_paragraphs(client):
    for day in range(1, 4):
        statement_with(
            [(1, f"Day {day}.", []), (2, "Resolution 2397.", [2397])],
            slug=f"d{day}",
            date=dt.date(2017, 1, day),
        )
    StatementFactory(slug="draft", status=Statement.Status.DRAFT)
    response = client.get("/api/v1/export/statements.jsonl")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("application/jsonl")
    lines = b"".join(response.streaming_content).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["slug"] for r in records] == ["d1", "d2", "d3"]
    assert [p["text"] for p in records[0]["paragraphs"]] == ["Day 1.", "Resolution 2397."]
    assert records[0]["paragraphs"][1]["cited_resolutions"] == [2397]


def test_export_rejects_query_parameters(client):
    response, body = get(client, "/api/v1/export/statements.jsonl", year="2017")
    assert response.status_code == 400
    assert list(body["errors"]) == ["year"]


# --- Query counts ------------------------------------------------------------------------


def build_archive(count: int) -> None:
    """`count` published statements, each with a meeting (two participants) and
    1 to 4 paragraphs, each citing resolutions; plus drafts that must not show."""
    resolutions = [ResolutionFactory(number=n) for n in (2270, 2321, 2375, 2397)]
    for i in range(count):
        statement = Statement.objects.create(
            slug=f"s-{count}-{i}",
            title=f"Statement {i}",
            date=dt.date(2017, 1, 1) + dt.timedelta(days=i % 365),
            status=Statement.Status.PUBLISHED if i % 10 else Statement.Status.DRAFT,
        )
        meeting = Meeting.objects.create(
            slug=f"m-{count}-{i}", title=f"Meeting {i}", date=dt.date(2017, 1, 1)
        )
        Participant.objects.create(meeting=meeting, name="Shinzo Abe", position=1)
        Participant.objects.create(meeting=meeting, name="António Guterres", position=2)
        statement.meetings.add(meeting)
        paragraphs = Paragraph.objects.bulk_create(
            Paragraph(statement=statement, position=p, number=p, text=f"Paragraph {p}.")
            for p in range(1, 2 + i % 4)
        )
        for paragraph in paragraphs:
            paragraph.resolutions.add(*resolutions[: 1 + paragraph.position % 4])


LIST_URLS = {
    # count, the page, its cited resolution numbers (statements), meetings; a search
    # reads its newest matching paragraphs (and titles, for statements), and a
    # resolution's key, instead of a count
    "/api/v1/statements/?page_size=100": 4,
    "/api/v1/statements/?page_size=100&resolution=2397&year=2017": 4,
    "/api/v1/statements/?page_size=100&q=paragraph": 5,
    "/api/v1/statements/?page_size=100&q=paragraph+or+statement&resolution=2397&year=2017": 6,
    "/api/v1/paragraphs/?page_size=100": 3,
    "/api/v1/paragraphs/?page_size=100&q=paragraph&resolution=2397": 4,
    "/api/v1/resolutions/": 2,
    # count, page, participants, reporting statements (their slugs)
    "/api/v1/meetings/?page_size=100": 4,
    "/api/v1/meetings/?page_size=100&participant=antonio": 4,
}
DETAIL_URLS = {
    # the statement, its paragraphs with their citations, its meetings, its public notes
    "/api/v1/statements/s-{count}-1/": 4,
    "/api/v1/resolutions/2397/": 2,  # the resolution, its citing paragraphs with theirs
    "/api/v1/meetings/m-{count}-1/": 3,  # the meeting, participants, reporting statements
}


@pytest.mark.parametrize("count", [3, 300])
def test_reads_run_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    build_archive(count)
    for url, queries in [*LIST_URLS.items(), *DETAIL_URLS.items()]:
        with django_assert_num_queries(queries):
            response = client.get(url.format(count=count))
        assert response.status_code == 200, (url, response.content)
        # An empty page would skip the prefetches and prove nothing.
        assert response.json().get("results") != [], url
    full_page = client.get("/api/v1/statements/?page_size=100").json()["results"]
    assert len(full_page) == min(100, Statement.objects.published().count())


def test_export_queries_grow_with_chunks_not_rows(client, django_assert_max_num_queries):
    build_archive(300)
    # the statements, then three queries per chunk of 100 of them: their paragraphs with
    # the paragraphs' citations, their meetings and their change notes
    with django_assert_max_num_queries(1 + 3 * 3):
        response = client.get("/api/v1/export/statements.jsonl")
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == Statement.objects.published().count() == 270


@pytest.mark.parametrize("query", ["S/RES/2397", "S/RES/2397 (2017)", "resolution 2397"])
def test_a_statement_search_naming_a_resolution_lists_the_statements_citing_it(client, query):
    r2397 = ResolutionFactory(number=2397)
    citing = StatementFactory(slug="citing", date=dt.date(2018, 1, 5))
    ParagraphFactory(statement=citing, position=1, text="On the sanctions.").resolutions.add(r2397)
    mentioning = StatementFactory(slug="mentioning", date=dt.date(2018, 2, 5))
    ParagraphFactory(statement=mentioning, position=1, text="The year 2397 is far off.")
    draft = StatementFactory(slug="draft", status="draft")
    ParagraphFactory(statement=draft, position=1, text="Draft.").resolutions.add(r2397)
    response, body = get(client, "/api/v1/statements/", q=query)
    assert response.status_code == 200, body
    assert slugs(body) == ["citing"] and body["count"] == 1 and body["more"] is False
    # Combined with the other filters, as the resolution filter is.
    _, body = get(client, "/api/v1/statements/", q=query, year=2017)
    assert slugs(body) == []
    # A bare number is text; a symbol nothing cites is its number searched as text.
    _, body = get(client, "/api/v1/statements/", q="2397")
    assert slugs(body) == ["mentioning"]
    _, body = get(client, "/api/v1/statements/", q="S/RES/2398")
    assert slugs(body) == []


def test_speaker_and_participant_filters_take_a_person_and_reach_every_spelling(client):
    kono = PersonFactory(name="Taro Kono", slug="taro-kono")
    StatementFactory(slug="printed-1", speaker="Foreign Minister Taro Kono", person=kono)
    StatementFactory(slug="printed-2", speaker="KONO Taro", person=kono)
    StatementFactory(slug="other", speaker="Minister Kono")  # not linked: text only
    by_slug = client.get("/api/v1/statements/", {"speaker": "taro-kono"}).json()
    assert {s["slug"] for s in by_slug["results"]} == {"printed-1", "printed-2"}
    by_name = client.get("/api/v1/statements/", {"speaker": "Taro Kono"}).json()
    assert {s["slug"] for s in by_name["results"]} == {"printed-1", "printed-2"}
    by_text = client.get("/api/v1/statements/", {"speaker": "kono"}).json()
    assert by_text["count"] == 3
    meeting = MeetingFactory(slug="met")
    meeting.statements.add(StatementFactory())
    ParticipantFactory(meeting=meeting, name="ABE Shinzo", person=PersonFactory(slug="shinzo-abe"))
    met = client.get("/api/v1/meetings/", {"participant": "shinzo-abe"}).json()
    assert [m["slug"] for m in met["results"]] == ["met"]
    assert client.get("/api/v1/meetings/", {"participant": "abe shinzo"}).json()["count"] == 1


def test_the_browsable_api_fills_an_editors_forms_with_the_record(editor_client):
    statement = StatementFactory(slug="prefilled", title="A title to edit")
    page = editor_client.get("/api/v1/statements/prefilled/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    forms = re.findall(r'<textarea[^>]*name="_content"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert forms and all(statement.title in form for form in forms)


def test_details_compile_no_sql_once_each_kind_was_read(client, django_assert_num_queries):
    """A detail reads its record and relations from SQL compiled once per process
    (``compiled_rows``): another statement, meeting or resolution builds no query."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    meetings = [MeetingFactory(), MeetingFactory()]
    withdrawn = {"status": Statement.Status.WITHDRAWN, "withdrawn_note": "Superseded."}
    statements = [StatementFactory(), StatementFactory(**withdrawn)]
    statements[0].meetings.add(*meetings)
    for statement in statements:
        ParagraphFactory(statement=statement).resolutions.add(ResolutionFactory())
    pairs = [
        [f"/api/v1/statements/{s.slug}/" for s in statements],
        [f"/api/v1/meetings/{m.slug}/" for m in meetings],
        [f"/api/v1/resolutions/{r.number}/" for r in Resolution.objects.order_by("number")],
    ]
    for urls in pairs:
        assert client.get(urls[0]).status_code == 200
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        answers = [client.get(urls[1]) for urls in pairs]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert compiling.call_count == 0
    assert answers[0].json()["status"] == "withdrawn"
    assert answers[1].json()["statements"] == [statements[0].slug]


def test_a_detail_asked_with_filters_is_still_filtered_and_checked(client):
    statement = StatementFactory(date=dt.date(2017, 12, 23))
    url = f"/api/v1/statements/{statement.slug}/"
    assert client.get(url, {"year": 2017}).status_code == 200
    assert client.get(url, {"year": 2016}).status_code == 404
    response, body = get(client, url, bogus="1")
    assert response.status_code == 400 and list(body["errors"]) == ["bogus"]
    response, body = get(client, "/api/v1/statements/no-such-statement/")
    assert (response.status_code, body["detail"]) == (
        404,
        "No Statement matches the given query.",
    )


def test_editors_open_drafts_and_unreported_meetings_by_their_detail(client, editor):
    draft = StatementFactory(status=Statement.Status.DRAFT)
    meeting = MeetingFactory()  # reported by no published statement
    urls = [f"/api/v1/statements/{draft.slug}/", f"/api/v1/meetings/{meeting.slug}/"]
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_authenticate(editor)
    assert [client.get(url).status_code for url in urls] == [200, 200]


def test_an_archive_without_resolutions_lists_none_and_counts_zero(client, db):
    """The count compiled once is an aggregate over the table: one row, 0, even of none."""
    body = client.get("/api/v1/resolutions/").json()
    assert (body["count"], body["results"]) == (0, [])


def test_an_unfiltered_page_of_a_list_is_read_from_sql_compiled_once(client):
    """With no filter, a list's page is read from SQL compiled once per page: a later
    request compiles nothing, and still lists what was added since."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    statements = []
    for n in range(3):
        statement = StatementFactory(date=dt.date(2017, 1, 1 + n))
        statements.append(statement)
        statement.meetings.add(MeetingFactory(date=dt.date(2017, 1, 1 + n)))
        ParagraphFactory(statement=statement).resolutions.add(ResolutionFactory())
    urls = [f"/api/v1/{kind}/?page_size=2" for kind in ("statements", "meetings", "resolutions")]
    before = [client.get(url).json()["results"] for url in urls]
    newest = StatementFactory(date=dt.date(2018, 1, 1))
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        after = [client.get(url).json()["results"] for url in urls]
    assert compiling.call_count == 0
    assert [r["slug"] for r in after[0]] == [newest.slug, before[0][0]["slug"]]
    ResolutionFactory()  # counted, as the count is read afresh
    assert client.get(urls[2]).json()["count"] == 4 == Resolution.objects.count()
    assert after[1:] == before[1:]
    second = client.get("/api/v1/statements/?page=2&page_size=2").json()["results"]
    assert [r["slug"] for r in second] == [statements[1].slug, statements[0].slug]
