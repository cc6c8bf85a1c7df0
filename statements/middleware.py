"""Database outages answer 503, never 500.

When the database is unreachable (stopped, restarting, a network cut) or refuses a write
(a full disk), every view that queries raises ``OperationalError`` or ``InterfaceError``.
This middleware turns that into a friendly 503 page (or the API's JSON error) with
``Retry-After`` and one warning line instead of a stack trace per request. Nothing is
kept about the lost connection: ``CONN_HEALTH_CHECKS`` drops it at the next request, so
the site recovers by itself when the database returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from statements.api.exceptions import API_PREFIX, error_body

logger = logging.getLogger(__name__)

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
