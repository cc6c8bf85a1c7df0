"""gunicorn's settings for production (`make serve`), the benchmark and the load test,
read from the environment:

    WEB_CONCURRENCY       worker processes (default 2 × CPU cores + 1, at most 12)
    GUNICORN_BIND         comma-separated addresses, e.g. 0.0.0.0:8000 or unix:/run/mofa.sock;
                          otherwise HOST:PORT (default 127.0.0.1:8000)
    GUNICORN_TIMEOUT      seconds a request may take before its worker is restarted (30)
    GUNICORN_ACCESS_LOG   1 to write an access log line per request to stdout (off)
    GUNICORN_LOG_LEVEL    gunicorn's own log level (info)
    DJANGO_BEHIND_PROXY   1 behind a TLS-terminating proxy: only then is X-Forwarded-Proto
                          trusted, here as in the settings (off: no peer is trusted)
    FORWARDED_ALLOW_IPS   with DJANGO_BEHIND_PROXY, the proxy's addresses (127.0.0.1,::1);
                          without it, setting this is an error

Run: gunicorn --config mofa_site/gunicorn.conf.py (command-line flags override these).
"""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

from mofa_site.env import env_bool

MAX_DEFAULT_WORKERS = 12


def cpu_cores() -> int:
    # The cores this process may run on, which a container limits; not the host's count.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def workers_from(environ: dict[str, str] | os._Environ, cores: int) -> int:
    raw = environ.get("WEB_CONCURRENCY", "").strip()
    if not raw:
        # gunicorn's own advice; the cap keeps a big host from exhausting the database's
        # connections (each worker holds one).
        return min(2 * cores + 1, MAX_DEFAULT_WORKERS)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"WEB_CONCURRENCY must be a whole number of workers, not {raw!r}.")
    return int(raw)


def bind_from(environ: dict[str, str] | os._Environ) -> list[str]:
    addresses = [a.strip() for a in environ.get("GUNICORN_BIND", "").split(",") if a.strip()]
    if addresses:
        return addresses
    return [f"{environ.get('HOST') or '127.0.0.1'}:{environ.get('PORT') or '8000'}"]


def forwarded_allow_ips_from(environ: Mapping[str, str]) -> str:
    """The peers whose X-Forwarded-Proto gunicorn believes: none unless DJANGO_BEHIND_PROXY
    declares a proxy, the same switch that makes Django believe it (settings.py)."""
    named = environ.get("FORWARDED_ALLOW_IPS", "").strip()
    if not env_bool("DJANGO_BEHIND_PROXY", environ=environ):
        if named:
            raise ImproperlyConfigured(
                "FORWARDED_ALLOW_IPS names trusted proxies but DJANGO_BEHIND_PROXY is off: "
                "set DJANGO_BEHIND_PROXY=1 behind a proxy, or unset FORWARDED_ALLOW_IPS."
            )
        return ""
    return named or "127.0.0.1,::1"


wsgi_app = "mofa_site.wsgi:application"
bind = bind_from(os.environ)
workers = workers_from(os.environ, cpu_cores())
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = timeout
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "").lower() in {"1", "true"} else None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
forwarded_allow_ips = forwarded_allow_ips_from(os.environ)
# Only the header Django reads (SECURE_PROXY_SSL_HEADER), and only behind a proxy: with no
# scheme headers not even a unix-socket peer (which gunicorn always trusts) can claim https.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"} if forwarded_allow_ips else {}
