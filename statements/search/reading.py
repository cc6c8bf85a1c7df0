"""Full-text search over published statements: one interface, two engines.

PostgreSQL uses its own full-text search over stored ``tsvector`` columns with GIN
indexes (migrations 0003, 0005, 0011); SQLite uses FTS5 tables that triggers keep in step
with the content (0003 for every paragraph and title, 0011 for published ones in reading
order). Both ignore accents ("Antonio" finds "António"). Callers never see which one runs:

- ``search_paragraphs(query, ...)`` for the search page: the hits, counted up to
  ``MAX_HITS`` and served a page at a time (Django's ``Paginator`` accepts it);
- ``newest_paragraphs(query, filters)`` and ``newest_statements(query, filters)`` for the
  API's ``q``: the ids of the same bounded read, newest first, unranked, with ``more``;
- ``filter_statements(queryset, query)`` narrows a QuerySet by reading every match: for
  an editor's drafts and withdrawn statements, which the bounded read does not index.

A search does a bounded amount of work, whatever the size of the archive: it reads at
most ``MAX_HITS + 1`` matches, newest statement first, from an index that keeps them in
that order (FTS5's rowid on SQLite; the statements' date index on PostgreSQL, each row's
stored vector checked as it goes). When there are at most ``MAX_HITS``, they are ranked
best first; beyond that, they stay newest first and the count says "more than". SQLite
also keeps the newest-first order when a query word is very common: FTS5's bm25() weighs
a word by counting every paragraph that holds it, which would be the whole-archive scan
this design avoids.

Whatever the reader types is treated as words, phrases in double quotes, ``or`` and
``-excluded`` words (the "web search" syntax); nothing they type reaches an engine as syntax.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from statements import derived
from statements.importing import resolution_mentions
from statements.models import (
    Paragraph,
    PublishedCitation,
    Resolution,
    Statement,
    cited_resolution,
    compiled_rows,
    in_citation_order,
    search_key,
)
from statements.search.query import (
    MARK_END,
    MARK_START,
    NamedResolution,
    can_match,
    clean_query,
    fts5_query,
    highlight,
    named_resolution,
    phrases_match,
    query_words,
    websearch_query,
)

# Made by migration 0005: English stemming after unaccent, as FTS5 removes diacritics.
POSTGRES_CONFIG = "english_unaccent"
SNIPPET_WORDS = 30
# The hits a search counts, pages through and ranks; more are "more than MAX_HITS".
MAX_HITS = 1000
# SQLite ranks only when every word of the query is in at most this many published
# paragraphs (bm25() reads the index entry of each word in full to weigh it).
RANKABLE_WORD_PARAGRAPHS = 10_000


@dataclass(frozen=True)
class SearchHit:
    paragraph: Paragraph
    snippet: SafeString
    title: SafeString

    @property
    def statement(self) -> Statement:
        return self.paragraph.statement


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    kind: str | None = None
    resolution_id: int | None = None  # the primary key, so planners see the value itself
    date_after: dt.date | None = None  # on or after
    date_before: dt.date | None = None  # on or before
    statement_id: int | None = None

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day the year and the dates allow (None: no bound)."""
        firsts = [self.date_after] if self.date_after else []
        lasts = [self.date_before] if self.date_before else []
        if self.year is not None:
            firsts.append(dt.date(self.year, 1, 1))
            lasts.append(dt.date(self.year, 12, 31))
        return max(firsts, default=None), min(lasts, default=None)


PARAGRAPHS, TITLES = "paragraphs", "titles"

# A hit's place in reading order: (day, statement id, -position). Newest first is the
# descending order of places; a title match takes the place of its statement's opening
# paragraph.
Place = tuple[int, int, int]


@dataclass
class _Matches:
    """What an engine found in one source (paragraph texts or titles): each place with a
    score (higher is better; 0 when not ranked), and whether it stopped at its limit."""

    places: dict[Place, float] = field(default_factory=dict)
    capped: bool = False

    @classmethod
    def of(cls, rows: list[tuple], limit: int, day: Callable[[Any], int]) -> _Matches:
        """From rows of (date or day, statement id, position, score)."""
        found = cls(capped=len(rows) >= limit)
        for date, statement_id, position, score in rows:
            if position is not None:  # a published statement without paragraphs
                found.places[(day(date), statement_id, -position)] = score or 0.0
        return found


class Match(NamedTuple):
    """A match of the API's filters: its statement's day and id, and the paragraph's id
    (None for a title)."""

    day: int
    statement_id: int
    paragraph_id: int | None


def _merged(*sources: _Matches) -> dict[Place, float]:
    merged: dict[Place, float] = {}
    for source in sources:
        for place, score in source.places.items():
            merged[place] = merged.get(place, 0.0) + score
    return merged


# --- Engines -----------------------------------------------------------------------------


@contextmanager
def _planned_for_these_words(connection: Any) -> Iterator[None]:
    """Queries run unprepared, so that PostgreSQL plans each for the words searched. The
    site prepares a query a connection repeats (``DJANGO_DB_PREPARED_STATEMENTS``), and
    PostgreSQL may then plan it once for any words (its generic plan), guessing how many
    rows they match: how many do decides the plan (walk the date index for a common
    word, collect a rare one's few matches from the text index). The generic plan of the
    newest matches took a common word 86 ms at 1,000 statements and 3.4 s at 100,000,
    against 2 and 3 ms planned for the word. Call with a cursor open (a connection)."""
    psycopg = connection.connection
    threshold = psycopg.prepare_threshold
    psycopg.prepare_threshold = None  # psycopg: prepare nothing
    try:
        yield
    finally:
        psycopg.prepare_threshold = threshold


class _Postgres:
    # Its highlights are columns of the paragraphs' own read (ts_headline): a QuerySet.
    highlights_rows = False

    def __init__(self, query: str, connection):
        self.connection = connection
        self.websearch = websearch_query(query)

    # For the API's filters: every paragraph and title, whatever its status.
    def paragraph_ids(self) -> RawSQL:
        return RawSQL(
            f"SELECT id FROM {derived.PARAGRAPH} WHERE search_document @@ {self.QUERY}",
            [POSTGRES_CONFIG, self.websearch],
        )

    def statement_ids_by_title(self) -> RawSQL:
        return RawSQL(
            f"SELECT id FROM {derived.STATEMENT} WHERE search_title @@ {self.QUERY}",
            [POSTGRES_CONFIG, self.websearch],
        )

    def _filters(self, filters: Filters) -> tuple[str, list]:
        sql, params = "", []
        first, last = filters.dates()
        if first is not None:
            sql += " AND s.date >= %s"
            params.append(first)
        if last is not None:
            sql += " AND s.date <= %s"
            params.append(last)
        if filters.statement_id is not None:
            sql += " AND s.id = %s"
            params.append(filters.statement_id)
        if filters.kind:
            sql += " AND s.kind = %s"
            params.append(filters.kind)
        if filters.resolution_id is not None:
            sql += (
                f" AND EXISTS (SELECT 1 FROM {derived.INDEXED} c "
                "WHERE c.statement_id = s.id AND c.resolution_id = %s)"
            )
            params.append(filters.resolution_id)
        return sql, params

    QUERY = "websearch_to_tsquery(%s::regconfig, %s)"

    def _newest(
        self, source: str, columns: str, filters: Filters, limit: int, oldest: bool = False
    ) -> list[tuple]:
        """``columns`` of up to ``limit`` matches, newest (or oldest) first. The
        statements' (status, date) index gives the order; the planner walks it (either
        way) and checks each row's stored vector when the words are common, or collects
        the matches from the GIN index and sorts them when they are rare."""
        where, params = self._filters(filters)
        order = "" if oldest else " DESC"
        if source == PARAGRAPHS:
            sql = f"""
                SELECT {columns}
                FROM {derived.PARAGRAPH} p JOIN {derived.STATEMENT} s ON s.id = p.statement_id
                WHERE s.status = {derived.PUBLISHED} AND p.search_document @@ {self.QUERY}{where}
                ORDER BY s.date{order}, s.id{order}, p.position LIMIT %s
            """
        else:
            sql = f"""
                SELECT {columns} FROM {derived.STATEMENT} s
                WHERE s.status = {derived.PUBLISHED} AND s.search_title @@ {self.QUERY}{where}
                ORDER BY s.date{order}, s.id{order} LIMIT %s
            """
        with self.connection.cursor() as cursor, _planned_for_these_words(self.connection):
            cursor.execute(sql, [POSTGRES_CONFIG, self.websearch, *params, limit])
            return cursor.fetchall()

    def matches(
        self, source: str, filters: Filters, limit: int, *, oldest: bool = False
    ) -> _Matches:
        """Up to ``limit`` matching places, newest (or oldest) first."""
        position = (
            "p.position"
            if source == PARAGRAPHS
            else f"(SELECT MIN(position) FROM {derived.PARAGRAPH} WHERE statement_id = s.id)"
        )
        rows = self._newest(source, f"s.date, s.id, {position}, 0", filters, limit, oldest)
        return _Matches.of(rows, limit, derived.day_number)

    def newest(self, source: str, filters: Filters, limit: int) -> list[Match]:
        paragraph = "p.id" if source == PARAGRAPHS else "NULL"
        rows = self._newest(source, f"s.date, s.id, {paragraph}", filters, limit)
        return [
            Match(derived.day_number(date), statement, paragraph)
            for date, statement, paragraph in rows
        ]

    def scores(self, texts: _Matches, titles: _Matches) -> dict[Place, float]:
        """ts_rank() of the places found, text and title (weighted A) added up: read
        for these rows only, once they are known to be few."""
        sql = f"""
            SELECT p.statement_id, p.position, ts_rank(p.search_document, {self.QUERY})
            FROM {derived.PARAGRAPH} p JOIN unnest(%s::bigint[], %s::integer[]) AS t(sid, pos)
                ON p.statement_id = t.sid AND p.position = t.pos
            UNION ALL
            SELECT s.id, t.pos, ts_rank(setweight(s.search_title, 'A'), {self.QUERY})
            FROM {derived.STATEMENT} s JOIN unnest(%s::bigint[], %s::integer[]) AS t(sid, pos)
                ON s.id = t.sid
        """
        params: list[Any] = []
        for found in (texts, titles):  # per half: the query's words, then the rows
            statements = [statement_id for _day, statement_id, _position in found.places]
            positions = [-position for _day, _statement_id, position in found.places]
            params += [POSTGRES_CONFIG, self.websearch, statements, positions]
        places = {(place[1], -place[2]): place for place in [*texts.places, *titles.places]}
        scored: dict[Place, float] = {}
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            for statement_id, position, score in cursor.fetchall():
                place = places[(statement_id, position)]
                scored[place] = scored.get(place, 0.0) + score
        return scored

    def highlighted(self, paragraphs: QuerySet, matches: int | None = None) -> list[Paragraph]:
        """The paragraphs, each with its ``snippet`` and its statement's
        ``title_highlight`` (marked engine output; None where nothing matches).
        ``matches``: unused here (see the SQLite engine's)."""
        from django.contrib.postgres.search import SearchHeadline, SearchQuery

        query = SearchQuery(self.websearch, search_type="websearch", config=POSTGRES_CONFIG)
        marks = {"start_sel": MARK_START, "stop_sel": MARK_END, "config": POSTGRES_CONFIG}
        annotated = paragraphs.annotate(
            snippet=SearchHeadline(
                "text",
                query,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
                **marks,
            ),
            title_highlight=SearchHeadline("statement__title", query, highlight_all=True, **marks),
        )
        return list(annotated)


class _SQLite:
    # Every paragraph and title, by id (the API's filters, snippets, highlights).
    PARAGRAPHS = derived.PARAGRAPH_FTS
    TITLES = derived.TITLE_FTS
    # Published paragraphs and titles, keyed in reading order (derived.paragraph_key).
    PUBLISHED_PARAGRAPHS = derived.PUBLISHED_PARAGRAPHS
    PUBLISHED_TITLES = derived.PUBLISHED_TITLES
    # Its highlights are a query of their own after the paragraphs, read any way.
    highlights_rows = True

    def __init__(self, query: str, connection):
        self.match = fts5_query(query)
        self.words = query_words(query)
        self.connection = connection

    def _ids(self, table: str) -> RawSQL:
        return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [self.match])

    def paragraph_ids(self) -> RawSQL:
        return self._ids(self.PARAGRAPHS)

    def statement_ids_by_title(self) -> RawSQL:
        return self._ids(self.TITLES)

    def rankable(self) -> bool:
        """Whether every word is rare enough for bm25() to weigh: one capped count per
        word, each reading at most RANKABLE_WORD_PARAGRAPHS index entries."""
        table = self.PUBLISHED_PARAGRAPHS
        count = f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH %s LIMIT %s))"
        sql = "SELECT " + ", ".join([count] * len(self.words))
        params = []
        for word in self.words:
            params += [f'"{word}"', RANKABLE_WORD_PARAGRAPHS + 1]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            counts = cursor.fetchone()
        return all(n <= RANKABLE_WORD_PARAGRAPHS for n in counts)

    def _filters(self, table: str, filters: Filters) -> tuple[str, list]:
        statement = derived.key_statement(f"{table}.rowid")
        sql, params = "", []
        first, last = filters.dates()
        if first is not None or last is not None:
            # The key starts with the day: a range of days is a range of rowids.
            sql += f" AND {table}.rowid BETWEEN %s AND %s"
            params += derived.day_keys(
                0 if first is None else derived.day_number(first),
                derived.LAST_DAY if last is None else derived.day_number(last),
            )
        if filters.statement_id is not None:
            sql += f" AND {statement} = %s"
            params.append(filters.statement_id)
        if filters.kind:
            sql += f" AND (SELECT kind FROM {derived.STATEMENT} WHERE id = {statement}) = %s"
            params.append(filters.kind)
        if filters.resolution_id is not None:
            # By the statement's few citations ("+" keeps SQLite off the resolution's
            # index, which would read every citation of the resolution for each hit).
            sql += (
                f" AND EXISTS (SELECT 1 FROM {derived.INDEXED} c "
                f"WHERE c.statement_id = {statement} AND +c.resolution_id = %s)"
            )
            params.append(filters.resolution_id)
        return sql, params

    def _newest(
        self,
        source: str,
        columns: Callable[[str, str], str],
        filters: Filters,
        limit: int,
        oldest: bool = False,
    ) -> list[tuple]:
        """``columns(table, statement)`` of up to ``limit`` matches, newest (or oldest)
        first: FTS5 reads its match list in rowid order, either way, which 0011's keys
        make the reading order."""
        table = self.PUBLISHED_PARAGRAPHS if source == PARAGRAPHS else self.PUBLISHED_TITLES
        where, params = self._filters(table, filters)
        order = "ASC" if oldest else "DESC"
        sql = (
            f"SELECT {columns(table, derived.key_statement(f'{table}.rowid'))} FROM {table} "
            f"WHERE {table} MATCH %s{where} ORDER BY {table}.rowid {order} LIMIT %s"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [self.match, *params, limit])
            return cursor.fetchall()

    def matches(
        self, source: str, filters: Filters, limit: int, *, ranked: bool, oldest: bool = False
    ) -> _Matches:
        """Up to ``limit`` matching places, newest (or oldest) first."""
        # bm25() is lower for better matches; a title counts twice a paragraph.
        weight = -1 if source == PARAGRAPHS else -2

        def columns(table: str, statement: str) -> str:
            score = f"{weight} * bm25({table})" if ranked else "0"
            position = (
                derived.key_position(f"{table}.rowid")
                if source == PARAGRAPHS
                # A title lands on its statement's opening paragraph.
                else f"(SELECT MIN(position) FROM {derived.PARAGRAPH} "
                f"WHERE statement_id = {statement})"
            )
            return f"{derived.key_day(f'{table}.rowid')}, {statement}, {position}, {score}"

        return _Matches.of(self._newest(source, columns, filters, limit, oldest), limit, int)

    def newest(self, source: str, filters: Filters, limit: int) -> list[Match]:
        def columns(table: str, statement: str) -> str:
            # The paragraph's id through its (statement, position) index, for these rows only.
            paragraph = (
                f"(SELECT id FROM {derived.PARAGRAPH} WHERE statement_id = {statement} "
                f"AND position = {derived.key_position(f'{table}.rowid')})"
                if source == PARAGRAPHS
                else "NULL"
            )
            return f"{derived.key_day(f'{table}.rowid')}, {statement}, {paragraph}"

        return [Match(*row) for row in self._newest(source, columns, filters, limit)]

    def highlighted(
        self, paragraphs: QuerySet | list[Paragraph], matches: int | None = None
    ) -> list[Paragraph]:
        """The paragraphs, each with its ``snippet`` and its statement's
        ``title_highlight`` (marked engine output; None where nothing matches), read from
        the index in one query after them. FTS5 seeks its match list afresh for each
        rowid asked for (85 µs in a common word's), so the paragraphs are asked for by
        runs of near ids, each read in one pass (a statement's paragraphs are mostly
        consecutive): 1.9 ms to 0.3 ms for a page of a common word's hits.

        ``matches``: how many paragraphs match in all, when known. Few matches scattered
        over the archive (a rare phrase's, one per statement) are cheaper walked once from
        the first id asked for to the last than sought run by run: 1.6 to 0.3 ms for 20
        of 205 at 100,000 statements."""
        rows = list(paragraphs)
        if not rows:
            return rows
        marks = [MARK_START, MARK_END, self.match]
        selects, params = [], []
        ids = sorted(paragraph.pk for paragraph in rows)
        runs = _runs(ids)
        if matches is not None and matches <= MATCHES_PER_SEEK * len(runs):
            runs = [ids]
        for run in runs:
            # "+" keeps the IN from FTS5, which would seek each id again.
            selects.append(
                f"SELECT 0, rowid, snippet({self.PARAGRAPHS}, 0, %s, %s, ' … ', "
                f"{SNIPPET_WORDS}) FROM {self.PARAGRAPHS} WHERE {self.PARAGRAPHS} MATCH %s "
                f"AND rowid BETWEEN %s AND %s AND +rowid IN ({', '.join(['%s'] * len(run))})"
            )
            params += [*marks, run[0], run[-1], *run]
        statements = sorted({paragraph.statement_id for paragraph in rows})
        selects.append(
            f"SELECT 1, rowid, highlight({self.TITLES}, 0, %s, %s) FROM {self.TITLES} "
            f"WHERE {self.TITLES} MATCH %s AND rowid IN ({', '.join(['%s'] * len(statements))})"
        )
        params += [*marks, *statements]
        found: tuple[dict[int, str], dict[int, str]] = ({}, {})
        with self.connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for source, rowid, marked in cursor.fetchall():
                found[source][rowid] = marked
        snippets, titles = found
        for paragraph in rows:
            paragraph.snippet = snippets.get(paragraph.pk)
            paragraph.title_highlight = titles.get(paragraph.statement_id)
        return rows


# Ids at most this far apart are read in one pass of the index (the ids between that
# match are skipped over, far cheaper than a seek).
RUN_GAP = 256
# A seek in a match list costs what walking about this many of its matches does (75 µs
# against 1.5 µs, a two-word phrase at 100,000 statements).
MATCHES_PER_SEEK = 50


def _runs(ids: list[int]) -> list[list[int]]:
    """Sorted ids cut where two are more than RUN_GAP apart."""
    runs: list[list[int]] = []
    for pk in ids:
        if runs and pk - runs[-1][-1] <= RUN_GAP:
            runs[-1].append(pk)
        else:
            runs.append([pk])
    return runs


def _engine(queryset: QuerySet, query: str) -> _Postgres | _SQLite | None:
    """The engine for the queryset's database, or None when the query cannot match: no
    words, or only excluded ones (which would otherwise match nearly everything)."""
    query = clean_query(query)
    if not can_match(query):
        return None
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        return _Postgres(query, connection)
    return _SQLite(query, connection)


# --- The interface -----------------------------------------------------------------------


@dataclass(frozen=True)
class Newest:
    """The ids of the newest matches of a search (the API's ``q``), newest first. With
    ``more``, it matched more than it read: ``ids`` are then every match newer than the
    oldest one read, and the older ones are not served."""

    ids: list[int]
    more: bool = False
    published: bool = True  # all of them: read from the index of published text


def newest_paragraphs(query: str, filters: Filters = Filters()) -> Newest:
    """Published paragraphs whose text matches, newest statement first and then in
    reading order: at most ``MAX_HITS``, read as the search page reads them."""
    engine = _engine(Paragraph.objects.all(), query)
    if engine is None:
        return Newest([])
    found = engine.newest(PARAGRAPHS, filters, MAX_HITS + 1)
    return Newest([match.paragraph_id for match in found[:MAX_HITS]], len(found) > MAX_HITS)


def newest_statements(query: str, filters: Filters = Filters()) -> Newest:
    """Published statements whose title or any paragraph matches, newest first: those of
    the newest ``MAX_HITS + 1`` matching paragraphs and as many matching titles."""
    engine = _engine(Statement.objects.all(), query)
    if engine is None:
        return Newest([])
    limit = MAX_HITS + 1
    sources = [engine.newest(PARAGRAPHS, filters, limit), engine.newest(TITLES, filters, limit)]
    # A source cut short knows every matching statement down to its last match, not
    # beyond: the newer of the cuts bounds what both can vouch for.
    cut = max(
        ((rows[-1].day, rows[-1].statement_id) for rows in sources if len(rows) >= limit),
        default=None,
    )
    found = {(match.day, match.statement_id) for rows in sources for match in rows}
    known = sorted((key for key in found if cut is None or key >= cut), reverse=True)
    return Newest([statement_id for _day, statement_id in known], cut is not None)


def filter_statements(queryset: QuerySet[Statement], query: str) -> QuerySet[Statement]:
    """The statements of ``queryset`` whose title or any paragraph matches ``query``,
    whatever their status. It reads every match: for narrow querysets (an editor's
    drafts); published ones go through ``newest_statements()``."""
    engine = _engine(queryset, query)
    if engine is None:
        return queryset.none()
    by_text = Paragraph.objects.filter(id__in=engine.paragraph_ids()).values("statement_id")
    return queryset.filter(Q(id__in=engine.statement_ids_by_title()) | Q(id__in=by_text))


def resolution_pk(number: int | None) -> int | None:
    """The primary key of the resolution with this number, for ``Filters``; 0 when there
    is none (nothing cites it), None when no number is given."""
    if number is None:
        return None
    pks = Resolution.objects.filter(number=number).values_list("pk", flat=True)
    return pks.first() or 0


# --- Speakers ----------------------------------------------------------------------------

# The distinct speakers of published statements. DISTINCT would read every statement; this
# recursive query jumps from one name to the next through the (status, speaker) index, one
# seek per name, however large the archive (the same SQL on SQLite and PostgreSQL).
SPEAKERS_SQL = f"""
WITH RECURSIVE speakers(name) AS (
    SELECT MIN(speaker) FROM {derived.STATEMENT}
    WHERE status = %(published)s AND speaker > ''
    UNION ALL
    SELECT (
        SELECT MIN(speaker) FROM {derived.STATEMENT}
        WHERE status = %(published)s AND speaker > speakers.name
    ) FROM speakers WHERE name IS NOT NULL
)
SELECT name FROM speakers WHERE name IS NOT NULL
"""


def published_speakers() -> list[str]:
    """The speakers of published statements, in the database's order."""
    with connections[Statement.objects.db].cursor() as cursor:
        cursor.execute(SPEAKERS_SQL, {"published": Statement.Status.PUBLISHED})
        return [name for (name,) in cursor.fetchall()]


def matching_speakers(query: str) -> list[str]:
    """The speakers whose name satisfies the query, ignoring case and accents ("kono"
    finds "Taro Kono", "Antonio Guterres" finds "António Guterres"). Names are few and
    short, and no full-text index holds them: they are matched here."""
    return [name for name in published_speakers() if phrases_match(query, name, search_key)]


def _narrowed(rows: QuerySet, filters: Filters, statement: str) -> QuerySet:
    """Statements (``statement="pk"``) or published citations (``"statement_id"``, which
    carry their statement's date) narrowed by the filters."""
    kind = "kind" if statement == "pk" else "statement__kind"
    first, last = filters.dates()
    lookups = {
        "date__gte": first,
        "date__lte": last,
        statement: filters.statement_id,
        kind: filters.kind or None,
    }
    rows = rows.filter(**{lookup: value for lookup, value in lookups.items() if value is not None})
    if filters.resolution_id is not None:
        cites = PublishedCitation.objects.filter(
            statement=OuterRef(statement), resolution_id=filters.resolution_id
        )
        rows = rows.filter(Exists(cites))
    return rows


def speaker_matches(query: str, filters: Filters, limit: int, *, oldest: bool) -> _Matches:
    """Up to ``limit`` published statements by a speaker the query names, newest (or
    oldest) first, each at its opening paragraph as a title match is."""
    speakers = matching_speakers(query)
    if not speakers:
        return _Matches()
    opening = Paragraph.objects.filter(statement=OuterRef("pk")).order_by("position")
    order = ["date", "id"] if oldest else ["-date", "-id"]
    rows = (
        _narrowed(Statement.objects.published(), filters, "pk")
        .filter(speaker__in=speakers)
        .order_by(*order)
        .annotate(opening=Subquery(opening.values("position")[:1]))
        .values_list("date", "id", "opening", Value(0.0))[:limit]
    )
    return _Matches.of(list(rows), limit, derived.day_number)


# --- The search page ---------------------------------------------------------------------

RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)


def _oldest_first(place: Place) -> tuple[int, int, int]:
    return place[0], place[1], -place[2]


def _in_order(places: Any, oldest: bool) -> list[Place]:
    """Newest statement first, or oldest; reading order within a statement."""
    if oldest:
        return sorted(places, key=_oldest_first)
    return sorted(places, reverse=True)


def _first_in_order(places: Any, oldest: bool, n: int) -> list[Place]:
    """``_in_order(places, oldest)[:n]`` (places are distinct), without sorting the
    thousand places of a common word for a page of twenty."""
    if oldest:
        return heapq.nsmallest(n, places, key=_oldest_first)
    return heapq.nlargest(n, places)


class ParagraphSearch:
    """The hits of one search of published paragraphs, a page at a time; a ``Paginator``
    accepts it as its list.

    A paragraph is a hit when its text matches, or when it opens a statement whose title
    matches or whose speaker the query names (so those land on the statement's first
    paragraph). ``count()`` is exact up to ``MAX_HITS``; ``more`` says there are more,
    which are not served. ``ranked`` says whether the hits are best first (else newest
    first, or oldest first when ``sort`` is ``OLDEST``).
    """

    def __init__(self, query: str, filters: Filters = Filters(), sort: str = RELEVANCE):
        self.query = clean_query(query)
        self.filters = filters
        self.sort = sort
        self.oldest = sort == OLDEST
        self.engine = _engine(Paragraph.objects.all(), self.query)
        self.more = False
        self.ranked = False
        self.places: list[Place] = []
        # Every place read, before the cut to MAX_HITS: what the filters' counts count.
        self.found: list[Place] = []
        self.texts = _Matches()
        if self.engine is None:
            return
        limit = MAX_HITS + 1
        ranking = sort == RELEVANCE
        self.texts = self._matches(PARAGRAPHS, limit)
        if self.texts.capped:
            # More than MAX_HITS already: in date order, and titles and speakers are read
            # only as far as the page asked for needs (a common word would read thousands).
            self.more = True
            self.found = list(self.texts.places)
            return
        # SQLite weighs words while it reads the matches, and only words it can afford
        # to: asked once the texts are known to be few, as more are never ranked (a
        # common word's count read 10,000 index entries for nothing), and read again.
        inline = ranking and isinstance(self.engine, _SQLite) and self.engine.rankable()
        if inline:
            self.texts = self._matches(PARAGRAPHS, limit, ranked=True)
        titles = self._matches(TITLES, limit, ranked=inline)
        speakers = speaker_matches(self.query, self.filters, limit, oldest=self.oldest)
        found = _merged(self.texts, titles, speakers)
        self.places = _in_order(found, self.oldest)
        self.found = self.places
        if titles.capped or speakers.capped or len(self.places) > MAX_HITS:
            self.more = True
            self.places = self.places[:MAX_HITS]
            return
        if ranking and (inline or isinstance(self.engine, _Postgres)):
            scores = found if inline else self.engine.scores(self.texts, titles)
            # A statement by the speaker named ranks with the best matches.
            best = max(scores.values(), default=0.0) or 1.0
            for place in speakers.places:
                scores[place] = scores.get(place, 0.0) + best
            self.ranked = True
            # Best first; equals stay newest first (sorted() is stable).
            self.places.sort(key=lambda place: scores.get(place, 0.0), reverse=True)

    def _matches(self, source: str, limit: int, *, ranked: bool = False) -> _Matches:
        if isinstance(self.engine, _SQLite):
            return self.engine.matches(
                source, self.filters, limit, ranked=ranked, oldest=self.oldest
            )
        return self.engine.matches(source, self.filters, limit, oldest=self.oldest)

    def _places_until(self, stop: int) -> list[Place]:
        """The first ``stop`` places; with more than MAX_HITS texts, the titles and
        speakers' statements needed to put them in order are read now, up to ``stop`` of
        each."""
        if not self.more or self.places:
            return self.places
        titles = self._matches(TITLES, stop)
        speakers = speaker_matches(self.query, self.filters, stop, oldest=self.oldest)
        return _first_in_order(_merged(self.texts, titles, speakers), self.oldest, stop)

    def count(self) -> int:
        return MAX_HITS if self.more else len(self.places)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[SearchHit]:
        start, stop = _bounds(index)
        if self.engine is None or stop <= start:
            return []
        places = self._places_until(stop)[start:stop]
        if not places:
            return []
        # Every published paragraph that matches, when the read listed them all and no
        # filter narrowed it: what one pass over the match list would walk.
        matches = (
            len(self.texts.places) if not self.texts.capped and self.filters == Filters() else None
        )
        # Compiled once per number of places where the engine highlights rows; each key
        # a list of its own, since a statement's id repeats for each of its paragraphs.
        keys = [[value] for _day, statement, position in places for value in (statement, -position)]
        if self.engine.highlights_rows:
            read = compiled_rows(_paragraphs_at, (), *keys)
        else:
            read = _paragraphs_at(*keys)
        paragraphs = self.engine.highlighted(read, matches)
        by_place = {(p.statement_id, p.position): p for p in paragraphs}
        hits = []
        for _day, statement_id, position in places:
            paragraph = by_place.get((statement_id, -position))
            if paragraph is None:  # changed since the hits were read
                continue
            hits.append(
                SearchHit(
                    paragraph=paragraph,
                    snippet=highlight(paragraph.snippet)
                    or conditional_escape(Truncator(paragraph.text).words(SNIPPET_WORDS)),
                    title=highlight(paragraph.title_highlight, paragraph.statement.title),
                )
            )
        return hits


def _paragraphs_at(*keys: list[int]) -> QuerySet:
    """The paragraphs at these places, in no order (the places give it), read
    ``with_place()``: keys of one value each, a statement's id then its paragraph's
    position, in turn. The places written out: the ORM took longer to build and compile
    an OR of twenty pairs (a third of a search) than the database took to run it."""
    values = [value for (value,) in keys]
    wanted = RawSQL(
        f"SELECT id FROM {derived.PARAGRAPH} WHERE "
        + " OR ".join(["(statement_id = %s AND position = %s)"] * (len(values) // 2)),
        values,
    )
    return Paragraph.objects.filter(pk__in=wanted).with_place().order_by()


def _bounds(index: slice) -> tuple[int, int]:
    if not isinstance(index, slice) or index.step not in (None, 1):
        raise TypeError("Search results support plain slices only.")
    return index.start or 0, min(index.stop or MAX_HITS, MAX_HITS)


class CitingParagraphs:
    """The published paragraphs citing one resolution, newest (or oldest) statement first
    and then in reading order, a page at a time (a ``Paginator`` accepts it): read from the
    index of published citations, so a page costs a page however often it is cited."""

    more = False
    ranked = False

    def __init__(self, query: str, resolution: Resolution, filters: Filters, sort: str):
        self.query = clean_query(query)
        self.resolution = resolution
        self.filters = filters
        self.sort = sort
        self.oldest = sort == OLDEST
        self.citations = _citations(filters, self.oldest, [resolution.pk])
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            # Unfiltered, the number the database keeps: no count of every citation.
            narrowed = self.filters != Filters()
            self._count = self.citations.count() if narrowed else self.resolution.citation_count
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[SearchHit]:
        start, stop = _bounds(index)
        if stop <= start:
            return []
        # The page of citations as a subquery: one query, not the ids and then their
        # paragraphs, from SQL compiled once per filters and page: building the quotes'
        # read of thirty-odd columns cost more than the database's work.
        page = compiled_rows(
            _citing_page, (self.filters, self.oldest, start, stop), [self.resolution.pk]
        )
        # In the citations' order: their date and position are the statement's and the
        # paragraph's, and (date, statement, position) tells a resolution's apart.
        paragraphs = in_citation_order(page, oldest=self.oldest)
        return [
            SearchHit(
                paragraph=paragraph,
                snippet=citing_snippet(paragraph.text, self.resolution.number),
                title=conditional_escape(paragraph.statement.title),
            )
            for paragraph in paragraphs
        ]


def _citing_page(
    filters: Filters, oldest: bool, start: int, stop: int, resolution_ids: list[int]
) -> QuerySet:
    """``CitingParagraphs``' read of a page: the paragraphs, ``with_place()``, of that
    slice of the resolution's published citations, in no order."""
    page = _citations(filters, oldest, resolution_ids).values("paragraph_id")[start:stop]
    return Paragraph.objects.filter(pk__in=page).with_place().order_by()


def _citations(filters: Filters, oldest: bool, resolution_ids: list[int]) -> QuerySet:
    """The published citations of a resolution that the filters keep, newest (or oldest)
    statement first, then in reading order."""
    cited = PublishedCitation.objects.filter(resolution_id__in=resolution_ids)
    citations = _narrowed(cited, filters, "statement_id")
    if oldest:
        return citations.order_by("date", "statement_id", "position")
    return citations.newest_first()


def citing_snippet(text: str, number: int) -> SafeString:
    """About SNIPPET_WORDS words of the text around its first mention of the resolution,
    each mention of it marked."""
    mentions = [mention for mention in resolution_mentions(text) if mention.number == number]
    marked = text
    for mention in reversed(mentions):
        marked = (
            f"{marked[: mention.start]}{MARK_START}{marked[mention.start : mention.end]}"
            f"{MARK_END}{marked[mention.end :]}"
        )
    words = marked.split()
    first = next((n for n, word in enumerate(words) if MARK_START in word), 0)
    begin = max(0, min(first - SNIPPET_WORDS // 3, len(words) - SNIPPET_WORDS))
    end = begin + SNIPPET_WORDS
    snippet = " ".join(words[begin:end])
    return highlight(("… " if begin else "") + snippet + (" …" if end < len(words) else ""))


@dataclass(frozen=True)
class Answer:
    """What the search page shows for a query: the hits, and the resolution the query
    names when the archive has it (its citing paragraphs are then the hits), or the
    resolution it names explicitly that the archive does not have (``missing``; the hits
    are then the paragraphs that mention its number)."""

    hits: ParagraphSearch | CitingParagraphs
    resolution: Resolution | None = None
    missing: NamedResolution | None = None


def search_archive(query: str, filters: Filters = Filters(), sort: str = RELEVANCE) -> Answer:
    """The answer to what a reader typed: a resolution's symbol, "res 2397" or its bare
    number gives that resolution and its citing paragraphs; anything else, the paragraphs,
    titles and speakers that match."""
    named = named_resolution(query)
    if named is None:
        return Answer(ParagraphSearch(query, filters, sort))
    resolution = cited_resolution(named.number)
    if resolution is not None:
        return Answer(CitingParagraphs(query, resolution, filters, sort), resolution)
    # Not in the archive: the paragraphs that mention the number all the same ("S/RES/1718"
    # as words would be the phrase "S RES 1718", which no paragraph writes).
    missing = named if named.explicit else None
    return Answer(ParagraphSearch(str(named.number), filters, sort), missing=missing)


def search_paragraphs(
    query: str,
    *,
    year: int | None = None,
    kind: str | None = None,
    resolution: int | None = None,
    sort: str = RELEVANCE,
) -> ParagraphSearch:
    """Published paragraphs (and titles) matching ``query``, optionally only those of one
    year, one kind of statement, or of statements citing one resolution."""
    filters = Filters(year=year, kind=kind, resolution_id=resolution_pk(resolution))
    return ParagraphSearch(query, filters, sort)
