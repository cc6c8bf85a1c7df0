"""Charts: inline SVG with its figures as a table, from the pages' own queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from statements.models import PublishedCitation, Resolution, Statement
from statements.pages import charts
from tests.factories import ParagraphFactory, ResolutionFactory, StatementFactory

KINDS = [("statement", "Statement"), ("press_release", "Press release")]


def test_years_without_statements_are_drawn_as_empty_columns():
    chart = charts.per_year(
        [(2015, "statement", 2), (2018, "statement", 1), (2018, "press_release", 3)],
        KINDS,
        "Per year",
    )
    assert chart.rows == [
        ("2015", (2, 0), 2),
        ("2016", (0, 0), 0),
        ("2017", (0, 0), 0),
        ("2018", (1, 3), 4),
    ]
    svg = str(chart.svg())
    # one rectangle per non-zero value, each named for readers hovering it
    assert svg.count("<rect") == 3
    assert "<title>2018 · Press release: 3</title>" in svg
    assert 'role="img" aria-label="Per year"' in svg


def test_a_timeline_of_two_years_or_less_is_per_month_and_longer_ones_per_year():
    short = charts.timeline(
        [(dt.date(2017, 11, 1), 2), (dt.date(2018, 2, 1), 1)], "Timeline", "Citing paragraphs"
    )
    assert [row[0] for row in short.rows] == ["Nov 2017", "Dec 2017", "Jan 2018", "Feb 2018"]
    assert [row[2] for row in short.rows] == [2, 0, 0, 1]
    long = charts.timeline(
        [(dt.date(2006, 10, 1), 3), (dt.date(2006, 12, 1), 1), (dt.date(2009, 6, 1), 2)],
        "Timeline",
        "Citing paragraphs",
    )
    assert long.rows == [
        ("2006", (4,), 4),
        ("2007", (0,), 0),
        ("2008", (0,), 0),
        ("2009", (2,), 2),
    ]
    assert not long.stacked


def test_an_empty_chart_draws_nothing():
    chart = charts.timeline([], "Timeline", "Citing paragraphs")
    assert chart.rows == [] and chart.svg() == ""


def test_text_in_a_chart_is_escaped():
    chart = charts.per_year([(2017, "x", 1)], [("x", "<b>&"), ("y", "y")], 'A "quoted" <title>')
    svg = str(chart.svg())
    assert "<b>" not in svg
    assert "<title>2017 · &lt;b&gt;&amp;: 1</title>" in svg
    assert 'aria-label="A &quot;quoted&quot; &lt;title&gt;"' in svg


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=80))
def test_bars_are_as_tall_as_their_share_of_the_highest_and_labels_stay_few(counts):
    chart = charts.Chart(
        tuple(charts.Column(str(2000 + i), (n,)) for i, n in enumerate(counts)), ("n",), "d"
    )
    svg = str(chart.svg())
    heights = [int(h) for h in re.findall(r'<rect [^>]*height="(\d+)"', svg)]
    drawn = [n for n in counts if n]
    assert len(heights) == len(drawn)
    if drawn:
        assert max(heights) == charts.HEIGHT
        for n, height in zip(drawn, heights, strict=True):
            assert abs(height - charts.HEIGHT * n / max(drawn)) <= 1
    assert svg.count('class="chart__label"') <= charts.MOST_LABELS


@pytest.mark.parametrize(
    ("value", "peak", "width"), [(0, 10, 0), (1, 1000, 1), (5, 10, 50), (3, 0, 0)]
)
def test_a_share_bar_is_as_wide_as_the_value_is_of_the_peak(value, peak, width):
    bar = str(charts.share(value, peak))
    assert f'width="{width}"' in bar and 'aria-hidden="true"' in bar


@pytest.mark.django_db
def test_the_home_page_draws_published_statements_per_year_with_a_table(client):
    for year, kind in [(2016, "statement"), (2018, "statement"), (2018, "press_release")]:
        StatementFactory(date=dt.date(year, 5, 1), kind=kind)
    StatementFactory(date=dt.date(2010, 1, 1), status=Statement.Status.DRAFT)
    html = client.get("/").content.decode()
    assert 'aria-label="Published statements per year, by kind"' in html
    rows = re.findall(
        r'<tr><th scope="row">(\d{4})</th>((?:<td class="numeric">\d+</td>)+)</tr>', html
    )
    figures = {year: re.findall(r"\d+", cells) for year, cells in rows}
    # the draft of 2010 is not counted; 2017 is there, empty; kinds in their order
    assert figures == {"2016": ["1", "0", "1"], "2017": ["0", "0", "0"], "2018": ["1", "1", "2"]}


@pytest.mark.django_db
def test_a_resolution_page_draws_the_timeline_of_its_published_citations(client):
    resolution = ResolutionFactory(number=1718)
    for date, status in [
        (dt.date(2006, 10, 14), Statement.Status.PUBLISHED),
        (dt.date(2009, 6, 12), Statement.Status.PUBLISHED),
        (dt.date(2009, 6, 13), Statement.Status.DRAFT),
    ]:
        statement = StatementFactory(date=date, status=status)
        ParagraphFactory(statement=statement, text="Resolution 1718.").resolutions.add(resolution)
    resolution.refresh_from_db()
    assert PublishedCitation.objects.filter(resolution=resolution).per_month() == [
        (dt.date(2006, 10, 1), 1),
        (dt.date(2009, 6, 1), 1),
    ]
    html = client.get(resolution.get_absolute_url()).content.decode()
    assert 'aria-label="Paragraphs citing S/RES/1718' in html
    years = re.findall(r'<tr><th scope="row">(\d{4})</th><td class="numeric">(\d+)</td>', html)
    assert years == [("2006", "1"), ("2007", "0"), ("2008", "0"), ("2009", "1")]


@pytest.mark.django_db
def test_the_resolution_list_draws_each_count_against_the_most_cited(client):
    for number, cites in [(2397, 4), (2375, 2)]:
        resolution = ResolutionFactory(number=number)
        statement = StatementFactory()
        for _ in range(cites):
            ParagraphFactory(statement=statement, text=f"Resolution {number}.").resolutions.add(
                resolution
            )
    assert list(Resolution.objects.cited().values_list("citation_count", flat=True)) != []
    html = client.get(reverse("statements:resolution-list")).content.decode()
    assert re.findall(
        r'>(\d) <svg class="share"[^>]*><rect class="share__bar" width="(\d+)"', html
    ) == [
        ("4", "100"),
        ("2", "50"),
    ]
