import importlib
import socket
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(path) for path in (ROOT / "fixtures").glob("*.json"))


@pytest.fixture
def seeded(db):
    """The committed seed fixtures, loaded as `make run` loads them."""
    call_command("loaddata", *FIXTURES, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and other cached state never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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
    return Group.objects.get(name="Editors")


def unused_port() -> int:
    """A loopback port nothing listens on now (to serve on, or to find refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
