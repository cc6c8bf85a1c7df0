"""Structured logging: every line carries the id of the request it belongs to, and no
line carries what a request brought in (query strings, cookies, credentials)."""

from __future__ import annotations

import contextvars
import logging

# The current request's id, set by mofa_site.middleware.RequestLogMiddleware.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` to each record and drops the ``request`` object Django attaches
    to django.request records: serialised it would be ``<WSGIRequest: GET '/path?query'>``,
    and a query string can hold a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.get()
        if "request" in record.__dict__:
            del record.__dict__["request"]
        return True
