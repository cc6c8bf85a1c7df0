"""`make serve`: gunicorn with mofa_site/gunicorn.conf.py, production settings, WhiteNoise."""

from __future__ import annotations

import gzip
import json
import os
import runpy
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.conftest import unused_port
from tests.paths import ROOT

CONFIG = ROOT / "mofa_site" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")


def load_config(monkeypatch, **env: str) -> dict:
    names = ("WEB_CONCURRENCY", "GUNICORN_BIND", "HOST", "PORT", "FORWARDED_ALLOW_IPS")
    for name in (*names, "DJANGO_BEHIND_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_workers_come_from_web_concurrency(monkeypatch):
    assert load_config(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def test_without_web_concurrency_workers_are_two_per_core_plus_one_capped(monkeypatch):
    config = load_config(monkeypatch)
    cores = len(os.sched_getaffinity(0))
    assert config["workers"] == min(2 * cores + 1, 12)
    assert config["workers_from"]({}, 1) == 3
    assert config["workers_from"]({}, 64) == 12


@pytest.mark.parametrize("value", ["0", "-2", "lots"])
def test_a_bad_web_concurrency_is_refused_by_name(monkeypatch, value):
    with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
        load_config(monkeypatch, WEB_CONCURRENCY=value)


def test_bind_comes_from_gunicorn_bind_or_host_and_port(monkeypatch):
    assert load_config(monkeypatch)["bind"] == ["127.0.0.1:8000"]
    assert load_config(monkeypatch, HOST="0.0.0.0", PORT="9000")["bind"] == ["0.0.0.0:9000"]
    config = load_config(monkeypatch, GUNICORN_BIND="unix:/run/mofa.sock, 10.0.0.5:80", PORT="1")
    assert config["bind"] == ["unix:/run/mofa.sock", "10.0.0.5:80"]


def test_gunicorn_trusts_forwarded_headers_only_behind_a_declared_proxy(monkeypatch):
    # As Django does (SECURE_PROXY_SSL_HEADER): only with DJANGO_BEHIND_PROXY, and only
    # X-Forwarded-Proto. Otherwise no peer, not even one on loopback or a unix socket,
    # can make a request https.
    alone = load_config(monkeypatch)
    assert (alone["forwarded_allow_ips"], alone["secure_scheme_headers"]) == ("", {})
    behind = load_config(monkeypatch, DJANGO_BEHIND_PROXY="1")
    assert behind["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert behind["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}
    named = load_config(monkeypatch, DJANGO_BEHIND_PROXY="1", FORWARDED_ALLOW_IPS="10.0.0.2")
    assert named["forwarded_allow_ips"] == "10.0.0.2"


def test_naming_trusted_proxies_without_declaring_one_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_BEHIND_PROXY"):
        load_config(monkeypatch, FORWARDED_ALLOW_IPS="10.0.0.2")


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="mofa_site.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        WEB_CONCURRENCY="1",
        PYTHONDONTWRITEBYTECODE="1",
        **extra,
    )
    return env


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None  # a redirect is the answer under test, not a page to fetch


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.build_opener(NoRedirects).open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@contextmanager
def serving(env: dict[str, str], port: int) -> Iterator[None]:
    """gunicorn with the production configuration, answering on ``port``."""
    server = subprocess.Popen(
        [str(GUNICORN), "--config", str(CONFIG)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                get(f"http://127.0.0.1:{port}/healthz/live")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn never answered"
                time.sleep(0.1)
        yield
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_gunicorn_serves_health_and_hashed_static_files_in_production_mode(tmp_path):
    port = unused_port()
    # As deployed: behind a proxy that ends TLS and says so in X-Forwarded-Proto.
    env = production_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", DJANGO_BEHIND_PROXY="1")
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert collect.returncode == 0, collect.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["statements/site.css"]
    assert hashed != "statements/site.css"

    base = f"http://127.0.0.1:{port}"
    with serving(env, port):
        status, _, body = get(f"{base}/healthz/live")
        assert (status, body) == (200, b"ok")
        assert get(f"{base}/healthz/ready")[0] == 200  # the temporary SQLite answers

        # Plain HTTP is sent to HTTPS; what the proxy forwards as HTTPS is served.
        assert get(f"{base}/static/{hashed}")[0] == 301
        status, headers, body = get(
            f"{base}/static/{hashed}", **{"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"}
        )
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        assert headers["Content-Encoding"] == "gzip"
        assert (
            gzip.decompress(body) == (ROOT / "statements/static/statements/site.css").read_bytes()
        )
        # Production settings are in force: a host that is not allowed is refused.
        assert get(f"{base}/healthz/live", Host="evil.example")[0] == 400


def test_without_a_declared_proxy_no_client_can_claim_https(tmp_path):
    # gunicorn's own default trusts X-Forwarded-Proto from loopback, where a local proxy
    # that passes the client's headers through (or any local process) would say https.
    port = unused_port()
    env = production_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}")
    with serving(env, port):
        status, headers, _ = get(f"http://127.0.0.1:{port}/", **{"X-Forwarded-Proto": "https"})
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{port}/"


def test_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path, GUNICORN_BIND=f"127.0.0.1:{unused_port()}")
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [str(GUNICORN), "--config", str(CONFIG)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stdout + result.stderr
