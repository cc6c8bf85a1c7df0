"""The readers' filter choices: only what published statements have, found by index."""

import datetime as dt
import re

import pytest
from django import forms
from django.db import connection
from django.urls import resolve, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from statements.models import Statement
from statements.pages import filters
from statements.pages.templatetags import choice_select
from statements.search import reading
from tests.factories import StatementFactory
from tests.statements.pages import rendered
from tests.statements.pages.rendered import options

pytestmark = pytest.mark.django_db


@pytest.fixture
def statements():
    for day, speaker, status in [
        (dt.date(2017, 12, 23), "Taro Kono", "published"),
        (dt.date(2017, 1, 1), "Taro Kono", "published"),
        (dt.date(2016, 12, 31), "Fumio Kishida", "published"),
        (dt.date(2014, 6, 1), "", "published"),
        (dt.date(2019, 5, 5), "Shinzo Abe", "draft"),
        (dt.date(2018, 5, 5), "Taro Aso", "withdrawn"),
    ]:
        StatementFactory(
            date=day,
            speaker=speaker,
            status=status,
            withdrawn_note="Withdrawn." if status == "withdrawn" else "",
        )


def test_year_choices_are_the_years_of_published_statements_newest_first(statements):
    assert filters.year_choices() == [(2017, 2017), (2016, 2016), (2014, 2014)]


def test_speaker_choices_are_the_named_speakers_of_published_statements(statements):
    assert filters.speaker_choices() == [
        ("Fumio Kishida", "Fumio Kishida"),
        ("Taro Kono", "Taro Kono"),
    ]


def test_an_empty_archive_offers_no_choices():
    assert filters.year_choices() == [] and filters.speaker_choices() == []


def test_the_choices_seek_through_indexes_and_never_read_every_statement(statements):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner is rule-based; PostgreSQL's picks by cost and table size")
    with connection.cursor() as cursor:
        plans = []
        for sql in (filters.years_sql(), reading.SPEAKERS_SQL):
            cursor.execute("EXPLAIN QUERY PLAN " + sql, {"published": "published"})
            plans.append("\n".join(str(row) for row in cursor.fetchall()))
    years, speakers = plans
    assert "statement_list_order_idx" in years
    assert "statement_status_speaker_idx" in speakers
    for plan in plans:
        assert "SCAN statements_statement" not in plan


# --- The filter forms' selects ------------------------------------------------------------


class ChoiceForm(forms.Form):
    year = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(required=False)


@settings(max_examples=100)
@given(
    years=st.lists(st.integers(1990, 2030), unique=True, max_size=5),
    labels=st.lists(st.text(max_size=12), min_size=1, max_size=4),
    year=st.one_of(st.none(), st.integers(1985, 2035).map(str), st.text(max_size=5)),
    kind=st.one_of(st.none(), st.sampled_from(["k0", "k1", "x"])),
)
def test_choice_select_writes_what_djangos_select_widget_writes(years, labels, year, kind):
    form = ChoiceForm({k: v for k, v in {"year": year, "kind": kind}.items() if v is not None})
    form.fields["year"].choices = [("", "Any year"), *((y, y) for y in years)]
    form.fields["kind"].choices = [("", "Any kind"), *((f"k{i}", t) for i, t in enumerate(labels))]
    form.is_valid()
    for name in ("year", "kind"):
        ours, django = str(choice_select(form[name])), str(form[name])
        assert options(ours) == options(django)
        assert ('aria-invalid="true"' in ours) == bool(form[name].errors)
        assert f'name="{name}" id="id_{name}"' in ours


# --- Counts -------------------------------------------------------------------------------


@pytest.fixture
def counted(statements):
    """Three of the published statements cite 2397, one cites 2375 as well."""
    from tests.factories import ParagraphFactory, ResolutionFactory

    r2397, r2375 = ResolutionFactory(number=2397), ResolutionFactory(number=2375)
    published = list(Statement.objects.published().order_by("date"))  # 2014, 2016, 2017, 2017
    for statement in published[1:]:
        ParagraphFactory(statement=statement).resolutions.add(r2397)
    ParagraphFactory(statement=published[-1]).resolutions.add(r2375)
    ParagraphFactory(statement=published[-1]).resolutions.add(r2397)  # a second citation
    draft = Statement.objects.get(status="draft")
    ParagraphFactory(statement=draft).resolutions.add(r2375)


def select_options(client, params: dict) -> dict[str, list[tuple[str, bool, str]]]:
    html = client.get(reverse("statements:statement-list"), params).content.decode()
    names = ("year", "kind", "speaker", "resolution")
    return {name: rendered.select_options(html, name) for name in names}


def test_every_choice_says_how_many_statements_it_lists(client, counted):
    shown = select_options(client, {})
    assert shown["year"] == [
        ("", True, "Any year"),
        ("2017", False, "2017 (2)"),
        ("2016", False, "2016 (1)"),
        ("2014", False, "2014 (1)"),
    ]
    assert ("statement", False, "Statement (4)") in shown["kind"]
    assert ("meeting_summary", False, "Meeting summary (0)") in shown["kind"]
    assert shown["speaker"][1:] == [
        ("Fumio Kishida", False, "Fumio Kishida (1)"),
        ("Taro Kono", False, "Taro Kono (2)"),
    ]
    # Statements, not paragraphs, and published ones only.
    assert shown["resolution"][1:] == [
        ("2397", False, "S/RES/2397 (2017) (3)"),
        ("2375", False, "S/RES/2375 (2017) (1)"),
    ]


def test_counts_follow_the_other_filters_and_each_value_counts_what_it_would_list(client, counted):
    params = {"year": "2017", "resolution": "2397"}
    shown = select_options(client, params)
    # Each filter's counts take the others as chosen: years of statements citing 2397,
    # resolutions cited in 2017.
    assert ("2017", True, "2017 (2)") in shown["year"] and ("2016", False, "2016 (1)") in shown[
        "year"
    ]
    assert ("2014", False, "2014 (0)") in shown["year"]
    assert ("2375", False, "S/RES/2375 (2017) (1)") in shown["resolution"]
    assert ("Taro Kono", False, "Taro Kono (2)") in shown["speaker"]


@pytest.mark.parametrize(
    "params",
    [
        {"year": "2017", "resolution": "2397"},
        {"kind": "statement", "resolution": "2397"},
        {"year": "2017", "kind": "statement"},
        {"year": "2017", "kind": "meeting_summary", "resolution": "2397"},
        {"year": "2017", "speaker": "Taro Kono"},
        {"speaker": "Taro Kono", "resolution": "2397"},
        {"year": "2017", "speaker": "Taro Kono", "resolution": "2397"},
    ],
)
def test_what_a_value_says_it_lists_is_what_choosing_it_lists(client, counted, params):
    # A meeting summary among the statements of 2017 citing 2397, so that kinds split them:
    # a year or a kind chosen with one other filter cuts that filter's grouping.
    Statement.objects.filter(date=dt.date(2017, 1, 1)).update(kind="meeting_summary")
    expected = Statement.objects.published()
    if "year" in params:
        expected = expected.filter(date__year=int(params["year"]))
    if "kind" in params:
        expected = expected.filter(kind=params["kind"])
    if "speaker" in params:
        expected = expected.filter(speaker=params["speaker"])
    if "resolution" in params:
        number = int(params["resolution"])
        expected = expected.filter(paragraphs__resolutions__number=number).distinct()
    page = client.get(reverse("statements:statement-list"), params).content.decode()
    assert rendered.listed_count(page) == expected.count()
    shown = select_options(client, params)
    for name, choices in shown.items():
        for value, _selected, label in choices:
            if not value:
                continue
            listed = client.get(reverse("statements:statement-list"), {**params, name: value})
            count = int(re.search(r"\((\d+)\)$", label).group(1))
            assert rendered.listed_count(listed.content.decode()) == count, (name, value)


def test_a_filtered_list_counts_and_pages_what_it_lists_from_one_grouping(client):
    # 23 published statements of 2020, three of them naming no speaker, across two pages;
    # others around them that the filters leave out.
    for n in range(23):
        StatementFactory(
            date=dt.date(2020, 1 + n % 12, 1 + n),
            speaker="" if n % 8 == 0 else ["Taro Kono", "Yoko Kamikawa"][n % 2],
            kind="statement",
        )
    StatementFactory(date=dt.date(2020, 5, 5), kind="meeting_summary", speaker="Taro Kono")
    StatementFactory(date=dt.date(2019, 5, 5), kind="statement", speaker="Taro Kono")
    StatementFactory(date=dt.date(2020, 6, 6), kind="statement", status="draft")
    url = reverse("statements:statement-list")
    for params in ({"year": "2020", "kind": "statement"}, {"year": "2020"}):
        expected = Statement.objects.published().filter(date__year=2020)
        if "kind" in params:
            expected = expected.filter(kind="statement")
        first = client.get(url, params).content.decode()
        assert rendered.listed_count(first) == expected.count()
        speakers = dict(
            (value, label) for value, _selected, label in rendered.select_options(first, "speaker")
        )
        for name in ("Taro Kono", "Yoko Kamikawa"):
            assert speakers[name] == f"{name} ({expected.filter(speaker=name).count()})"
        kinds = dict(
            (value, label) for value, _selected, label in rendered.select_options(first, "kind")
        )
        # The kind's counts take the year only: both kinds of 2020.
        assert kinds["meeting_summary"] == "Meeting summary (1)"
        second = client.get(url, {**params, "page": 2})
        assert second.status_code == 200
        assert second.content.decode().count('class="item__title"') == expected.count() - 20
        assert client.get(url, {**params, "page": 3}).status_code == 404


@pytest.mark.parametrize(
    "speaker",
    # Year and resolution: the resolution's grouping cut to the year. With the speaker
    # too, a grouping of their own, which PostgreSQL reads on the year's days only.
    [{}, {"speaker": "Taro Kono"}],
)
def test_a_year_and_a_resolution_list_that_years_statements_citing_it_to_its_first_and_last_day(
    client, speaker
):
    # The statements either side of the year cite the resolution too.
    from tests.factories import ParagraphFactory, ResolutionFactory

    resolution = ResolutionFactory(number=2397)
    for day in ("2019-12-31", "2020-01-01", "2020-06-30", "2020-12-31", "2021-01-01"):
        statement = StatementFactory(date=dt.date.fromisoformat(day), speaker="Taro Kono")
        ParagraphFactory(statement=statement).resolutions.add(resolution)
    StatementFactory(date=dt.date(2020, 3, 3), speaker="Taro Kono")  # cites nothing
    html = client.get(
        reverse("statements:statement-list"), {"year": "2020", "resolution": "2397", **speaker}
    ).content.decode()
    assert rendered.listed_count(html) == 3 == html.count('class="item__title"')
    speakers = {value: label for value, _chosen, label in rendered.select_options(html, "speaker")}
    assert speakers["Taro Kono"] == "Taro Kono (3)"
    kinds = {value: label for value, _chosen, label in rendered.select_options(html, "kind")}
    assert kinds["statement"] == "Statement (3)"


@pytest.mark.parametrize(
    "first, second",
    [
        ({"year": "2017", "resolution": "2397"}, {"year": "2016", "resolution": "2375"}),
        (
            {"kind": "statement", "speaker": "Taro Kono"},
            {"kind": "meeting_summary", "speaker": "Kono Taro"},
        ),
        ({"speaker": "kono-taro"}, {"speaker": "kishida-fumio"}),
        ({"year": "2017"}, {"year": "2014"}),
    ],
)
def test_a_filtered_page_lists_what_its_filters_keep_from_sql_compiled_once(client, first, second):
    """Once a page of the list has been read with some filters, the same filters with other
    values build no read of a page of statements, and list what those values keep, newest
    first: a year to its first and last day, a person by every spelling of their name."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    from tests.factories import ParagraphFactory, PersonFactory, ResolutionFactory

    kono = PersonFactory(name="Taro Kono", slug="kono-taro")
    kishida = PersonFactory(name="Fumio Kishida", slug="kishida-fumio")
    r2397, r2375 = ResolutionFactory(number=2397), ResolutionFactory(number=2375)
    rows = [
        ("2017-12-31", "statement", "Taro Kono", kono, r2397),
        ("2017-01-01", "statement", "Taro Kono", kono, r2375),
        ("2017-06-01", "meeting_summary", "Kono Taro", kono, r2397),
        ("2016-12-31", "statement", "Fumio Kishida", kishida, r2375),
        ("2016-01-01", "meeting_summary", "Kono Taro", kono, r2375),
        ("2016-05-05", "statement", "Taro Kono", kono, r2397),
        ("2014-06-01", "statement", "", None, None),
        ("2018-01-01", "statement", "Taro Kono", kono, r2375),
    ]
    for day, kind, speaker, person, resolution in rows:
        statement = StatementFactory(
            date=dt.date.fromisoformat(day), kind=kind, speaker=speaker, person=person
        )
        if resolution:
            ParagraphFactory(statement=statement).resolutions.add(resolution)
    StatementFactory(date=dt.date(2016, 6, 6), kind="statement", status="draft")
    url = reverse("statements:statement-list")

    def expected(params):
        kept = Statement.objects.published()
        if "year" in params:
            kept = kept.filter(date__year=int(params["year"]))
        if "kind" in params:
            kept = kept.filter(kind=params["kind"])
        if params.get("speaker", "").count("-"):
            kept = kept.filter(person__slug=params["speaker"])
        elif "speaker" in params:
            kept = kept.filter(speaker=params["speaker"])
        if "resolution" in params:
            kept = kept.filter(paragraphs__resolutions__number=int(params["resolution"]))
        return [s.get_absolute_url() for s in kept.distinct().order_by("-date", "-id")]

    assert rendered.item_links(client.get(url, first).content.decode()) == expected(first)
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        page = client.get(url, second).content.decode()
    # A page: a read of statements, sliced (not a subquery of another read).
    pages = [
        query
        for query in (call.args[0].query for call in compiling.call_args_list)
        if query.model is Statement and query.high_mark is not None and not query.subquery
    ]
    assert pages == []
    assert rendered.item_links(page) == expected(second) != []


# --- The meeting list ---------------------------------------------------------------------


@pytest.fixture
def meetings():
    from statements.models import Meeting
    from tests.factories import MeetingFactory, ParticipantFactory

    for slug, kind, date, who, status in [
        (
            "abe-guterres",
            Meeting.Kind.BILATERAL,
            dt.date(2017, 9, 19),
            "António Guterres",
            "published",
        ),
        (
            "kono-guterres",
            Meeting.Kind.BILATERAL,
            dt.date(2018, 1, 5),
            "António Guterres",
            "published",
        ),
        (
            "ministerial",
            Meeting.Kind.SECURITY_COUNCIL,
            dt.date(2017, 12, 15),
            "Taro Kono",
            "published",
        ),
        ("secret", Meeting.Kind.BILATERAL, dt.date(2017, 5, 5), "Taro Kono", "draft"),
    ]:
        meeting = MeetingFactory(slug=slug, kind=kind, date=date)
        ParticipantFactory(meeting=meeting, name=who)
        meeting.statements.add(StatementFactory(status=status))


def meeting_list(client, params: dict) -> tuple[list[str], list, str]:
    response = client.get(reverse("statements:meeting-list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    kinds = rendered.select_options(html, "kind")
    return [resolve(href).kwargs["slug"] for href in rendered.item_links(html)], kinds, html


def test_meeting_filters_combine_in_the_url_with_counts(client, meetings):
    slugs, kinds, html = meeting_list(client, {})
    assert slugs == ["kono-guterres", "ministerial", "abe-guterres"] and "3 meetings" in html
    assert ("bilateral", False, "Bilateral meeting (2)") in kinds
    assert ("security_council", False, "Security Council meeting (1)") in kinds
    slugs, kinds, html = meeting_list(
        client, {"participant": "antonio", "date_before": "2017-12-31"}
    )
    assert slugs == ["abe-guterres"] and "1 meeting" in html
    assert ("bilateral", False, "Bilateral meeting (1)") in kinds
    assert ("security_council", False, "Security Council meeting (0)") in kinds
    assert 'name="participant" id="id_participant" value="antonio"' in html
    assert 'type="date" name="date_before" id="id_date_before" value="2017-12-31"' in html
    slugs, kinds, _html = meeting_list(client, {"kind": "bilateral", "participant": "GUTERRES"})
    assert slugs == ["kono-guterres", "abe-guterres"]
    assert ("bilateral", True, "Bilateral meeting (2)") in kinds


@pytest.mark.parametrize(
    "params", [{"date_after": "2017-13-01"}, {"kind": "tea-party"}, {"date_before": "soon"}]
)
def test_bad_meeting_filters_are_shown_as_errors(client, meetings, params):
    _slugs, _kinds, html = meeting_list(client, params)
    assert 'class="error"' in html and 'aria-invalid="true"' in html


# --- The resolution list ------------------------------------------------------------------


@pytest.fixture
def resolutions():
    from tests.factories import ParagraphFactory, ResolutionFactory

    for number, adopted, citations in [(2270, 2016, 1), (2375, 2017, 3), (2397, 2017, 2)]:
        resolution = ResolutionFactory(number=number, adopted_on=dt.date(adopted, 6, 1))
        for _ in range(citations):
            ParagraphFactory().resolutions.add(resolution)
    ResolutionFactory(number=1718)  # cited by nothing: never listed


def resolution_numbers(client, params: dict) -> tuple[list[int], str]:
    response = client.get(reverse("statements:resolution-list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return [resolve(href).kwargs["number"] for href in rendered.row_links(html)], html


def test_the_resolution_list_takes_the_apis_dates_and_orders(
    client, resolutions, django_assert_num_queries
):
    assert resolution_numbers(client, {})[0] == [2397, 2375, 2270]
    numbers, html = resolution_numbers(client, {"adopted_after": "2017-01-01"})
    assert numbers == [2397, 2375] and "2 resolutions" in html
    assert 'type="date" name="adopted_after" id="id_adopted_after" value="2017-01-01"' in html
    assert resolution_numbers(client, {"adopted_before": "2016-12-31"})[0] == [2270]
    assert resolution_numbers(client, {"ordering": "-citations"})[0] == [2375, 2397, 2270]
    assert resolution_numbers(client, {"ordering": "number"})[0] == [2270, 2375, 2397]
    for params in ({}, {"adopted_after": "2017-01-01", "ordering": "-citations"}):
        # the cited resolutions' ids and counts, in order; the page's resolutions
        with django_assert_num_queries(2):
            client.get(reverse("statements:resolution-list"), params)


@pytest.mark.parametrize(
    "params",
    [
        {"adopted_after": "2017-02-30"},
        {"ordering": "-votes"},
        # an empty item names no order: before, "," and "number," sorted by the model's
        # default order, silently
        {"ordering": ","},
        {"ordering": "number,"},
    ],
)
def test_bad_resolution_filters_are_shown_as_errors(client, resolutions, params):
    numbers, html = resolution_numbers(client, params)
    assert 'class="error"' in html and 'aria-invalid="true"' in html
    assert numbers == [2397, 2375, 2270]  # the list as unfiltered, in its own order


@pytest.mark.parametrize(
    "filterset", [filters.StatementFilter, filters.MeetingFilter, filters.ResolutionFilter]
)
def test_a_filter_form_class_is_built_once_for_every_request(statements, filterset):
    first, second = filterset(None).form, filterset({"kind": "statement"}).form
    assert type(first) is type(second)
    assert list(first.fields) == list(filterset.base_filters)


def test_the_statement_filters_offer_the_choices_the_archive_has_at_each_request(statements):
    assert not filters.StatementFilter({"year": "2021"}).form.is_valid()
    StatementFactory(date=dt.date(2021, 3, 1), speaker="Yoshimasa Hayashi", status="published")
    form = filters.StatementFilter({"year": "2021", "speaker": "Yoshimasa Hayashi"}).form
    assert form.is_valid(), form.errors
    assert (2021, 2021) in form.fields["year"].choices


@pytest.mark.parametrize(
    "filterset", [filters.StatementFilter, filters.MeetingFilter, filters.ResolutionFilter]
)
def test_each_filterset_has_its_own_filters_each_bound_to_it(filterset):
    # The declared filters are copied one by one, not deep-copied (_FiltersCopiedShallow):
    # each copy must still be its own, with its own arguments, and a filter with a
    # method must call it on its own FilterSet.
    first, second = filterset({}), filterset({})
    for name, mine in first.filters.items():
        theirs = second.filters[name]
        assert mine is not theirs and mine is not filterset.base_filters[name]
        assert mine.parent is first and theirs.parent is second
        assert mine.extra == theirs.extra and mine.extra is not theirs.extra
        if mine.method is not None:
            assert mine.filter.f is mine and theirs.filter.f is theirs
            assert mine.filter.method.__self__ is first


def test_a_filter_with_a_method_narrows_through_its_own_filterset(statements):
    StatementFactory(kind="press_release")
    every = Statement.objects.all()
    chosen = filters.StatementFilter({"kind": "statement"}, queryset=every)
    narrowed = chosen.filters["kind"].filter(every, "statement")
    assert set(narrowed) == set(every.filter(kind="statement")) != set(every)
    assert {s.kind for s in chosen.qs} == {"statement"}
