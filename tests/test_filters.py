"""The readers' filter choices: only what published statements have, found by index."""

import datetime as dt

import pytest
from django.db import connection

from statements import filters
from tests.factories import StatementFactory

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
        for sql in (filters.years_sql(), filters.SPEAKERS_SQL):
            cursor.execute("EXPLAIN QUERY PLAN " + sql, {"published": "published"})
            plans.append("\n".join(str(row) for row in cursor.fetchall()))
    years, speakers = plans
    assert "statement_status_date_idx" in years
    assert "statement_status_speaker_idx" in speakers
    for plan in plans:
        assert "SCAN statements_statement" not in plan
