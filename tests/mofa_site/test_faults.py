"""Faults: a database that stops answering or fills its disk is a 503 (page or API JSON)
and one warning line, never a 500; the site recovers by itself; an interrupted or refused
import leaves the database as it was."""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import threading
import wsgiref.util
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections
from django.db.utils import load_backend
from reversion.models import Revision, Version

from statements.models import Meeting, Paragraph, Participant, Resolution, Statement
from tests.conftest import unused_port
from tests.factories import ParagraphFactory, StatementFactory
from tests.paths import SEEDS
from tests.statements.admin.test_admin import change_url, current_paragraphs, statement_data

PAGES = [SEEDS / "000_a026e662df115a8c.txt", SEEDS / "003_a464196ed3b8e9c0.txt"]
STATEMENT_SLUG = "2017-12-23-statement-on-the-adoption-of-un-security-council-resolution-2397"
ON_POSTGRES = connection.vendor == "postgresql"


def wrapper_for(**overrides) -> object:
    """A new connection object for alias "default" with these settings changed."""
    settings_dict = {**connection.settings_dict, **overrides}
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")


@contextlib.contextmanager
def database_swapped(replacement) -> Iterator[None]:
    original = connections["default"]
    connections["default"] = replacement
    try:
        yield
    finally:
        replacement.close()
        connections["default"] = original


def unreachable_database():
    """PostgreSQL on a loopback port nothing listens on: every connect is refused."""
    return wrapper_for(
        ENGINE="django.db.backends.postgresql",
        HOST="127.0.0.1",
        PORT=str(unused_port()),
        NAME="unreachable",
        USER="nobody",
        PASSWORD="",
        OPTIONS={"connect_timeout": 2},
    )


def statement_count() -> int:
    return Statement.objects.count()


PAGES_TO_TRY = [
    "/",
    "/statements/",
    f"/statements/{STATEMENT_SLUG}/",
    "/resolutions/2397/",
    "/meetings/",
    "/search/?q=abductions",
]
API_TO_TRY = ["/api/v1/statements/", f"/api/v1/statements/{STATEMENT_SLUG}/", "/api/v1/meetings/"]


@pytest.mark.django_db
def test_an_unreachable_database_is_a_friendly_503_then_pages_return_with_it(
    client, seeded, caplog
):
    assert client.get(f"/statements/{STATEMENT_SLUG}/").status_code == 200
    caplog.set_level(logging.WARNING)
    with database_swapped(unreachable_database()):
        for path in PAGES_TO_TRY:
            response = client.get(path)
            assert response.status_code == 503, path
            assert response["Retry-After"] == "30"
            assert "no-store" in response["Cache-Control"]
            html = response.content.decode()
            assert "The archive is temporarily unavailable" in html
            assert 'class="site-header"' in html  # the site's own layout, not a bare page
    warnings = [r for r in caplog.records if r.name == "mofa_site.middleware"]
    assert len(warnings) == len(PAGES_TO_TRY)
    assert all(r.levelno == logging.WARNING and not r.exc_info for r in warnings)
    assert "Database unavailable, answered 503 to GET /statements/" in warnings[1].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    for path in PAGES_TO_TRY:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_an_unreachable_database_is_a_json_503_in_the_api_error_shape(client, seeded, caplog):
    caplog.set_level(logging.WARNING)
    with database_swapped(unreachable_database()):
        for path in API_TO_TRY:
            response = client.get(path)
            assert response.status_code == 503, path
            assert response["Content-Type"] == "application/json"
            assert response["Retry-After"] == "30"
            body = response.json()
            assert body["status"] == 503
            assert body["code"] == "database_unavailable"
            assert "not answering" in body["detail"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert client.get(API_TO_TRY[1]).json()["slug"] == STATEMENT_SLUG


@pytest.mark.django_db
def test_an_outage_is_a_503_with_the_page_cache_on_too(client, seeded, settings):
    # The page cache reads the content generation before any view runs.
    settings.PAGE_CACHE_SECONDS = 600
    assert client.get(PAGES_TO_TRY[2]).status_code == 200
    with database_swapped(unreachable_database()):
        for path in [*PAGES_TO_TRY, *API_TO_TRY]:
            assert client.get(path).status_code == 503, path
    assert client.get(PAGES_TO_TRY[2]).status_code == 200


@pytest.mark.django_db
def test_an_editor_in_the_admin_gets_the_503_page_too(editor_client):
    with database_swapped(unreachable_database()):
        response = editor_client.get("/admin/statements/statement/")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()
    assert editor_client.get("/admin/statements/statement/").status_code == 200


# --- A real lost connection, and recovery without a restart (PostgreSQL) ----------------


class Forwarder:
    """A TCP forwarder on loopback in front of the database server, which the test can
    cut (every open connection dropped, new ones closed at once) and restore."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            for end in self.open:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self.open.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def wsgi_get(path: str) -> tuple[int, bytes]:
    """A request through Django's real WSGI handler, which (unlike the test client) runs
    close_old_connections at the start and end of each request, as gunicorn does."""
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    wsgiref.util.setup_testing_defaults(environ)
    status: list[str] = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0]), body


@pytest.mark.skipif(not ON_POSTGRES, reason="needs a database server to lose (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_a_lost_postgresql_connection_is_a_503_and_the_site_recovers_by_itself():
    StatementFactory(status=Statement.Status.PUBLISHED, title="Still here after the outage")
    settings_dict = connection.settings_dict
    forwarder = Forwarder(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxied = wrapper_for(
        HOST="127.0.0.1",
        PORT=str(forwarder.port),
        CONN_MAX_AGE=60,
        CONN_HEALTH_CHECKS=True,
        OPTIONS={**settings_dict["OPTIONS"], "connect_timeout": 2},
    )
    try:
        with database_swapped(proxied):
            status, body = wsgi_get("/statements/")
            assert status == 200
            assert b"Still here after the outage" in body
            kept = proxied.connection
            assert kept is not None  # persistent, as CONN_MAX_AGE asks

            forwarder.cut()
            assert wsgi_get("/statements/")[0] == 503
            status, body = wsgi_get("/api/v1/statements/")
            assert status == 503
            assert b'"code":"database_unavailable"' in body.replace(b" ", b"")

            forwarder.restore()
            status, body = wsgi_get("/statements/")
            assert status == 200
            assert b"Still here after the outage" in body
            assert proxied.connection is not kept  # a new connection replaced the lost one
    finally:
        forwarder.close()


# --- Imports and saves that fail midway --------------------------------------------------


def table_counts() -> dict[str, int]:
    models = (Statement, Paragraph, Resolution, Meeting, Participant, Paragraph.resolutions.through)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_an_import_interrupted_on_the_second_page_leaves_the_database_as_it_was():
    from statements import services

    before = table_counts()
    revisions = Revision.objects.count()
    versions = Version.objects.count()
    history = services.importing.reversion
    real_add = history.add_to_revision
    statements = []

    def interrupted_on_the_second(obj, *args, **kwargs):
        if isinstance(obj, Statement):
            statements.append(obj.pk)
            if len(statements) == 2:
                raise KeyboardInterrupt  # Ctrl-C while the second page's history is written
        return real_add(obj, *args, **kwargs)

    with (
        mock.patch.object(history, "add_to_revision", interrupted_on_the_second),
        pytest.raises(KeyboardInterrupt),
    ):
        call_command("import_statements", *map(str, PAGES), stdout=io.StringIO())
    # Every statement, paragraph and revision had been written.
    assert len(statements) == 2
    assert table_counts() == before
    assert Revision.objects.count() == revisions
    assert Version.objects.count() == versions


@contextlib.contextmanager
def disk_full() -> Iterator[None]:
    """The database refuses to grow. On SQLite for real (max_page_count pinned to the
    current size, after a VACUUM empties the free list); on PostgreSQL every write fails
    as it does when the server's disk is full."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA page_count")
            (pages,) = cursor.fetchone()
            cursor.execute(f"PRAGMA max_page_count = {pages}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA max_page_count = 1073741823")
        return

    def refuse_writes(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise OperationalError('could not extend file "base/16384/2619": No space left')
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_writes):
        yield


@pytest.mark.django_db(transaction=True)
def test_an_import_on_a_full_disk_is_a_clear_error_and_writes_nothing():
    before = table_counts()
    with disk_full(), pytest.raises(CommandError) as failure:
        call_command("import_statements", *map(str, PAGES), stdout=io.StringIO())
    message = str(failure.value)
    assert message.startswith("The database refused the import (")
    assert message.endswith("); nothing was written.")
    assert ("full" in message) or ("No space" in message)
    assert table_counts() == before
    # Once there is room again the same import goes through.
    call_command("import_statements", *map(str, PAGES), stdout=io.StringIO())
    assert table_counts()["Statement"] == before["Statement"] + len(PAGES)


@pytest.mark.django_db(transaction=True)
def test_an_admin_save_on_a_full_disk_is_a_503_page_and_changes_nothing(editor_client, caplog):
    statement = StatementFactory(title="The title before")
    for position in (1, 2):
        ParagraphFactory(statement=statement, position=position, number=position)
    data = statement_data(statement, current_paragraphs(statement))
    data["title"] = "The title after"
    data["paragraphs-0-text"] = "A longer first paragraph. " * 2000

    with disk_full():
        response = editor_client.post(change_url(statement), data)
    assert response.status_code == 503
    assert "nothing was changed" in response.content.decode()
    (warning,) = [r for r in caplog.records if r.name == "mofa_site.middleware"]
    assert "full" in warning.getMessage() or "No space" in warning.getMessage()
    statement.refresh_from_db()
    assert statement.title == "The title before"
    assert Paragraph.objects.get(statement=statement, position=1).text.startswith("Paragraph text")
