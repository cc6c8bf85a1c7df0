"""Production settings refuse insecure defaults; checked in a fresh interpreter each time."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from tests.paths import ROOT

STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def load_settings(show: str = "settings.DEBUG", **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(DJANGO_SETTINGS_MODULE="mofa_site.settings", **env)
    code = f"import django; django.setup(); from django.conf import settings; print({show})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


@pytest.mark.parametrize("debug", [None, "0", "false"])
def test_production_refuses_to_start_without_a_secret_key(debug):
    env = {"DJANGO_ALLOWED_HOSTS": "archive.example.org"}
    if debug is not None:
        env["DJANGO_DEBUG"] = debug
    result = load_settings(**env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("weak", ["django-insecure-" + "x" * 60, "short", "a" * 80])
def test_production_refuses_a_weak_secret_key(weak):
    result = load_settings(DJANGO_SECRET_KEY=weak, DJANGO_ALLOWED_HOSTS="archive.example.org")
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = load_settings(DJANGO_SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_real_key_and_hosts():
    result = load_settings(DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS="archive.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_with_redis_each_process_keeps_the_pages_it_serves_in_front_of_it():
    show = "sorted((alias, c['BACKEND']) for alias, c in settings.CACHES.items())"
    result = load_settings(show, DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        [
            ("default", "mofa_site.caching.ResilientRedisCache"),
            ("pages-local", "django.core.cache.backends.locmem.LocMemCache"),
        ]
    )
    alone = load_settings(show, DJANGO_DEBUG="1", REDIS_URL="")
    assert alone.stdout.strip() == str(
        [("default", "django.core.cache.backends.locmem.LocMemCache")]
    )


def test_development_mode_starts_with_no_configuration():
    result = load_settings(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_a_misspelt_boolean_is_an_error_not_a_guess():
    result = load_settings(DJANGO_DEBUG="ture")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


PRODUCTION = {"DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "archive.example.org"}


def production_setting(name: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(DJANGO_SETTINGS_MODULE="mofa_site.settings", **PRODUCTION, **env)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        f"print(repr(getattr(settings, {name!r}, None)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process, with no DJANGO_ variables but ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_deployment_checklist_passes_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DJANGO_SETTINGS_MODULE="mofa_site.settings",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_redirects_to_https_and_sets_secure_cookies():
    assert production_setting("SECURE_SSL_REDIRECT") == "True"
    assert production_setting("SESSION_COOKIE_SECURE") == "True"
    assert production_setting("CSRF_COOKIE_SECURE") == "True"
    assert production_setting("SECURE_HSTS_SECONDS") == str(365 * 24 * 3600)


def test_the_https_redirect_can_be_turned_off_for_plain_http_benchmarks():
    assert production_setting("SECURE_SSL_REDIRECT", DJANGO_SECURE_SSL_REDIRECT="0") == "False"


def test_forwarded_proto_is_trusted_only_behind_a_declared_proxy():
    assert production_setting("SECURE_PROXY_SSL_HEADER") == "None"
    assert production_setting("SECURE_PROXY_SSL_HEADER", DJANGO_BEHIND_PROXY="1") == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_trusted_origins_come_from_the_environment():
    origins = "https://archive.example.org,https://admin.example.org"
    assert production_setting("CSRF_TRUSTED_ORIGINS", DJANGO_CSRF_TRUSTED_ORIGINS=origins) == (
        "['https://archive.example.org', 'https://admin.example.org']"
    )


def test_the_models_and_migrations_agree_when_checked_as_a_developer_would(tmp_path):
    # Writing migrations is development work: no production key or hosts are needed.
    result = manage(
        "makemigrations",
        "--check",
        "--dry-run",
        DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_client_addresses_are_taken_from_the_proxy_only_when_one_is_declared():
    # One decision for the API throttle (DRF) and the admin lockout (axes).
    show = "settings.REST_FRAMEWORK.get('NUM_PROXIES'), settings.AXES_IPWARE_META_PRECEDENCE_ORDER"
    direct = load_settings(show, **PRODUCTION)
    assert direct.stdout.strip() == "0 ['REMOTE_ADDR']", direct.stderr
    behind = load_settings(
        show + ", settings.AXES_IPWARE_PROXY_COUNT", **PRODUCTION, DJANGO_BEHIND_PROXY="1"
    )
    assert behind.stdout.strip() == "1 ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] 1", behind.stderr
