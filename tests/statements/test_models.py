import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements import services
from statements.models import (
    Meeting,
    Paragraph,
    PublishedCitation,
    Resolution,
    Statement,
    Tally,
    in_citation_order,
    principal_names,
)
from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    PersonFactory,
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


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.lists(st.integers(1, 4), min_size=1, max_size=8))
def test_neighbours_follow_the_list_order_across_same_day_statements(days):
    with transaction.atomic():
        for day in days:
            StatementFactory(date=dt.date(2017, 12, day))
        StatementFactory(date=dt.date(2017, 12, 2), status=Statement.Status.DRAFT)
        listed = list(Statement.objects.published())
        published = Statement.objects.published()
        for index, statement in enumerate(listed):
            newer = listed[index - 1] if index else None
            older = listed[index + 1] if index + 1 < len(listed) else None
            assert published.older_than(statement).first() == older
            assert published.newer_than(statement).first() == newer
            # Read with the statement (its page) or afterwards: the same two.
            expected = [None if s is None else (s.slug, s.title, s.date) for s in (older, newer)]
            for found in (
                Statement.objects.with_neighbours().get(pk=statement.pk),
                Statement.objects.get(pk=statement.pk),
            ):
                shown = found.published_neighbours()
                assert [None if s is None else (s.slug, s.title, s.date) for s in shown] == expected
                links = [None if s is None else s.get_absolute_url() for s in (older, newer)]
                assert [None if s is None else s.get_absolute_url() for s in shown] == links
        transaction.set_rollback(True)


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


def test_citing_finds_statements_of_every_status_once():
    resolution = ResolutionFactory(number=2397)
    citing = {}
    for status in Statement.Status.values:
        statement = StatementFactory(status=status, withdrawn_note="Withdrawn.")
        for position in (1, 2):  # two citing paragraphs, one statement
            ParagraphFactory(statement=statement, position=position).resolutions.add(resolution)
        citing[status] = statement
    ParagraphFactory(statement=StatementFactory()).resolutions.add(ResolutionFactory(number=1))
    assert sorted(Statement.objects.citing(2397), key=lambda s: s.pk) == sorted(
        citing.values(), key=lambda s: s.pk
    )
    for status, statement in citing.items():
        assert list(Statement.objects.filter(status=status).citing(2397)) == [statement]
        assert Paragraph.objects.filter(statement=statement).citing(2397).count() == 2


def test_cited_resolutions_and_counts_ignore_drafts():
    cited = ResolutionFactory(number=2397)
    only_in_draft = ResolutionFactory(number=2375)
    for status in (Statement.Status.PUBLISHED, Statement.Status.PUBLISHED, Statement.Status.DRAFT):
        ParagraphFactory(statement__status=status).resolutions.add(cited)
    ParagraphFactory(statement__status=Statement.Status.DRAFT).resolutions.add(only_in_draft)
    assert list(Resolution.objects.cited()) == [cited]
    counts = dict(Resolution.objects.values_list("number", "citation_count"))
    assert counts == {2397: 2, 2375: 0}


# --- Citation counts, kept by the database (migration 0008) ------------------------------


def counted() -> dict[int, int]:
    return dict(Resolution.objects.values_list("number", "citation_count"))


def recounted() -> dict[int, int]:
    """The same counts, aggregated from the citations as pages used to."""
    return dict(
        Resolution.objects.annotate(
            n=Count(
                "paragraphs",
                filter=Q(paragraphs__statement__status=Statement.Status.PUBLISHED),
                distinct=True,
            )
        ).values_list("number", "n")
    )


def test_citation_counts_follow_citations_status_moves_and_deletes():
    resolution, other = ResolutionFactory(number=2397), ResolutionFactory(number=2375)
    draft = StatementFactory(status=Statement.Status.DRAFT)
    first, second = (ParagraphFactory(statement=draft) for _ in range(2))
    first.resolutions.add(resolution, other)
    second.resolutions.add(resolution)
    assert counted() == {2397: 0, 2375: 0}  # drafts count for nothing

    services.statement_publish(statements=[draft])
    assert counted() == {2397: 2, 2375: 1}
    first.resolutions.remove(other)
    assert counted() == {2397: 2, 2375: 0}
    services.statement_withdraw(statements=[draft], note="Superseded.")
    assert counted() == {2397: 0, 2375: 0}  # withdrawn pages are no longer cited
    services.statement_publish(statements=[draft])

    Paragraph.objects.filter(pk=second.pk).update(statement=StatementFactory(status="draft"))
    assert counted() == {2397: 1, 2375: 0}
    first.delete()
    assert counted() == {2397: 0, 2375: 0}
    published = ParagraphFactory()
    published.resolutions.add(resolution)
    Statement.objects.filter(pk=published.statement_id).update(status=Statement.Status.DRAFT)
    assert counted() == {2397: 0, 2375: 0}
    Statement.objects.filter(pk=published.statement_id).update(status="published")
    assert counted() == {2397: 1, 2375: 0}
    published.statement.delete()
    assert counted() == recounted() == {2397: 0, 2375: 0}


@pytest.mark.django_db(transaction=True)
def test_citation_counts_still_follow_after_migrating_back_and_forth():
    # On SQLite, a migration that rebuilds a table drops the triggers on it.
    call_command("migrate", "statements", "0006", verbosity=0)
    call_command("migrate", "statements", verbosity=0)
    test_citation_counts_follow_citations_status_moves_and_deletes()


# --- Published citations and meeting counts, kept by the database (migration 0010) --------


def indexed() -> set[tuple]:
    return set(
        PublishedCitation.objects.values_list(
            "resolution_id", "paragraph_id", "statement_id", "date", "position"
        )
    )


def reindexed() -> set[tuple]:
    """The same rows, read from the citations, paragraphs and statements themselves."""
    return set(
        Paragraph.resolutions.through.objects.filter(
            paragraph__statement__status=Statement.Status.PUBLISHED
        ).values_list(
            "resolution_id",
            "paragraph_id",
            "paragraph__statement_id",
            "paragraph__statement__date",
            "paragraph__position",
        )
    )


def meeting_counts() -> dict[int, int]:
    return dict(Meeting.objects.values_list("pk", "statement_count"))


def meeting_recounts() -> dict[int, int]:
    published = Q(statements__status=Statement.Status.PUBLISHED)
    return dict(
        Meeting.objects.annotate(
            n=Count("statements", filter=published, distinct=True)
        ).values_list("pk", "n")
    )


def tallies() -> dict[str, int]:
    return dict(Tally.objects.values_list("name", "value"))


def retallied() -> dict[str, int]:
    return {
        Tally.PUBLISHED_STATEMENTS: Statement.objects.filter(status="published").count(),
        Tally.PUBLISHED_PARAGRAPHS: Paragraph.objects.filter(statement__status="published").count(),
        Tally.PUBLISHED_MEETINGS: Meeting.objects.filter(statement_count__gt=0).count(),
    }


def test_tallies_follow_statements_paragraphs_and_meetings():
    def counts() -> tuple[int, int, int]:
        kept = tallies()
        assert kept == retallied()
        return (
            kept[Tally.PUBLISHED_STATEMENTS],
            kept[Tally.PUBLISHED_PARAGRAPHS],
            kept[Tally.PUBLISHED_MEETINGS],
        )

    assert counts() == (0, 0, 0)
    draft = ParagraphFactory(statement__status=Statement.Status.DRAFT).statement
    ParagraphFactory(statement=draft)
    meeting = MeetingFactory()
    draft.meetings.add(meeting)
    assert counts() == (0, 0, 0)
    services.statement_publish(statements=[draft])
    for statement in StatementFactory.create_batch(3):
        ParagraphFactory(statement=statement)
    assert counts() == (4, 5, 1)
    services.statement_withdraw(statements=[draft], note="Superseded.")
    assert counts() == (3, 3, 0)
    moved = Paragraph.objects.filter(statement=draft).first()
    Paragraph.objects.filter(pk=moved.pk).update(statement=Statement.objects.published().first())
    assert counts() == (3, 4, 0)
    Paragraph.objects.bulk_create(
        Paragraph(statement=statement, position=50, text="Bulk.")
        for statement in Statement.objects.all()
    )
    assert counts() == (3, 7, 0)
    Statement.objects.filter(status="published").update(status=Statement.Status.DRAFT)
    assert counts() == (0, 0, 0)
    Statement.objects.update(status=Statement.Status.PUBLISHED, withdrawn_note="")
    assert counts() == (4, 9, 1)
    meeting.delete()
    Statement.objects.all().delete()
    assert counts() == (0, 0, 0)


def test_published_citations_follow_citations_status_dates_moves_and_deletes():
    resolution = ResolutionFactory(number=2397)
    draft = StatementFactory(status=Statement.Status.DRAFT, date=dt.date(2017, 12, 23))
    first, second = (ParagraphFactory(statement=draft, position=n) for n in (1, 2))
    first.resolutions.add(resolution)
    second.resolutions.add(resolution)
    assert indexed() == set()  # drafts are not public

    services.statement_publish(statements=[draft])
    assert indexed() == {
        (resolution.pk, first.pk, draft.pk, dt.date(2017, 12, 23), 1),
        (resolution.pk, second.pk, draft.pk, dt.date(2017, 12, 23), 2),
    }
    Statement.objects.filter(pk=draft.pk).update(date=dt.date(2017, 12, 24))
    Paragraph.objects.filter(pk=second.pk).update(position=3)
    assert indexed() == {
        (resolution.pk, first.pk, draft.pk, dt.date(2017, 12, 24), 1),
        (resolution.pk, second.pk, draft.pk, dt.date(2017, 12, 24), 3),
    }
    first.resolutions.remove(resolution)
    assert indexed() == {(resolution.pk, second.pk, draft.pk, dt.date(2017, 12, 24), 3)}

    elsewhere = StatementFactory(date=dt.date(2018, 1, 5))
    Paragraph.objects.filter(pk=second.pk).update(statement=elsewhere, position=7)
    assert indexed() == {(resolution.pk, second.pk, elsewhere.pk, dt.date(2018, 1, 5), 7)}
    services.statement_withdraw(statements=[elsewhere], note="Superseded.")
    assert indexed() == set()
    services.statement_publish(statements=[elsewhere])
    assert indexed() == reindexed() != set()
    elsewhere.delete()
    assert indexed() == reindexed() == set()


def test_meeting_counts_follow_links_status_and_deletes():
    meeting, other = MeetingFactory(), MeetingFactory()
    draft = ParagraphFactory(statement__status=Statement.Status.DRAFT).statement
    draft.meetings.add(meeting, other)
    assert meeting_counts() == {meeting.pk: 0, other.pk: 0}
    assert not Meeting.objects.published().exists()

    services.statement_publish(statements=[draft])
    StatementFactory().meetings.add(meeting)
    assert meeting_counts() == {meeting.pk: 2, other.pk: 1}
    draft.meetings.remove(other)
    assert meeting_counts() == {meeting.pk: 2, other.pk: 0}
    services.statement_withdraw(statements=[draft], note="Superseded.")
    assert meeting_counts() == {meeting.pk: 1, other.pk: 0}
    assert list(Meeting.objects.published()) == [meeting]
    Statement.objects.filter(meetings=meeting).delete()
    assert meeting_counts() == meeting_recounts() == {meeting.pk: 0, other.pk: 0}


@pytest.mark.django_db(transaction=True)
def test_what_the_database_keeps_still_follows_after_migrating_back_and_forth():
    # On SQLite, a migration that rebuilds a table drops the triggers on it.
    call_command("migrate", "statements", "0009", verbosity=0)
    call_command("migrate", "statements", verbosity=0)
    test_published_citations_follow_citations_status_dates_moves_and_deletes()
    test_meeting_counts_follow_links_status_and_deletes()
    Statement.objects.all().delete()
    Meeting.objects.all().delete()
    test_tallies_follow_statements_paragraphs_and_meetings()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(
                ["cite", "uncite", "status", "redate", "move", "link", "unlink", "delete"]
            ),
            st.integers(0, 5),
        ),
        max_size=25,
    )
)
def test_everything_the_database_keeps_equals_a_recount_after_any_edits(steps):
    with transaction.atomic():
        resolutions = [ResolutionFactory(number=2000 + i) for i in range(3)]
        meetings = [MeetingFactory() for _ in range(2)]
        paragraphs = [ParagraphFactory(statement__status=s) for s in ("published", "draft")] * 2
        for paragraph in paragraphs:  # something to follow from the first step on
            paragraph.resolutions.add(resolutions[0])
            paragraph.statement.meetings.add(meetings[0])
        for kind, n in steps:
            paragraph = paragraphs[n % len(paragraphs)]
            resolution = resolutions[n % len(resolutions)]
            meeting = meetings[n % len(meetings)]
            if paragraph.pk is None or not Paragraph.objects.filter(pk=paragraph.pk).exists():
                continue
            paragraph.refresh_from_db()
            statement = paragraph.statement
            if kind == "cite":
                paragraph.resolutions.add(resolution)
            elif kind == "uncite":
                paragraph.resolutions.remove(resolution)
            elif kind == "status":
                status = ["published", "draft", "withdrawn"][n % 3]
                Statement.objects.filter(pk=statement.pk).update(
                    status=status, withdrawn_note="Withdrawn." if status == "withdrawn" else ""
                )
            elif kind == "redate":
                Statement.objects.filter(pk=statement.pk).update(date=dt.date(2010 + n, 1, 1))
            elif kind == "move":
                target = paragraphs[(n + 1) % len(paragraphs)].statement_id
                # A free position: the factory's positions come from a sequence shared by
                # the whole session, so any fixed number may already be taken there.
                last = Paragraph.objects.filter(statement_id=target).aggregate(Max("position"))
                Paragraph.objects.filter(pk=paragraph.pk).update(
                    statement_id=target, position=(last["position__max"] or 0) + 1
                )
            elif kind == "link":
                statement.meetings.add(meeting)
            elif kind == "unlink":
                statement.meetings.remove(meeting)
            else:
                paragraph.delete()
            assert counted() == recounted(), (kind, n)
            assert indexed() == reindexed(), (kind, n)
            assert meeting_counts() == meeting_recounts(), (kind, n)
            assert tallies() == retallied(), (kind, n)
        transaction.set_rollback(True)


def test_meetings_are_public_only_through_a_published_statement():
    public = MeetingFactory()
    StatementFactory(status=Statement.Status.PUBLISHED).meetings.add(public)
    hidden = MeetingFactory()
    StatementFactory(status=Statement.Status.DRAFT).meetings.add(hidden)
    assert list(Meeting.objects.published()) == [public]


def test_a_meetings_published_statements_are_newest_first_loaded_or_not():
    meeting = MeetingFactory()
    older = StatementFactory(date=dt.date(2017, 1, 1))
    newer = StatementFactory(date=dt.date(2018, 1, 1))
    draft = StatementFactory(date=dt.date(2019, 1, 1), status=Statement.Status.DRAFT)
    withdrawn = StatementFactory(
        date=dt.date(2019, 2, 1), status=Statement.Status.WITHDRAWN, withdrawn_note="Gone."
    )
    for statement in (older, newer, draft, withdrawn):
        statement.meetings.add(meeting)
    reported = Meeting.objects.get(pk=meeting.pk)
    reported.load_reports()
    for loaded in (
        Meeting.objects.get(pk=meeting.pk),
        Meeting.objects.with_related().get(pk=meeting.pk),
        reported,
    ):
        assert loaded.published_statements == [newer, older]


def test_principal_names_are_the_principals_names_in_order_from_one_query(
    django_assert_num_queries,
):
    met, alone = MeetingFactory(), MeetingFactory()
    ParticipantFactory(meeting=met, name="Shinzo Abe", position=2)
    ParticipantFactory(meeting=met, name="Narendra Modi", position=1)
    ParticipantFactory(meeting=met, name="Hiroshige Seko", position=0, in_attendance=True)
    with django_assert_num_queries(1):
        names = principal_names([met.pk, alone.pk])
    assert names == {met.pk: ["Narendra Modi", "Shinzo Abe"], alone.pk: []}
    assert names[met.pk] == [p.name for p in Meeting.objects.get(pk=met.pk).principals]


def test_a_statements_meetings_load_in_order_in_one_query():
    statement = StatementFactory()
    older, newer, empty = (
        MeetingFactory(date=dt.date(2017, 1, 1)),
        MeetingFactory(date=dt.date(2018, 1, 1)),
        MeetingFactory(date=dt.date(2016, 1, 1), location="Geneva"),
    )
    statement.meetings.add(older, newer, empty)
    MeetingFactory().statements.add(StatementFactory())  # another statement's
    ParticipantFactory(meeting=newer, name="Guterres", person=PersonFactory())
    with CaptureQueriesContext(connection) as queries:
        meetings = statement.reported_meetings()
        shown = [(m.title, m.date, m.location, m.get_absolute_url()) for m in meetings]
    assert len(queries.captured_queries) == 1
    assert meetings == [newer, older, empty]
    assert shown == [
        (m.title, m.date, m.location, m.get_absolute_url()) for m in (newer, older, empty)
    ]


def test_quotes_sorted_in_citation_order_are_in_the_order_the_database_gives():
    day, later = dt.date(2020, 5, 1), dt.date(2021, 5, 1)
    statements = [StatementFactory(date=date) for date in (day, later, day, later, day)]
    for statement in statements:
        for position in (3, 1, 2):
            ParagraphFactory(statement=statement, position=position)
    quotes = Paragraph.objects.with_place(dated=False)
    newest = quotes.order_by("-statement__date", "-statement_id", "position")
    oldest = quotes.order_by("statement__date", "statement_id", "position")
    shuffled = list(quotes.order_by("?"))
    assert [p.pk for p in in_citation_order(shuffled)] == [p.pk for p in newest]
    assert [p.pk for p in in_citation_order(shuffled, oldest=True)] == [p.pk for p in oldest]
    assert in_citation_order(shuffled)[0].statement == statements[3]


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
                (p.anchor, [r.number for r in p.citations]) for p in loaded.paragraphs.all()
            ]
            [list(m.participants.all()) for m in loaded.meetings.all()]
        assert len(rendered) == paragraphs


def test_a_choice_is_displayed_by_its_label_and_an_unknown_value_as_itself():
    # get_<field>_display() answers from choices kept per field (TimeStampedModel): the
    # same answers as Django's, which built the choices at every call.
    statement = Statement(kind=Statement.Kind.MEETING_SUMMARY)
    meeting = Meeting(kind=Meeting.Kind.BILATERAL)
    assert statement.get_kind_display() == str(Statement.Kind.MEETING_SUMMARY.label)
    assert meeting.get_kind_display() == str(Meeting.Kind.BILATERAL.label)
    assert type(statement.get_kind_display()) is str
    statement.kind = "not-a-kind"
    assert statement.get_kind_display() == "not-a-kind"
    assert Statement(status=Statement.Status.DRAFT).get_status_display() == str(
        Statement.Status.DRAFT.label
    )


def test_cited_numbers_of_published_and_unpublished_statements_come_in_one_query(
    django_assert_num_queries,
):
    from statements.models import cited_numbers_by_statement

    r2375, r2397, r1718 = (ResolutionFactory(number=n) for n in (2375, 2397, 1718))
    published = StatementFactory(status=Statement.Status.PUBLISHED)
    draft = StatementFactory(status=Statement.Status.DRAFT)
    quiet = StatementFactory(status=Statement.Status.PUBLISHED)  # cites nothing
    ParagraphFactory(statement=published).resolutions.add(r2397, r2375)
    ParagraphFactory(statement=published).resolutions.add(r2397)
    ParagraphFactory(statement=draft).resolutions.add(r1718, r2397)
    ids = [published.pk, draft.pk, quiet.pk]
    expected = {published.pk: [2375, 2397], draft.pk: [1718, 2397]}
    # The published ones from the index of published citations, the draft through its
    # paragraphs' links: one query, the same numbers as from the links alone.
    with django_assert_num_queries(1):
        assert cited_numbers_by_statement(ids, {published.pk, quiet.pk}) == expected
    assert cited_numbers_by_statement(ids) == expected
    with django_assert_num_queries(1):
        assert cited_numbers_by_statement([published.pk], {published.pk}) == {
            published.pk: [2375, 2397]
        }
    with django_assert_num_queries(1):
        assert cited_numbers_by_statement([draft.pk, quiet.pk]) == {draft.pk: [1718, 2397]}


def test_a_body_gives_each_paragraph_its_citations_by_number_one_instance_per_resolution(
    django_assert_num_queries,
):
    r2397 = ResolutionFactory(number=2397, title="Non-proliferation/DPRK")
    r1718 = ResolutionFactory(number=1718)
    statement = StatementFactory()
    first = ParagraphFactory(statement=statement, position=1)
    first.resolutions.add(r2397, r1718)
    ParagraphFactory(statement=statement, position=2)
    ParagraphFactory(statement=statement, position=3).resolutions.add(r2397)
    statement = Statement.objects.get(pk=statement.pk)
    with django_assert_num_queries(2):  # the paragraphs, their citations
        body = statement.body()
    with django_assert_num_queries(0):
        assert [[r.number for r in p.citations] for p in body] == [[1718, 2397], [], [2397]]
        shown = body[0].citations[1]
        assert (shown.symbol, shown.title, str(shown)) == (
            r2397.symbol,
            "Non-proliferation/DPRK",
            str(r2397),
        )
        assert shown.get_absolute_url() == "/resolutions/2397/"
        # Each paragraph citing it holds the same resolution, not a copy per citation.
        assert body[2].citations[0] is shown
        assert [r.number for r in statement.cited_resolutions] == [1718, 2397]
    assert shown.updated_at == r2397.updated_at  # on no page: read when asked


def test_a_statements_body_is_read_without_the_blocks_timestamps():
    # Two strings parsed a block on SQLite; no page, quote or API reply of a body shows them.
    paragraph = ParagraphFactory()
    (block,) = Statement.objects.get(pk=paragraph.statement_id).body()
    assert block.get_deferred_fields() == {"created_at", "updated_at"}
    assert block.text == paragraph.text


def test_a_statement_pages_meetings_and_resolutions_are_read_without_timestamps():
    paragraph = ParagraphFactory()
    paragraph.resolutions.add(ResolutionFactory(number=2397))
    meeting = MeetingFactory()
    meeting.statements.add(paragraph.statement)
    statement = Statement.objects.get(pk=paragraph.statement_id)
    (reported,) = statement.reported_meetings()
    (cited,) = statement.cited_resolutions
    for record in (reported, cited):
        assert record.get_deferred_fields() == {"created_at", "updated_at"}, record
    assert (reported.title, cited.number) == (meeting.title, 2397)


@pytest.mark.parametrize(
    "read",
    [
        lambda paragraph: Statement.objects.get(pk=paragraph.statement_id).body()[0],
        lambda paragraph: Paragraph.objects.only("text").get(pk=paragraph.pk),
    ],
    ids=["a statement's body", "only its text"],
)
def test_a_record_read_without_its_timestamps_still_stamps_its_change_when_saved(read):
    paragraph = ParagraphFactory()
    stamped = paragraph.updated_at
    block = read(paragraph)
    block.text = "Changed."
    block.save()
    saved = Paragraph.objects.get(pk=paragraph.pk)
    assert saved.text == "Changed."
    assert saved.updated_at > stamped
    assert saved.created_at == paragraph.created_at
