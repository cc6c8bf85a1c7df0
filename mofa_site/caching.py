"""The server-side page cache: anonymous readers' pages and API reads, served from the
cache until the content changes.

Invalidation is one number, the content generation (``ContentGeneration``), stored in the
database and part of every page's cache key. Every write to the archive calls
``content_changed()``, which bumps the generation once the transaction commits: the
services (``statements/services/``) do it for every write they make, and the few paths
that write outside them (``seed``'s and ``restore``'s ``loaddata``, ``rebuild_derived``,
``bench/corpus.py``) call it themselves. A reader reads
the generation before rendering, so a page stored under the current generation was
rendered from everything committed before it: nothing stale can be served, in any process,
whatever the cache backend (per-process local memory included).

Only anonymous GETs are cached: a request with a session or messages cookie, or an
``Authorization`` header, neither reads nor fills the cache, and a response that sets a
cookie (a CSRF token) or is private is never stored.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.local import Local
from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.core.signals import request_finished, request_started
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe, urlencode
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

T = TypeVar("T")
logger = logging.getLogger(__name__)

# --- The content generation ------------------------------------------------------------


@functools.cache
def generation_table() -> str:
    """The generation's table, named by its model: looked up on first use, as the cache
    backend in this module may be built before the apps are loaded."""
    return apps.get_model("statements", "ContentGeneration")._meta.db_table


@functools.cache
def generation_sql() -> str:
    # Written out: this read starts every request, cached hits included, and the ORM's
    # query took 2.7 ms against 0.2 ms on SQLite, 3.8 against 1.8 ms on PostgreSQL
    # (in-process, a busy 2-core machine, 2026-12-05).
    return f'SELECT "number" FROM "{generation_table()}" WHERE "id" = 1'


def content_generation() -> int:
    """The current generation; 0 before the first write."""
    with connection.cursor() as cursor:
        cursor.execute(generation_sql())
        row = cursor.fetchone()
    return row[0] if row else 0


# The generation a request read first, so that the values it reads per generation (a list
# page reads several) cost no further read: between request_started and request_finished
# only, and forgotten when this process bumps it. Outside a request (a command, a cron
# job that runs for hours) every read goes to the database.
_request = Local()


@receiver(request_started)
def _request_started(**kwargs: Any) -> None:
    _request.generation = None
    _request.active = True


@receiver(request_finished)
def _request_finished(**kwargs: Any) -> None:
    _request.generation = None
    _request.active = False


def _remembered(generation: int) -> int:
    if getattr(_request, "active", False):
        _request.generation = generation
    return generation


def request_content_generation() -> int:
    """The generation this request read, read now if it has not yet (see ``_request``).
    Often a request's first query (a cached hit's, a list's), so the read is the
    connection's health check too (``checked_first_read``): a ``SELECT 1`` round trip
    before it was a quarter of a hit's time on PostgreSQL."""
    # Only ever set within a request (``_remembered``), and cleared as it ends.
    remembered = getattr(_request, "generation", None)
    if remembered is not None:
        return remembered
    return _remembered(checked_first_read(content_generation))


def checked_first_read(read: Callable[[], T]) -> T:
    """``read()``, a request's first query, doubling as the health check of a persistent
    connection that ``CONN_HEALTH_CHECKS`` would make with a ``SELECT 1`` round trip
    before it. A connection the server dropped fails this read instead, and it is run
    again once on a new connection, which is what the check would have done: so only a
    read that can run twice (one query, writing nothing) may come here.
    ``health_check_done`` is the flag Django itself sets once a request's connection is
    known good."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up again
    if db.connection is None or db.in_atomic_block or db.health_check_done:
        return read()
    db.health_check_done = True
    try:
        return read()
    except (InterfaceError, OperationalError):
        db.close()
    return read()


def bump_content_generation() -> None:
    """Retire every cached page. Runs after the write committed (see ``content_changed``)."""
    _request.generation = None
    try:
        with connection.cursor() as cursor:
            # One statement and no transaction of its own: in autocommit mode this runs
            # while the write's cursor may still hold its RETURNING row, and SQLite then
            # refuses a COMMIT ("SQL statements in progress"), leaving a transaction open.
            table = generation_table()
            cursor.execute(
                f'INSERT INTO "{table}" ("id", "number") VALUES (1, 1) '
                f'ON CONFLICT ("id") DO UPDATE SET "number" = "{table}"."number" + 1'
            )
    except DatabaseError as exc:
        # Only while migrating (no table yet) or with the database gone; the page cache's
        # timeout bounds how long a page can outlive a change missed here.
        logger.warning("Could not bump the content generation: %s", exc)


def content_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Retire every cached page once the current transaction commits (at once outside
    one), whatever it wrote. Registered once per transaction: a savepoint rolled back
    takes its registration with it, and the next call registers again."""
    pending = connections[using].run_on_commit
    if not any(entry[1] is bump_content_generation for entry in pending):
        transaction.on_commit(bump_content_generation, using=using)


# --- Values kept per generation --------------------------------------------------------

# How long a value counted over the whole archive is kept, at most, within a generation.
PER_GENERATION_SECONDS = 3600


def per_generation(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, a value read from the whole archive (the statements per year and
    kind, per speaker, per resolution), kept in the cache under the current generation:
    read once per change of the content, not for every page that shows it, with or
    without the page cache. A write through any path that retires the cached pages retires
    it too. Inside a transaction it is computed afresh: what it reads there may hold writes
    not yet committed, which the generation counts only once they are (and tests never
    commit theirs). Each process keeps what it read in front of the cache (``_kept_here``):
    the value is shared, never to be changed in place."""
    if connection.in_atomic_block:
        return compute()
    generation = request_content_generation()
    now = time.monotonic()
    here = _kept_here.get(name)
    if here is not None and here[0] == generation and here[1] > now:
        return here[2]
    key = f"kept:{generation}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PER_GENERATION_SECONDS)
    if len(_kept_here) >= KEPT_HERE_NAMES:
        _kept_here.clear()  # mostly other generations' values, which nothing reads again
    _kept_here[name] = (generation, now + LOCAL_SECONDS, value)
    return value


# Each process keeps the values it read, by name, with the generation they were read
# under, in front of the shared cache: a list page reads five, each a key check, a lock
# and an unpickling from local memory (5% of the statement list's instructions) or a
# round trip to Redis. For a minute at most, as the pages each process keeps
# (``LOCAL_SECONDS``), so that a value is never kept longer than the shared cache keeps it
# by more than that. The values are shared by the requests of the process, so callers
# must not change them in place. Bounded: a crawler walking every filter's value reads a
# name per value.
KEPT_HERE_NAMES = 512
_kept_here: dict[str, tuple[int, float, Any]] = {}


def forget_kept_values() -> None:
    """Forget what this process kept per generation (``per_generation``), as clearing the
    shared cache forgets the rest: the generation a flushed database starts again from
    may be one a value was kept under."""
    _kept_here.clear()


# --- The page cache ---------------------------------------------------------------------

# Requests from signed-in people (session cookie, API token) never touch the page cache.
_PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
_UNCACHED_PREFIXES = ("/admin/", "/healthz/", "/api/docs/", "/api/schema/")


def _is_anonymous_read(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and "HTTP_AUTHORIZATION" not in request.META
        and not any(name in request.COOKIES for name in _PERSONAL_COOKIES)
        and not request.path.startswith(_UNCACHED_PREFIXES)
    )


def page_cache_key(request: HttpRequest, generation: int) -> str:
    # The scheme and the validated host, as request.build_absolute_uri() writes them into
    # pages (API urls, canonical links, feeds, sitemaps): hosts and schemes never share an
    # entry. Parameters sorted so ?a=1&b=2 and ?b=2&a=1 do; Accept picks the API's
    # renderer (JSON or the browsable page).
    origin = f"{request.scheme}://{request.get_host()}"
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    accept = " ".join(request.META.get("HTTP_ACCEPT", "").split())
    digest = hashlib.sha256(f"{origin}{request.path}?{query}\n{accept}".encode()).hexdigest()
    return f"page:{generation}:{digest[:40]}"


# With Redis alone every hit is a round trip and the unpickling of a whole page (hits ran
# at 0.54-0.86 of the bench's floor, against 0.8 and above from local memory). A page
# stored under a generation never changes, so each process also keeps the pages it serves
# in local memory, in front of the shared cache, for at most a minute.
LOCAL_ALIAS = "pages-local"
LOCAL_SECONDS = 60


def _local_cache() -> Any:
    return caches[LOCAL_ALIAS] if LOCAL_ALIAS in settings.CACHES else None


def _cached_page(key: str) -> Any:
    local = _local_cache()
    if local is None:
        return cache.get(key)
    found = local.get(key)
    if found is None:
        found = cache.get(key)
        if found is not None:
            local.set(key, found, LOCAL_SECONDS)
    return found


def _store_page(key: str, page: Any, timeout: int) -> None:
    cache.set(key, page, timeout)
    local = _local_cache()
    if local is not None:
        local.set(key, page, min(timeout, LOCAL_SECONDS))


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
        and not (user is not None and user.is_authenticated)
    )


def honour_if_modified_since(response: HttpResponse) -> HttpResponse:
    """Mark a response whose view answers ``If-Modified-Since`` from its Last-Modified
    (detail pages and API details), so that a hit on the stored copy answers it too.
    Lists, feeds and sitemaps send Last-Modified without honouring it: they can change
    without it moving (a record leaves them), and only their ETag notices."""
    response.honours_if_modified_since = True
    return response


def _conditional(request: HttpRequest, response: HttpResponse, honours: bool) -> HttpResponse:
    """A 304 (or 412) when the request's validators match, by the view's own rule: the
    same answer for a page just rendered and for its stored copy."""
    last_modified = parse_http_date_safe(response["Last-Modified"]) if honours else None
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=last_modified, response=response
    )


class PageCacheMiddleware:
    """Serve anonymous GETs from the cache, keyed by the content generation; answer
    conditional GETs from the stored ETag (and Last-Modified, where the view honours it).
    Placed before the session middleware, so a hit skips sessions, authentication and the
    view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.PAGE_CACHE_SECONDS
        if timeout <= 0 or not _is_anonymous_read(request):
            return self.get_response(request)
        # Before anything is read, as CommonMiddleware would for a view: a Host outside
        # ALLOWED_HOSTS raises DisallowedHost, which Django answers with a 400.
        request.get_host()
        try:
            generation = request_content_generation()
        except DatabaseError:
            # The database is down: the view meets the outage too and answers its 503
            # (mofa_site.middleware), which no middleware outside a view can give.
            return self.get_response(request)
        key = page_cache_key(request, generation)
        cached = _cached_page(key)
        if cached is not None:
            content, headers, honours = cached
            return _conditional(request, HttpResponse(content, headers=headers), honours)
        response = self.get_response(request)
        if not _storable(request, response):
            return response
        if not response.has_header("ETag"):
            set_response_etag(response)
        honours = getattr(response, "honours_if_modified_since", False)
        honours = honours and response.has_header("Last-Modified")
        _store_page(key, (response.content, dict(response.items()), honours), timeout)
        return _conditional(request, response, honours)


# --- Redis that fails soft --------------------------------------------------------------


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, except that when Redis is unreachable or slow every call
    answers as a miss (and writes are dropped), so pages are still served, only slower.
    The failure is logged once per outage, and for ``RETRY_AFTER`` seconds after a failure
    Redis is not even tried, so a dead server costs no request its timeouts."""

    RETRY_AFTER = 5.0
    _errors = (RedisConnectionError, RedisTimeoutError)

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down = False

    def _call(self, method: Callable[..., Any], fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if self._down and time.monotonic() < self._down_until:
            return fallback
        try:
            result = method(*args, **kwargs)
        except self._errors as exc:
            with self._lock:
                if not self._down:
                    logger.warning("Redis cache unavailable, serving without it: %s", exc)
                self._down = True
                self._down_until = time.monotonic() + self.RETRY_AFTER
            return fallback
        if self._down:
            with self._lock:
                if self._down:
                    logger.warning("Redis cache reachable again")
                self._down = False
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)
