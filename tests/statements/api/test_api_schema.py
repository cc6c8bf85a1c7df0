"""The OpenAPI schema: valid, complete, served with local documentation, and true to the
API it describes (schemathesis runs every check against gunicorn in production mode)."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from statements.models import TIMEZONE_NAMES
from statements.search import MAX_QUERY_LENGTH
from tests.paths import ROOT

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
            "pattern": "^[^\\u0000]*$",
        }
        assert "Full-text search" in search["description"] and "accents" in search["description"]
    resolutions = schema["paths"]["/api/v1/resolutions/"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["type"] for p in resolutions}["cited"] == "boolean"
    assert "/api/v1/export/statements.jsonl" in schema["paths"]
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["status", "code", "detail"]


def test_the_time_zone_is_described_as_the_list_the_admin_offers(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    zone = schema["components"]["schemas"]["MeetingRequest"]["properties"]["timezone"]
    assert zone["maxLength"] == max(len(name) for name in TIMEZONE_NAMES)
    assert "available_timezones()" in zone["description"]


def test_the_documentation_is_served_from_local_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    redoc = client.get("/api/docs/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/" in redoc


@pytest.mark.parametrize(("accept", "suffix"), [("", "yaml"), ("application/json", "json")])
def test_the_schema_downloads_under_a_file_name_browsers_keep(client, accept, suffix):
    response = client.get("/api/schema/", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="mofa-un-archive-api.{suffix}"'


@pytest.mark.django_db
def test_the_api_root_links_the_collections_the_export_the_docs_and_the_schema(client):
    body = client.get("/api/v1/", headers={"Accept": "application/json"}).json()
    assert body == {
        "statements": "http://testserver/api/v1/statements/",
        "paragraphs": "http://testserver/api/v1/paragraphs/",
        "resolutions": "http://testserver/api/v1/resolutions/",
        "meetings": "http://testserver/api/v1/meetings/",
        "export": "http://testserver/api/v1/export/statements.jsonl",
        "docs": "http://testserver/api/docs/",
        "schema": "http://testserver/api/schema/",
    }
    for url in body.values():
        assert client.head(url).status_code == 200, url


def test_the_schema_describes_what_the_api_does(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    statements = schema["paths"]["/api/v1/statements/"]
    # Reads need no credentials; writes do.
    assert {} in statements["get"]["security"]
    assert {} not in statements["post"]["security"]
    # The version is required on update, in a PATCH too.
    components = schema["components"]["schemas"]
    assert "version" in components["PatchedStatementUpdateRequest"]["required"]
    assert "version" in components["StatementUpdateRequest"]["required"]
    assert "version" not in components["StatementWriteRequest"]["required"]
    # An empty parameter is not given; free text may not hold NUL (a 400).
    parameters = {p["name"]: p for p in statements["get"]["parameters"]}
    assert all(p["allowEmptyValue"] for p in parameters.values())
    assert parameters["speaker"]["schema"]["pattern"] == "^[^\\u0000]*$"
    # Written URLs are http(s) with URI characters only; reads promise a URI.
    written = components["ResolutionRequest"]["properties"]["document_url"]["oneOf"][0]
    assert written["pattern"].startswith("^https?://")
    read = components["Resolution"]["properties"]["document_url"]["oneOf"][0]
    assert read["format"] == "uri" and "pattern" not in read
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert "400" in operation["responses"], (method, path)


def test_empty_query_parameters_count_as_not_given(client, seeded):
    everything = client.get("/api/v1/statements/").json()
    emptied = client.get(
        "/api/v1/statements/?date_after=&kind=&year=&q=&page=&page_size=&ordering="
    )
    assert emptied.status_code == 200
    assert emptied.json() == everything
    assert client.get("/api/v1/resolutions/?cited=&adopted_before=").status_code == 200
    assert client.get("/api/v1/statements/?date_after=soon").status_code == 400


# --- Fuzzing: schemathesis, every check, against gunicorn in production mode ---------------

BIN = Path(sys.executable).parent
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "5")


def free_port() -> int:
    for port in range(8630, 8640):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free loopback port in 8630-8639")


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn with production settings over a scratch SQLite database, migrated,
    seeded, with an editor's token: what `make serve` runs, on a free loopback port."""
    scratch = tmp_path_factory.mktemp("schemathesis")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="mofa_site.settings",
        DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}",
        API_ANON_RATE="100000/minute",
    )
    manage = [sys.executable, "manage.py"]
    # As `make serve` does: production's 404 and 500 pages link the hashed static files.
    env["DJANGO_STATIC_ROOT"] = str(scratch / "static")
    for command in (["migrate", "--noinput"], ["seed"], ["collectstatic", "--noinput"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    editor = (
        "from django.contrib.auth.models import Permission, User;"
        "from rest_framework.authtoken.models import Token;"
        "from tests.statements.api.test_api import EDITOR_PERMISSIONS;"
        "user = User.objects.create_user('fuzz-editor');"
        "user.user_permissions.set(Permission.objects.filter(codename__in="
        "[p.split('.')[1] for p in EDITOR_PERMISSIONS]));"
        "print(Token.objects.create(user=user).key)"
    )
    token = subprocess.run(
        [*manage, "shell", "-c", editor], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    ).stdout.split()[-1]  # fmt: skip
    port = free_port()
    log = scratch / "gunicorn.log"
    server = subprocess.Popen(
        [BIN / "gunicorn", "--config", "mofa_site/gunicorn.conf.py", f"--error-logfile={log}"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("side", ["reads", "writes"])
def test_schemathesis_finds_nothing_with_every_check(production_server, side):
    """`schemathesis run --checks all`, every phase: reads anonymous, writes with an
    editor's token. schemathesis.toml explains the one setting it reads. One worker:
    with two threads, hypothesis's lambda descriptions hit CPython 3.11's "AST
    constructor recursion depth mismatch" (a race in ast.parse), an internal error."""
    base, token = production_server
    selection = (
        ["--include-method", "GET"]
        if side == "reads"
        else ["--exclude-method", "GET", "-H", f"Authorization: Token {token}"]
    )
    # A failure prints its seed; SCHEMATHESIS_SEED=<seed> replays that run.
    seed = ["--seed", os.environ["SCHEMATHESIS_SEED"]] if "SCHEMATHESIS_SEED" in os.environ else []
    result = subprocess.run(
        [
            BIN / "schemathesis", "run", f"{base}/api/schema/?format=json", "--checks", "all",
            "--max-examples", EXAMPLES, "--workers", "1", "--no-color", *selection, *seed,
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_reads_answer_the_fields_the_schema_describes_in_its_order(client, seeded):
    """The reads build their answers without the serializers (statements/api/
    representations.py); the serializers describe them in the schema, field for field."""
    from statements.api import serializers as s
    from statements.models import Meeting, Resolution, Statement

    statement = Statement.objects.published().order_by("pk").first()
    resolution = Resolution.objects.cited().order_by("pk").first()
    meeting = Meeting.objects.published().order_by("pk").first()
    answers = {
        "/api/v1/statements/": ("results", s.StatementListSerializer),
        f"/api/v1/statements/{statement.slug}/": (None, s.StatementDetailSerializer),
        "/api/v1/paragraphs/": ("results", s.ParagraphSerializer),
        "/api/v1/resolutions/": ("results", s.ResolutionSerializer),
        f"/api/v1/resolutions/{resolution.number}/": (None, s.ResolutionDetailSerializer),
        "/api/v1/meetings/": ("results", s.MeetingSerializer),
        f"/api/v1/meetings/{meeting.slug}/": (None, s.MeetingSerializer),
    }
    nested = {
        "paragraphs": s.StatementParagraphSerializer,
        "change_notes": s.ChangeNoteSerializer,
        "citing_paragraphs": s.ParagraphSerializer,
        "participants": s.ParticipantSerializer,
    }
    for url, (key, serializer) in answers.items():
        body = client.get(url).json()
        record = body[key][0] if key else body
        assert list(record) == list(serializer().fields), url
        for name, inner in nested.items():
            if record.get(name):
                fields = [f for f, field in inner().fields.items() if not field.write_only]
                assert list(record[name][0]) == fields, (url, name)
