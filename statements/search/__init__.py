"""Full-text search over published statements, on SQLite (FTS5) or PostgreSQL.

``query`` turns what a reader types into safe clauses and recognises a resolution's symbol
(pure); ``reading`` reads the matches through each engine's index, bounded whatever the
size of the archive. Callers import from here and never see which engine runs.
"""

from statements.search.facets import Facets, search_facets
from statements.search.query import (
    MAX_QUERY_LENGTH,
    NamedResolution,
    clean_query,
    highlight,
    is_truncated,
    named_resolution,
)
from statements.search.reading import (
    MAX_HITS,
    NEWEST,
    OLDEST,
    RELEVANCE,
    SORTS,
    Answer,
    CitingParagraphs,
    Filters,
    Newest,
    ParagraphSearch,
    SearchHit,
    filter_statements,
    newest_paragraphs,
    newest_statements,
    published_speakers,
    resolution_pk,
    search_archive,
    search_paragraphs,
)

__all__ = [
    "MAX_HITS",
    "MAX_QUERY_LENGTH",
    "NEWEST",
    "OLDEST",
    "RELEVANCE",
    "SORTS",
    "Answer",
    "CitingParagraphs",
    "Facets",
    "Filters",
    "NamedResolution",
    "Newest",
    "ParagraphSearch",
    "SearchHit",
    "clean_query",
    "filter_statements",
    "highlight",
    "is_truncated",
    "named_resolution",
    "newest_paragraphs",
    "newest_statements",
    "published_speakers",
    "resolution_pk",
    "search_archive",
    "search_facets",
    "search_paragraphs",
]
