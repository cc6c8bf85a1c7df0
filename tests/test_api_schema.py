"""The OpenAPI schema: valid, complete, served with local documentation, and true to the
API it describes (schemathesis fuzzes every read operation against it)."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import AnonRateThrottle
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mofa_site.wsgi import application
from statements.models import TIMEZONE_NAMES
from statements.search import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db

EXPECTED_FILTERS = {
    "/api/v1/statements/": {
        "date_after", "date_before", "year", "kind", "speaker", "resolution", "meeting",
        "q", "status", "ordering", "page", "page_size",
    },
    "/api/v1/paragraphs/": {"statement", "resolution", "q", "ordering", "page", "page_size"},
    "/api/v1/resolutions/": {
        "adopted_after", "adopted_before", "cited", "ordering", "page", "page_size",
    },
    "/api/v1/meetings/": {
        "date_after", "date_before", "participant", "location", "kind", "ordering", "page",
        "page_size",
    },
}  # fmt: skip


def test_the_schema_validates_without_warnings(tmp_path):
    output = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(output))
    assert "/api/v1/statements/{slug}/" in output.read_text()


def test_the_schema_documents_every_filter_with_its_type(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, expected in EXPECTED_FILTERS.items():
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert set(parameters) == expected, path
        assert all(p["schema"].get("type") for p in parameters.values()), path
    statements = {p["name"]: p for p in schema["paths"]["/api/v1/statements/"]["get"]["parameters"]}
    assert statements["date_after"]["schema"] == {"type": "string", "format": "date"}
    assert statements["resolution"]["schema"]["type"] == "integer"
    assert statements["kind"]["schema"]["enum"] == [
        "meeting_summary", "other", "press_release", "statement",
    ]  # fmt: skip
    for path in ("/api/v1/statements/", "/api/v1/paragraphs/"):
        search = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}["q"]
        assert search["schema"] == {
            "type": "string",
            "maxLength": MAX_QUERY_LENGTH,
            "example": "abductions",
        }
        assert "Full-text search" in search["description"] and "accents" in search["description"]
    resolutions = schema["paths"]["/api/v1/resolutions/"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["type"] for p in resolutions}["cited"] == "boolean"
    assert "/api/v1/export/statements.jsonl" in schema["paths"]
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["status", "code", "detail"]


def test_the_time_zone_is_one_of_the_names_the_admin_offers(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    zone = components["MeetingRequest"]["properties"]["timezone"]
    names = {
        name for ref in zone["oneOf"] for name in components[ref["$ref"].rsplit("/", 1)[1]]["enum"]
    }
    assert names == {"", *TIMEZONE_NAMES}
    assert components["TimezoneEnum"]["enum"] == list(TIMEZONE_NAMES)


def test_the_documentation_is_served_from_local_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    redoc = client.get("/api/docs/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/" in redoc


# --- Fuzzing ------------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
CHECKS = [not_a_server_error := schemathesis.checks.not_a_server_error, status_code_conformance,
          content_type_conformance, response_schema_conformance]  # fmt: skip


# A bounded number of examples per operation keeps the suite fast.
fuzzing = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def unthrottled(monkeypatch):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "100000/minute")


@pytest.fixture
def keep_test_connection():
    """The raw WSGI app closes "old" connections around each request, which on PostgreSQL
    closes the test's transaction; Django's test client disconnects the same handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.include(method="GET").parametrize()
@fuzzing
def test_read_operations_conform_to_the_schema(case, seeded, unthrottled, keep_test_connection):
    case.call_and_validate(checks=CHECKS)


@pytest.fixture
def editor_token(db):
    from rest_framework.authtoken.models import Token

    from tests.factories import UserFactory
    from tests.test_api import EDITOR_PERMISSIONS

    return Token.objects.create(user=UserFactory(permissions=EDITOR_PERMISSIONS)).key


@schema.exclude(method="GET").parametrize()
@fuzzing
def test_editors_writes_conform_to_the_schema(case, seeded, editor_token, keep_test_connection):
    """Writes with an editor's token: whatever the body, a 2xx or a documented 4xx, never
    a 5xx."""
    case.call_and_validate(headers={"Authorization": f"Token {editor_token}"}, checks=CHECKS)
