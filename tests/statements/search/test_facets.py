"""The search page's filters count, for each value, the matching paragraphs choosing it
would give, on whichever database the suite runs (SQLite FTS5 or PostgreSQL): each count
is checked against the page that choosing it shows."""

import datetime as dt
import html as htmllib
import re

import pytest
from django.db import connection
from django.urls import reverse

from statements.models import Statement
from statements.search import reading
from tests.factories import ParagraphFactory, ResolutionFactory, StatementFactory

SEARCH = reverse("statements:search")
FACETS = ("year", "kind", "resolution")


def cite(statement, position, text, *resolutions):
    paragraph = ParagraphFactory(statement=statement, position=position, number=position, text=text)
    paragraph.resolutions.add(*resolutions)


@pytest.fixture
def archive(db):
    """Statements of three years and three kinds citing 2397, 2375 or both, a title and a
    speaker that match "Japan" as well as texts; a draft that must never count."""
    r2397 = ResolutionFactory(number=2397, adopted_on=dt.date(2017, 12, 22))
    r2375 = ResolutionFactory(number=2375, adopted_on=dt.date(2017, 9, 11))
    kinds = Statement.Kind
    rows = [
        ("a", dt.date(2016, 3, 1), kinds.STATEMENT, "Japan and sanctions", [r2375], 2),
        ("b", dt.date(2017, 5, 2), kinds.STATEMENT, "On the Korean Peninsula", [r2397], 3),
        ("c", dt.date(2017, 9, 12), kinds.PRESS_RELEASE, "Sanctions", [r2375, r2397], 1),
        ("d", dt.date(2018, 1, 5), kinds.MEETING_SUMMARY, "Talks", [r2397], 2),
        ("e", dt.date(2018, 6, 7), kinds.PRESS_RELEASE, "Dialogue", [], 2),
    ]
    for slug, date, kind, title, cited, japan in rows:
        statement = StatementFactory(slug=slug, date=date, kind=kind, title=title)
        for position in range(1, japan + 1):
            cite(statement, position, f"Japan urges all States ({position}).")
        for offset, resolution in enumerate(cited, start=japan + 1):
            cite(statement, offset, f"Japan recalls resolution {resolution.number}.", resolution)
        cite(statement, 10, "Another paragraph on peace.")
    draft = StatementFactory(slug="draft", status="draft", date=dt.date(2017, 1, 1))
    cite(draft, 1, "Japan recalls resolution 2397.", r2397)
    StatementFactory(slug="kono", speaker="Taro Kono", title="Remarks", date=dt.date(2017, 2, 2))
    cite(Statement.objects.get(slug="kono"), 1, "Peace in Asia.")


def options(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return [(value, htmllib.unescape(label)) for value, label in found if value]


def shown(page: str) -> int:
    """The number of hits the page says it shows."""
    heading = re.search(r'<h2 id="results-heading">(.*?)</h2>', page, re.S).group(1)
    assert "More than" not in heading, heading
    return int(re.match(r"\d+", heading).group(0))


def count_of(label: str) -> int:
    return int(re.search(r"\((\d+)\)$", label).group(1))


def get(client, params) -> str:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response.content.decode()


def assert_counts_match_the_pages(client, params: dict) -> int:
    """Every value's count equals what choosing it shows; returns how many were checked."""
    page = get(client, params)
    checked = 0
    for name in FACETS:
        for value, label in options(page, name):
            chosen = get(client, {**params, name: value})
            assert count_of(label) == shown(chosen), (params, name, value, label)
            checked += 1
    return checked


QUERIES = [
    {"q": "Japan"},
    {"q": "Japan", "kind": "press_release"},
    {"q": "Japan", "year": "2017"},
    {"q": "Japan", "resolution": "2397"},
    {"q": "Japan", "from": "2017-01-01", "to": "2018-03-01"},
    {"q": "Japan", "from": "2017-01-01", "kind": "statement", "sort": "oldest"},
    {"q": "recalls", "year": "2018", "resolution": "2397"},
    {"q": "Kono"},
    {"q": "S/RES/2397"},
    {"q": "S/RES/2397", "kind": "press_release"},
    {"q": "res 2397", "year": "2018"},
    {"q": "2397", "resolution": "2375"},
    {"q": "S/RES/2397", "from": "2017-06-01", "to": "2018-12-31"},
]


@pytest.mark.parametrize("params", QUERIES)
def test_each_count_is_what_choosing_the_value_shows(client, archive, params):
    assert assert_counts_match_the_pages(client, params) > 5


def test_the_counts_follow_the_other_filters(client, archive):
    page = get(client, {"q": "Japan", "kind": "press_release"})
    # c (2017): 1 + 2 citing; e (2018): 2; statements of other kinds are not counted.
    assert dict(options(page, "year"))["2017"] == "2017 (3)"
    assert dict(options(page, "year"))["2018"] == "2018 (2)"
    assert dict(options(page, "year"))["2016"] == "2016 (0)"
    # The kind's own count ignores the chosen kind; the draft never counts.
    assert dict(options(page, "kind"))["statement"] == "Statement (7)"
    assert dict(options(page, "resolution"))["2397"] == "S/RES/2397 (2017) (3)"


def test_a_capped_search_says_its_counts_are_lower_bounds(client, archive, monkeypatch):
    monkeypatch.setattr(reading, "MAX_HITS", 5)
    page = get(client, {"q": "Japan"})
    years = dict(options(page, "year"))
    # The six newest matches read (2018's five, then 2017's newest): lower bounds.
    assert years["2018"] == "2018 (at least 5)" and years["2017"] == "2017 (at least 1)"
    assert years["2016"] == "2016"  # none read: no count printed, rather than a wrong 0
    assert "each is a lower bound" in page
    # Narrowed below the cap, the counts are exact again.
    narrowed = get(client, {"q": "Japan", "from": "2018-06-01"})
    assert dict(options(narrowed, "year"))["2018"] == "2018 (2)"
    assert "lower bound" not in narrowed


@pytest.mark.parametrize(
    "params",
    [
        {"year": "20x7"},
        {"year": "1999"},
        {"kind": "speech"},
        {"resolution": "9999"},
        {"resolution": "S/RES/2397"},
        {"year": "2017", "from": "2017-13-01"},
    ],
)
def test_bad_filters_are_form_errors_never_500(client, archive, params):
    page = get(client, {"q": "Japan", **params})
    assert 'class="error"' in page and "The search did not run" in page
    assert 'class="results"' not in page


@pytest.mark.parametrize("params, expected", [({}, 9), ({"kind": "statement"}, 12)])
def test_a_filtered_search_runs_the_same_queries_for_few_or_many_hits(
    client, db, django_assert_num_queries, params, expected
):
    # years, resolutions (filter choices); the matching texts, titles; the speakers
    # (none named); the words' weights (SQLite then reads the few texts again, weighed,
    # and reads the page's snippets and titles from its index after the paragraphs);
    # the filters' counts: with a filter chosen, the
    # texts, titles and speakers read again without it (newest first: no weights), then
    # the hits' statements and the resolutions they cite; the page's paragraphs with
    # their statements.
    resolution = ResolutionFactory(number=2397)
    if connection.vendor == "sqlite":
        expected += 2
    for count in (2, 200):
        statement = StatementFactory()
        for position in range(1, count + 1):
            cite(statement, position, f"Nonproliferation {count}.", resolution)
        with django_assert_num_queries(expected):
            page = get(client, {"q": f"nonproliferation {count}", **params})
        assert f"{count} matching paragraphs" in page
        assert f"S/RES/2397 (2017) ({count})" in htmllib.unescape(page)
