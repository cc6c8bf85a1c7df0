import pytest
from reversion.models import Version

from statements.models import Meeting, Resolution, Statement
from statements.services import (
    StaleVersionError,
    meeting_update,
    paragraphs_relink,
    resolution_update,
    statement_claim_version,
    statement_publish,
    statement_withdraw,
)
from tests.factories import MeetingFactory, ParagraphFactory, ResolutionFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_claiming_the_current_version_moves_to_the_next():
    statement = StatementFactory(version=3)
    assert statement_claim_version(statement=statement, expected_version=3) == 4
    statement.refresh_from_db()
    assert statement.version == 4


def test_claiming_a_stale_version_is_refused_with_the_current_one():
    statement = StatementFactory(version=1)
    stale_copy = Statement.objects.get(pk=statement.pk)
    statement_claim_version(statement=statement, expected_version=1)
    with pytest.raises(StaleVersionError) as excinfo:
        statement_claim_version(statement=stale_copy, expected_version=1)
    assert excinfo.value.current_version == 2
    assert "version 2" in str(excinfo.value)


def test_publishing_sets_status_and_first_publication_time_and_records_a_revision():
    draft = ParagraphFactory(statement__status=Statement.Status.DRAFT).statement
    statement_publish(statements=[draft])
    draft.refresh_from_db()
    assert draft.is_published and draft.published_at is not None
    assert Version.objects.get_for_object(draft).count() == 1


def test_publishing_a_statement_without_paragraphs_is_refused_and_writes_nothing():
    good = ParagraphFactory(statement__status=Statement.Status.DRAFT).statement
    empty = StatementFactory(status=Statement.Status.DRAFT, title="Empty one")
    with pytest.raises(ValueError, match="Empty one"):
        statement_publish(statements=[good, empty])
    good.refresh_from_db()
    assert good.status == Statement.Status.DRAFT


def test_withdrawing_needs_a_note_and_shows_it():
    statement = ParagraphFactory().statement
    with pytest.raises(ValueError):
        statement_withdraw(statements=[statement], note="   ")
    statement_withdraw(statements=[statement], note="Superseded by the statement of 24 Dec.")
    statement.refresh_from_db()
    assert statement.is_withdrawn
    assert statement.withdrawn_note == "Superseded by the statement of 24 Dec."


def test_republishing_a_withdrawn_statement_clears_the_notice_but_keeps_first_publication():
    statement = ParagraphFactory().statement
    statement_publish(statements=[statement])
    statement.refresh_from_db()
    first = statement.published_at
    statement_withdraw(statements=[statement], note="Error in paragraph 2.")
    statement_publish(statements=[statement])
    statement.refresh_from_db()
    assert statement.is_published and statement.withdrawn_note == ""
    assert statement.published_at == first


def test_withdrawing_a_draft_is_refused_so_it_never_becomes_readable():
    draft = ParagraphFactory(statement__status=Statement.Status.DRAFT).statement
    with pytest.raises(ValueError, match="Only published"):
        statement_withdraw(statements=[draft], note="Never meant to be public.")
    draft.refresh_from_db()
    assert draft.status == Statement.Status.DRAFT
    assert not Statement.objects.readable().filter(pk=draft.pk).exists()


def test_relinking_recomputes_citations_from_the_current_text():

    paragraph = ParagraphFactory(text="Japan welcomes Resolution 2397.")
    paragraphs_relink(paragraphs=[paragraph])
    assert [r.number for r in paragraph.resolutions.all()] == [2397]
    paragraph.text = "Japan recalls resolutions 2270 and 2321, not the year 2016."
    paragraph.save()
    paragraphs_relink(paragraphs=[paragraph])
    assert sorted(r.number for r in paragraph.resolutions.all()) == [2270, 2321]
    # The resolution no longer cited stays, with whatever editors wrote about it.
    assert Resolution.objects.filter(number=2397).exists()


def test_an_update_from_a_stale_instance_keeps_the_counts_the_database_keeps():
    meeting, resolution = MeetingFactory(), ResolutionFactory(number=2397)
    stale_meeting = Meeting.objects.get(pk=meeting.pk)
    stale_resolution = Resolution.objects.get(pk=resolution.pk)
    paragraph = ParagraphFactory(statement__status=Statement.Status.DRAFT)
    paragraph.resolutions.add(resolution)
    paragraph.statement.meetings.add(meeting)
    statement_publish(statements=[paragraph.statement])  # the triggers count it

    meeting_update(meeting=stale_meeting, location="Geneva")
    resolution_update(resolution=stale_resolution, title="Non-proliferation")

    meeting.refresh_from_db()
    resolution.refresh_from_db()
    assert (meeting.location, meeting.statement_count) == ("Geneva", 1)
    assert (resolution.title, resolution.citation_count) == ("Non-proliferation", 1)
