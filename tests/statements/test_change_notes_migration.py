"""Migration 0021: statements published before change notes existed start with "First
published.", dated their first publication, and going back removes what it made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from reversion.models import Revision

from statements.models import ChangeNote, Statement

BEFORE = ("statements", "0020_email_alerts")
FIRST = dt.datetime(2017, 12, 23, 9, 30, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_published_statements_get_first_published_and_their_last_update():
    call_command("migrate", *BEFORE, verbosity=0)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    OldStatement = old.get_model("statements", "Statement")
    common = {"date": dt.date(2017, 12, 23), "title": "T"}
    OldStatement.objects.create(slug="published", status="published", published_at=FIRST, **common)
    OldStatement.objects.create(slug="withdrawn", status="withdrawn", published_at=FIRST,
                                withdrawn_note="Superseded.", **common)  # fmt: skip
    OldStatement.objects.create(slug="draft", status="draft", **common)
    try:
        call_command("migrate", "statements", verbosity=0)
        statements = {s.slug: s for s in Statement.objects.all()}
        assert statements["published"].public_updated_at == FIRST
        assert statements["withdrawn"].public_updated_at == FIRST
        assert statements["draft"].public_updated_at is None
        assert [(n.note, n.date) for n in statements["published"].public_change_notes] == [
            ("First published.", FIRST)
        ]
        assert ChangeNote.objects.filter(statement=statements["draft"]).count() == 0
        note = ChangeNote.objects.get(statement=statements["withdrawn"])
        assert note.revision.comment == "First published." and note.revision.date_created == FIRST
        revision = note.revision_id
        call_command("migrate", *BEFORE, verbosity=0)
        assert not Revision.objects.filter(pk=revision).exists()
    finally:
        call_command("migrate", verbosity=0)
