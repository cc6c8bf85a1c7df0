import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from statements.models import Meeting, Paragraph, Resolution, Statement
from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    ResolutionFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def test_two_paragraphs_cannot_share_a_position():
    paragraph = ParagraphFactory(position=1, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParagraphFactory(statement=paragraph.statement, position=1, number=2)


def test_two_paragraphs_cannot_share_a_printed_number():
    paragraph = ParagraphFactory(position=1, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParagraphFactory(statement=paragraph.statement, position=2, number=1)


def test_several_unnumbered_paragraphs_may_share_a_statement():
    statement = StatementFactory()
    ParagraphFactory(statement=statement, position=1, number=None)
    ParagraphFactory(statement=statement, position=2, number=None)
    assert statement.paragraphs.count() == 2


def test_paragraph_position_zero_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        ParagraphFactory(position=0, number=None)


def test_negative_and_zero_meeting_durations_are_rejected():
    for minutes in (0, -5):
        with pytest.raises(IntegrityError), transaction.atomic():
            Meeting.objects.filter(pk=MeetingFactory().pk).update(duration_minutes=minutes)


def test_unknown_statement_status_is_rejected():
    statement = StatementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(status="archived")


def test_withdrawn_statement_requires_a_public_note():
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementFactory(status=Statement.Status.WITHDRAWN, withdrawn_note="")
    statement = StatementFactory(status=Statement.Status.WITHDRAWN, withdrawn_note="Superseded.")
    assert statement.is_withdrawn


def test_source_url_is_unique_but_may_be_empty_many_times():
    StatementFactory(source_url="")
    StatementFactory(source_url="")
    StatementFactory(source_url="https://www.mofa.go.jp/a.html")
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementFactory(source_url="https://www.mofa.go.jp/a.html")


def test_resolution_number_outside_1_to_9999_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        ResolutionFactory(number=10000)
    with pytest.raises(ValidationError):
        Resolution(number=0, symbol="x").full_clean()


def test_resolution_symbol_is_computed_from_number_and_adoption_year():
    resolution = ResolutionFactory(number=2397, adopted_on=dt.date(2017, 12, 22))
    assert resolution.symbol == "S/RES/2397 (2017)"
    undated = ResolutionFactory(number=2375, adopted_on=None)
    assert undated.symbol == "S/RES/2375"


def test_vote_must_read_in_favour_against_abstentions():
    resolution = ResolutionFactory(number=1718)
    resolution.vote = "unanimous"
    with pytest.raises(ValidationError) as excinfo:
        resolution.full_clean()
    assert "vote" in excinfo.value.message_dict
    assert ResolutionFactory(number=1874, vote="15-0-0").is_unanimous
    assert not ResolutionFactory(number=2087, vote="13-0-2").is_unanimous


def test_meeting_timezone_must_be_an_iana_name():
    meeting = MeetingFactory.build(timezone="New York")
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert "timezone" in excinfo.value.message_dict


def test_japan_time_is_computed_across_the_date_line():
    meeting = MeetingFactory.build(
        date=dt.date(2017, 9, 19), start_time=dt.time(12, 5), timezone="America/New_York"
    )
    japan = meeting.starts_at_japan
    assert (japan.date(), japan.time()) == (dt.date(2017, 9, 20), dt.time(1, 5))
    assert MeetingFactory.build(start_time=None).starts_at_japan is None


def test_published_returns_only_published_statements():
    published = StatementFactory(status=Statement.Status.PUBLISHED)
    StatementFactory(status=Statement.Status.DRAFT)
    withdrawn = StatementFactory(status=Statement.Status.WITHDRAWN, withdrawn_note="Error.")
    assert list(Statement.objects.published()) == [published]
    assert set(Statement.objects.readable()) == {published, withdrawn}


def test_citing_finds_paragraphs_and_statements_that_cite_a_resolution():
    resolution = ResolutionFactory(number=2397)
    citing = ParagraphFactory()
    citing.resolutions.add(resolution)
    ParagraphFactory()
    assert list(Paragraph.objects.citing(resolution)) == [citing]
    assert list(Paragraph.objects.citing(2397)) == [citing]
    assert list(Statement.objects.citing(resolution)) == [citing.statement]


def test_cited_resolutions_and_counts_ignore_drafts():
    cited = ResolutionFactory(number=2397)
    only_in_draft = ResolutionFactory(number=2375)
    for status in (Statement.Status.PUBLISHED, Statement.Status.PUBLISHED, Statement.Status.DRAFT):
        ParagraphFactory(statement__status=status).resolutions.add(cited)
    ParagraphFactory(statement__status=Statement.Status.DRAFT).resolutions.add(only_in_draft)
    assert list(Resolution.objects.cited()) == [cited]
    counts = dict(Resolution.objects.with_citation_count().values_list("number", "citation_count"))
    assert counts == {2397: 2, 2375: 0}


def test_meetings_are_public_only_through_a_published_statement():
    public = MeetingFactory()
    StatementFactory(status=Statement.Status.PUBLISHED).meetings.add(public)
    hidden = MeetingFactory()
    StatementFactory(status=Statement.Status.DRAFT).meetings.add(hidden)
    assert list(Meeting.objects.published()) == [public]


def test_paragraph_permalink_uses_number_or_position():
    statement = StatementFactory(slug="2017-12-23-statement")
    numbered = ParagraphFactory(statement=statement, position=2, number=1)
    opening = ParagraphFactory(statement=statement, position=1, number=None)
    assert numbered.get_absolute_url() == "/statements/2017-12-23-statement/#p1"
    assert opening.get_absolute_url() == "/statements/2017-12-23-statement/#p-1"


def test_with_related_loads_a_statement_in_a_fixed_number_of_queries(django_assert_num_queries):
    for paragraphs in (2, 20):
        statement = StatementFactory()
        meeting = MeetingFactory()
        ParticipantFactory(meeting=meeting)
        statement.meetings.add(meeting)
        for position in range(1, paragraphs + 1):
            ParagraphFactory(statement=statement, position=position).resolutions.add(
                ResolutionFactory(number=position)
            )
        # statement, paragraphs, their resolutions, meetings, participants
        with django_assert_num_queries(5):
            loaded = Statement.objects.with_related().get(pk=statement.pk)
            rendered = [
                (p.anchor, [r.number for r in p.resolutions.all()]) for p in loaded.paragraphs.all()
            ]
            [list(m.participants.all()) for m in loaded.meetings.all()]
        assert len(rendered) == paragraphs
