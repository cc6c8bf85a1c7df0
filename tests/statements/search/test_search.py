"""Full-text search, on whichever database the suite runs (SQLite FTS5 or PostgreSQL)."""

import datetime as dt
import re
import sqlite3

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from statements.models import Paragraph, Statement
from statements.search import (
    MAX_QUERY_LENGTH,
    Filters,
    clean_query,
    filter_statements,
    highlight,
    newest_paragraphs,
    newest_statements,
    reading,
    search_paragraphs,
)
from statements.search.query import fts5_query, websearch_query
from tests.factories import ParagraphFactory, ResolutionFactory, StatementFactory

HOSTILE = [
    '"',
    '""',
    '"unclosed phrase',
    "AND OR NOT",
    "OR",
    "*",
    "abduct*",
    "NEAR(",
    "NEAR(japan korea, 2)",
    "(((",
    ")",
    "^japan",
    "text: japan",
    "{text title}: japan",
    "japan:",
    "'; DROP TABLE statements_paragraph; --",
    "\x00japan\x00",
    "\ue000japan\ue001",
    "-",
    "--japan",
    "-japan",
    "japan -",
    "x" * 10_000,
    "japan " * 2_000,
    "日本 国連",
    "<script>alert(1)</script>",
    "%",
    "_",
    "\\",
]


def anchors(search) -> list[str]:
    return [hit.paragraph.get_absolute_url() for hit in search[0:50]]


@pytest.fixture
def corpus(db):
    """Three small published statements, one draft and one withdrawn."""
    r2397 = ResolutionFactory(number=2397)
    sanctions = StatementFactory(
        slug="sanctions", title="Statement on sanctions", date=dt.date(2017, 12, 23)
    )
    p1 = ParagraphFactory(
        statement=sanctions,
        position=1,
        number=1,
        text="Japan welcomes the sanctions: sanctions, sanctions and more sanctions.",
    )
    p1.resolutions.add(r2397)
    ParagraphFactory(
        statement=sanctions,
        position=2,
        number=2,
        text="Japan will keep its principle of “dialogue and pressure” on North Korea.",
    )
    summary = StatementFactory(
        slug="summary",
        title="Meeting with the Secretary-General",
        kind=Statement.Kind.MEETING_SUMMARY,
        date=dt.date(2016, 9, 19),
    )
    ParagraphFactory(
        statement=summary, position=1, number=None, text="The two leaders met in New York."
    )
    ParagraphFactory(
        statement=summary,
        position=2,
        number=1,
        text="They discussed sanctions and the pressure on North Korea, and the abductions.",
    )
    xylophone = StatementFactory(
        slug="xylophone", title="Xylophone concert diplomacy", date=dt.date(2015, 1, 1)
    )
    ParagraphFactory(statement=xylophone, position=1, number=1, text="Music brings nations.")
    ParagraphFactory(statement=xylophone, position=2, number=2, text="Another paragraph.")
    ParagraphFactory(
        statement=StatementFactory(slug="draft", status=Statement.Status.DRAFT),
        text="Secret sanctions and abductions in a draft.",
    )
    ParagraphFactory(
        statement=StatementFactory(
            slug="withdrawn", status=Statement.Status.WITHDRAWN, withdrawn_note="Error."
        ),
        text="Withdrawn sanctions and abductions.",
    )


# --- Matching ----------------------------------------------------------------------------


def test_a_word_finds_published_paragraphs_only(corpus):
    found = anchors(search_paragraphs("abductions"))
    assert found == ["/statements/summary/#p1"]


def test_several_words_must_all_appear(corpus):
    assert anchors(search_paragraphs("sanctions Japan")) == ["/statements/sanctions/#p1"]
    assert anchors(search_paragraphs("sanctions xylophone")) == []


def test_a_phrase_matches_words_in_order(corpus):
    assert anchors(search_paragraphs('"dialogue and pressure"')) == ["/statements/sanctions/#p2"]
    assert anchors(search_paragraphs('"pressure and dialogue"')) == []


def test_or_and_excluded_words(corpus):
    assert set(anchors(search_paragraphs("abductions or dialogue"))) == {
        "/statements/summary/#p1",
        "/statements/sanctions/#p2",
    }
    assert anchors(search_paragraphs("sanctions -abductions")) == ["/statements/sanctions/#p1"]
    assert anchors(search_paragraphs("-sanctions")) == []


def test_accents_are_ignored_in_text_titles_and_queries(db):
    met = StatementFactory(slug="met", title="Meeting with Secretary-General António Guterres")
    ParagraphFactory(statement=met, position=1, text="The minister met António Guterres.")
    plain = StatementFactory(slug="plain", title="Telephone call")
    ParagraphFactory(statement=plain, position=1, text="A call with Antonio Guterres; résumé.")
    both = {"/statements/met/#p1", "/statements/plain/#p1"}
    for query in ("Antonio", "antónio", "ANTÓNIO Guterres", '"antonio guterres"'):
        assert set(anchors(search_paragraphs(query))) == both, query
    assert anchors(search_paragraphs("resume")) == ["/statements/plain/#p1"]
    by_title = filter_statements(Statement.objects.filter(slug="met"), "secretary antonio")
    assert [statement.slug for statement in by_title] == ["met"]
    (hit,) = [hit for hit in search_paragraphs("antonio")[0:5] if hit.statement.slug == "met"]
    assert "<mark>António</mark>" in hit.snippet and "<mark>António</mark>" in hit.title


def test_a_title_match_lands_on_the_statements_first_paragraph(corpus):
    hits = search_paragraphs("xylophone")[0:10]
    assert [hit.paragraph.get_absolute_url() for hit in hits] == ["/statements/xylophone/#p1"]
    assert str(hits[0].title) == "<mark>Xylophone</mark> concert diplomacy"


def test_hits_are_ranked_best_first(corpus):
    found = anchors(search_paragraphs("sanctions"))
    # Four mentions beat one; drafts and withdrawn statements never appear.
    assert found == ["/statements/sanctions/#p1", "/statements/summary/#p1"]


def places(search) -> list[tuple[str, int]]:
    return [(hit.statement.slug, hit.paragraph.position) for hit in search[0:100]]


def test_more_hits_than_served_are_said_to_be_more_and_come_newest_first(db, monkeypatch):
    monkeypatch.setattr(reading, "MAX_HITS", 3)
    for year in (2014, 2015, 2016, 2017, 2018):
        statement = StatementFactory(slug=f"s{year}", date=dt.date(year, 5, 1))
        ParagraphFactory(statement=statement, position=1, text="Peacebuilding. " * (2019 - year))
    found = search_paragraphs("peacebuilding")
    assert found.more and not found.ranked and found.count() == 3
    assert places(found) == [("s2018", 1), ("s2017", 1), ("s2016", 1)]
    # A title match newer than every text match still leads, though the texts alone
    # already passed MAX_HITS (titles are then read only as far as the page needs).
    titled = StatementFactory(slug="titled", title="On peacebuilding", date=dt.date(2019, 1, 1))
    ParagraphFactory(statement=titled, position=1, text="Nothing else here.")
    assert places(search_paragraphs("peacebuilding")) == [("titled", 1), ("s2018", 1), ("s2017", 1)]
    titled.delete()
    assert places(search_paragraphs("peacebuilding", year=2015)) == [("s2015", 1)]
    # With no more than MAX_HITS, the hits are ranked again (most mentions first).
    monkeypatch.setattr(reading, "MAX_HITS", 5)
    ranked = search_paragraphs("peacebuilding")
    assert ranked.ranked and not ranked.more and ranked.count() == 5
    assert places(ranked) == [(f"s{year}", 1) for year in (2014, 2015, 2016, 2017, 2018)]


def test_sqlite_lists_newest_first_when_a_word_is_too_common_to_weigh(db, monkeypatch):
    old = StatementFactory(slug="old", date=dt.date(2010, 1, 1))
    ParagraphFactory(statement=old, position=1, text="Disarmament, disarmament, disarmament.")
    new = StatementFactory(slug="new", date=dt.date(2020, 1, 1))
    ParagraphFactory(statement=new, position=1, text="A word on disarmament among many others.")
    assert places(search_paragraphs("disarmament")) == [("old", 1), ("new", 1)]
    monkeypatch.setattr(reading, "RANKABLE_WORD_PARAGRAPHS", 1)
    found = search_paragraphs("disarmament")
    if connection.vendor == "sqlite":
        assert not found.ranked and places(found) == [("new", 1), ("old", 1)]
    else:  # ts_rank() reads only the rows it ranks: no word is too common
        assert found.ranked and places(found) == [("old", 1), ("new", 1)]


def test_search_page_says_more_and_how_the_hits_are_ordered(client, db, monkeypatch):
    monkeypatch.setattr(reading, "MAX_HITS", 2)
    for day in (1, 2, 3):
        ParagraphFactory(statement=StatementFactory(date=dt.date(2017, 1, day)), text="Ceasefire.")
    html = client.get(reverse("statements:search"), {"q": "ceasefire"}).content.decode()
    assert "More than 2 matching paragraphs" in html and "Newest first" in html
    html = client.get(reverse("statements:search"), {"q": "ceasefire", "year": 2017}).content
    assert b"More than 2" in html
    monkeypatch.setattr(reading, "MAX_HITS", 3)
    html = client.get(reverse("statements:search"), {"q": "ceasefire"}).content.decode()
    assert "3 matching paragraphs" in html and "Best matches first." in html


def test_filters_by_year_kind_and_resolution(corpus):
    assert anchors(search_paragraphs("sanctions", year=2016)) == ["/statements/summary/#p1"]
    assert anchors(search_paragraphs("sanctions", kind="meeting_summary")) == [
        "/statements/summary/#p1"
    ]
    assert anchors(search_paragraphs("sanctions", resolution=2397)) == ["/statements/sanctions/#p1"]
    assert anchors(search_paragraphs("sanctions", year=2015)) == []


def test_snippets_highlight_matches_and_escape_the_text(db):
    ParagraphFactory(text='<b>Sanctions</b> & <script>alert("x")</script> remain.')
    (hit,) = search_paragraphs("sanctions")[0:5]
    assert "<mark>Sanctions</mark>" in hit.snippet and "&amp;" in hit.snippet
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    if connection.vendor == "sqlite":
        # PostgreSQL's headline drops what its parser takes for tags; FTS5 keeps them.
        assert "&lt;b&gt;" in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_highlight_escapes_before_marking():
    raw = "\ue000<i>\ue001 & \ue000x"
    assert highlight(raw) == "<mark>&lt;i&gt;</mark> &amp; x"
    assert highlight(None, "<fallback>") == "&lt;fallback&gt;"


# What each hostile query finds in the corpus (slugs, drafts and withdrawn included): its
# words, as the web-search syntax reads them; nothing else, and nothing for the others.
HOSTILE_FINDS = {
    "abduct*": {"summary", "draft", "withdrawn"},
    **{
        query: {"sanctions"}
        for query in ["^japan", "japan:", "\x00japan\x00", "\ue000japan\ue001", "japan -"]
    },
    "japan " * 2_000: {"sanctions"},
}


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_raise(corpus, query):
    expected = HOSTILE_FINDS.get(query, set())
    if query == "AND OR NOT" and connection.vendor == "sqlite":
        # Plain words to FTS5; English stop words, so nothing, to PostgreSQL.
        expected = {"sanctions", "summary", "draft", "withdrawn"}
    search = search_paragraphs(query)
    assert search.count() == len(search[0:100])
    published = expected - {"draft", "withdrawn"}
    assert {hit.statement.slug for hit in search[0:100]} == published
    paragraphs = Paragraph.objects.filter(pk__in=newest_paragraphs(query).ids)
    assert {p.statement.slug for p in paragraphs.select_related("statement")} == published
    newest = Statement.objects.filter(pk__in=newest_statements(query).ids)
    assert set(newest.values_list("slug", flat=True)) == published
    statements = filter_statements(Statement.objects.all(), query)
    assert set(statements.values_list("slug", flat=True)) == expected


def test_long_queries_are_cut(corpus):
    assert len(clean_query("sanctions " * 1000)) <= MAX_QUERY_LENGTH
    # The cut never leaves half a word behind.
    assert anchors(search_paragraphs("abductions " + "x" * 10_000)) == ["/statements/summary/#p1"]
    assert anchors(search_paragraphs("abductions " * 1000)) == ["/statements/summary/#p1"]


# Arbitrary text alone finds nothing in the corpus, and then the checks on hits never run:
# mix in words that are there (and syntax), so that most queries find something.
FOUND_WORDS = ["sanctions", "Japan", "abductions", "Xylophone", "script", "alert", "kestrel"]
SYNTAX = ["or", "-sanctions", '"dialogue and', "*", "NEAR(", "<script>", "-"]
ANY_QUERY = st.one_of(
    st.text(max_size=300),
    st.builds(
        str.join,
        st.sampled_from([" ", " or "]),
        st.lists(
            st.one_of(st.sampled_from(FOUND_WORDS + SYNTAX), st.text(max_size=12)),
            min_size=1,
            max_size=6,
        ),
    ),
)


@pytest.fixture
def scripted(corpus):
    """A published title and paragraph that hold markup, for snippets and highlights."""
    statement = StatementFactory(slug="scripted", title="Kestrel <script>alert(2)</script>")
    ParagraphFactory(statement=statement, text='Sanctions <script>alert("x")</script> kestrel.')


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=ANY_QUERY)
@example(query="script")
@example(query="kestrel or \x00<script>")
def test_any_text_is_a_safe_query(scripted, query):
    search = search_paragraphs(query)
    hits = search[0:100]
    assert search.count() == len(hits)
    # The words are all the engine saw: the canonical form of the query finds the same.
    canonical = search_paragraphs(websearch_query(query))[0:100]
    assert {h.paragraph.pk for h in hits} == {h.paragraph.pk for h in canonical}
    for hit in hits:
        assert hit.statement.status == Statement.Status.PUBLISHED
        assert "<script" not in hit.snippet and "<script" not in hit.title


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_fts5_translation_always_parses(query):
    database = sqlite3.connect(":memory:")
    database.execute("CREATE VIRTUAL TABLE t USING fts5(text)")
    expression = fts5_query(query)
    if expression is not None:
        database.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression]).fetchall()


def test_both_engines_see_the_same_clauses():
    assert websearch_query('dialogue "and pressure" or NEAR -abe (x') == (
        'dialogue "and pressure" or NEAR -abe x'
    )
    assert websearch_query("U.N. reform") == '"U N" reform'


def test_fts5_translation_quotes_every_word():
    assert fts5_query('dialogue "and pressure" or NEAR -abe') == (
        '(("dialogue") AND ("and pressure" OR "NEAR")) NOT "abe"'
    )
    assert fts5_query("AND OR NOT") == '("AND" OR "NOT")'
    assert fts5_query("* ( ) :") is None


# --- The interface the API uses ----------------------------------------------------------


def test_newest_paragraphs_are_published_newest_first_in_reading_order(corpus):
    def found(query, **filters):
        ids = newest_paragraphs(query, Filters(**filters)).ids
        paragraphs = Paragraph.objects.in_bulk(ids)
        return [(paragraphs[i].statement.slug, paragraphs[i].position) for i in ids]

    assert found("sanctions") == [("sanctions", 1), ("summary", 2)]
    assert found("north korea") == [("sanctions", 2), ("summary", 2)]
    assert found("abductions") == [("summary", 2)]
    summary = Statement.objects.get(slug="summary")
    one_statement = {"statement_id": summary.pk, "date_after": summary.date}
    assert found("sanctions", **one_statement, date_before=summary.date) == [("summary", 2)]
    assert found("sanctions", date_before=dt.date(2016, 12, 31)) == [("summary", 2)]
    assert found("sanctions", year=2017) == [("sanctions", 1)]
    assert found("-sanctions") == [] and not newest_paragraphs("sanctions").more


def test_newest_statements_match_titles_or_paragraphs_newest_first(corpus):
    def found(query, **filters):
        ids = newest_statements(query, Filters(**filters)).ids
        slugs = dict(Statement.objects.filter(pk__in=ids).values_list("pk", "slug"))
        return [slugs[i] for i in ids]

    assert found("sanctions") == ["sanctions", "summary"]
    assert found("xylophone") == ["xylophone"]
    assert found("secretary") == ["summary"]
    assert found("sanctions", kind=Statement.Kind.MEETING_SUMMARY) == ["summary"]
    assert found("sanctions", date_after=dt.date(2017, 1, 1)) == ["sanctions"]


def test_filter_statements_matches_titles_or_paragraphs(corpus):
    published = Statement.objects.published()
    assert set(filter_statements(published, "xylophone").values_list("slug", flat=True)) == {
        "xylophone"
    }
    assert set(filter_statements(published, "sanctions").values_list("slug", flat=True)) == {
        "sanctions",
        "summary",
    }
    assert list(filter_statements(published, "-sanctions")) == []


# --- The index follows the content -------------------------------------------------------


def test_the_index_follows_inserts_edits_and_deletes(db):
    statement = StatementFactory(title="Original heading")
    paragraph = ParagraphFactory(statement=statement, text="Tsunami relief.")
    assert search_paragraphs("tsunami").count() == 1
    paragraph.text = "Earthquake relief."
    paragraph.save()
    assert search_paragraphs("tsunami").count() == 0
    assert search_paragraphs("earthquake").count() == 1
    statement.title = "Renamed heading"
    statement.save()
    assert search_paragraphs("original").count() == 0
    assert search_paragraphs("renamed").count() == 1
    paragraph.delete()
    assert search_paragraphs("earthquake").count() == 0


WORDS = ["alpha", "bravo", "charlie"]
EDITS = ["retext", "status", "redate", "retitle", "move", "reposition", "delete", "add"]


def expected_places(word: str) -> set[tuple[int, int]]:
    """What a search for one word must find, read from the rows themselves."""
    found = set()
    for statement in Statement.objects.published().prefetch_related("paragraphs"):
        paragraphs = sorted(statement.paragraphs.all(), key=lambda p: p.position)
        found |= {(statement.pk, p.position) for p in paragraphs if word in p.text.split()}
        if paragraphs and word in statement.title.split():
            found.add((statement.pk, paragraphs[0].position))
    return found


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 8)), max_size=20))
def test_search_finds_what_the_rows_hold_after_any_edits(db, steps):
    with transaction.atomic():
        statements = [
            StatementFactory(title=f"On {WORDS[i]}", status=status, date=dt.date(2015 + i, 1, 1))
            for i, status in enumerate(["published", "draft", "published"])
        ]
        for n, statement in enumerate(statements):
            for position in (1, 2):
                ParagraphFactory(
                    statement=statement,
                    position=position,
                    number=None,
                    text=WORDS[(n + position) % 3],
                )
        for kind, n in steps:
            statement = statements[n % 3]
            paragraph = (
                Paragraph.objects.filter(statement__in=statements)
                .order_by("pk")[
                    n % max(1, Paragraph.objects.filter(statement__in=statements).count()) :
                ]
                .first()
            )
            word = WORDS[n % 3]
            try:
                with transaction.atomic():  # an edit a constraint refuses changes nothing
                    if kind == "retext" and paragraph:
                        Paragraph.objects.filter(pk=paragraph.pk).update(text=f"{word} and more")
                    elif kind == "status":
                        status = ["published", "draft", "withdrawn"][n % 3]
                        Statement.objects.filter(pk=statement.pk).update(
                            status=status,
                            withdrawn_note="Withdrawn." if status == "withdrawn" else "",
                        )
                    elif kind == "redate":
                        Statement.objects.filter(pk=statement.pk).update(
                            date=dt.date(2010 + n, 2, 3)
                        )
                    elif kind == "retitle":
                        Statement.objects.filter(pk=statement.pk).update(title=f"About {word}")
                    elif kind == "move" and paragraph:
                        Paragraph.objects.filter(pk=paragraph.pk).update(
                            statement=statement, position=50 + n
                        )
                    elif kind == "reposition" and paragraph:
                        Paragraph.objects.filter(pk=paragraph.pk).update(position=100 + n)
                    elif kind == "delete" and paragraph:
                        paragraph.delete()
                    elif kind == "add":
                        ParagraphFactory(
                            statement=statement, position=200 + n, number=None, text=word
                        )
            except IntegrityError:
                pass
            year = Statement.objects.get(pk=statement.pk).date.year
            in_year = set(Statement.objects.filter(date__year=year).values_list("pk", flat=True))
            for query in WORDS:
                expected = expected_places(query)
                hits = search_paragraphs(query)[0:100]
                found = {(hit.paragraph.statement_id, hit.paragraph.position) for hit in hits}
                assert found == expected, (kind, n, query)
                hits = search_paragraphs(query, year=year)[0:100]
                found = {(hit.paragraph.statement_id, hit.paragraph.position) for hit in hits}
                assert found == {p for p in expected if p[0] in in_year}, (kind, n, query, year)
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_the_index_follows_edits_after_migrating_back_and_forth():
    # On SQLite, a migration that rebuilds a table drops the triggers on it (0007 does).
    call_command("migrate", "statements", "0006", verbosity=0)
    call_command("migrate", "statements", verbosity=0)
    test_the_index_follows_inserts_edits_and_deletes(None)


def test_postgresql_queries_use_the_gin_indexes(corpus):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches FTS5 tables")
    with connection.cursor() as cursor:
        # On a table this small the planner may rather read every row and check its
        # stored vector; with plain scans off, the GIN indexes are the only way to match.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = filter_statements(Statement.objects.all(), "sanctions").explain()
    assert "paragraph_text_search" in plan and "statement_title_search" in plan


def test_postgresql_plans_each_search_for_its_words_never_a_prepared_generic_plan(corpus):
    # Prepared after five runs, a search's query could be planned once for any words:
    # PostgreSQL's generic plan guessed how many rows they match and took a common word
    # seconds at 100,000 statements (reading._planned_for_these_words).
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite prepares nothing")
    if connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is None:
        pytest.skip("prepared statements are off (DJANGO_DB_PREPARED_STATEMENTS=0)")
    for _ in range(12):
        assert search_paragraphs("sanctions").count() > 0
        assert newest_statements("sanctions").ids
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    # Matching by the words (@@) is what their number decides; ranking rows already
    # found (ts_rank over the hits' ids) plans the same for any words, and stays prepared.
    assert not [statement for statement in prepared if "@@" in statement]
    assert [statement for statement in prepared if "ts_rank" in statement]
    # What else the connection repeats is still prepared, and keeps its threshold.
    assert connection.connection.prepare_threshold == 5
    for _ in range(6):
        Statement.objects.filter(slug="sanctions").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] > len(prepared)


# --- The page ----------------------------------------------------------------------------


def test_search_page_links_results_to_their_paragraphs(client, seeded):
    html = client.get(reverse("statements:search"), {"q": "abductions"}).content.decode()
    assert "3 matching paragraphs" in html
    slug = "2017-12-23-statement-on-the-adoption-of-un-security-council-resolution-2397"
    assert f'href="/statements/{slug}/#p6"' in html and f'href="/statements/{slug}/#p7"' in html
    assert "<mark>abductions</mark>" in html


def test_search_page_without_results_or_query(client, seeded):
    html = client.get(reverse("statements:search"), {"q": "zebra"}).content.decode()
    assert "0 matching paragraphs" in html and "Nothing matches" in html
    html = client.get(reverse("statements:search")).content.decode()
    assert "matching paragraph" not in html and 'name="q"' in html


@pytest.mark.parametrize("query", HOSTILE[:8] + HOSTILE[-8:])
def test_search_page_survives_hostile_input(client, seeded, query):
    response = client.get(reverse("statements:search"), {"q": query, "year": "x", "kind": "?"})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_search_page_says_when_a_query_was_cut(client, seeded):
    html = client.get(reverse("statements:search"), {"q": "abductions " * 100}).content.decode()
    assert "only its first 200 characters were used" in html
    assert "3 matching paragraphs" in html


def test_search_page_pages_results_and_keeps_the_query(client, db):
    statement = StatementFactory()
    for position in range(1, 46):
        ParagraphFactory(statement=statement, position=position, text="Peacekeeping matters.")
    html = client.get(reverse("statements:search"), {"q": "peacekeeping"}).content.decode()
    assert "45 matching paragraphs" in html and html.count('class="result"') == 20
    assert 'href="?q=peacekeeping&amp;page=2" rel="next"' in html
    last = client.get(reverse("statements:search"), {"q": "peacekeeping", "page": 3})
    assert last.content.decode().count('class="result"') == 5


def test_search_page_runs_the_same_queries_for_few_or_many_hits(
    client, db, django_assert_num_queries
):
    resolution = ResolutionFactory(number=2397)
    # years, resolutions (filter choices); the matching texts and titles; the speakers
    # (none named here); the words' weights (SQLite: can bm25() afford them, then the few
    # texts read again, weighed; PostgreSQL: ts_rank() of the few hits); the filters'
    # counts (the hits' statements, the resolutions they cite); the page's paragraphs and
    # statements (SQLite: then their snippets and titles, from its index).
    expected = 9 + 2 * (connection.vendor == "sqlite")
    for count in (2, 200):
        statement = StatementFactory()
        for position in range(1, count + 1):
            paragraph = ParagraphFactory(
                statement=statement, position=position, text=f"Nonproliferation {count}."
            )
            paragraph.resolutions.add(resolution)
        with django_assert_num_queries(expected):
            response = client.get(reverse("statements:search"), {"q": f"nonproliferation {count}"})
        assert f"{count} matching paragraphs" in response.content.decode()


def test_a_page_of_hits_reads_its_paragraphs_through_the_index(client, db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner is rule-based; PostgreSQL's picks by cost and table size")
    for n in range(3):
        statement = StatementFactory()
        for position in (1, 2):
            ParagraphFactory(statement=statement, position=position, text=f"Ceasefire {n}.")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("statements:search"), {"q": "ceasefire"})
    assert response.content.decode().count('class="result"') == 6
    [hits] = [q["sql"] for q in captured.captured_queries if "(statement_id = " in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + hits)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "sqlite_autoindex_statements_paragraph_1 (statement_id=? AND position=?)" in plan
    assert not re.search(r"SCAN statements_paragraph\b", plan)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 snippets: SQLite only")
def test_few_scattered_matches_have_their_snippets_read_in_one_pass_and_the_same(db, monkeypatch):
    for n in range(4):
        statement = StatementFactory(date=dt.date(2017, 1, 1 + n))
        ParagraphFactory(statement=statement, text=f"Opening {n}.")
        ParagraphFactory(statement=statement, text=f"The Stockholm Agreement, part {n}.")
        ParagraphFactory(statement=statement, text="Closing.")
    monkeypatch.setattr(reading, "RUN_GAP", 1)  # each hit a run of its own

    def read() -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            hits = search_paragraphs("Stockholm Agreement")[0:20]
        (sql,) = [q["sql"] for q in queries.captured_queries if "snippet(" in q["sql"]]
        return [hit.snippet for hit in hits], [sql]

    snippets, [sql] = read()
    assert len(snippets) == 4 and all("<mark>Stockholm</mark>" in s for s in snippets)
    assert sql.count(" BETWEEN ") == 1  # 4 matches: one walk of the match list
    monkeypatch.setattr(reading, "MATCHES_PER_SEEK", 0)
    sought, [sql] = read()
    assert sql.count(" BETWEEN ") == 4  # a seek per run
    assert sought == snippets
    # Narrowed by a filter, the match list's length is unknown: a seek per run.
    monkeypatch.setattr(reading, "MATCHES_PER_SEEK", 50)
    with CaptureQueriesContext(connection) as queries:
        assert len(search_paragraphs("Stockholm Agreement", year=2017)[0:20]) == 4
    (sql,) = [q["sql"] for q in queries.captured_queries if "snippet(" in q["sql"]]
    assert sql.count(" BETWEEN ") == 4
