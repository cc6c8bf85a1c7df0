"""Change notes: every save through the services says whether it was a major change
(with a note for readers, kept with the save's revision) or a minor one, and keeps the
statement's public_updated_at."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from reversion.models import Version

from statements import services
from statements.importing import parse_document
from statements.models import ChangeNote, Statement
from tests.conftest import FIXTURES
from tests.factories import ParagraphFactory
from tests.paths import SEEDS

pytestmark = pytest.mark.django_db

ONE_PARAGRAPH = [{"text": "Japan welcomes the adoption of resolution 2397."}]


def notes(statement: Statement) -> list[tuple[bool, str]]:
    """Every change recorded for it, oldest first: (major, note)."""
    return list(
        ChangeNote.objects.filter(statement=statement).order_by("pk").values_list("major", "note")
    )


def published_draft() -> Statement:
    draft = services.statement_create(
        paragraphs=ONE_PARAGRAPH, title="On 2397", slug="on-2397", date="2017-12-23"
    )
    services.statement_publish(statements=[draft])
    draft.refresh_from_db()
    return draft


def test_a_first_publication_is_noted_first_published_and_dated_with_it():
    statement = published_draft()
    assert notes(statement) == [(False, ""), (True, "First published.")]
    assert statement.public_updated_at == statement.published_at
    assert statement.first_published_at == statement.published_at
    assert [n.note for n in statement.public_change_notes] == ["First published."]
    assert not statement.was_updated


def test_a_change_note_is_kept_with_the_revision_of_its_save():
    statement = published_draft()
    services.statement_update(
        statement=statement,
        expected_version=statement.version,
        major=True,
        change_note="  Corrected the date in paragraph 1.  ",
        title="On resolution 2397",
    )
    note = ChangeNote.objects.get(statement=statement, note="Corrected the date in paragraph 1.")
    version = Version.objects.get_for_object(statement).get(revision=note.revision)
    assert version.field_dict["title"] == "On resolution 2397"
    statement.refresh_from_db()
    assert statement.public_updated_at == note.date > statement.published_at
    assert statement.was_updated
    assert [n.note for n in Statement.objects.get(pk=statement.pk).public_change_notes] == [
        "Corrected the date in paragraph 1.",
        "First published.",
    ]


def test_a_minor_change_tells_readers_nothing_and_keeps_the_last_update():
    statement = published_draft()
    before = statement.public_updated_at
    services.statement_update(
        statement=statement, expected_version=statement.version, speaker="Taro Kono"
    )
    statement.refresh_from_db()
    assert statement.speaker == "Taro Kono" and statement.public_updated_at == before
    assert notes(statement)[-1] == (False, "")
    assert len(statement.public_change_notes) == 1


def test_a_minor_save_after_a_revert_puts_back_the_last_major_change_s_date():
    statement = published_draft()
    services.statement_update(
        statement=statement, expected_version=statement.version, major=True, change_note="Fixed."
    )
    statement.refresh_from_db()
    latest = statement.public_updated_at
    first = ChangeNote.objects.get(statement=statement, note="First published.")
    first.revision.revert()  # what the admin's revert does before saving through the service
    reverted = Statement.objects.get(pk=statement.pk)
    assert reverted.public_updated_at == reverted.published_at < latest  # as it was then
    services.statement_update(statement=reverted, expected_version=reverted.version)
    reverted.refresh_from_db()
    assert reverted.public_updated_at == latest


@pytest.mark.parametrize(
    ("major", "note", "message"),
    [
        (True, "  ", "A major change needs a note"),
        (False, "Fixed a typo.", "A minor change is not announced"),
    ],
)
def test_a_major_change_needs_a_note_and_a_minor_one_has_none(major, note, message):
    statement = published_draft()
    with pytest.raises(ValidationError) as raised:
        services.statement_update(
            statement=statement,
            expected_version=statement.version,
            major=major,
            change_note=note,
            speaker="Someone",
        )
    assert message in raised.value.message_dict["change_note"][0]
    statement.refresh_from_db()
    assert statement.speaker == "" and len(notes(statement)) == 2  # nothing written


def test_a_statement_never_published_has_no_major_changes():
    draft = ParagraphFactory(statement__status=Statement.Status.DRAFT).statement
    with pytest.raises(ValidationError) as raised:
        services.statement_update(
            statement=draft, expected_version=draft.version, major=True, change_note="New."
        )
    assert "Readers have not seen this statement yet" in str(raised.value)


def test_created_published_it_is_first_published_or_says_what_the_editor_wrote():
    plain = services.statement_create(
        paragraphs=ONE_PARAGRAPH, title="A", slug="a", date="2017-12-23", status="published"
    )
    noted = services.statement_create(
        paragraphs=ONE_PARAGRAPH,
        title="B",
        slug="b",
        date="2017-12-23",
        status="published",
        major=True,
        change_note="Published from the ministry's corrected page.",
    )
    assert notes(plain) == [(True, "First published.")]
    assert notes(noted) == [(True, "Published from the ministry's corrected page.")]
    assert plain.public_updated_at == plain.published_at is not None


def test_withdrawing_is_minor_and_publishing_again_is_a_major_change():
    statement = published_draft()
    services.statement_withdraw(statements=[statement], note="Superseded.")
    statement.refresh_from_db()
    withdrawn_at = statement.public_updated_at
    assert notes(statement)[-1] == (False, "")
    services.statement_publish(statements=[statement])
    statement.refresh_from_db()
    assert notes(statement)[-1] == (True, "Published again.")
    assert statement.public_updated_at > withdrawn_at


def test_seeds_loaded_as_make_run_loads_them_start_with_first_published():
    services.fixtures_load(paths=FIXTURES)
    for statement in Statement.objects.published():
        assert [(n.note, n.date) for n in statement.public_change_notes] == [
            ("First published.", statement.published_at)
        ]
        assert statement.public_updated_at == statement.published_at
    # Loading them again records nothing twice.
    services.history_start()
    assert ChangeNote.objects.count() == 2


def test_plain_loaddata_keeps_the_dates_and_history_start_adds_the_notes():
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert ChangeNote.objects.count() == 0
    assert all(s.public_updated_at == s.published_at for s in Statement.objects.published())
    services.history_start()
    assert set(ChangeNote.objects.values_list("note", flat=True)) == {"First published."}


def test_an_imported_page_is_first_published_when_an_editor_publishes_it():
    text = (SEEDS / "000_a026e662df115a8c.txt").read_text(encoding="utf-8")
    (outcome,) = services.statements_import(
        pages=[services.ImportPage(parse_document(text), text, "000.txt")]
    )
    assert notes(outcome.statement) == []  # a draft: nothing readers were told
    services.statement_publish(statements=[outcome.statement])
    assert notes(outcome.statement) == [(True, "First published.")]
