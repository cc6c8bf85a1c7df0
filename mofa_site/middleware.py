"""Small middleware of our own: the Permissions-Policy header, django-csp's policy built
once, request ids and the access log line, and a 503 instead of a 500 when the database
is unavailable.

When the database is unreachable (stopped, restarting, a network cut) or refuses a write
(a full disk), every view that queries raises ``OperationalError`` or ``InterfaceError``.
``DatabaseUnavailableMiddleware`` turns that into a friendly 503 page (or the API's JSON
error) with ``Retry-After`` and one warning line instead of a stack trace per request.
Nothing is kept about the lost connection: ``CONN_HEALTH_CHECKS`` drops it at the next
request, so the site recovers by itself when the database returns.
"""

from __future__ import annotations

import functools
import http
import logging
import re
import time
import uuid
from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as PerResponseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from mofa_site import logging as logging_context
from mofa_site.errors import API_PREFIX, error_body

logger = logging.getLogger(__name__)


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Sends ``settings.PERMISSIONS_POLICY`` on every response; no installed package does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Built once: the header is the same for every response.
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


# What django-csp's decorators (and our API renderers) set on a response to give it a
# policy of its own.
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# Each header, the setting its policy comes from, and the response attribute exempting it.
_POLICIES = (
    (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
    (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
)
# The pages django-csp leaves alone under DEBUG: Django's technical 404 and 500.
_DEBUG_PAGES = (http.HTTPStatus.INTERNAL_SERVER_ERROR, http.HTTPStatus.NOT_FOUND)


@functools.cache
def settings_policy(setting: str) -> tuple[str, tuple[str, ...]]:
    """The header django-csp builds from a policy setting alone ("" for none), and the
    path prefixes the setting excludes from it."""
    prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
    return build_policy(report_only=setting.endswith("_REPORT_ONLY")), tuple(prefixes)


@receiver(setting_changed)
def _policy_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        settings_policy.cache_clear()


class CSPMiddleware(PerResponseCSPMiddleware):
    """django-csp's, with the settings' policies built once: django-csp builds each from
    the settings for every response (the policy and the report-only one, each directive
    copied and joined: 4.6% of a statement page's instructions). A response with a policy
    of its own, or whose page used a nonce, is django-csp's to build, as before; the rest
    get the same headers, under the same exemptions."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _OWN_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_PAGES and settings.DEBUG:
            return response
        for header, setting, exempt in _POLICIES:
            policy, excluded = settings_policy(setting)
            if not policy or getattr(response, exempt, False) is not False or header in response:
                continue
            if not request.path_info.startswith(excluded):
                response[header] = policy
        # As django-csp: a nonce asked for once the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


ACCESS_LOG = logging.getLogger("mofa.access")
# What an incoming X-Request-ID may look like to be kept (a proxy's UUID or trace id);
# anything else could forge log lines or carry data, and is replaced.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestLogMiddleware:
    """First in MIDDLEWARE, so it times the whole stack: gives each request an id (a sane
    incoming ``X-Request-ID`` or a new one), echoes it in the response, and writes one
    access line. The line has the path without its query string and the user's id only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = logging_context.request_id.set(rid)
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = rid
            ACCESS_LOG.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": signed_in_user_id(request),
                },
            )
            return response
        finally:
            logging_context.request_id.reset(token)


def signed_in_user_id(request: HttpRequest) -> int | None:
    """The user's id when the request has already looked its user up (the admin, the API,
    any page that asked); never a lookup of its own, so the access line costs no query
    and cannot fail when the database does."""
    user = request.__dict__.get("user")  # absent before AuthenticationMiddleware ran
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


# --- Database outages ----------------------------------------------------------------

RETRY_AFTER_SECONDS = 30


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 for a database that cannot answer; renders without a query."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            error_body(
                503,
                "database_unavailable",
                _("The archive's database is not answering; nothing was changed. Try again."),
            ),
            status=503,
        )
    else:
        response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # An outage page must not be kept by a browser or a CDN in place of the real one.
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "Database unavailable, answered 503 to %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            str(exception).strip().splitlines()[0] if str(exception).strip() else "",
        )
        response = database_unavailable(request)
        # The warning above is this request's log line; without this flag django.request
        # adds an ERROR "Service Unavailable" for every request during an outage.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
