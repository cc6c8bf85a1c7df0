"""Full-text search over published statements, on SQLite (FTS5) or PostgreSQL.

``query`` turns what a reader types into safe clauses (pure); ``reading`` reads the
matches through each engine's index, bounded whatever the size of the archive. Callers
import from here and never see which engine runs.
"""

from statements.search.query import MAX_QUERY_LENGTH, clean_query, highlight, is_truncated
from statements.search.reading import (
    MAX_HITS,
    Filters,
    Newest,
    ParagraphSearch,
    SearchHit,
    filter_statements,
    newest_paragraphs,
    newest_statements,
    resolution_pk,
    search_paragraphs,
)

__all__ = [
    "MAX_HITS",
    "MAX_QUERY_LENGTH",
    "Filters",
    "Newest",
    "ParagraphSearch",
    "SearchHit",
    "clean_query",
    "filter_statements",
    "highlight",
    "is_truncated",
    "newest_paragraphs",
    "newest_statements",
    "resolution_pk",
    "search_paragraphs",
]
