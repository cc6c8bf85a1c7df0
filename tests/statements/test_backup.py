"""make backup / make restore: a round trip through an emptied database loses nothing a
reader, an API client or an editor can see."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from reversion.models import Version

from statements import services
from statements.backup import BACKED_UP, NOT_BACKED_UP, BackupError, backup, restore
from statements.models import Meeting, Resolution, Statement
from tests.conftest import FIXTURES
from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    ResolutionFactory,
    StatementFactory,
)

# Headers that legitimately differ from one request to the next.
VOLATILE_HEADERS = {"Date", "Expires", "X-Request-ID"}
SEARCH_WORD = "abductions"


def fill_the_archive(editor) -> None:
    """The seed fixtures plus one of every state an operator must not lose."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    cited = ResolutionFactory(number=2270, title="Resolution on non-proliferation")
    meeting = MeetingFactory(slug="2017-09-20-trilateral", title="A trilateral meeting")
    for name in ("Person One", "Person Two"):
        ParticipantFactory(meeting=meeting, name=name)

    draft = StatementFactory(slug="a-draft", title="An unpublished draft", status="draft")
    ParagraphFactory(statement=draft, position=1, text=f"Draft text on {SEARCH_WORD}.")
    to_publish = StatementFactory(slug="published-by-an-editor", status="draft")
    paragraph = ParagraphFactory(statement=to_publish, position=1, text="Citing 2270.")
    paragraph.resolutions.add(cited)
    to_publish.meetings.add(meeting)
    services.statement_publish(statements=[to_publish], user=editor)
    to_withdraw = StatementFactory(slug="withdrawn-later", title="Withdrawn later")
    ParagraphFactory(statement=to_withdraw, position=1, text=f"Withdrawn text on {SEARCH_WORD}.")
    services.statement_withdraw(statements=[to_withdraw], note="Published in error.", user=editor)
    LogEntry.objects.log_actions(
        user_id=editor.pk,
        queryset=[to_publish],
        action_flag=ADDITION,
        change_message="Added.",
        single_object=True,
    )
    services.bodies_render()  # as the services would have: written outside them above


def reader_paths() -> list[str]:
    paths = [
        "/",
        "/statements/",
        "/statements/?status=draft",
        "/resolutions/",
        "/meetings/",
        f"/search/?q={SEARCH_WORD}",
        "/statements/feed/",
        "/sitemap.xml",
        "/sitemap-statements.xml",
        "/robots.txt",
        "/api/v1/statements/",
        "/api/v1/paragraphs/",
        f"/api/v1/paragraphs/?q={SEARCH_WORD}",
        "/api/v1/resolutions/",
        "/api/v1/meetings/",
        "/api/v1/export/statements.jsonl",
    ]
    for statement in Statement.objects.order_by("pk"):
        paths += [statement.get_absolute_url(), f"/api/v1/statements/{statement.slug}/"]
    for resolution in Resolution.objects.order_by("pk"):
        paths += [
            resolution.get_absolute_url(),
            f"/resolutions/{resolution.number}/feed/",
            f"/api/v1/resolutions/{resolution.number}/",
        ]
    for meeting in Meeting.objects.order_by("pk"):
        paths += [meeting.get_absolute_url(), f"/api/v1/meetings/{meeting.slug}/"]
    return paths


def editor_paths() -> list[str]:
    return [
        "/api/v1/statements/?status=draft",
        "/api/v1/statements/?status=withdrawn",
        "/api/v1/statements/a-draft/",
    ]


def responses(client, paths: list[str], **headers) -> dict[str, tuple]:
    found = {}
    for path in paths:
        cache.clear()  # neither a throttle count nor a cached page crosses requests
        response = client.get(path, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        kept = {k: v for k, v in response.headers.items() if k not in VOLATILE_HEADERS}
        found[path] = (response.status_code, kept, body)
    return found


def history() -> list[tuple]:
    return sorted(
        (
            v.object_id,
            v.content_type.natural_key(),
            v.serialized_data,
            v.revision.comment,
            v.revision.date_created,
            v.revision.user.username if v.revision.user else None,
        )
        for v in Version.objects.select_related("revision__user", "content_type")
    )


def row_counts() -> dict[str, int]:
    models = []
    for label in BACKED_UP:
        if "." in label:
            models.append(apps.get_model(label))
        else:
            models += apps.get_app_config(label).get_models()
    return {m._meta.label: m._default_manager.count() for m in models if not m._meta.proxy}


@pytest.mark.django_db(transaction=True)
# From fresh sequences: the backup keeps each citation as its paragraph's list of
# resolutions, so the restore numbers the link rows from 1 again, and the ETags digest the
# newest link's id (bodies.stamp_columns). After other tests had used up ids, the pages
# came back the same but for their ETags: a client's copy fetched once more, not stale.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_a_backup_restored_into_an_emptied_database_answers_every_request_identically(
    client, editor, tmp_path
):
    fill_the_archive(editor)
    token = Token.objects.create(user=editor)
    as_editor = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    paths = reader_paths()
    before = responses(client, paths)
    before_editor = responses(client, editor_paths(), **as_editor)
    before_history, before_counts = history(), row_counts()
    # The comparison means something only if the archive answered with content.
    assert sum(1 for status, _, _ in before.values() if status == 200) > 20
    assert before[f"/search/?q={SEARCH_WORD}"][2].count(SEARCH_WORD.encode()) >= 2
    assert json.loads(before_editor["/api/v1/statements/?status=draft"][2])["count"] == 1
    assert len(before_history) >= 2
    assert before_counts["authtoken.Token"] == 1 and before_counts["admin.LogEntry"] == 1

    result = backup(directory=tmp_path)
    call_command("flush", interactive=False, verbosity=0)
    assert Statement.objects.count() == 0
    # Another database numbers its content types differently; the backup must not care.
    ContentType.objects.filter(app_label="statements").delete()
    ContentType.objects.clear_cache()
    call_command("migrate", interactive=False, verbosity=0)  # makes them again, renumbered
    restore(path=result.files[0])

    assert row_counts() == before_counts
    assert history() == before_history
    assert responses(client, paths) == before
    assert responses(client, editor_paths(), **as_editor) == before_editor
    # Full-text search was rebuilt from the restored rows (FTS5 triggers on SQLite).
    hits = client.get("/api/v1/paragraphs/", {"q": SEARCH_WORD}).json()["count"]
    assert hits >= 1


def test_every_model_is_backed_up_or_left_out_with_a_reason():
    def covered(model) -> bool:
        labels = {model._meta.app_label, model._meta.label, model._meta.label_lower}
        return any(
            label in labels or label.lower() in labels for label in [*BACKED_UP, *NOT_BACKED_UP]
        )

    forgotten = [m._meta.label for m in apps.get_models() if not m._meta.proxy and not covered(m)]
    assert forgotten == []


@pytest.mark.django_db
def test_the_backup_is_gzip_json_named_for_its_utc_time(tmp_path, seeded):
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    (written,) = sorted(tmp_path.glob("mofa-*.json.gz"))
    assert written.name[5:21].endswith("Z")
    records = json.loads(gzip.decompress(written.read_bytes()))
    models = {record["model"] for record in records}
    assert {"statements.statement", "statements.paragraph", "auth.group"} <= models
    assert not models & {"contenttypes.contenttype", "sessions.session", "auth.permission"}
    assert f"Wrote {written}" in out.getvalue()
    assert not list(tmp_path.glob(".partial-*"))
    if connection.vendor == "postgresql":
        (dump,) = tmp_path.glob("mofa-*.pgdump")
        assert dump.read_bytes()[:5] == b"PGDMP"


@pytest.mark.django_db
def test_restore_refuses_a_database_that_holds_statements(tmp_path, seeded):
    result = backup(directory=tmp_path)
    before = Statement.objects.count()
    with pytest.raises(CommandError, match="already holds statements or users"):
        call_command("restore", str(result.files[0]))
    assert Statement.objects.count() == before


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_json_backup(tmp_path):
    with pytest.raises(BackupError, match="no such file"):
        restore(path=tmp_path / "missing.json.gz")
    dump = tmp_path / "mofa.pgdump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(BackupError, match="pg_restore"):
        restore(path=Path(dump))
