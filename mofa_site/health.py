"""Health endpoints for load balancers and the benchmark.

``live`` is the benchmark's floor: the full middleware stack and nothing else, so it must
never touch the database. ``ready`` says whether this process can serve pages: the
database answers (else 503). The cache is checked and reported too, but a cache that is
down only makes the site slower (mofa_site.caching.ResilientRedisCache answers misses),
so it is ``degraded``, still 200: taking every instance out of the load balancer because
the shared Redis went away would turn a slowdown into an outage.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

READY_CACHE_KEY = "healthz:ready"


@never_cache
@require_safe
def live(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 returned an unexpected row")


def _check_cache() -> None:
    # A per-request token, so a stale value from another process cannot pass for a write.
    token = uuid.uuid4().hex
    cache.set(READY_CACHE_KEY, token, timeout=10)
    if cache.get(READY_CACHE_KEY) != token:
        raise RuntimeError("the value written was not read back")


CHECKS = {"database": _check_database, "cache": _check_cache}
# Checks whose failure leaves the site serving, only slower.
OPTIONAL = {"cache"}


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready", never a 500
            logger.warning("Readiness check %s failed: %s", name, exc, exc_info=True)
            checks[name] = f"down: {type(exc).__name__}: {exc}"
        else:
            checks[name] = "ok"
    down = [name for name, result in checks.items() if result != "ok"]
    if set(down) - OPTIONAL:
        return JsonResponse({"status": "unavailable", "down": down, "checks": checks}, status=503)
    if down:
        return JsonResponse({"status": "degraded", "down": down, "checks": checks})
    return JsonResponse({"status": "ok", "checks": checks})
