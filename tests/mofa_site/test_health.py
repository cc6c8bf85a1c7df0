"""/healthz/live is the benchmark's floor (no database); /healthz/ready checks what pages need."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from mofa_site import health

BROKEN_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.mark.django_db
def test_live_answers_ok_as_plain_text_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    # It went through the normal middleware stack, and no proxy may cache it.
    assert response["X-Frame-Options"] == "DENY"
    assert "no-cache" in response["Cache-Control"]


def test_live_refuses_writes(client):
    assert client.post("/healthz/live").status_code == 405


@pytest.mark.django_db
def test_ready_reports_database_and_cache_ok(client):
    response = client.get(reverse("healthz-ready"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_is_degraded_but_serving_when_the_cache_loses_what_it_stored(client, settings):
    # Pages are still served without a cache (only slower): stay in the load balancer.
    settings.CACHES = BROKEN_CACHE
    response = client.get(reverse("healthz-ready"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["down"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("down: RuntimeError")


def test_ready_is_unavailable_when_the_database_fails(client):
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("could not connect to server")
    with mock.patch.object(health, "connection", broken):
        response = client.get(reverse("healthz-ready"))
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["database"]
    assert "could not connect to server" in body["checks"]["database"]
    assert body["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_ready_names_both_when_both_are_down(client, settings):
    settings.CACHES = BROKEN_CACHE
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("gone")
    with mock.patch.object(health, "connection", broken):
        response = client.get(reverse("healthz-ready"))
    assert response.status_code == 503
    assert response.json()["down"] == ["database", "cache"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz/live", "/healthz/ready"])
def test_health_endpoints_answer_plain_http_when_the_site_redirects_to_https(
    client, settings, path
):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get(path).status_code == 200
