"""Every filtered statement list and every search has an Atom feed of exactly its results,
advertised by the page, cached like it, and refusing bad filter values with a 400."""

import datetime as dt
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from statements.models import Statement
from statements.search import NEWEST, Filters, search_archive
from tests.factories import (
    ParagraphFactory,
    PersonFactory,
    ResolutionFactory,
    StatementFactory,
)
from tests.statements.pages.rendered import item_links, result_links

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
LIST, LIST_FEED = reverse("statements:statement-list"), reverse("statements:statement-feed")
SEARCH, SEARCH_FEED = reverse("statements:search"), reverse("statements:search-feed")


@pytest.fixture
def archive():
    r2397 = ResolutionFactory(number=2397, adopted_on=dt.date(2017, 12, 22))
    rows = [
        ("adoption", dt.date(2017, 12, 23), "statement", "Taro Kono", True),
        ("launch", dt.date(2017, 11, 29), "statement", "Taro Kono", False),
        ("summit", dt.date(2017, 9, 19), "meeting_summary", "", True),
        ("test", dt.date(2016, 9, 9), "statement", "Fumio Kishida", False),
        ("review", dt.date(2018, 2, 1), "press_release", "", True),
    ]
    for slug, date, kind, speaker, cites in rows:
        statement = StatementFactory(
            slug=slug, title=f"On the {slug}", date=date, kind=kind, speaker=speaker
        )
        paragraph = ParagraphFactory(
            statement=statement,
            position=1,
            number=1,
            text=f"Japan speaks on the {slug} and sanctions, resolution 2397.",
        )
        if cites:
            paragraph.resolutions.add(r2397)
    draft = StatementFactory(slug="draft", status="draft", date=dt.date(2017, 5, 5))
    ParagraphFactory(statement=draft, text="Draft sanctions.").resolutions.add(r2397)


def parse_atom(response) -> ET.Element:
    """The feed, checked against what Atom requires of a feed and of each entry."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for element in (feed, *feed.iter(f"{ATOM}entry")):
        for required in ("id", "title", "updated"):
            assert (element.findtext(f"{ATOM}{required}") or "").strip(), required
        dt.datetime.fromisoformat(element.findtext(f"{ATOM}updated"))
    for entry in feed.iter(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/")
    return feed


def entry_links(feed: ET.Element) -> list[str]:
    return [
        entry.find(f"{ATOM}link").get("href").removeprefix("http://testserver")
        for entry in feed.iter(f"{ATOM}entry")
    ]


FILTERS = [
    {},
    {"year": "2017"},
    {"kind": "statement"},
    {"speaker": "Taro Kono"},
    {"resolution": "2397"},
    {"year": "2017", "resolution": "2397"},
    {"year": "2017", "kind": "statement", "speaker": "Taro Kono", "resolution": "2397"},
    {"year": "2016", "resolution": "2397"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_a_filtered_lists_feed_holds_exactly_its_statements(client, archive, params):
    expected = item_links(client.get(LIST, params).content.decode())
    feed = parse_atom(client.get(LIST_FEED, params))
    assert entry_links(feed) == expected
    # The feed names its own address and the list's, query string and all.
    query = "&".join(f"{key}={value}".replace(" ", "+") for key, value in params.items())
    self_link = [link.get("href") for link in feed.iter(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link == [f"http://testserver{LIST_FEED}{'?' + query if query else ''}"]


def test_the_feed_title_says_which_statements(client, archive):
    feed = parse_atom(client.get(LIST_FEED, {"year": "2017", "speaker": "Taro Kono"}))
    assert feed.findtext(f"{ATOM}title").endswith("statements (2017, Taro Kono)")
    assert parse_atom(client.get(LIST_FEED)).findtext(f"{ATOM}title").endswith("new statements")


def test_the_list_advertises_the_feed_of_its_filters(client, archive):
    html = client.get(LIST, {"year": "2017", "kind": "statement", "page": "1"}).content.decode()
    feed = f"{LIST_FEED}?year=2017&amp;kind=statement"
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="These statements" href="{feed}">'
        in html
    )
    assert f'<a href="{feed}" type="application/atom+xml">Atom feed of these statements</a>' in html
    html = client.get(LIST).content.decode()
    assert f'<a href="{LIST_FEED}" type="application/atom+xml">Atom feed</a>' in html
    assert 'title="These statements"' not in html


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "1850"},
        {"kind": "nope"},
        {"speaker": "Nobody"},
        {"resolution": "99999"},
        {"resolution": "2375"},  # cited by nothing published
        {"year": "2017", "kind": "<script>"},
    ],
)
def test_bad_filter_values_are_a_400_never_a_500(client, archive, params):
    response = client.get(LIST_FEED, params)
    assert response.status_code == 400


# --- Search feeds ------------------------------------------------------------------------

SEARCHES = [
    {"q": "sanctions"},
    {"q": "Kono"},
    {"q": "S/RES/2397"},
    {"q": "2397", "from": "2017-10-01"},
    {"q": "sanctions", "from": "2017-01-01", "to": "2017-12-31", "kind": "statement"},
    {"q": "sanctions", "sort": "oldest"},
    {"q": "zebra"},
]


@pytest.mark.parametrize("params", SEARCHES)
def test_a_search_feed_holds_exactly_its_results_newest_first(client, archive, params):
    page = client.get(SEARCH, params)
    shown = set(result_links(page.content.decode()))
    filters = Filters(
        kind=params.get("kind"),
        date_after=params.get("from") and dt.date.fromisoformat(params["from"]),
        date_before=params.get("to") and dt.date.fromisoformat(params["to"]),
    )
    newest = search_archive(params["q"], filters, NEWEST).hits[0:30]
    feed = parse_atom(client.get(SEARCH_FEED, params))
    assert entry_links(feed) == [hit.paragraph.get_absolute_url() for hit in newest]
    assert set(entry_links(feed)) == shown
    assert "/statements/draft/" not in entry_links(feed)


def test_a_search_feed_entry_is_a_paragraph_with_its_snippet(client, archive):
    feed = parse_atom(client.get(SEARCH_FEED, {"q": "launch"}))
    (entry,) = feed.iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "On the launch, paragraph 1"
    assert entry.findtext(f"{ATOM}id") == "http://testserver/statements/launch/#p1"
    assert "<mark>launch</mark>" in unescape(entry.findtext(f"{ATOM}summary"))
    assert feed.findtext(f"{ATOM}title").endswith("search for “launch”")


def test_the_search_page_advertises_its_feed(client, archive):
    html = client.get(SEARCH, {"q": "sanctions", "sort": "oldest", "page": "1"}).content.decode()
    feed = f"{SEARCH_FEED}?q=sanctions&amp;sort=oldest"
    assert f'type="application/atom+xml" title="Search: sanctions" href="{feed}"' in html
    assert f'<a href="{feed}" type="application/atom+xml">Atom feed of this search</a>' in html
    assert "search-feed" not in client.get(SEARCH).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "sanctions", "from": "2017-13-01"},
        {"q": "sanctions", "from": "2018-01-01", "to": "2017-01-01"},
        {"q": "sanctions", "sort": "best"},
        {"q": "sanctions", "year": "x"},
    ],
)
def test_a_bad_search_feed_is_a_400(client, archive, params):
    assert client.get(SEARCH_FEED, params).status_code == 400


def test_a_search_feed_without_a_query_is_empty_and_valid(client, archive):
    assert entry_links(parse_atom(client.get(SEARCH_FEED))) == []


def test_feeds_hold_published_statements_only(client, archive):
    Statement.objects.filter(slug="adoption").update(status="withdrawn", withdrawn_note="Error.")
    for url, params in ((LIST_FEED, {"resolution": "2397"}), (SEARCH_FEED, {"q": "2397"})):
        links = entry_links(parse_atom(client.get(url, params)))
        assert links and not [link for link in links if "adoption" in link or "draft" in link]


# --- Cost and caching --------------------------------------------------------------------


def test_feeds_run_the_same_queries_for_few_or_many_entries(client, db, django_assert_num_queries):
    resolution = ResolutionFactory(number=2397)
    person = PersonFactory(name="Taro Kono", slug="taro-kono")
    for count in (2, 40):
        for _ in range(count):
            ParagraphFactory(
                statement=StatementFactory(speaker="Taro Kono", person=person), text="Sanctions."
            ).resolutions.add(resolution)
        # The resolution or the person; their statements with their opening text and
        # cited numbers, the resolutions cited, their change notes.
        for url in (
            reverse("statements:resolution-feed", kwargs={"number": 2397}),
            reverse("statements:person-feed", kwargs={"slug": "taro-kono"}),
        ):
            with django_assert_num_queries(4):
                feed = parse_atom(client.get(url))
            assert len(entry_links(feed)) == min(Statement.objects.count(), 30)
        # The list's filter choices (years, the people who spoke, speakers, resolutions);
        # the statements with their opening text and cited numbers, the resolutions
        # cited, their change notes. Unfiltered, no choices.
        with django_assert_num_queries(7):
            client.get(LIST_FEED, {"year": "2017", "resolution": "2397"})
        with django_assert_num_queries(3):
            client.get(LIST_FEED)
        # The search form's choices (years, resolutions); texts, titles, speakers; the
        # page of paragraphs (SQLite: then their snippets and titles, from its index) and
        # the resolutions they cite.
        with django_assert_num_queries(7 + (connection.vendor == "sqlite")):
            client.get(SEARCH_FEED, {"q": "sanctions"})
        # The resolution, the paragraphs of a page of its citations, their citations.
        with django_assert_num_queries(5):
            client.get(SEARCH_FEED, {"q": "S/RES/2397"})


def test_feeds_are_cached_like_the_pages(client, archive, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600
    for url, params in ((LIST_FEED, {"year": "2017"}), (SEARCH_FEED, {"q": "sanctions"})):
        first = client.get(url, params)
        assert "public" in first["Cache-Control"] and first.has_header("ETag")
        with django_assert_num_queries(1):  # the content generation
            again = client.get(url, params)
        assert again.content == first.content
