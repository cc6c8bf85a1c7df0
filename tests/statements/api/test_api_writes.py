"""The write side of the REST API: permissions, nested paragraphs, validation like the
admin, recomputed citations, history, and the optimistic lock."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from reversion.models import Version

from statements.models import Meeting, Paragraph, Resolution, Statement
from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    ResolutionFactory,
    StatementFactory,
    UserFactory,
)
from tests.statements.api.test_api import EDITOR_PERMISSIONS

pytestmark = pytest.mark.django_db


def statement_payload(**overrides) -> dict:
    payload = {
        "slug": "2017-12-23-statement-on-2397",
        "title": "Statement on the adoption of UN Security Council Resolution 2397",
        "kind": "statement",
        "date": "2017-12-23",
        "status": "draft",
        "paragraphs": [
            {"number": None, "text": "Japan welcomes the adoption."},
            {"number": 1, "text": "Resolution 2397 follows resolutions 2371 and 2375."},
            {"number": 2, "text": "Japan will work with the international community."},
        ],
    }
    return {**payload, **overrides}


@pytest.fixture
def editor_client():
    client = APIClient()
    client.force_authenticate(UserFactory(username="editor", permissions=EDITOR_PERMISSIONS))
    return client


# --- Permissions matrix ------------------------------------------------------------------

USERS = {
    "anonymous": None,
    "reader": [],
    "viewer": ["statements.view_statement", "statements.view_resolution"],
    "editor": EDITOR_PERMISSIONS,
    "superuser": "superuser",
}
EXPECTED = {
    # (user, method): status for statement writes
    "anonymous": {"post": 401, "put": 401, "patch": 401, "delete": 401},
    "reader": {"post": 403, "put": 403, "patch": 403, "delete": 403},
    "viewer": {"post": 403, "put": 403, "patch": 403, "delete": 403},
    "editor": {"post": 201, "put": 200, "patch": 200, "delete": 204},
    "superuser": {"post": 201, "put": 200, "patch": 200, "delete": 204},
}


def client_for(user_kind: str) -> APIClient:
    client = APIClient()
    permissions = USERS[user_kind]
    if permissions == "superuser":
        client.force_authenticate(UserFactory(username="root", is_superuser=True))
    elif permissions is not None:
        client.force_authenticate(UserFactory(username=user_kind, permissions=permissions))
    return client


@pytest.mark.parametrize("user_kind", list(USERS))
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_statement_write_permissions(user_kind, method):
    statement = StatementFactory(slug="existing")
    ParagraphFactory(statement=statement, text="Existing paragraph.")
    client = client_for(user_kind)
    if method == "post":
        response = client.post("/api/v1/statements/", statement_payload(), format="json")
    elif method == "delete":
        response = client.delete("/api/v1/statements/existing/")
    else:
        payload = statement_payload(slug="existing", version=1)
        response = getattr(client, method)("/api/v1/statements/existing/", payload, format="json")
    assert response.status_code == EXPECTED[user_kind][method], response.content
    if response.status_code >= 400:
        assert response.json()["status"] == response.status_code
        assert Statement.objects.get().title == statement.title


@pytest.mark.parametrize("user_kind", list(USERS))
@pytest.mark.parametrize(
    ("method", "url", "payload", "editor_status"),
    [
        ("post", "/api/v1/resolutions/", {"number": 2400, "vote": "15-0-0"}, 201),
        ("patch", "/api/v1/resolutions/2397/", {"title": "DPRK"}, 200),
        ("delete", "/api/v1/resolutions/2397/", None, 204),
        ("post", "/api/v1/meetings/", {"slug": "new", "title": "New", "date": "2017-01-01",
                                       "timezone": "Asia/Tokyo", "participants": []}, 201),
        ("patch", "/api/v1/meetings/m/", {"location": "Tokyo"}, 200),
        ("delete", "/api/v1/meetings/m/", None, 204),
    ],
)  # fmt: skip
def test_resolution_and_meeting_write_permissions(user_kind, method, url, payload, editor_status):
    ResolutionFactory(number=2397)
    StatementFactory().meetings.add(MeetingFactory(slug="m"))
    response = getattr(client_for(user_kind), method)(url, payload, format="json")
    expected = {"anonymous": 401, "reader": 403, "viewer": 403}.get(user_kind, editor_status)
    assert response.status_code == expected, response.content


# --- Statements --------------------------------------------------------------------------


def test_creating_a_statement_writes_paragraphs_citations_and_history(editor_client):
    response = editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["status"] == "draft"
    assert body["version"] == 1
    assert [(p["position"], p["number"]) for p in body["paragraphs"]] == [
        (1, None),
        (2, 1),
        (3, 2),
    ]
    assert body["paragraphs"][1]["cited_resolutions"] == [2371, 2375, 2397]
    assert body["cited_resolutions"] == [2371, 2375, 2397]
    assert Resolution.objects.filter(number__in=[2371, 2375, 2397]).count() == 3
    statement = Statement.objects.get(slug=body["slug"])
    versions = Version.objects.get_for_object(statement)
    assert len(versions) == 1
    assert versions[0].revision.user.username == "editor"


def test_publishing_through_the_api_stamps_the_publication(editor_client):
    response = editor_client.post(
        "/api/v1/statements/", statement_payload(status="published"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["published_at"] is not None
    listed = APIClient().get("/api/v1/statements/").json()
    assert [s["slug"] for s in listed["results"]] == ["2017-12-23-statement-on-2397"]


def test_updating_replaces_paragraphs_recomputes_citations_and_bumps_the_version(editor_client):
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    url = "/api/v1/statements/2017-12-23-statement-on-2397/"
    payload = statement_payload(
        version=1,
        title="Statement by the Foreign Minister",
        paragraphs=[{"number": 1, "text": "Only resolution 2375 now."}],
    )
    response = editor_client.put(url, payload, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["title"] == "Statement by the Foreign Minister"
    assert [p["text"] for p in body["paragraphs"]] == ["Only resolution 2375 now."]
    assert body["cited_resolutions"] == [2375]
    assert Paragraph.objects.count() == 1
    statement = Statement.objects.get()
    assert len(Version.objects.get_for_object(statement)) == 2


def test_a_partial_update_keeps_the_paragraphs(editor_client):
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    response = editor_client.patch(
        "/api/v1/statements/2017-12-23-statement-on-2397/",
        {"version": 1, "speaker": "Foreign Minister Taro Kono"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["speaker"] == "Foreign Minister Taro Kono"
    assert len(response.json()["paragraphs"]) == 3


def test_a_stale_version_is_a_409_with_the_current_version(editor_client):
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    url = "/api/v1/statements/2017-12-23-statement-on-2397/"
    first = editor_client.patch(url, {"version": 1, "speaker": "Kono"}, format="json")
    assert first.status_code == 200
    stale = editor_client.patch(url, {"version": 1, "speaker": "Kishida"}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["status"] == 409
    assert body["code"] == "stale_version"
    assert body["current_version"] == 2
    assert Statement.objects.get().speaker == "Kono"


def test_an_update_without_a_version_is_refused(editor_client):
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    response = editor_client.patch(
        "/api/v1/statements/2017-12-23-statement-on-2397/", {"speaker": "Kono"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


def tomorrow() -> str:
    """Tomorrow wherever the clock stands (the rule counts in Japan's date, UTC+9)."""
    return (timezone.now() + dt.timedelta(days=2)).date().isoformat()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"paragraphs": [{"number": 1, "text": "A."}, {"number": 1, "text": "B."}]},
         "paragraphs", "used twice"),
        ({"paragraphs": [{"position": 1, "text": "A."}, {"position": 3, "text": "B."}]},
         "paragraphs", "without gaps"),
        ({"paragraphs": [{"position": 1, "text": "A."}, {"text": "B."}]},
         "paragraphs", "a position, or none"),
        ({"paragraphs": [{"number": 0, "text": "A."}]}, "paragraphs", "greater than or equal"),
        ({"paragraphs": [{"text": "   "}]}, "paragraphs", "may not be blank"),
        ({"paragraphs": [], "status": "published"}, "paragraphs", "at least one paragraph"),
        ({"date": tomorrow()}, "date", "in the future"),
        ({"date": "2017-02-30"}, "date", "Date has wrong format"),
        ({"kind": "speech"}, "kind", "not a valid choice"),
        ({"status": "withdrawn"}, "withdrawn_note", "public explanation"),
        ({"meetings": ["no-such-meeting"]}, "meetings", "does not exist"),
        ({"slug": "not a slug"}, "slug", 'valid "slug"'),
    ],
)  # fmt: skip
def test_invalid_statements_are_refused_naming_the_field(editor_client, overrides, field, message):
    response = editor_client.post(
        "/api/v1/statements/", statement_payload(**overrides), format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert message in str(body["errors"][field])
    assert not Statement.objects.exists()


def test_a_duplicate_slug_is_refused(editor_client):
    StatementFactory(slug="2017-12-23-statement-on-2397")
    response = editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["slug"]


def test_unpublishing_the_last_paragraph_of_a_published_statement_is_refused(editor_client):
    editor_client.post("/api/v1/statements/", statement_payload(status="published"), format="json")
    response = editor_client.patch(
        "/api/v1/statements/2017-12-23-statement-on-2397/",
        {"version": 1, "paragraphs": []},
        format="json",
    )
    assert response.status_code == 400
    assert "at least one paragraph" in str(response.json()["errors"]["paragraphs"])
    assert Paragraph.objects.count() == 3


def test_deleting_a_statement_keeps_its_history(editor_client):
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    statement = Statement.objects.get()
    response = editor_client.delete(f"/api/v1/statements/{statement.slug}/")
    assert response.status_code == 204
    assert not Statement.objects.exists()
    assert not Paragraph.objects.exists()
    assert Version.objects.get_deleted(Statement).count() == 1


def test_editors_may_link_meetings(editor_client):
    MeetingFactory(slug="unsc-ministerial")
    response = editor_client.post(
        "/api/v1/statements/", statement_payload(meetings=["unsc-ministerial"]), format="json"
    )
    assert response.status_code == 201
    assert response.json()["meetings"] == ["unsc-ministerial"]


def test_malformed_json_is_a_400(editor_client):
    response = editor_client.generic(
        "POST", "/api/v1/statements/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/api/v1/statements/", statement_payload()),
        ("/api/v1/resolutions/", {"number": 2397}),
        (
            "/api/v1/meetings/",
            {"slug": "m", "title": "M", "date": "2017-01-01", "participants": []},
        ),
    ],
)
def test_created_responses_carry_only_str_headers(editor_client, url, payload):
    """The development server (wsgiref) refuses a header value that is not exactly a str,
    such as DRF's Hyperlink: every create answered 500 under `make run`."""
    response = editor_client.post(url, payload, format="json")
    assert response.status_code == 201, response.content
    assert response["Location"] == response.json()["url"]
    for name, value in response.items():
        assert type(name) is str and type(value) is str, (name, type(value))


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        (
            "/api/v1/meetings/",
            {"slug": "m", "title": "M", "date": "2017-01-01",
             "participants": [{"name": "A", "organisation": "\u0085" + "x" * 200}]},
            "participants",
        ),
        ("/api/v1/meetings/", {"slug": "m", "title": " " + "T" * 300, "date": "2017-01-01",
                               "participants": []}, "title"),
        ("/api/v1/statements/", statement_payload(speaker="  " + "S" * 199), "speaker"),
    ],
)  # fmt: skip
def test_a_string_longer_than_the_schema_allows_is_refused_whitespace_included(
    editor_client, url, payload, field
):
    """Schemathesis found it: DRF counted length after trimming, so a string the schema's
    maxLength refuses was stored."""
    response = editor_client.post(url, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


BIG = 2**63  # beyond SQLite's integers and PostgreSQL's bigint: an OverflowError once


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"paragraphs": [{"number": 1}]}, "paragraphs"),
        ({"paragraphs": [{"number": BIG, "text": "A."}]}, "paragraphs"),
        ({"paragraphs": [{"position": BIG, "text": "A."}]}, "paragraphs"),
        ({"paragraphs": [{"number": 2**31, "text": "A."}]}, "paragraphs"),
    ],
)
def test_a_partial_update_checks_each_paragraph_it_sends_in_full(editor_client, change, field):
    """A PATCH replaces the paragraphs it sends, so each needs its text (DRF skips
    required fields everywhere in a partial update), and integers stay in the column."""
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    url = "/api/v1/statements/2017-12-23-statement-on-2397/"
    response = editor_client.patch(url, {**change, "version": 1}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    assert Statement.objects.get().version == 1


def test_paragraphs_sharing_a_position_with_and_without_a_number_are_a_400(editor_client):
    """Found by schemathesis: the order check compared a printed number with None when
    two paragraphs shared a position, and answered 500."""
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    url = "/api/v1/statements/2017-12-23-statement-on-2397/"
    paragraphs = [
        {"position": 1, "number": None, "text": "Un-numbered."},
        {"position": 1, "number": 1, "text": "Numbered."},
    ]
    response = editor_client.patch(url, {"paragraphs": paragraphs, "version": 1}, format="json")
    assert response.status_code == 400, response.content
    assert "share position 1" in response.content.decode()
    assert Statement.objects.get().version == 1


def test_an_out_of_range_version_is_a_400(editor_client):
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    url = "/api/v1/statements/2017-12-23-statement-on-2397/"
    response = editor_client.patch(url, {"version": BIG, "speaker": "Kono"}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["version"]


def test_json_nested_too_deep_is_a_400(editor_client):
    body = "[" * 100_000 + "]" * 100_000
    response = editor_client.generic(
        "POST", "/api/v1/statements/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- Resolutions and meetings ------------------------------------------------------------


def test_editors_record_and_complete_resolutions(editor_client):
    response = editor_client.post(
        "/api/v1/resolutions/",
        {"number": 2397, "adopted_on": "2017-12-22", "vote": "15-0-0"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["symbol"] == "S/RES/2397 (2017)"
    assert response.json()["citation_count"] == 0
    response = editor_client.patch(
        "/api/v1/resolutions/2397/", {"title": "Non-proliferation/DPRK"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Non-proliferation/DPRK"
    assert len(Version.objects.get_for_object(Resolution.objects.get())) >= 1


def test_a_missing_url_reads_as_null_and_null_clears_it(editor_client):
    # An empty string is no URI: the schema promises `format: uri` or null.
    response = editor_client.post(
        "/api/v1/statements/", statement_payload(source_url=""), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["source_url"] is None
    response = editor_client.post("/api/v1/resolutions/", {"number": 1718}, format="json")
    assert response.json()["document_url"] is None
    url = "https://undocs.org/S/RES/1718(2006)"
    response = editor_client.patch("/api/v1/resolutions/1718/", {"document_url": url})
    assert response.json()["document_url"] == url
    response = editor_client.patch("/api/v1/resolutions/1718/", {"document_url": None})
    assert response.status_code == 200, response.content
    assert response.json()["document_url"] is None
    assert Resolution.objects.get(number=1718).document_url == ""


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"number": 0}, "number"),
        ({"number": 10000}, "number"),
        ({"number": 2397, "vote": "unanimous"}, "vote"),
        ({"number": 2397, "adopted_on": tomorrow()}, "adopted_on"),
    ],
)
def test_invalid_resolutions_are_refused(editor_client, payload, field):
    response = editor_client.post("/api/v1/resolutions/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    "url",
    ['https://undocs.org/"><script>alert(1)</script>', "ftp://undocs.org/x",
     "javascript:alert(1)", "http://localhost/x", "https://undocs.org/a b"],
)  # fmt: skip
def test_written_urls_are_http_and_uri_characters_only(editor_client, url):
    """URLValidator let `"><script>` through a path, which then broke `format: uri`."""
    response = editor_client.post(
        "/api/v1/resolutions/", {"number": 2397, "document_url": url}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["document_url"]
    response = editor_client.post(
        "/api/v1/statements/", statement_payload(source_url=url), format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["source_url"]


def meeting_payload(**overrides) -> dict:
    payload = {
        "slug": "abe-guterres",
        "title": "Abe meets Guterres",
        "kind": "bilateral",
        "date": "2017-09-19",
        "start_time": "12:05",
        "timezone": "America/New_York",
        "duration_minutes": 15,
        "location": "New York",
        "participants": [
            {"name": "Shinzo Abe", "role": "Prime Minister"},
            {"name": "António Guterres", "role": "Secretary-General"},
        ],
    }
    return {**payload, **overrides}


def test_editors_record_meetings_with_participants(editor_client):
    response = editor_client.post("/api/v1/meetings/", meeting_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at_japan"] == "2017-09-20T01:05:00+09:00"
    assert [p["name"] for p in body["participants"]] == ["Shinzo Abe", "António Guterres"]
    meeting = Meeting.objects.get()
    assert [p.name_search for p in meeting.participants.all()] == [
        "shinzo abe",
        "antonio guterres",
    ]
    response = editor_client.patch(
        "/api/v1/meetings/abe-guterres/",
        {"participants": [{"name": "Taro Kono"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [p["name"] for p in response.json()["participants"]] == ["Taro Kono"]


def test_editors_record_officials_in_attendance_with_their_country(editor_client):
    official = {
        "name": "Motohide Yoshikawa",
        "role": "Ambassador",
        "organisation": "Japan",
        "in_attendance": True,
    }
    payload = meeting_payload()
    payload["participants"] = [*payload["participants"], official]
    response = editor_client.post("/api/v1/meetings/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["participants"][2] == official
    rows = Meeting.objects.get().participants.values_list("name", "in_attendance")
    assert list(rows) == [
        ("Shinzo Abe", False),
        ("António Guterres", False),
        ("Motohide Yoshikawa", True),
    ]


@pytest.mark.parametrize(
    "participants",
    [[{}], [{"role": "Prime Minister"}], [{"name": "Taro Kono"}, {"organisation": "Japan"}]],
)
def test_a_partial_update_checks_each_participant_it_sends_in_full(editor_client, participants):
    editor_client.post("/api/v1/meetings/", meeting_payload(), format="json")
    response = editor_client.patch(
        "/api/v1/meetings/abe-guterres/", {"participants": participants}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["participants"]
    assert Meeting.objects.get().participants.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "New York"}, "timezone"),
        ({"date": tomorrow()}, "date"),
        ({"participants": [{"name": "Abe"}, {"name": "Abe"}]}, "participants"),
    ],
)
def test_invalid_meetings_are_refused(editor_client, overrides, field):
    response = editor_client.post("/api/v1/meetings/", meeting_payload(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]
    assert not Meeting.objects.exists()


def test_editors_may_read_meetings_no_published_statement_reports(editor_client):
    meeting = MeetingFactory(slug="unreported")
    ParticipantFactory(meeting=meeting)
    assert APIClient().get("/api/v1/meetings/unreported/").status_code == 404
    assert editor_client.get("/api/v1/meetings/unreported/").status_code == 200
