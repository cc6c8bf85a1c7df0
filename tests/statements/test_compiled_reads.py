"""Reads by lists of ids run from SQL the ORM compiled once (``compiled_rows``): the same
rows as the QuerySet they stand for, whatever the ids, and no compiling after the first."""

import datetime as dt
from unittest import mock

import pytest
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements.api.representations import (
    CITING_COLUMNS,
    PARAGRAPH_COLUMNS,
    _values,
)
from statements.models import (
    Paragraph,
    Statement,
    _compiled,
    _paragraph_citations,
    by_key,
    compiled_rows,
    rows_by_key,
)
from tests.factories import ParagraphFactory, PersonFactory, ResolutionFactory, StatementFactory

pytestmark = pytest.mark.django_db

BODY = (Paragraph, CITING_COLUMNS, ("statement_id", "position"), "all", "statement_id")


@pytest.fixture
def corpus():
    """Three statements of two, one and no paragraphs; three citations."""
    r2397, r1718 = ResolutionFactory(number=2397), ResolutionFactory(number=1718)
    statements = [StatementFactory() for _ in range(3)]
    first = ParagraphFactory(statement=statements[0], position=1)
    first.resolutions.add(r2397, r1718)
    ParagraphFactory(statement=statements[0], position=2)
    ParagraphFactory(statement=statements[1], position=1).resolutions.add(r2397)
    return statements


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(picks=st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=8))
def test_a_compiled_read_gives_the_rows_its_queryset_gives_for_any_ids(corpus, picks):
    # Ids that exist, that do not (3, 4), repeated, and None: as a filter __in takes them.
    ids = [None if i is None else (corpus[i].pk if i < 3 else 10_000 + i) for i in picks]
    for read, args in [(_values, BODY), (_paragraph_citations, ("number",))]:
        expected = list(by_key(read, args, [i for i in ids if i is not None]))
        assert rows_by_key(read, args, ids) == expected


def test_dicts_keep_the_values_columns_and_times_come_back_aware(corpus):
    rows = rows_by_key(_values, BODY, [corpus[1].pk])
    assert [list(row) for row in rows] == [list(CITING_COLUMNS)]
    (row,) = rows
    assert row["resolutions__number"] == 2397
    assert isinstance(row["updated_at"], dt.datetime) and row["updated_at"].tzinfo is not None
    assert row["updated_at"] == Paragraph.objects.get(statement=corpus[1]).updated_at


def test_a_read_is_compiled_once_for_as_many_ids(corpus, django_assert_num_queries):
    _compiled.cache_clear()
    columns = (Paragraph, PARAGRAPH_COLUMNS, (), "all", "statement_id")
    with (
        mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as compiling,
        django_assert_num_queries(3),
    ):
        first = rows_by_key(_values, columns, [corpus[0].pk])
        compiled = compiling.call_count  # twice, to find where the ids go
        again = rows_by_key(_values, columns, [corpus[1].pk])
        assert compiling.call_count == compiled
        both = rows_by_key(_values, columns, [corpus[0].pk, corpus[1].pk])
        assert compiling.call_count == 2 * compiled  # two ids: compiled anew
    assert [row["position"] for row in first] == [1, 2]
    assert [row["statement_id"] for row in again] == [corpus[1].pk]
    assert sorted(row["id"] for row in both) == sorted(row["id"] for row in [*first, *again])


def test_no_ids_run_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_by_key(_paragraph_citations, ("number",), []) == []
        assert rows_by_key(_paragraph_citations, ("number",), [None]) == []


def test_each_list_of_ids_goes_to_its_own_place(corpus):
    """A read of two lists (the cited numbers of published and unpublished statements)
    puts each list's ids where its own filter is, whichever is longer."""
    draft = StatementFactory(status=Statement.Status.DRAFT)
    ParagraphFactory(statement=draft).resolutions.add(ResolutionFactory(number=1540))
    from statements.models import _cited_by_statement

    published = [corpus[0].pk, corpus[1].pk]
    expected = set(_cited_by_statement(published, [draft.pk]))
    assert set(compiled_rows(_cited_by_statement, (), published, [draft.pk])) == expected
    assert expected == {
        (corpus[0].pk, 1718),
        (corpus[0].pk, 2397),
        (corpus[1].pk, 2397),
        (draft.pk, 1540),
    }


def _statements_with_people(ids):
    return (
        Statement.objects.filter(pk__in=ids)
        .select_related("person")
        .defer("source_text")
        .annotate(blocks=Count("paragraphs"))
        .order_by("pk")
    )


def test_models_are_built_as_the_queryset_builds_them(corpus):
    corpus[0].person = PersonFactory()
    corpus[0].save()
    ids = [corpus[0].pk, corpus[2].pk]
    expected = list(_statements_with_people(ids))
    got = compiled_rows(_statements_with_people, (), ids)
    assert got == expected
    for built, queried in zip(got, expected, strict=True):
        assert built.__dict__.keys() == queried.__dict__.keys()
        assert (built.title, built.blocks, built.updated_at) == (
            queried.title,
            queried.blocks,
            queried.updated_at,
        )
        assert built.get_deferred_fields() == {"source_text"}
        assert not built._state.adding and built._state.db == "default"
    assert got[0].person == corpus[0].person and got[1].person is None
    assert [s.blocks for s in got] == [2, 0]


def test_a_read_that_prefetches_is_refused():
    with pytest.raises(TypeError, match="prefetches nothing"):
        compiled_rows(
            lambda ids: Statement.objects.filter(pk__in=ids).prefetch_related("paragraphs"),
            (),
            [1],
        )


def test_a_key_read_in_two_places_takes_the_key_in_both(corpus):
    def twice(ids):
        paragraphs = Paragraph.objects.filter(statement_id__in=ids)
        chosen = Paragraph.objects.filter(statement_id__in=ids, position=1)
        return paragraphs.filter(pk__in=chosen).values_list("statement_id", "position")

    assert compiled_rows(twice, (), [corpus[0].pk]) == [(corpus[0].pk, 1)]
    assert compiled_rows(twice, (), [corpus[1].pk]) == [(corpus[1].pk, 1)]


def test_days_are_keys_and_a_day_compared_twice_takes_both_places(corpus):
    def older(days, ids):
        return (
            Statement.objects.filter(date__lte=days[0])
            .exclude(date=days[0], id__gte=ids[0])
            .order_by("-date", "-id")
            .values_list("pk", flat=True)
        )

    newest = max(corpus, key=lambda s: (s.date, s.pk))
    for statement in corpus:
        expected = list(older([statement.date], [statement.pk]))
        assert compiled_rows(older, (), [statement.date], [statement.pk]) == expected
    assert len(compiled_rows(older, (), [newest.date], [newest.pk])) == 2


def test_a_key_the_orm_rewrites_is_refused(corpus):
    def containing(slugs):
        return Statement.objects.filter(slug__contains=slugs[0]).values("pk")

    with pytest.raises(ValueError, match="as a parameter"):
        compiled_rows(containing, (), ["synthetic"])


def test_slugs_are_keys_as_ids_are(corpus):
    read = (Statement, ("id", "slug"), ("id",), "all", "slug")
    slugs = [corpus[2].slug, "no-such-statement", corpus[0].slug]
    assert rows_by_key(_values, read, slugs) == [
        {"id": s.pk, "slug": s.slug} for s in (corpus[0], corpus[2])
    ]
    with pytest.raises(TypeError, match="ints, strs or days"):
        rows_by_key(_values, read, [dt.datetime(2017, 12, 23, tzinfo=dt.UTC)])
    with pytest.raises(TypeError, match="one kind a list"):
        rows_by_key(_values, read, [corpus[0].slug, corpus[1].pk])


def test_the_tallies_are_read_from_sql_compiled_once_and_a_missing_one_counted(corpus):
    from statements.models import Tally

    assert Tally.objects.published_statements() == 3
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        assert Tally.objects.published_statements() == 3
    assert compiling.call_count == 0
    Tally.objects.filter(name=Tally.PUBLISHED_STATEMENTS).delete()
    assert Tally.objects.published_statements() == 3  # counted from the statements


def test_keys_of_a_narrow_integer_column_are_read(corpus):
    """PostgreSQL's backend leaves out of the SQL a key outside its column's range: the
    stand-ins found where the keys go must be valid for any integer column."""
    from statements.models import Resolution

    read = (Resolution, ("number",), ("number",), "all", "number")
    assert rows_by_key(_values, read, [2397, 1718, 9999]) == [{"number": 1718}, {"number": 2397}]


def test_a_key_beyond_any_integer_column_finds_nothing(corpus, django_assert_num_queries):
    """SQLite refuses a whole number beyond 64 bits as a parameter (OverflowError); no
    integer column holds one, so it finds nothing, beside keys that do."""
    from statements.models import Resolution

    read = (Resolution, ("number",), ("number",), "all", "number")
    with django_assert_num_queries(0):
        assert rows_by_key(_values, read, [2**63]) == []
        assert rows_by_key(_values, read, [-(2**70)]) == []
    assert rows_by_key(_values, read, [2**70, 2397, 2**63 - 1]) == [{"number": 2397}]


def test_a_read_that_can_find_nothing_gives_no_rows_and_runs_no_query(
    corpus, django_assert_num_queries
):
    """The ORM compiles no SQL for a read it knows is empty (``EmptyResultSet``)."""

    def never(ids):
        return Statement.objects.filter(pk__in=ids).filter(pk__in=[]).values("pk")

    with django_assert_num_queries(0):
        assert compiled_rows(never, (), [corpus[0].pk]) == []


def test_prefetched_objects_read_as_a_prefetch_leaves_them(django_assert_num_queries):
    from statements.models import Meeting, Participant, prefetched
    from tests.factories import MeetingFactory, ParticipantFactory

    meeting, other = MeetingFactory(), MeetingFactory()
    mine = [ParticipantFactory(meeting=meeting, position=n) for n in range(2)]
    ParticipantFactory(meeting=other)
    meeting = Meeting.objects.get(pk=meeting.pk)
    loaded = list(Participant.objects.filter(meeting=meeting).order_by("-position"))
    prefetched([meeting], "participants", loaded)
    with django_assert_num_queries(0):
        assert list(meeting.participants.all()) == loaded
        assert meeting.participants.count() == 2
        assert all(p.meeting is meeting for p in loaded)
    with django_assert_num_queries(1):  # a further filter queries the meeting's own
        assert list(meeting.participants.filter(position=1)) == [mine[1]]
    assert loaded == mine[::-1]  # as given, in its order


def _newest_two():
    return Statement.objects.order_by("-date", "-id").values_list("slug", flat=True)[:2]


def test_a_read_of_no_keys_is_compiled_once_and_reads_what_is_there_now(corpus):
    _compiled.cache_clear()
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        first = compiled_rows(_newest_two, ())
        assert compiling.call_count == 1  # no keys to find: compiled once, not twice
        newest = StatementFactory(date=dt.date(2030, 1, 1))
        compiling.reset_mock()
        again = compiled_rows(_newest_two, ())
        assert compiling.call_count == 0
    assert first == [s.slug for s in sorted(corpus, key=lambda s: (s.date, s.pk))[:-3:-1]]
    assert again == [newest.slug, first[0]]


def test_a_search_reads_its_places_with_repeated_statements_from_sql_compiled_once(corpus):
    """A page of hits names its paragraphs by (statement, position): a statement's id
    repeats for each of its paragraphs found, so each key is a list of its own."""
    from statements.search.reading import _paragraphs_at

    def places(*pairs):
        return [[value] for statement, position in pairs for value in (statement.pk, position)]

    first, second = corpus[0], corpus[1]
    wanted = places((first, 1), (first, 2), (second, 1))
    found = compiled_rows(_paragraphs_at, (), *wanted)
    assert sorted((p.statement_id, p.position) for p in found) == [
        (first.pk, 1),
        (first.pk, 2),
        (second.pk, 1),
    ]
    assert {p.statement.title for p in found} == {first.title, second.title}
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        again = compiled_rows(_paragraphs_at, (), *places((second, 1), (first, 2), (first, 9)))
    assert compiling.call_count == 0
    assert sorted((p.statement_id, p.position) for p in again) == [(first.pk, 2), (second.pk, 1)]
