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
from pathlib import Path

import pytest

from tests.conftest import unused_port

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mofa_site" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")


def load_config(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "HOST", "PORT", "FORWARDED_ALLOW_IPS"):
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


def test_proxies_trusted_for_forwarded_headers_come_from_the_environment(monkeypatch):
    assert load_config(monkeypatch)["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert load_config(monkeypatch, FORWARDED_ALLOW_IPS="10.0.0.2")["forwarded_allow_ips"] == (
        "10.0.0.2"
    )


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

    server = subprocess.Popen(
        [str(GUNICORN), "--config", str(CONFIG)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                status, _, body = get(f"{base}/healthz/live")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn never answered"
                time.sleep(0.1)
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
    finally:
        server.terminate()
        server.wait(timeout=20)


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
