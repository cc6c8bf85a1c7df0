"""An editor says, on each save of a published statement, whether the change is major
(with a note for readers) or minor; the admin saves it through the services."""

from __future__ import annotations

import pytest

from statements import services
from statements.models import ChangeNote, Statement
from tests.factories import ParagraphFactory
from tests.statements.admin.test_admin import (
    change_url,
    current_paragraphs,
    error_text,
    statement_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> Statement:
    statement = ParagraphFactory(position=1, statement__status=Statement.Status.DRAFT).statement
    services.statement_publish(statements=[statement])
    statement.refresh_from_db()
    return statement


def save(client, statement: Statement, **fields):
    data = statement_data(statement, current_paragraphs(statement), **fields)
    return client.post(change_url(statement), data)


def test_the_form_of_a_published_statement_asks_minor_or_major(editor_client, published):
    html = editor_client.get(change_url(published)).content.decode()
    assert 'name="change_kind" value="minor"' in html and 'value="major"' in html
    assert 'name="change_note"' in html
    assert "First published." in html  # the updates readers see, listed


def test_a_draft_s_form_does_not_ask(editor_client):
    draft = ParagraphFactory(statement__status=Statement.Status.DRAFT).statement
    html = editor_client.get(change_url(draft)).content.decode()
    assert 'name="change_kind"' not in html


def test_an_editor_saves_a_major_change_with_its_note(editor_client, published):
    response = save(
        editor_client,
        published,
        speaker="Foreign Minister Taro Kono",
        change_kind="major",
        change_note="Named the speaker.",
    )
    assert response.status_code == 302, error_text(response)
    published.refresh_from_db()
    assert published.speaker == "Foreign Minister Taro Kono"
    note = ChangeNote.objects.get(statement=published, note="Named the speaker.")
    assert note.major and note.revision.user.username == "editor"
    assert published.public_updated_at == note.date
    page = editor_client.get(published.get_absolute_url()).content.decode()
    assert "Named the speaker." in page and "Last updated" in page


def test_a_save_without_a_choice_is_a_minor_change(editor_client, published):
    response = save(editor_client, published, speaker="Taro Kono")
    assert response.status_code == 302, error_text(response)
    assert ChangeNote.objects.filter(statement=published).order_by("pk").last().major is False


@pytest.mark.parametrize(
    ("kind", "note", "message"),
    [
        ("major", "", "A major change needs a note telling readers what changed."),
        ("minor", "Fixed a typo.", "A minor change is not announced, so it has no note"),
    ],
)
def test_a_major_change_without_a_note_or_a_minor_one_with_one_is_refused(
    editor_client, published, kind, note, message
):
    response = save(editor_client, published, speaker="Someone", change_kind=kind, change_note=note)
    assert response.status_code == 200
    assert message in error_text(response)
    published.refresh_from_db()
    assert published.speaker == ""
