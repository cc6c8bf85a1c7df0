"""Reading the environment, shared by the settings and gunicorn.conf.py so that a variable
both read (``DJANGO_BEHIND_PROXY``) means the same to both. Needs no settings: gunicorn
reads its configuration before Django starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false, not {raw!r}.")


def env_list(name: str, environ: Mapping[str, str] = os.environ) -> list[str]:
    return [item.strip() for item in environ.get(name, "").split(",") if item.strip()]


def email_settings(url: str) -> dict[str, object]:
    """Django's EMAIL_* settings from one address: ``smtp://user:password@host:587`` (or
    ``submission://`` for STARTTLS on 587, ``smtps://`` for TLS on 465; ``?tls=1`` or
    ``?ssl=1`` ask for either on any port), ``console:`` or ``locmem:``. User and password
    are percent-decoded."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in backends:
        return {"EMAIL_BACKEND": backends[scheme]}
    if scheme not in {"smtp", "submission", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, submission://, smtps://, console: or "
            f"locmem:, not {parts.scheme or url!r}."
        )
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL has a bad port: {error}") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host.")
    ssl = scheme == "smtps" or options.get("ssl", "").lower() in TRUE_VALUES
    tls = scheme == "submission" or options.get("tls", "").lower() in TRUE_VALUES
    if ssl and tls:
        raise ImproperlyConfigured("EMAIL_URL asks for both TLS (STARTTLS) and SSL.")
    default_port = 465 if ssl else 587 if tls else 25
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
    }
