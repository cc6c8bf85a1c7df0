"""What the search answers, on whichever database the suite runs (SQLite FTS5 or
PostgreSQL): a resolution named by its symbol or number, speakers and titles, the three
orders, a range of dates, and what it says about bad input."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from statements.models import Statement
from statements.search import Filters, ParagraphSearch, reading, search_archive
from tests.factories import ParagraphFactory, ResolutionFactory, StatementFactory

SEARCH = reverse("statements:search")


def cite(statement, position, text, *resolutions):
    paragraph = ParagraphFactory(statement=statement, position=position, number=position, text=text)
    paragraph.resolutions.add(*resolutions)
    return paragraph


@pytest.fixture
def archive(db):
    """Two resolutions cited by published statements of two speakers; a third cited only
    by a draft; a withdrawn statement citing 2397."""
    r2397 = ResolutionFactory(
        number=2397, adopted_on=dt.date(2017, 12, 22), title="Non-proliferation/DPRK"
    )
    r2375 = ResolutionFactory(number=2375, adopted_on=dt.date(2017, 9, 11))
    r1718 = ResolutionFactory(number=1718, adopted_on=dt.date(2006, 10, 14))
    adoption = StatementFactory(
        slug="adoption",
        title="Statement on the adoption of resolution 2397",
        speaker="Taro Kono",
        date=dt.date(2017, 12, 23),
    )
    cite(adoption, 1, "Japan welcomes the unanimous adoption of resolution 2397 (2017).", r2397)
    cite(adoption, 2, "Japan will keep dialogue and pressure on North Korea.")
    earlier = StatementFactory(
        slug="earlier",
        title="Statement on resolution 2375",
        speaker="Taro Kono",
        date=dt.date(2017, 9, 12),
    )
    cite(earlier, 1, "Japan welcomes resolution 2375 on North Korea.", r2375)
    later = StatementFactory(
        slug="later",
        title="Meeting with the Secretary-General",
        kind=Statement.Kind.MEETING_SUMMARY,
        date=dt.date(2018, 3, 1),
    )
    cite(later, 1, "The two met in New York.")
    cite(
        later,
        2,
        "They confirmed the full implementation of resolutions 2375 and 2397.",
        r2375,
        r2397,
    )
    cite(later, 3, "They recalled that Japan first asked for resolution 1718.")
    nuclear = StatementFactory(
        slug="nuclear",
        title="Statement on the nuclear test",
        speaker="Fumio Kishida",
        date=dt.date(2016, 9, 9),
    )
    cite(nuclear, 1, "Japan protests in the strongest terms.")
    cite(StatementFactory(slug="draft", status="draft"), 1, "Draft on resolution 1718.", r1718)
    withdrawn = StatementFactory(slug="withdrawn", status="withdrawn", withdrawn_note="Error.")
    cite(withdrawn, 1, "Withdrawn text on resolution 2397.", r2397)


def anchors(hits) -> list[str]:
    return [hit.paragraph.get_absolute_url() for hit in hits[0:50]]


CITING_2397 = ["/statements/later/#p2", "/statements/adoption/#p1"]


# --- A resolution named ------------------------------------------------------------------

SYMBOL_FORMS = [
    "S/RES/2397 (2017)",
    "S/RES/2397",
    "s/res/2397",
    "S / RES / 2397(2017)",
    "res 2397",
    "Resolution 2397",
    "resolution no. 2397",
    "UNSCR 2397",
    "2397",
    "  2397  ",
]


@pytest.mark.parametrize("query", SYMBOL_FORMS)
def test_a_symbol_or_number_answers_with_the_resolution_then_its_citing_paragraphs(archive, query):
    answer = search_archive(query)
    assert answer.resolution.number == 2397 and answer.missing is None
    # Published paragraphs only, newest statement first: neither the draft nor the
    # withdrawn statement, and not the paragraph that cites 2375 alone.
    assert anchors(answer.hits) == CITING_2397
    assert answer.hits.count() == 2


@pytest.mark.parametrize("query", ["S/RES/2397", "res 2397", "2397"])
def test_the_page_shows_a_resolution_block_first(client, archive, query):
    html = client.get(SEARCH, {"q": query}).content.decode()
    block = html.index('class="answer"')
    assert html.index("Resolution") < html.index('href="/resolutions/2397/"')
    assert 'href="/resolutions/2397/">S/RES/2397 (2017)</a>' in html[block:]
    assert "Non-proliferation/DPRK" in html and "2 paragraphs citing S/RES/2397 (2017)" in html
    results = html.index('class="results"')
    assert block < results
    assert html.index('href="/statements/later/#p2"') < html.index(
        'href="/statements/adoption/#p1"'
    )
    # The mention of the resolution is marked in the snippet.
    assert "resolution <mark>2397</mark> (2017)" in html
    assert "/statements/withdrawn/" not in html and "/statements/draft/" not in html
    # The number in quotes is text again.
    assert 'href="?q=%222397%22"' in html


def test_a_number_in_quotes_is_text(archive):
    answer = search_archive('"2397"')
    assert answer.resolution is None and answer.missing is None
    assert set(anchors(answer.hits)) == {
        "/statements/adoption/#p1",
        "/statements/later/#p2",
    }


@pytest.mark.parametrize("query", ["S/RES/1718", "resolution 1718", "S/RES/9999 (2030)"])
def test_an_unknown_symbol_says_so_and_searches_the_number_as_text(client, archive, query):
    # 1718 is cited by a draft only: the archive does not show it.
    answer = search_archive(query)
    number = 1718 if "1718" in query else 9999
    assert answer.resolution is None and answer.missing.number == number
    html = client.get(SEARCH, {"q": query}).content.decode()
    symbol = f"S/RES/{number}"
    assert f"No resolution {symbol} in the archive" in html
    assert 'class="answer"' not in html and "/statements/draft/" not in html
    expected = ["/statements/later/#p3"] if "1718" in query else []
    assert anchors(answer.hits) == expected


def test_a_bare_number_that_is_no_resolution_is_plain_text(client, archive):
    answer = search_archive("2018")
    assert answer.resolution is None and answer.missing is None
    assert "in the archive" not in client.get(SEARCH, {"q": "2018"}).content.decode()


def test_citing_paragraphs_take_the_filters_order_and_dates(archive):
    def found(query="S/RES/2397", sort="relevance", **filters):
        return anchors(search_archive(query, Filters(**filters), sort).hits)

    assert found(sort="newest") == CITING_2397
    assert found(sort="oldest") == CITING_2397[::-1]
    assert found(date_after=dt.date(2018, 1, 1)) == ["/statements/later/#p2"]
    assert found(date_before=dt.date(2017, 12, 31)) == ["/statements/adoption/#p1"]
    assert found(year=2016) == []
    assert found(kind=Statement.Kind.MEETING_SUMMARY) == ["/statements/later/#p2"]
    r2375 = reading.resolution_pk(2375)
    assert found(resolution_id=r2375) == ["/statements/later/#p2"]
    narrowed = search_archive("2397", Filters(date_after=dt.date(2018, 1, 1)))
    assert narrowed.hits.count() == 1


# --- Titles and speakers -----------------------------------------------------------------


@pytest.mark.parametrize("query", ["Kono", "kono", "KŌNO", "Taro Kono", '"taro kono"'])
def test_a_speakers_name_finds_their_statements(archive, query):
    assert set(anchors(ParagraphSearch(query))) == {
        "/statements/adoption/#p1",
        "/statements/earlier/#p1",
    }


def test_a_speaker_match_obeys_the_query_logic(archive):
    assert anchors(ParagraphSearch("Kishida")) == ["/statements/nuclear/#p1"]
    assert set(anchors(ParagraphSearch("Kishida or Kono"))) == {
        "/statements/adoption/#p1",
        "/statements/earlier/#p1",
        "/statements/nuclear/#p1",
    }
    assert anchors(ParagraphSearch("Kono -Taro")) == []
    assert anchors(ParagraphSearch("Kono Kishida")) == []
    assert anchors(ParagraphSearch("Kono", Filters(year=2016))) == []
    assert anchors(ParagraphSearch("Kono", Filters(date_after=dt.date(2017, 10, 1)))) == [
        "/statements/adoption/#p1"
    ]


def test_the_page_finds_speakers_and_title_words(client, archive):
    html = client.get(SEARCH, {"q": "Kono"}).content.decode()
    assert "2 matching paragraphs" in html and "Taro Kono" in html
    assert 'href="/statements/adoption/#p1"' in html and 'href="/statements/earlier/#p1"' in html
    # "nuclear" is in a title only.
    html = client.get(SEARCH, {"q": "nuclear"}).content.decode()
    assert "1 matching paragraph" in html and 'href="/statements/nuclear/#p1"' in html
    assert "<mark>nuclear</mark>" in html


def test_a_speaker_statement_ranks_with_the_best_matches(archive):
    # "Kono" is nowhere in any text: the speaker's statements are the best matches.
    mention = StatementFactory(slug="mention", date=dt.date(2019, 1, 1))
    cite(mention, 1, "Minister Kono met the press.")
    found = ParagraphSearch("Kono")
    assert found.ranked
    assert set(anchors(found)) == {
        "/statements/mention/#p1",
        "/statements/adoption/#p1",
        "/statements/earlier/#p1",
    }


# --- Order and dates ---------------------------------------------------------------------

JAPAN_NEWEST = [
    "/statements/later/#p3",
    "/statements/adoption/#p1",
    "/statements/adoption/#p2",
    "/statements/earlier/#p1",
    "/statements/nuclear/#p1",
]


def test_each_sort(archive):
    assert anchors(ParagraphSearch("Japan", sort="newest")) == JAPAN_NEWEST
    assert anchors(ParagraphSearch("Japan", sort="oldest")) == [
        "/statements/nuclear/#p1",
        "/statements/earlier/#p1",
        "/statements/adoption/#p1",
        "/statements/adoption/#p2",
        "/statements/later/#p3",
    ]
    relevance = ParagraphSearch("Japan", sort="relevance")
    assert relevance.ranked and set(anchors(relevance)) == set(JAPAN_NEWEST)
    assert not ParagraphSearch("Japan", sort="newest").ranked


def test_the_date_range_bounds_text_title_and_speaker_matches(archive):
    within = Filters(date_after=dt.date(2017, 9, 12), date_before=dt.date(2017, 12, 23))
    assert anchors(ParagraphSearch("Japan", within, sort="newest")) == JAPAN_NEWEST[1:4]
    assert anchors(ParagraphSearch("nuclear", Filters(date_before=dt.date(2016, 9, 8)))) == []
    assert anchors(ParagraphSearch("nuclear", Filters(date_after=dt.date(2016, 9, 9)))) == [
        "/statements/nuclear/#p1"
    ]


def test_more_hits_than_served_come_oldest_first_when_asked(db, monkeypatch):
    monkeypatch.setattr(reading, "MAX_HITS", 3)
    for year in (2014, 2015, 2016, 2017, 2018):
        statement = StatementFactory(slug=f"s{year}", date=dt.date(year, 5, 1))
        ParagraphFactory(statement=statement, position=1, text="Peacebuilding.")
        ParagraphFactory(statement=statement, position=2, text="Peacebuilding again.")
    found = ParagraphSearch("peacebuilding", sort="oldest")
    assert found.more and found.count() == 3
    assert anchors(found) == [
        "/statements/s2014/#p1",
        "/statements/s2014/#p2",
        "/statements/s2015/#p1",
    ]
    newest = ParagraphSearch("peacebuilding", sort="newest")
    assert anchors(newest) == [
        "/statements/s2018/#p1",
        "/statements/s2018/#p2",
        "/statements/s2017/#p1",
    ]


def test_the_page_sorts_and_bounds_by_the_url(client, archive):
    def results(**params) -> tuple[list[str], str]:
        html = client.get(SEARCH, params).content.decode()
        shown = [anchor for anchor in JAPAN_NEWEST if f'href="{anchor}"' in html]
        return sorted(shown, key=lambda anchor: html.index(f'href="{anchor}"')), html

    found, html = results(q="Japan", sort="oldest")
    assert found == anchors(ParagraphSearch("Japan", sort="oldest")) and "Oldest first." in html
    found, html = results(q="Japan", sort="newest")
    assert found == JAPAN_NEWEST and "Newest first." in html
    found, html = results(q="Japan", **{"from": "2017-09-12", "to": "2017-12-23"})
    assert found == JAPAN_NEWEST[1:4] or set(found) == set(JAPAN_NEWEST[1:4])
    assert "3 matching paragraphs" in html
    assert 'type="date" name="from" id="id_from" value="2017-09-12"' in html


# --- Bad input ---------------------------------------------------------------------------

BAD = [
    {"from": "2017-13-45"},
    {"to": "yesterday"},
    {"from": "2018-01-01", "to": "2017-01-01"},
    {"sort": "best"},
    {"from": "99999-01-01"},
    {"to": "2017-02-30"},
]


@pytest.mark.parametrize("params", BAD)
def test_bad_dates_and_sorts_are_form_errors_never_500(client, archive, params):
    response = client.get(SEARCH, {"q": "Japan", **params})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html and 'aria-invalid="true"' in html
    assert "The search did not run" in html and 'class="results"' not in html


def test_the_end_before_the_start_says_so(client, archive):
    html = client.get(SEARCH, {"q": "Japan", "from": "2018-01-01", "to": "2017-01-01"}).content
    assert "The end of the range comes before its start." in html.decode()


# --- Queries -----------------------------------------------------------------------------


def test_a_symbol_search_runs_the_same_queries_for_few_or_many_citations(
    client, db, django_assert_num_queries
):
    resolution = ResolutionFactory(number=2397)
    # years, resolutions (filter choices); the resolution; the filters' counts (citations
    # per year, per kind, per resolution cited with it); the page of citations' paragraphs
    # with their statements.
    for count, shown in ((2, 2), (60, 20)):
        statement = StatementFactory()
        for position in range(1, count + 1):
            cite(statement, position, "On resolution 2397.", resolution)
        with django_assert_num_queries(7):
            response = client.get(SEARCH, {"q": "S/RES/2397"})
        assert response.content.decode().count('class="result"') == shown
    # Narrowed by dates: the citations are counted (one more query).
    with django_assert_num_queries(8):
        client.get(SEARCH, {"q": "S/RES/2397", "from": "2000-01-01"})


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_symbol_search_reads_its_page_of_paragraphs_from_sql_compiled_once(client, archive, sort):
    """Once a symbol search has read a page, another resolution's search builds no query
    of paragraphs for its page (its quotes' thirty-odd columns), and shows its own."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    from statements.models import Paragraph

    assert client.get(SEARCH, {"q": "S/RES/2397", "sort": sort}).status_code == 200
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        page = client.get(SEARCH, {"q": "S/RES/2375", "sort": sort}).content.decode()
    assert Paragraph not in {call.args[0].query.model for call in compiling.call_args_list}
    assert "on North Korea." in page
    assert "unanimous adoption of resolution" not in page


@pytest.mark.parametrize("sort, expected", [("relevance", 10), ("newest", 9), ("oldest", 9)])
def test_a_speaker_search_runs_the_same_queries_for_few_or_many_hits(
    client, db, django_assert_num_queries, sort, expected
):
    # years, resolutions (filter choices); texts, titles; the speakers and their
    # statements; the words' weights (relevance only; SQLite then reads the few texts
    # again, weighed); the filters' counts (the hits' statements, the resolutions they
    # cite); the page's paragraphs with their statements (SQLite: then their snippets
    # and titles, from its index).
    if connection.vendor == "sqlite":
        expected += 2 if sort == "relevance" else 1
    for count, shown in ((2, 2), (40, 20)):
        for _ in range(count):
            ParagraphFactory(statement=StatementFactory(speaker="Yoko Kamikawa"), position=1)
        with django_assert_num_queries(expected):
            response = client.get(SEARCH, {"q": "Kamikawa", "sort": sort})
        assert response.content.decode().count('class="result"') == shown
