"""Django's SQLite backend, which turns each distinct SQL text's placeholders into
SQLite's once, not at every run.

Django's cursor rewrites a query's ``%s`` into ``?`` with a regular expression over the
whole text at every execution: 32 µs for the 700 characters of a statement page's meetings
query, as long as SQLite took to run it (docs/performance.md, "Nineteenth round"). A site
runs the same few texts again and again, and a text's rewriting never changes.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.backends.sqlite3 import base


@functools.lru_cache(maxsize=512)
def _qmark(query: str) -> str:
    # Django's own rewriting (SQLiteCursorWrapper.convert_query).
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> SQLiteCursorWrapper:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
