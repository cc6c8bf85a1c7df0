"""Full-text search over published statements: one interface, two engines.

PostgreSQL uses its own full-text search (``django.contrib.postgres.search``) backed by GIN
expression indexes; SQLite uses FTS5 tables that triggers keep in step with the content
(both created by migration 0003). Both ignore accents ("Antonio" finds "António"): FTS5
removes diacritics, PostgreSQL uses the ``english_unaccent`` configuration of migration
0005. Callers never see which one runs:

- ``search_paragraphs(query, ...)`` for the search page: a lazy, ranked sequence of
  ``SearchHit`` that Django's ``Paginator`` can page through in a fixed number of queries;
- ``filter_paragraphs(queryset, query)`` and ``filter_statements(queryset, query)`` narrow
  any QuerySet (the API's ``q`` parameter), keeping the caller's ordering.

Whatever the reader types is treated as words, phrases in double quotes, ``or`` and
``-excluded`` words (the "web search" syntax); nothing they type reaches an engine as syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from statements.models import Paragraph, Statement

# Longer input is cut here: nobody types more, and it bounds the engine's work.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
# Made by migration 0005: English stemming after unaccent, as FTS5 removes diacritics.
POSTGRES_CONFIG = "english_unaccent"
# Private-use characters mark highlights inside engine output, so that the text can be
# escaped first and the marks turned into <mark> afterwards.
MARK_START = "\ue000"
MARK_END = "\ue001"
SNIPPET_WORDS = 30

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
_CLAUSE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
_HIGHLIGHT = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)


def clean_query(query: str | None) -> str:
    """The query as the engines will see it: no control characters, bounded length."""
    cleaned = " ".join(_CONTROL_CHARACTERS.sub(" ", query or "").split())
    if len(cleaned) > MAX_QUERY_LENGTH:
        cut = cleaned[: MAX_QUERY_LENGTH + 1]
        # Drop a word cut in half: "abduc" would match nothing.
        cleaned = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return cleaned.strip()


def is_truncated(query: str | None) -> bool:
    return len(" ".join((query or "").split())) > MAX_QUERY_LENGTH


@dataclass(frozen=True)
class _Clause:
    words: tuple[str, ...]
    negated: bool = False
    or_before: bool = False

    def websearch(self) -> str:
        words = " ".join(self.words)
        phrase = f'"{words}"' if len(self.words) > 1 else words
        return ("-" if self.negated else "or " if self.or_before else "") + phrase

    def fts5(self) -> str:
        # Each word is \w+ only, so a quoted FTS5 string cannot carry syntax.
        return '"' + " ".join(self.words) + '"'


def _clauses(query: str) -> list[_Clause]:
    clauses: list[_Clause] = []
    pending_or = False
    for match in _CLAUSE.finditer(query):
        minus, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            pending_or = bool(clauses)
            continue
        negated = bool(minus) or (bare is not None and bare.startswith("-"))
        words = tuple(_WORD.findall(phrase if phrase is not None else bare))
        if not words:
            continue
        clauses.append(_Clause(words, negated, or_before=pending_or and not negated))
        pending_or = False
        if len(clauses) == MAX_TERMS:
            break
    return clauses


def websearch_query(query: str) -> str:
    """The query rebuilt from the words and phrases we understood, for PostgreSQL's
    ``websearch_to_tsquery``: both engines then see the same clauses."""
    return " ".join(clause.websearch() for clause in _clauses(clean_query(query)))


def fts5_query(query: str) -> str | None:
    """Translate web-search syntax into a safe FTS5 expression; None when nothing can match
    (no words, or only excluded ones)."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    for clause in _clauses(clean_query(query)):
        if clause.negated:
            excluded.append(clause.fts5())
        elif clause.or_before and groups:
            groups[-1].append(clause.fts5())
        else:
            groups.append([clause.fts5()])
    if not groups:
        return None
    expression = " AND ".join("(" + " OR ".join(group) + ")" for group in groups)
    for phrase in excluded:
        expression = f"({expression}) NOT {phrase}"
    return expression


def highlight(raw: str | None, fallback: str = "") -> SafeString:
    """Escape engine output, then turn its highlight marks into <mark> elements."""
    if not raw:
        return conditional_escape(fallback)
    escaped = str(conditional_escape(raw))
    marked = _HIGHLIGHT.sub(r"<mark>\1</mark>", escaped)
    # Safe: every character from the engine was escaped above; only <mark> was added.
    return mark_safe(marked.replace(MARK_START, "").replace(MARK_END, ""))


@dataclass(frozen=True)
class SearchHit:
    paragraph: Paragraph
    rank: float
    snippet: SafeString
    title: SafeString

    @property
    def statement(self) -> Statement:
        return self.paragraph.statement


# --- Engines -----------------------------------------------------------------------------


class _Postgres:
    def __init__(self, query: str):
        from django.contrib.postgres.search import SearchQuery

        self.query = SearchQuery(
            websearch_query(query), search_type="websearch", config=POSTGRES_CONFIG
        )

    def _vector(self, field: str, weight: str | None = None):
        from django.contrib.postgres.search import SearchVector

        return SearchVector(field, config=POSTGRES_CONFIG, weight=weight)

    def paragraph_ids(self) -> QuerySet:
        return (
            Paragraph.objects.alias(document=self._vector("text"))
            .filter(document=self.query)
            .values("id")
        )

    def statement_ids_by_title(self) -> QuerySet:
        return (
            Statement.objects.alias(document=self._vector("title"))
            .filter(document=self.query)
            .values("id")
        )

    def ranked(self, hits: QuerySet, start: int, stop: int) -> list[SearchHit]:
        from django.contrib.postgres.search import SearchHeadline, SearchRank

        marks = {"start_sel": MARK_START, "stop_sel": MARK_END, "config": POSTGRES_CONFIG}
        page = (
            hits.annotate(
                rank=SearchRank(self._vector("text"), self.query)
                + SearchRank(self._vector("statement__title", weight="A"), self.query),
                snippet=SearchHeadline(
                    "text",
                    self.query,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **marks,
                ),
                title_highlight=SearchHeadline(
                    "statement__title", self.query, highlight_all=True, **marks
                ),
            )
            .with_related()
            .order_by("-rank", "-statement__date", "statement_id", "position")[start:stop]
        )
        return [
            SearchHit(
                paragraph=paragraph,
                rank=paragraph.rank,
                snippet=highlight(paragraph.snippet),
                title=highlight(paragraph.title_highlight, paragraph.statement.title),
            )
            for paragraph in page
        ]


class _SQLite:
    PARAGRAPHS = "statements_paragraph_fts"
    TITLES = "statements_statement_fts"

    def __init__(self, query: str, connection):
        self.match = fts5_query(query)
        self.connection = connection

    def _ids(self, table: str) -> RawSQL:
        return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [self.match])

    def paragraph_ids(self) -> RawSQL:
        return self._ids(self.PARAGRAPHS)

    def statement_ids_by_title(self) -> RawSQL:
        return self._ids(self.TITLES)

    def ranked(self, hits: QuerySet, start: int, stop: int) -> list[SearchHit]:
        candidates, candidate_params = hits.values("id").query.sql_with_params()
        # The full-text tables drive: every match with its score (bm25() is lower for
        # better matches; a title match weighs twice a text match, and counts for every
        # paragraph of its statement), narrowed to the candidates, one page kept; only
        # that page gets snippets, each found by rowid. Joining the paragraphs to the
        # match lists instead made SQLite scan one list per paragraph: minutes for a
        # common word.
        sql = f"""
            WITH page AS (
                SELECT id, SUM(score) AS score FROM (
                    SELECT rowid AS id, bm25({self.PARAGRAPHS}) AS score
                    FROM {self.PARAGRAPHS} WHERE {self.PARAGRAPHS} MATCH %s
                    UNION ALL
                    SELECT p.id, 2 * bm25({self.TITLES})
                    FROM {self.TITLES}
                    JOIN statements_paragraph p ON p.statement_id = {self.TITLES}.rowid
                    WHERE {self.TITLES} MATCH %s
                ) AS matches
                WHERE id IN ({candidates})
                GROUP BY id
                ORDER BY score, id
                LIMIT %s OFFSET %s
            )
            SELECT page.id, page.score,
                (SELECT snippet({self.PARAGRAPHS}, 0, %s, %s, ' … ', {SNIPPET_WORDS})
                 FROM {self.PARAGRAPHS}
                 WHERE {self.PARAGRAPHS} MATCH %s AND rowid = page.id),
                (SELECT highlight({self.TITLES}, 0, %s, %s)
                 FROM {self.TITLES}
                 WHERE {self.TITLES} MATCH %s AND rowid = p.statement_id)
            FROM page JOIN statements_paragraph p ON p.id = page.id
            ORDER BY page.score, page.id
        """
        params = [
            self.match,
            self.match,
            *candidate_params,
            stop - start,
            start,
            MARK_START,
            MARK_END,
            self.match,
            MARK_START,
            MARK_END,
            self.match,
        ]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        paragraphs = Paragraph.objects.with_related().in_bulk([row[0] for row in rows])
        return [
            SearchHit(
                paragraph=paragraphs[pk],
                rank=-score,
                snippet=highlight(snippet, Truncator(paragraphs[pk].text).words(SNIPPET_WORDS)),
                title=highlight(title, paragraphs[pk].statement.title),
            )
            for pk, score, snippet, title in rows
        ]


def _engine(queryset: QuerySet, query: str) -> _Postgres | _SQLite | None:
    """The engine for the queryset's database, or None when the query cannot match: no
    words, or only excluded ones (which would otherwise match nearly everything)."""
    query = clean_query(query)
    if not any(not clause.negated for clause in _clauses(query)):
        return None
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        return _Postgres(query)
    return _SQLite(query, connection)


# --- The interface -----------------------------------------------------------------------


def filter_paragraphs(queryset: QuerySet[Paragraph], query: str) -> QuerySet[Paragraph]:
    """The paragraphs of ``queryset`` whose text matches ``query``."""
    engine = _engine(queryset, query)
    if engine is None:
        return queryset.none()
    return queryset.filter(id__in=engine.paragraph_ids())


def filter_statements(queryset: QuerySet[Statement], query: str) -> QuerySet[Statement]:
    """The statements of ``queryset`` whose title or any paragraph matches ``query``."""
    engine = _engine(queryset, query)
    if engine is None:
        return queryset.none()
    by_text = Paragraph.objects.filter(id__in=engine.paragraph_ids()).values("statement_id")
    return queryset.filter(Q(id__in=engine.statement_ids_by_title()) | Q(id__in=by_text))


class ParagraphSearch:
    """Ranked hits, computed a page at a time; a ``Paginator`` accepts it as its list.

    A paragraph is a hit when its text matches, or when it opens a statement whose title
    matches (so a title match lands on the statement's first paragraph).
    """

    def __init__(self, query: str, paragraphs: QuerySet[Paragraph]):
        self.query = clean_query(query)
        self.engine = _engine(paragraphs, self.query)
        if self.engine is None:
            self.hits = paragraphs.none()
            return
        opening = Paragraph.objects.filter(statement_id=OuterRef("statement_id")).values(
            "statement_id"
        )
        opening = opening.annotate(first=Min("position")).values("first")
        # Two id sets, each found through its own index; an OR of the raw conditions made
        # the database test the title subquery against every paragraph of the archive.
        title_openings = Paragraph.objects.filter(
            statement_id__in=self.engine.statement_ids_by_title(),
            position=Subquery(opening),
        ).values("id")
        self.hits = paragraphs.filter(
            Q(id__in=self.engine.paragraph_ids()) | Q(id__in=title_openings)
        )

    def count(self) -> int:
        return self.hits.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[SearchHit]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("ParagraphSearch supports plain slices only.")
        start, stop = index.start or 0, index.stop
        if self.engine is None or stop is None or stop <= start:
            return []
        return self.engine.ranked(self.hits, start, stop)


def search_paragraphs(
    query: str,
    *,
    year: int | None = None,
    kind: str | None = None,
    resolution: int | None = None,
) -> ParagraphSearch:
    """Published paragraphs (and titles) matching ``query``, best first, optionally only
    those of one year, one kind of statement, or citing one resolution."""
    paragraphs = Paragraph.objects.published()
    if year is not None:
        paragraphs = paragraphs.filter(statement__date__year=year)
    if kind:
        paragraphs = paragraphs.filter(statement__kind=kind)
    if resolution is not None:
        paragraphs = paragraphs.filter(
            statement__in=Statement.objects.citing(resolution).values("id")
        )
    return ParagraphSearch(query, paragraphs)
