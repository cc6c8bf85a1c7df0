"""On SQLite, the site's backend is Django's, with each query's placeholders rewritten once
per text (mofa_site/sqlite/base.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from hypothesis import given
from hypothesis import strategies as st

from mofa_site.sqlite import base
from tests.mofa_site.test_settings import load_settings

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend")


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:////tmp/archive.sqlite3", "mofa_site.sqlite"),
        ("postgres://archive@db.example.org/archive", "django.db.backends.postgresql"),
    ],
)
def test_a_sqlite_database_is_served_by_the_sites_backend_and_postgresql_by_djangos(url, engine):
    result = load_settings(
        'settings.DATABASES["default"]["ENGINE"]', DJANGO_DEBUG="1", DATABASE_URL=url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


# SQL with placeholders, escaped percents, lone percents and quotes, as the ORM writes it.
sql_texts = st.lists(
    st.sampled_from(["%s", "%%", "%", "s", "'%s'", " ", "SELECT", '"t"."c"', "?", "\n", "é"])
    | st.text(max_size=5),
    max_size=30,
).map("".join)


@given(sql_texts)
def test_a_query_is_rewritten_as_djangos_backend_rewrites_it(query):
    assert base._qmark(query) == SQLiteCursorWrapper.convert_query(None, query)


@on_sqlite
@pytest.mark.django_db
def test_a_query_run_again_is_not_rewritten_again():
    sql = "SELECT %s + 1, '100%%' -- test_a_query_run_again_is_not_rewritten_again"
    before = base._qmark.cache_info()
    for n in (1, 2, 3):
        with connection.cursor() as cursor:
            cursor.execute(sql, [n])
            assert cursor.fetchone() == (n + 1, "100%")
    after = base._qmark.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


@on_sqlite
@pytest.mark.django_db
def test_named_parameters_are_rewritten_as_django_does():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s * %(b)s", {"a": 6, "b": 7})
        assert cursor.fetchone() == (42,)
