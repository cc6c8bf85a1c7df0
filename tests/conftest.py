import contextlib
import email
import email.policy
import importlib
import os
import socket
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(path) for path in (ROOT / "fixtures").glob("*.json"))

# Every property test: no per-example deadline (200 ms flakes on a loaded 2-core machine)
# and a bounded number of examples; a test's own @settings overrides what it names.
settings.register_profile(
    "mofa",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("mofa")

# CI sets CI=true: there a missing service or browser fails the tests that need it, so
# that a green run means they ran.
IN_CI = os.environ.get("CI") == "true"


def require(available: bool, what: str) -> None:
    """Skip the calling test (or fixture) when ``what`` is missing; under CI, fail it."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is missing, and CI=true does not skip for it", pytrace=False)
    pytest.skip(f"needs {what}")


@contextlib.contextmanager
def kept_test_connection():
    """Django's request signals without the receiver that closes old connections, as its
    test client sends them: closing would end the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.25):
            return True
    except OSError:
        return False


@pytest.fixture
def seeded(db):
    """The committed seed fixtures, loaded as `make run` loads them."""
    call_command("loaddata", *FIXTURES, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and other cached state never leak from one test into the next."""
    from django.core.cache import cache

    from mofa_site.caching import forget_kept_values

    cache.clear()
    forget_kept_values()
    yield
    cache.clear()
    forget_kept_values()


@pytest.fixture
def editor(db, django_user_model):
    """Ministry staff in the Editors group (made by the data migration): staff, not a
    superuser."""
    user = django_user_model.objects.create_user(
        username="editor", password="editor-password", is_staff=True
    )
    user.groups.add(editors_group())
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def editors_group() -> Group:
    """The group the migration made; a transactional test's flush removes it, so make it
    again with the migration's own code."""
    if not Group.objects.filter(name="Editors").exists():
        migration = importlib.import_module("statements.migrations.0002_editors_group")
        migration.create_editors_group(apps, None)
        people = importlib.import_module("statements.migrations.0026_editors_people")
        people.grant_people(apps, None)
    return Group.objects.get(name="Editors")


def unused_port() -> int:
    """A loopback port nothing listens on now (to serve on, or to find refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What a real SMTP server (aiosmtpd, on a loopback port) received, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"

    def body(self, index: int = -1) -> str:
        return self.messages[index].get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp_inbox(settings):
    """Django sends through an SMTP server started for the test; its messages land here."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = unused_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()
