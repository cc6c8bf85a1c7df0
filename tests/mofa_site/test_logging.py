"""Structured logs: one JSON access line per request with its id, errors with their
tracebacks, and never a password, token, cookie or query string."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import path
from pythonjsonlogger.json import JsonFormatter
from rest_framework.authtoken.models import Token

from mofa_site.logging import RequestContextFilter
from tests.conftest import ROOT
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple-9"
WRONG_PASSWORD = "wrong-horse-battery-staple-7"


def broken_view(request):
    raise RuntimeError("the database caught fire")


urlpatterns = [path("broken/", broken_view)]


@pytest.fixture
def log_lines():
    """Everything logged at any level, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestContextFilter())
    loggers = [logging.getLogger(), logging.getLogger("django")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    lines.text = stream.getvalue
    yield lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "mofa.access"]


def test_each_request_gets_one_access_line_with_its_id(client, db, log_lines):
    response = client.get("/statements/?speaker=Kono")
    [line] = access_lines(log_lines())
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert line["method"] == "GET"
    assert line["path"] == "/statements/"
    assert line["status"] == 200
    assert 0 < line["duration_ms"] < 60_000
    assert line["user_id"] is None
    assert line["level"] == "INFO" and "time" in line


def test_a_sane_incoming_request_id_is_kept_and_a_forged_one_replaced(client, db, log_lines):
    kept = client.get("/healthz/live", headers={"X-Request-ID": "lb-7f3a9c:42"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a9c:42"
    forged = client.get("/healthz/live", headers={"X-Request-ID": 'x" level=ERROR\nfake'})
    assert forged.headers["X-Request-ID"] != 'x" level=ERROR\nfake'
    assert len(forged.headers["X-Request-ID"]) == 32
    ids = [line["request_id"] for line in access_lines(log_lines())]
    assert ids == ["lb-7f3a9c:42", forged.headers["X-Request-ID"]]


def test_the_signed_in_users_id_is_logged(client, db, log_lines):
    user = UserFactory(username="editor", is_staff=True)
    client.force_login(user)
    client.get("/admin/")
    assert access_lines(log_lines())[-1]["user_id"] == user.pk


def test_no_password_token_cookie_or_query_string_reaches_the_logs(client, db, log_lines):
    user = UserFactory(username="ayako", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    token = Token.objects.create(user=user)

    client.post("/admin/login/", {"username": "ayako", "password": WRONG_PASSWORD})
    signed_in = client.post(
        "/admin/login/?next=/admin/", {"username": "ayako", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.logout()
    api = client.get(
        "/api/v1/statements/?status=draft&access_token=query-secret-123",
        headers={"Authorization": f"Token {token.key}", "Cookie": "tracker=cookie-secret-456"},
    )
    assert api.status_code == 400  # access_token is not a known parameter
    client.get("/search/?q=x&api_key=query-secret-789")

    text = log_lines.text()
    for secret in (
        PASSWORD,
        WRONG_PASSWORD,
        token.key,
        session_cookie,
        "cookie-secret-456",
        "query-secret-123",
        "query-secret-789",
        "access_token",
    ):
        assert secret not in text
    # The lines are there, with what they should say.
    paths = [(line["method"], line["path"]) for line in access_lines(log_lines())]
    assert ("POST", "/admin/login/") in paths and ("GET", "/api/v1/statements/") in paths
    assert access_lines(log_lines())[1]["user_id"] == user.pk


@pytest.mark.urls("tests.mofa_site.test_logging")
def test_an_error_is_logged_with_its_traceback_and_request_id(client, db, log_lines):
    client.raise_request_exception = False
    response = client.get(
        "/broken/?token=query-secret-000", headers={"Authorization": "Token t0k3n"}
    )
    assert response.status_code == 500
    [error] = [line for line in log_lines() if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert "Traceback" in error["exc_info"] and "the database caught fire" in error["exc_info"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert access_lines(log_lines())[-1]["status"] == 500
    assert "query-secret-000" not in log_lines.text() and "t0k3n" not in log_lines.text()


def probe_site(**variables: str) -> subprocess.CompletedProcess:
    """A fresh interpreter with the development settings and ``variables`` (no other
    DJANGO_ variable) requests /healthz/live once, sending X-Request-ID probe-1."""
    code = (
        "import django; django.setup(); from django.test import Client; "
        "Client().get('/healthz/live', headers={'X-Request-ID': 'probe-1'})"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="mofa_site.settings", DJANGO_DEBUG="1", **variables)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_logging_writes_json_lines_to_stdout_at_the_configured_level():
    info = probe_site(DJANGO_LOG_LEVEL="info")
    assert info.returncode == 0, info.stderr
    lines = [json.loads(text) for text in info.stdout.splitlines()]
    [line] = [line for line in lines if line["logger"] == "mofa.access"]
    assert line["request_id"] == "probe-1" and line["time"].endswith("+00:00")
    quiet = probe_site(DJANGO_LOG_LEVEL="WARNING")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""


def test_make_run_logs_readable_lines_and_an_unknown_format_is_refused():
    text = probe_site(DJANGO_LOG_FORMAT="text")
    assert text.returncode == 0, text.stderr
    [line] = [line for line in text.stdout.splitlines() if " mofa.access: " in line]
    assert line.endswith(" INFO mofa.access: GET /healthz/live 200")
    wrong = probe_site(DJANGO_LOG_FORMAT="xml")
    assert wrong.returncode != 0
    assert "DJANGO_LOG_FORMAT must be json or text, not 'xml'" in wrong.stderr
