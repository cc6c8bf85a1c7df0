"""Small middleware of our own: the Permissions-Policy header, request ids and the
access log line."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from statements import logging as logging_context


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
    """The user's id when signed in, without a query for anonymous readers: a user nobody
    has looked up yet is only looked up when the request has a session."""
    user = request.__dict__.get("user")  # absent before AuthenticationMiddleware ran
    if user is None:
        return None
    unresolved = isinstance(user, SimpleLazyObject) and user._wrapped is empty
    if unresolved and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    return user.pk if user.is_authenticated else None
