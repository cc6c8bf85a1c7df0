"""Everything the database keeps for us, declared once, per engine.

Some data is computed from the content and kept by the database itself, so that every
path that writes (the admin, the API, imports, reverts, loaddata, bulk inserts, raw SQL)
keeps it right: counts, tallies, the ``PublishedCitation`` rows and, on SQLite, the
full-text index. Migrations 0003-0015 installed it piece by piece (they are history);
from migration 0016 on, this module is what a migrated database has:

- ``install(connection)`` creates what is declared here (dropping first: re-runnable);
- ``uninstall(connection)`` drops the triggers and functions (the search tables stay);
- ``rebuild(connection)`` recomputes every derived value from the content;
- ``drift(connection)`` lists what is missing, extra, changed or differs from a recount.

``InstallDerived`` (statements/migration_operations.py) runs them in a migration, and the
``pre_migrate``/``post_migrate`` receivers below take the triggers away while migrations
run: SQLite rebuilds a table to alter it (new table, copy, drop, rename), which breaks
triggers on it and on the tables they write. See docs/architecture.md, "Derived data".

Changing what is declared here? Add a migration with ``InstallDerived()`` after the one
that gives the schema what the new definitions need: the receivers install the declared
set only on a database at or after the latest such migration.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.core import checks
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from statements.models import (
    Meeting,
    Paragraph,
    Participant,
    Person,
    PublishedCitation,
    Resolution,
    Statement,
    Tally,
)

# --- Table names, from the models ----------------------------------------------------------

STATEMENT = Statement._meta.db_table
PARAGRAPH = Paragraph._meta.db_table
MEETING = Meeting._meta.db_table
PARTICIPANT = Participant._meta.db_table
PERSON = Person._meta.db_table
RESOLUTION = Resolution._meta.db_table
INDEXED = PublishedCitation._meta.db_table
TALLY = Tally._meta.db_table
CITATIONS = Paragraph.resolutions.through._meta.db_table
LINKS = Statement.meetings.through._meta.db_table
_APP = Statement._meta.app_label
# SQLite full-text tables (statements/search/ reads them).
PARAGRAPH_FTS = f"{PARAGRAPH}_fts"
TITLE_FTS = f"{STATEMENT}_fts"
PUBLISHED_PARAGRAPHS = f"{_APP}_search_paragraph"
PUBLISHED_TITLES = f"{_APP}_search_title"

PUBLISHED = "'published'"
TOKENIZER = "porter unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    definition: str  # everything after "CREATE TRIGGER <name> "
    reason: str

    @property
    def sql(self) -> str:
        return f"CREATE TRIGGER {self.name} {self.definition}"


@dataclass(frozen=True)
class Function:
    """A PostgreSQL trigger function (plpgsql)."""

    name: str
    body: str
    reason: str

    @property
    def sql(self) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ {self.body} $$"
        )


@dataclass(frozen=True)
class SearchTable:
    """A SQLite FTS5 table: created if missing, refilled by ``rebuild``."""

    name: str
    sql: str
    refill: tuple[str, ...]
    reason: str
    # Contentless tables: the rowids it should hold, as a SELECT (drift compares them).
    # External-content tables check themselves (FTS5 'integrity-check').
    expected_rowids: str | None = None


@dataclass(frozen=True)
class Count:
    """A value kept by the triggers: ``recount`` writes it from the content where it
    differs, ``differences`` counts the rows where it differs."""

    label: str
    recount: tuple[str, ...]
    differences: str


# --- Shared SQL fragments ------------------------------------------------------------------


def _is_published(statement: str) -> str:
    return f"(SELECT status FROM {STATEMENT} WHERE id = {statement}) = {PUBLISHED}"


def _date_of(statement: str) -> str:
    return f"(SELECT date FROM {STATEMENT} WHERE id = {statement})"


_PUBLISHED_PARAGRAPH = (
    f"SELECT 1 FROM {PARAGRAPH} p JOIN {STATEMENT} s ON s.id = p.statement_id "
    f"WHERE p.id = {{paragraph}} AND s.status = {PUBLISHED}"
)
_PER_RESOLUTION = (
    f"SELECT c.resolution_id, COUNT(*) AS n FROM {CITATIONS} c "
    f"JOIN {PARAGRAPH} p ON p.id = c.paragraph_id "
    "WHERE p.statement_id = {statement} GROUP BY c.resolution_id"
)
_COLUMNS = "resolution_id, paragraph_id, statement_id, date, position"
_CITATION_ROWS = (
    "SELECT {citation}.resolution_id, p.id, s.id, s.date, p.position "
    f"FROM {PARAGRAPH} p JOIN {STATEMENT} s ON s.id = p.statement_id "
    f"WHERE p.id = {{citation}}.paragraph_id AND s.status = {PUBLISHED}"
)
_PARAGRAPH_ROWS = (
    "SELECT c.resolution_id, {row}.id, s.id, s.date, {row}.position "
    f"FROM {CITATIONS} c JOIN {STATEMENT} s ON s.id = {{row}}.statement_id "
    f"WHERE c.paragraph_id = {{row}}.id AND s.status = {PUBLISHED}"
)
_STATEMENT_ROWS = (
    "SELECT c.resolution_id, p.id, {row}.id, {row}.date, p.position "
    f"FROM {PARAGRAPH} p JOIN {CITATIONS} c ON c.paragraph_id = p.id "
    "WHERE p.statement_id = {row}.id"
)
_MEETINGS_OF_NEW = f"SELECT meeting_id FROM {LINKS} WHERE statement_id = NEW.id"
_INTO_PUBLISHED = f"NEW.status = {PUBLISHED} AND OLD.status != {PUBLISHED}"
_OUT_OF_PUBLISHED = f"OLD.status = {PUBLISHED} AND NEW.status != {PUBLISHED}"


def _tally(name: str, amount: str) -> str:
    return f"UPDATE {TALLY} SET value = value + {amount} WHERE name = '{name}';"


# What each tally counts, as a SELECT of one number.
TALLY_COUNTS = {
    Tally.PUBLISHED_STATEMENTS: f"SELECT COUNT(*) FROM {STATEMENT} WHERE status = {PUBLISHED}",
    Tally.PUBLISHED_PARAGRAPHS: (
        f"SELECT COUNT(*) FROM {PARAGRAPH} p JOIN {STATEMENT} s ON s.id = p.statement_id "
        f"WHERE s.status = {PUBLISHED}"
    ),
    Tally.PUBLISHED_MEETINGS: f"SELECT COUNT(*) FROM {MEETING} WHERE statement_count > 0",
}

# --- Counts (both engines) -----------------------------------------------------------------

_CITATION_COUNT = (
    f"(SELECT COUNT(*) FROM {CITATIONS} c JOIN {PARAGRAPH} p ON p.id = c.paragraph_id "
    f"JOIN {STATEMENT} s ON s.id = p.statement_id "
    f"WHERE c.resolution_id = {RESOLUTION}.id AND s.status = {PUBLISHED})"
)
# The status by primary key: as a join, SQLite without statistics would read every
# published statement for each meeting (minutes for 100,000 statements; see 0010).
_STATEMENT_COUNT = (
    f"(SELECT COUNT(*) FROM {LINKS} l WHERE l.meeting_id = {MEETING}.id "
    f"AND {_is_published('l.statement_id')})"
)
COUNTS = (
    Count(
        "Resolution.citation_count",
        (
            f"UPDATE {RESOLUTION} SET citation_count = {_CITATION_COUNT} "
            f"WHERE citation_count != {_CITATION_COUNT}",
        ),
        f"SELECT COUNT(*) FROM {RESOLUTION} WHERE citation_count != {_CITATION_COUNT}",
    ),
    Count(
        "Meeting.statement_count",
        (
            f"UPDATE {MEETING} SET statement_count = {_STATEMENT_COUNT} "
            f"WHERE statement_count != {_STATEMENT_COUNT}",
        ),
        f"SELECT COUNT(*) FROM {MEETING} WHERE statement_count != {_STATEMENT_COUNT}",
    ),
)
# The content rows' columns the triggers keep, as "Model.field": no Python save writes
# them (services.recording.save_existing), or a stale instance would put back an old count.
KEPT_COLUMNS = frozenset(count.label for count in COUNTS)


# The same columns by model name, for the receiver below.
KEPT_BY_MODEL: dict[str, list[str]] = {}
for _label in sorted(KEPT_COLUMNS):
    _model, _field = _label.split(".", 1)
    KEPT_BY_MODEL.setdefault(_model, []).append(_field)


def keep_counts_on_raw_save(
    sender: type, instance: object, raw: bool, using: str, **kwargs
) -> None:
    """``pre_save`` receiver. A raw save writes a row from serialized data (loaddata, a
    revert or recover of history), which never carries the counts (``serialize=False``):
    an existing row keeps the counts the triggers left it, instead of 0."""
    names = KEPT_BY_MODEL.get(sender._meta.object_name) if raw else None
    if not names or instance.pk is None:
        return
    current = sender._base_manager.using(using).filter(pk=instance.pk).values(*names).first()
    for name, value in (current or {}).items():
        setattr(instance, name, value)


_SAME_ROW = (
    "i.resolution_id = e.resolution_id AND i.paragraph_id = e.paragraph_id "
    "AND i.statement_id = e.statement_id AND i.date = e.date AND i.position = e.position"
)
# The rows PublishedCitation should hold, named as its columns.
_EXPECTED = (
    "(SELECT c.resolution_id, c.paragraph_id, p.statement_id, s.date, p.position "
    f"FROM {CITATIONS} c JOIN {PARAGRAPH} p ON p.id = c.paragraph_id "
    f"JOIN {STATEMENT} s ON s.id = p.statement_id WHERE s.status = {PUBLISHED})"
)
PUBLISHED_CITATIONS = Count(
    "PublishedCitation rows",
    # Only the rows that differ: rebuilding a right table writes nothing.
    (
        f"DELETE FROM {INDEXED} WHERE id IN (SELECT i.id FROM {INDEXED} i WHERE NOT EXISTS "
        f"(SELECT 1 FROM {_EXPECTED} e WHERE {_SAME_ROW}))",
        f"INSERT INTO {INDEXED} ({_COLUMNS}) SELECT {_COLUMNS} FROM {_EXPECTED} e "
        f"WHERE NOT EXISTS (SELECT 1 FROM {INDEXED} i WHERE i.paragraph_id = e.paragraph_id "
        "AND i.resolution_id = e.resolution_id)",
    ),
    f"SELECT (SELECT COUNT(*) FROM {INDEXED} i WHERE NOT EXISTS "
    f"(SELECT 1 FROM {_EXPECTED} e WHERE {_SAME_ROW})) + (SELECT COUNT(*) FROM {_EXPECTED} e "
    f"WHERE NOT EXISTS (SELECT 1 FROM {INDEXED} i WHERE {_SAME_ROW}))",
)

# --- SQLite --------------------------------------------------------------------------------


def _sqlite_fts_triggers(fts: str, table: str, column: str, what: str) -> list[Trigger]:
    delete_old = (
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    )
    insert_new = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    reason = f"keeps {fts} (every {what}, for matches and snippets) in step"
    return [
        Trigger(f"{fts}_insert", table, f"AFTER INSERT ON {table} BEGIN {insert_new} END", reason),
        Trigger(f"{fts}_delete", table, f"AFTER DELETE ON {table} BEGIN {delete_old} END", reason),
        Trigger(
            f"{fts}_update",
            table,
            f"AFTER UPDATE OF {column} ON {table} BEGIN {delete_old} {insert_new} END",
            reason,
        ),
    ]


def _citation_adjust(sign: str, citation: str) -> str:
    return (
        f"UPDATE {RESOLUTION} SET citation_count = citation_count {sign} 1 "
        f"WHERE id = {citation}.resolution_id AND EXISTS ("
        + _PUBLISHED_PARAGRAPH.format(paragraph=f"{citation}.paragraph_id")
        + ");"
    )


def _citation_status(sign: str) -> str:
    counts = _PER_RESOLUTION.format(statement="NEW.id")
    return (
        f"UPDATE {RESOLUTION} SET citation_count = citation_count {sign} "
        f"(SELECT n FROM ({counts}) WHERE resolution_id = {RESOLUTION}.id) "
        f"WHERE id IN (SELECT resolution_id FROM ({counts}));"
    )


def _citation_move(sign: str, row: str, statement: str) -> str:
    return (
        f"UPDATE {RESOLUTION} SET citation_count = citation_count {sign} 1 "
        f"WHERE id IN (SELECT resolution_id FROM {CITATIONS} WHERE paragraph_id = {row}.id) "
        f"AND (SELECT status FROM {STATEMENT} WHERE id = {statement}) = {PUBLISHED};"
    )


def _meeting_count(sign: str, meetings: str) -> str:
    return (
        f"UPDATE {MEETING} SET statement_count = statement_count {sign} 1 WHERE id IN ({meetings});"
    )


# --- Reading-order keys (SQLite search, 0011) ----------------------------------------------
# The rowid of a published paragraph is days since 1900 << 46 | statement << 16 | 65535 -
# position (a title's: its statement's key), so FTS5's rowid order is the reading order
# and a range of days is a range of rowids. statements/search/ reads keys with these too.
KEY_EPOCH = dt.date(1900, 1, 1)
JULIAN_DAY_1900 = 2415020  # CAST(julianday('1900-01-01') AS INTEGER)
DAY_SHIFT = 46
STATEMENT_SHIFT = 16
LAST_DAY = (1 << (63 - DAY_SHIFT)) - 1  # 17 bits of days: to the year 2258
STATEMENT_MASK = (1 << (DAY_SHIFT - STATEMENT_SHIFT)) - 1  # 30 bits of statement id
LAST_POSITION = (1 << STATEMENT_SHIFT) - 1  # later positions share the last slot


def statement_key(date: str, statement: str) -> str:
    days = f"(CAST(julianday({date}) AS INTEGER) - {JULIAN_DAY_1900})"
    return f"(({days} << {DAY_SHIFT}) | ({statement} << {STATEMENT_SHIFT}))"


def paragraph_key(date: str, statement: str, position: str) -> str:
    last = LAST_POSITION
    return f"({statement_key(date, statement)} | ({last} - min({position}, {last})))"


def key_day(key: str) -> str:
    """SQL: the days since 1900 of a key."""
    return f"({key} >> {DAY_SHIFT})"


def key_statement(key: str) -> str:
    """SQL: the statement id of a key."""
    return f"(({key} >> {STATEMENT_SHIFT}) & {STATEMENT_MASK})"


def key_position(key: str) -> str:
    """SQL: the paragraph position of a key."""
    return f"({LAST_POSITION} - ({key} & {LAST_POSITION}))"


def day_number(date: dt.date) -> int:
    """The days since 1900 of a date, as keys count them."""
    return date.toordinal() - KEY_EPOCH.toordinal()


def day_keys(first: int, last: int) -> tuple[int, int]:
    """The lowest and highest key of the days ``first`` to ``last`` (clamped to the days a
    key holds)."""
    first, last = (min(max(day, 0), LAST_DAY) for day in (first, last))
    return first << DAY_SHIFT, (last << DAY_SHIFT) | ((1 << DAY_SHIFT) - 1)


def _search_row(row: str, command: str) -> str:
    key = paragraph_key(_date_of(f"{row}.statement_id"), f"{row}.statement_id", f"{row}.position")
    into = (
        f"{PUBLISHED_PARAGRAPHS}({PUBLISHED_PARAGRAPHS}, rowid, text) SELECT 'delete', "
        if command == "delete"
        else f"{PUBLISHED_PARAGRAPHS}(rowid, text) SELECT "
    )
    return f"INSERT INTO {into}{key}, {row}.text WHERE {_is_published(f'{row}.statement_id')};"


def _search_paragraphs(command: str, date: str, statement: str, where: str) -> str:
    key = paragraph_key(date, statement, "p.position")
    into = (
        f"{PUBLISHED_PARAGRAPHS}({PUBLISHED_PARAGRAPHS}, rowid, text) SELECT 'delete', "
        if command == "delete"
        else f"{PUBLISHED_PARAGRAPHS}(rowid, text) SELECT "
    )
    return f"INSERT INTO {into}{key}, p.text FROM {PARAGRAPH} p WHERE {where};"


_RESTATED = "(OLD.status != NEW.status OR OLD.date != NEW.date)"


def _sqlite_tally_triggers() -> list[Trigger]:
    counted = {
        STATEMENT: ("statement", "status", f"status = {PUBLISHED}", Tally.PUBLISHED_STATEMENTS),
        MEETING: ("meeting", "statement_count", "statement_count > 0", Tally.PUBLISHED_MEETINGS),
    }
    triggers = []
    for table, (short, column, condition, name) in counted.items():
        old = condition.replace(column, f"OLD.{column}")
        new = condition.replace(column, f"NEW.{column}")
        reason = f"keeps the {name} tally (list lengths) in step"
        triggers += [
            Trigger(
                f"{_APP}_tally_{short}_insert",
                table,
                f"AFTER INSERT ON {table} WHEN {new} BEGIN {_tally(name, '1')} END",
                reason,
            ),
            Trigger(
                f"{_APP}_tally_{short}_delete",
                table,
                f"AFTER DELETE ON {table} WHEN {old} BEGIN {_tally(name, '-1')} END",
                reason,
            ),
            Trigger(
                f"{_APP}_tally_{short}_update",
                table,
                f"AFTER UPDATE OF {column} ON {table} WHEN ({old}) != ({new}) "
                f"BEGIN {_tally(name, f'CASE WHEN {new} THEN 1 ELSE -1 END')} END",
                reason,
            ),
        ]
    return triggers


def _paragraphs_of(statement: str) -> str:
    return f"(SELECT COUNT(*) FROM {PARAGRAPH} WHERE statement_id = {statement})"


def sqlite_triggers() -> list[Trigger]:
    t = f"{_APP}_"
    counts = "keeps Resolution.citation_count (citations by published paragraphs) in step"
    indexed = f"keeps {INDEXED} (a resolution's citations, newest first) in step"
    meetings = "keeps Meeting.statement_count (published statements per meeting) in step"
    search = (
        f"keeps {PUBLISHED_PARAGRAPHS}/{PUBLISHED_TITLES} (published text in reading order) in step"
    )
    tally_paragraphs = f"keeps the {Tally.PUBLISHED_PARAGRAPHS} tally in step"
    published_tally = _tally(Tally.PUBLISHED_PARAGRAPHS, "{amount}")
    return [
        *_sqlite_fts_triggers(PARAGRAPH_FTS, PARAGRAPH, "text", "paragraph's text"),
        *_sqlite_fts_triggers(TITLE_FTS, STATEMENT, "title", "statement's title"),
        # Resolution.citation_count (0008).
        Trigger(
            f"{t}citation_insert",
            CITATIONS,
            f"AFTER INSERT ON {CITATIONS} BEGIN {_citation_adjust('+', 'NEW')} END",
            counts,
        ),
        Trigger(
            f"{t}citation_delete",
            CITATIONS,
            f"AFTER DELETE ON {CITATIONS} BEGIN {_citation_adjust('-', 'OLD')} END",
            counts,
        ),
        Trigger(
            f"{t}citation_publish",
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} WHEN {_INTO_PUBLISHED} "
            f"BEGIN {_citation_status('+')} END",
            counts,
        ),
        Trigger(
            f"{t}citation_unpublish",
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} WHEN {_OUT_OF_PUBLISHED} "
            f"BEGIN {_citation_status('-')} END",
            counts,
        ),
        Trigger(
            f"{t}citation_move",
            PARAGRAPH,
            f"AFTER UPDATE OF statement_id ON {PARAGRAPH} "
            "WHEN NEW.statement_id != OLD.statement_id "
            f"BEGIN {_citation_move('-', 'OLD', 'OLD.statement_id')} "
            f"{_citation_move('+', 'NEW', 'NEW.statement_id')} END",
            counts,
        ),
        # PublishedCitation rows and Meeting.statement_count (0010).
        Trigger(
            f"{t}indexed_cite",
            CITATIONS,
            f"AFTER INSERT ON {CITATIONS} BEGIN "
            f"INSERT INTO {INDEXED} ({_COLUMNS}) {_CITATION_ROWS.format(citation='NEW')}; END",
            indexed,
        ),
        Trigger(
            f"{t}indexed_uncite",
            CITATIONS,
            f"AFTER DELETE ON {CITATIONS} BEGIN DELETE FROM {INDEXED} "
            "WHERE paragraph_id = OLD.paragraph_id AND resolution_id = OLD.resolution_id; END",
            indexed,
        ),
        Trigger(
            f"{t}indexed_publish",
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} WHEN {_INTO_PUBLISHED} BEGIN "
            f"INSERT INTO {INDEXED} ({_COLUMNS}) {_STATEMENT_ROWS.format(row='NEW')}; END",
            indexed,
        ),
        Trigger(
            f"{t}indexed_unpublish",
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} WHEN {_OUT_OF_PUBLISHED} BEGIN "
            f"DELETE FROM {INDEXED} WHERE statement_id = NEW.id; END",
            indexed,
        ),
        Trigger(
            f"{t}indexed_redate",
            STATEMENT,
            f"AFTER UPDATE OF date ON {STATEMENT} WHEN NEW.date != OLD.date BEGIN "
            f"UPDATE {INDEXED} SET date = NEW.date WHERE statement_id = NEW.id; END",
            indexed,
        ),
        Trigger(
            f"{t}indexed_statement_delete",
            STATEMENT,
            f"AFTER DELETE ON {STATEMENT} BEGIN "
            f"DELETE FROM {INDEXED} WHERE statement_id = OLD.id; END",
            indexed,
        ),
        Trigger(
            f"{t}indexed_paragraph_move",
            PARAGRAPH,
            f"AFTER UPDATE OF statement_id, position ON {PARAGRAPH} "
            "WHEN NEW.statement_id != OLD.statement_id OR NEW.position != OLD.position BEGIN "
            f"DELETE FROM {INDEXED} WHERE paragraph_id = NEW.id; "
            f"INSERT INTO {INDEXED} ({_COLUMNS}) {_PARAGRAPH_ROWS.format(row='NEW')}; END",
            indexed,
        ),
        Trigger(
            f"{t}indexed_paragraph_delete",
            PARAGRAPH,
            f"AFTER DELETE ON {PARAGRAPH} BEGIN "
            f"DELETE FROM {INDEXED} WHERE paragraph_id = OLD.id; END",
            indexed,
        ),
        Trigger(
            f"{t}meeting_report",
            LINKS,
            f"AFTER INSERT ON {LINKS} WHEN {_is_published('NEW.statement_id')} "
            f"BEGIN {_meeting_count('+', 'NEW.meeting_id')} END",
            meetings,
        ),
        Trigger(
            f"{t}meeting_unreport",
            LINKS,
            f"AFTER DELETE ON {LINKS} WHEN {_is_published('OLD.statement_id')} "
            f"BEGIN {_meeting_count('-', 'OLD.meeting_id')} END",
            meetings,
        ),
        Trigger(
            f"{t}meeting_publish",
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} WHEN {_INTO_PUBLISHED} "
            f"BEGIN {_meeting_count('+', _MEETINGS_OF_NEW)} END",
            meetings,
        ),
        Trigger(
            f"{t}meeting_unpublish",
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} WHEN {_OUT_OF_PUBLISHED} "
            f"BEGIN {_meeting_count('-', _MEETINGS_OF_NEW)} END",
            meetings,
        ),
        # Published text in reading order (0011).
        Trigger(
            f"{t}search_paragraph_insert",
            PARAGRAPH,
            f"AFTER INSERT ON {PARAGRAPH} BEGIN {_search_row('NEW', 'insert')} END",
            search,
        ),
        Trigger(
            f"{t}search_paragraph_delete",
            PARAGRAPH,
            f"AFTER DELETE ON {PARAGRAPH} BEGIN {_search_row('OLD', 'delete')} END",
            search,
        ),
        # A move's old statement is still in the table: remove with the old key, add the new.
        Trigger(
            f"{t}search_paragraph_update",
            PARAGRAPH,
            f"AFTER UPDATE OF text, statement_id, position ON {PARAGRAPH} "
            "WHEN NEW.text != OLD.text OR NEW.statement_id != OLD.statement_id "
            "OR NEW.position != OLD.position BEGIN "
            f"{_search_row('OLD', 'delete')} {_search_row('NEW', 'insert')} END",
            search,
        ),
        Trigger(
            f"{t}search_statement_insert",
            STATEMENT,
            f"AFTER INSERT ON {STATEMENT} WHEN NEW.status = {PUBLISHED} BEGIN "
            f"INSERT INTO {PUBLISHED_TITLES}(rowid, title) VALUES "
            f"({statement_key('NEW.date', 'NEW.id')}, NEW.title); END",
            search,
        ),
        Trigger(
            f"{t}search_statement_delete",
            STATEMENT,
            f"AFTER DELETE ON {STATEMENT} WHEN OLD.status = {PUBLISHED} BEGIN "
            f"INSERT INTO {PUBLISHED_TITLES}({PUBLISHED_TITLES}, rowid, title) VALUES ('delete', "
            f"{statement_key('OLD.date', 'OLD.id')}, OLD.title); END",
            search,
        ),
        Trigger(
            f"{t}search_statement_update",
            STATEMENT,
            f"AFTER UPDATE OF status, date, title ON {STATEMENT} "
            f"WHEN {_RESTATED} OR OLD.title != NEW.title BEGIN "
            + _search_paragraphs(
                "delete",
                "OLD.date",
                "OLD.id",
                f"p.statement_id = OLD.id AND OLD.status = {PUBLISHED} AND {_RESTATED}",
            )
            + _search_paragraphs(
                "insert",
                "NEW.date",
                "NEW.id",
                f"p.statement_id = NEW.id AND NEW.status = {PUBLISHED} AND {_RESTATED}",
            )
            + f"INSERT INTO {PUBLISHED_TITLES}({PUBLISHED_TITLES}, rowid, title) SELECT 'delete', "
            f"{statement_key('OLD.date', 'OLD.id')}, OLD.title WHERE OLD.status = {PUBLISHED}; "
            f"INSERT INTO {PUBLISHED_TITLES}(rowid, title) SELECT "
            f"{statement_key('NEW.date', 'NEW.id')}, NEW.title WHERE NEW.status = {PUBLISHED}; END",
            search,
        ),
        # Tallies (0014, 0015).
        *_sqlite_tally_triggers(),
        Trigger(
            f"{t}tally_paragraph_insert",
            PARAGRAPH,
            f"AFTER INSERT ON {PARAGRAPH} WHEN {_is_published('NEW.statement_id')} "
            f"BEGIN {published_tally.format(amount='1')} END",
            tally_paragraphs,
        ),
        Trigger(
            f"{t}tally_paragraph_delete",
            PARAGRAPH,
            f"AFTER DELETE ON {PARAGRAPH} WHEN {_is_published('OLD.statement_id')} "
            f"BEGIN {published_tally.format(amount='-1')} END",
            tally_paragraphs,
        ),
        Trigger(
            f"{t}tally_paragraph_move",
            PARAGRAPH,
            f"AFTER UPDATE OF statement_id ON {PARAGRAPH} "
            "WHEN NEW.statement_id != OLD.statement_id BEGIN "
            + published_tally.format(
                amount=f"({_is_published('NEW.statement_id')}) "
                f"- ({_is_published('OLD.statement_id')})"
            )
            + " END",
            tally_paragraphs,
        ),
        Trigger(
            f"{t}tally_paragraph_status",
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} "
            f"WHEN (OLD.status = {PUBLISHED}) != (NEW.status = {PUBLISHED}) BEGIN "
            + published_tally.format(
                amount=f"CASE WHEN NEW.status = {PUBLISHED} THEN 1 ELSE -1 END "
                f"* {_paragraphs_of('NEW.id')}"
            )
            + " END",
            tally_paragraphs,
        ),
    ]


def _external(fts: str, table: str, column: str, reason: str) -> SearchTable:
    return SearchTable(
        fts,
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        f"content_rowid='id', tokenize='{TOKENIZER}')",
        (f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",),
        reason,
    )


_PARAGRAPH_KEYS = (
    f"SELECT {paragraph_key('s.date', 's.id', 'p.position')} AS k, p.text "
    f"FROM {PARAGRAPH} p JOIN {STATEMENT} s ON s.id = p.statement_id "
    f"WHERE s.status = {PUBLISHED}"
)
_TITLE_KEYS = (
    f"SELECT {statement_key('s.date', 's.id')} AS k, s.title FROM {STATEMENT} s "
    f"WHERE s.status = {PUBLISHED}"
)


def _contentless(fts: str, column: str, keys: str, reason: str) -> SearchTable:
    return SearchTable(
        fts,
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='', tokenize='{TOKENIZER}')",
        (
            f"INSERT INTO {fts}({fts}) VALUES ('delete-all')",
            f"INSERT INTO {fts}(rowid, {column}) {keys}",
        ),
        reason,
        expected_rowids=f"SELECT k FROM ({keys})",
    )


SQLITE_TABLES = (
    _external(PARAGRAPH_FTS, PARAGRAPH, "text", "paragraph text: matches and snippets"),
    _external(TITLE_FTS, STATEMENT, "title", "statement titles: matches"),
    _contentless(
        PUBLISHED_PARAGRAPHS,
        "text",
        _PARAGRAPH_KEYS,
        "published paragraphs keyed in reading order: newest matches first, a page at a time",
    ),
    _contentless(
        PUBLISHED_TITLES,
        "title",
        _TITLE_KEYS,
        "titles of published statements keyed in reading order",
    ),
)

# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_tally_function(name: str, amount: str) -> str:
    return f"""
        DECLARE
            delta bigint := {amount};
        BEGIN
            IF delta != 0 THEN
                {_tally(name, "delta")}
            END IF;
            RETURN NULL;
        END
    """


def _pg_citations(table: str, sign: str) -> str:
    """Add or take off, per resolution, the rows of ``table`` on published statements."""
    return f"""
        BEGIN
            UPDATE {RESOLUTION} r
            SET citation_count = r.citation_count {sign} c.n
            FROM (
                SELECT t.resolution_id, COUNT(*) AS n FROM {table} t
                JOIN {PARAGRAPH} p ON p.id = t.paragraph_id
                JOIN {STATEMENT} s ON s.id = p.statement_id
                WHERE s.status = {PUBLISHED}
                GROUP BY t.resolution_id
            ) c
            WHERE r.id = c.resolution_id;
            RETURN NULL;
        END
    """


def _pg_tallied() -> list[tuple[Function, Trigger]]:
    counted = {
        STATEMENT: ("statement", f"status = {PUBLISHED}", Tally.PUBLISHED_STATEMENTS),
        MEETING: ("meeting", "statement_count > 0", Tally.PUBLISHED_MEETINGS),
    }
    pairs = []
    for table, (short, condition, name) in counted.items():
        counted_in = f"(SELECT COUNT(*) FROM {{rows}} WHERE {condition})"
        events = {
            "insert": ("INSERT", "NEW TABLE AS changed", counted_in.format(rows="changed")),
            "delete": ("DELETE", "OLD TABLE AS changed", "-" + counted_in.format(rows="changed")),
            "update": (
                "UPDATE",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                f"{counted_in.format(rows='new_rows')} - {counted_in.format(rows='old_rows')}",
            ),
        }
        reason = f"keeps the {name} tally in step, once per statement (transition tables)"
        for event, (verb, referencing, amount) in events.items():
            function = f"{_APP}_tally_{short}_{event}"
            pairs.append(
                (
                    Function(function, _pg_tally_function(name, amount), reason),
                    Trigger(
                        function,
                        table,
                        f"AFTER {verb} ON {table} REFERENCING {referencing} FOR EACH STATEMENT "
                        f"EXECUTE FUNCTION {function}()",
                        reason,
                    ),
                )
            )
    published_paragraphs = (
        f"(SELECT COUNT(*) FROM changed c JOIN {STATEMENT} s ON s.id = c.statement_id "
        f"WHERE s.status = {PUBLISHED})"
    )
    paragraph_tally = {
        "insert": (
            PARAGRAPH,
            f"AFTER INSERT ON {PARAGRAPH} REFERENCING NEW TABLE AS changed FOR EACH STATEMENT",
            published_paragraphs,
        ),
        "delete": (
            PARAGRAPH,
            f"AFTER DELETE ON {PARAGRAPH} REFERENCING OLD TABLE AS changed FOR EACH STATEMENT",
            f"-{published_paragraphs}",
        ),
        "move": (
            PARAGRAPH,
            f"AFTER UPDATE OF statement_id ON {PARAGRAPH} FOR EACH ROW "
            "WHEN (OLD.statement_id IS DISTINCT FROM NEW.statement_id)",
            f"({_is_published('NEW.statement_id')})::integer "
            f"- ({_is_published('OLD.statement_id')})::integer",
        ),
        "status": (
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} FOR EACH ROW "
            f"WHEN ((OLD.status = {PUBLISHED}) IS DISTINCT FROM (NEW.status = {PUBLISHED}))",
            f"CASE WHEN NEW.status = {PUBLISHED} THEN 1 ELSE -1 END * {_paragraphs_of('NEW.id')}",
        ),
    }
    reason = f"keeps the {Tally.PUBLISHED_PARAGRAPHS} tally in step"
    for event, (table, clause, amount) in paragraph_tally.items():
        function = f"{_APP}_tally_paragraph_{event}"
        pairs.append(
            (
                Function(function, _pg_tally_function(Tally.PUBLISHED_PARAGRAPHS, amount), reason),
                Trigger(function, table, f"{clause} EXECUTE FUNCTION {function}()", reason),
            )
        )
    return pairs


def postgresql_functions() -> list[Function]:
    t = f"{_APP}_"
    counts = "keeps Resolution.citation_count in step"
    indexed = f"keeps {INDEXED} and Meeting.statement_count in step"
    return [
        Function(
            f"{t}citation_changed",
            f"""
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE {RESOLUTION} SET citation_count = citation_count + 1
                WHERE id = NEW.resolution_id
                AND EXISTS ({_PUBLISHED_PARAGRAPH.format(paragraph="NEW.paragraph_id")});
                RETURN NEW;
            END IF;
            UPDATE {RESOLUTION} SET citation_count = citation_count - 1
            WHERE id = OLD.resolution_id
            AND EXISTS ({_PUBLISHED_PARAGRAPH.format(paragraph="OLD.paragraph_id")});
            RETURN OLD;
        END
    """,
            "no trigger calls it since 0012: kept because reversing 0012 makes one that does",
        ),
        Function(
            f"{t}statement_status_changed",
            f"""
        DECLARE
            delta integer := (NEW.status = {PUBLISHED})::integer
                - (OLD.status = {PUBLISHED})::integer;
        BEGIN
            IF delta != 0 THEN
                UPDATE {RESOLUTION} r SET citation_count = r.citation_count + delta * c.n
                FROM ({_PER_RESOLUTION.format(statement="NEW.id")}) c
                WHERE r.id = c.resolution_id;
            END IF;
            RETURN NULL;
        END
    """,
            counts,
        ),
        Function(
            f"{t}paragraph_moved",
            f"""
        DECLARE
            delta integer := (
                SELECT (status = {PUBLISHED})::integer FROM {STATEMENT}
                WHERE id = NEW.statement_id
            ) - (
                SELECT (status = {PUBLISHED})::integer FROM {STATEMENT}
                WHERE id = OLD.statement_id
            );
        BEGIN
            IF delta != 0 THEN
                UPDATE {RESOLUTION} SET citation_count = citation_count + delta
                WHERE id IN (SELECT resolution_id FROM {CITATIONS} WHERE paragraph_id = NEW.id);
            END IF;
            RETURN NULL;
        END
    """,
            counts,
        ),
        Function(
            f"{t}citations_inserted",
            _pg_citations("inserted", "+"),
            counts + ", once per resolution for a bulk insert",
        ),
        Function(
            f"{t}citations_deleted",
            _pg_citations("deleted", "-"),
            counts + ", once per resolution for a bulk delete",
        ),
        Function(
            f"{t}indexed_citation_changed",
            f"""
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {INDEXED} ({_COLUMNS}) {_CITATION_ROWS.format(citation="NEW")};
                RETURN NEW;
            END IF;
            DELETE FROM {INDEXED}
            WHERE paragraph_id = OLD.paragraph_id AND resolution_id = OLD.resolution_id;
            RETURN OLD;
        END
    """,
            indexed,
        ),
        Function(
            f"{t}indexed_statement_changed",
            f"""
        DECLARE
            delta integer;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {INDEXED} WHERE statement_id = OLD.id;
                RETURN NULL;
            END IF;
            delta := (NEW.status = {PUBLISHED})::integer - (OLD.status = {PUBLISHED})::integer;
            IF delta > 0 THEN
                INSERT INTO {INDEXED} ({_COLUMNS}) {_STATEMENT_ROWS.format(row="NEW")};
            ELSIF delta < 0 THEN
                DELETE FROM {INDEXED} WHERE statement_id = NEW.id;
            ELSIF NEW.date IS DISTINCT FROM OLD.date THEN
                UPDATE {INDEXED} SET date = NEW.date WHERE statement_id = NEW.id;
            END IF;
            IF delta != 0 THEN
                UPDATE {MEETING} SET statement_count = statement_count + delta
                WHERE id IN ({_MEETINGS_OF_NEW});
            END IF;
            RETURN NULL;
        END
    """,
            indexed,
        ),
        Function(
            f"{t}indexed_paragraph_changed",
            f"""
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {INDEXED} WHERE paragraph_id = OLD.id;
                RETURN NULL;
            END IF;
            DELETE FROM {INDEXED} WHERE paragraph_id = NEW.id;
            INSERT INTO {INDEXED} ({_COLUMNS}) {_PARAGRAPH_ROWS.format(row="NEW")};
            RETURN NULL;
        END
    """,
            indexed,
        ),
        Function(
            f"{t}meeting_link_changed",
            f"""
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF {_is_published("NEW.statement_id")} THEN
                    UPDATE {MEETING} SET statement_count = statement_count + 1
                    WHERE id = NEW.meeting_id;
                END IF;
                RETURN NEW;
            END IF;
            IF {_is_published("OLD.statement_id")} THEN
                UPDATE {MEETING} SET statement_count = statement_count - 1
                WHERE id = OLD.meeting_id;
            END IF;
            RETURN OLD;
        END
    """,
            "keeps Meeting.statement_count in step",
        ),
        *(function for function, _trigger in _pg_tallied()),
    ]


def postgresql_triggers() -> list[Trigger]:
    t = f"{_APP}_"
    counts = "keeps Resolution.citation_count in step"
    indexed = f"keeps {INDEXED} in step"
    return [
        Trigger(
            f"{t}citation_status_changed",
            STATEMENT,
            f"AFTER UPDATE OF status ON {STATEMENT} FOR EACH ROW "
            "WHEN (OLD.status IS DISTINCT FROM NEW.status) "
            f"EXECUTE FUNCTION {t}statement_status_changed()",
            counts,
        ),
        Trigger(
            f"{t}citation_paragraph_moved",
            PARAGRAPH,
            f"AFTER UPDATE OF statement_id ON {PARAGRAPH} FOR EACH ROW "
            "WHEN (OLD.statement_id IS DISTINCT FROM NEW.statement_id) "
            f"EXECUTE FUNCTION {t}paragraph_moved()",
            counts,
        ),
        Trigger(
            f"{t}citations_inserted",
            CITATIONS,
            f"AFTER INSERT ON {CITATIONS} REFERENCING NEW TABLE AS inserted "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {t}citations_inserted()",
            counts,
        ),
        Trigger(
            f"{t}citations_deleted",
            CITATIONS,
            f"AFTER DELETE ON {CITATIONS} REFERENCING OLD TABLE AS deleted "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {t}citations_deleted()",
            counts,
        ),
        Trigger(
            f"{t}indexed_citation_changed",
            CITATIONS,
            f"AFTER INSERT OR DELETE ON {CITATIONS} FOR EACH ROW "
            f"EXECUTE FUNCTION {t}indexed_citation_changed()",
            indexed,
        ),
        Trigger(
            f"{t}indexed_statement_changed",
            STATEMENT,
            f"AFTER UPDATE OF status, date ON {STATEMENT} FOR EACH ROW "
            "WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.date IS DISTINCT FROM NEW.date) "
            f"EXECUTE FUNCTION {t}indexed_statement_changed()",
            indexed + " and Meeting.statement_count",
        ),
        Trigger(
            f"{t}indexed_statement_deleted",
            STATEMENT,
            f"AFTER DELETE ON {STATEMENT} FOR EACH ROW "
            f"EXECUTE FUNCTION {t}indexed_statement_changed()",
            indexed,
        ),
        Trigger(
            f"{t}indexed_paragraph_moved",
            PARAGRAPH,
            f"AFTER UPDATE OF statement_id, position ON {PARAGRAPH} FOR EACH ROW "
            "WHEN (OLD.statement_id IS DISTINCT FROM NEW.statement_id "
            "OR OLD.position IS DISTINCT FROM NEW.position) "
            f"EXECUTE FUNCTION {t}indexed_paragraph_changed()",
            indexed,
        ),
        Trigger(
            f"{t}indexed_paragraph_deleted",
            PARAGRAPH,
            f"AFTER DELETE ON {PARAGRAPH} FOR EACH ROW "
            f"EXECUTE FUNCTION {t}indexed_paragraph_changed()",
            indexed,
        ),
        Trigger(
            f"{t}meeting_link_changed",
            LINKS,
            f"AFTER INSERT OR DELETE ON {LINKS} FOR EACH ROW "
            f"EXECUTE FUNCTION {t}meeting_link_changed()",
            "keeps Meeting.statement_count in step",
        ),
        *(trigger for _function, trigger in _pg_tallied()),
    ]


# PostgreSQL keeps the search vectors itself (generated columns, 0011) with GIN indexes
# (0005's names) over the english_unaccent configuration (0005): nothing to re-install
# around a migration, so drift only checks that they are there. (column, table, index)
POSTGRESQL_VECTORS = (
    ("search_document", PARAGRAPH, "paragraph_text_search"),
    ("search_title", STATEMENT, "statement_title_search"),
)
TEXT_SEARCH_CONFIG = "english_unaccent"

# --- What the engines' catalogues hold -----------------------------------------------------

TABLES = (STATEMENT, PARAGRAPH, MEETING, CITATIONS, LINKS)


def _rows(connection: BaseDatabaseWrapper, sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _execute(connection: BaseDatabaseWrapper, *statements: str) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def present_triggers(connection: BaseDatabaseWrapper) -> dict[str, tuple[str, str]]:
    """name -> (table, definition as the catalogue holds it), on the app's tables."""
    if connection.vendor == "sqlite":
        rows = _rows(
            connection,
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
            f"AND tbl_name IN ({', '.join(['%s'] * len(TABLES))})",
            TABLES,
        )
        return {name: (table, sql) for name, table, sql in rows}
    if connection.vendor == "postgresql":
        rows = _rows(
            connection,
            "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
            "AND c.relname = ANY(%s) AND pg_table_is_visible(c.oid)",
            [list(TABLES)],
        )
        return {name: (table, sql) for name, table, sql in rows}
    return {}


def present_functions(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """PostgreSQL: the app's trigger functions, name -> body."""
    if connection.vendor != "postgresql":
        return {}
    rows = _rows(
        connection,
        "SELECT p.proname, p.prosrc FROM pg_proc p "
        "WHERE p.prorettype = 'trigger'::regtype AND p.proname LIKE %s "
        "AND p.pronamespace = ANY(current_schemas(false)::regnamespace[])",
        [f"{_APP}\\_%"],
    )
    return dict(rows)


def declared_triggers(connection: BaseDatabaseWrapper) -> list[Trigger]:
    if connection.vendor == "sqlite":
        return sqlite_triggers()
    if connection.vendor == "postgresql":
        return postgresql_triggers()
    return []


def declared_functions(connection: BaseDatabaseWrapper) -> list[Function]:
    return postgresql_functions() if connection.vendor == "postgresql" else []


def _squeeze(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


# --- install, uninstall, rebuild, drift ----------------------------------------------------


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop every trigger on the app's tables and the app's trigger functions, declared or
    not. The search tables and what they hold stay (search keeps answering meanwhile)."""
    statements = []
    for name, (table, _sql) in present_triggers(connection).items():
        on = f" ON {table}" if connection.vendor == "postgresql" else ""
        statements.append(f"DROP TRIGGER IF EXISTS {name}{on}")
    statements += [f"DROP FUNCTION IF EXISTS {name}()" for name in present_functions(connection)]
    _execute(connection, *statements)


def install(connection: BaseDatabaseWrapper) -> None:
    """Make the database hold exactly the declared set (what was there is dropped first).
    Call ``rebuild`` after it when the content may have changed meanwhile."""
    uninstall(connection)
    statements = []
    if connection.vendor == "sqlite":
        present = dict(
            _rows(connection, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        )
        for table in SQLITE_TABLES:
            if table.name in present and _squeeze(present[table.name]) != _squeeze(table.sql):
                statements.append(f"DROP TABLE {table.name}")  # declared otherwise now
                present.pop(table.name)
            if table.name not in present:
                statements += [table.sql, *table.refill]
    statements += [function.sql for function in declared_functions(connection)]
    statements += [trigger.sql for trigger in declared_triggers(connection)]
    _execute(connection, *statements)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Recompute every derived value from the content (run with the triggers installed:
    counts first, the tallies that follow them last)."""
    statements = []
    if connection.vendor == "sqlite":
        for table in SQLITE_TABLES:
            statements += table.refill
    for count in (*COUNTS, PUBLISHED_CITATIONS):
        statements += count.recount
    statements.append(f"DELETE FROM {TALLY} WHERE name IN ({_tally_names()})")
    statements += [
        f"INSERT INTO {TALLY} (name, value) SELECT '{name}', ({count})"
        for name, count in TALLY_COUNTS.items()
    ]
    _execute(connection, *statements)


def _tally_names() -> str:
    return ", ".join(f"'{name}'" for name in TALLY_COUNTS)


def missing_or_extra(connection: BaseDatabaseWrapper) -> list[str]:
    """The cheap part of ``drift``: the catalogue against the declared set."""
    problems = []
    present = present_triggers(connection)
    for trigger in declared_triggers(connection):
        if trigger.name not in present:
            problems.append(f"missing trigger {trigger.name} on {trigger.table}")
        elif connection.vendor == "sqlite" and _squeeze(present[trigger.name][1]) != _squeeze(
            trigger.sql
        ):
            problems.append(f"trigger {trigger.name} differs from its declaration")
    declared = {trigger.name for trigger in declared_triggers(connection)}
    problems += [
        f"extra trigger {name} on {table}"
        for name, (table, _sql) in sorted(present.items())
        if name not in declared
    ]
    functions = present_functions(connection)
    for function in declared_functions(connection):
        if function.name not in functions:
            problems.append(f"missing function {function.name}()")
        elif _squeeze(functions[function.name]) != _squeeze(function.body):
            problems.append(f"function {function.name}() differs from its declaration")
    declared = {function.name for function in declared_functions(connection)}
    problems += [f"extra function {name}()" for name in sorted(functions) if name not in declared]
    if connection.vendor == "sqlite":
        tables = {row[0] for row in _rows(connection, "SELECT name FROM sqlite_master")}
        problems += [
            f"missing search table {table.name}"
            for table in SQLITE_TABLES
            if table.name not in tables
        ]
    elif connection.vendor == "postgresql":
        for column, table, index in POSTGRESQL_VECTORS:
            if not _rows(
                connection,
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s "
                "AND column_name = %s AND table_schema = ANY(current_schemas(false))",
                [table, column],
            ):
                problems.append(f"missing search column {table}.{column}")
            if not _rows(connection, "SELECT 1 FROM pg_indexes WHERE indexname = %s", [index]):
                problems.append(f"missing search index {index}")
        config = [TEXT_SEARCH_CONFIG]
        if not _rows(connection, "SELECT 1 FROM pg_ts_config WHERE cfgname = %s", config):
            problems.append(f"missing text search configuration {TEXT_SEARCH_CONFIG}")
    return problems


def drift(connection: BaseDatabaseWrapper) -> list[str]:
    """Everything that differs from the declared set and from a recount, as sentences;
    empty when all is well. Reads every derived value: minutes on a large archive."""
    problems = missing_or_extra(connection)
    for count in (*COUNTS, PUBLISHED_CITATIONS):
        (wrong,) = _rows(connection, count.differences)[0]
        if wrong:
            problems.append(f"{count.label}: {wrong} row(s) differ from a recount")
    kept = dict(_rows(connection, f"SELECT name, value FROM {TALLY}"))
    for name, count in TALLY_COUNTS.items():
        (value,) = _rows(connection, count)[0]
        if kept.get(name) != value:
            problems.append(f"tally {name} is {kept.get(name)}, a recount says {value}")
    if connection.vendor == "sqlite":
        tables = {row[0] for row in _rows(connection, "SELECT name FROM sqlite_master")}
        for table in SQLITE_TABLES:
            if table.name not in tables:
                continue
            if table.expected_rowids is None:
                try:
                    _execute(
                        connection,
                        f"INSERT INTO {table.name}({table.name}, rank) "
                        "VALUES ('integrity-check', 1)",
                    )
                except DatabaseError:
                    problems.append(f"search table {table.name} differs from its content")
                continue
            (wrong,) = _rows(
                connection,
                f"SELECT (SELECT COUNT(*) FROM (SELECT rowid FROM {table.name} "
                f"EXCEPT {table.expected_rowids})) + (SELECT COUNT(*) FROM "
                f"({table.expected_rowids} EXCEPT SELECT rowid FROM {table.name}))",
            )[0]
            if wrong:
                problems.append(f"search table {table.name}: {wrong} row(s) missing or extra")
    return problems


# --- Around migrations ---------------------------------------------------------------------

# Aliases whose migrate is under way: InstallDerived leaves installing to after_migrate, so
# that the migrations after it in the same plan run without triggers too.
_migrating: set[str] = set()


@functools.cache
def installing_migration() -> tuple[str, str] | None:
    """The latest migration that runs InstallDerived: the schema from which on the
    declared set can be installed."""
    from django.db.migrations.loader import MigrationLoader

    from statements.migration_operations import InstallDerived

    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = None
    for key in loader.graph.forwards_plan(loader.graph.leaf_nodes(_APP)[0]):
        migration = loader.graph.nodes[key]
        if any(isinstance(op, InstallDerived) for op in migration.operations):
            found = key
    return found


def is_installable(connection: BaseDatabaseWrapper) -> bool:
    """Is the database at or after ``installing_migration()``?"""
    from django.db.migrations.recorder import MigrationRecorder

    key = installing_migration()
    recorder = MigrationRecorder(connection)
    return key is not None and recorder.has_table() and key in recorder.applied_migrations()


def defers_installing(connection: BaseDatabaseWrapper) -> bool:
    return connection.alias in _migrating


def before_migrate(sender, using: str = "default", plan=None, **kwargs) -> None:
    """``pre_migrate``: take the triggers away before any migration runs."""
    _migrating.discard(using)
    if not plan:
        return  # nothing to apply, or a flush
    connection = connections[using]
    _migrating.add(using)
    if is_installable(connection):
        uninstall(connection)


def after_migrate(sender, using: str = "default", plan=None, **kwargs) -> None:
    """``post_migrate``: after a migrate that applied something, install and rebuild;
    after a flush (no plan), rebuild what it emptied (the tallies)."""
    _migrating.discard(using)
    if plan is not None and not plan:
        return  # a migrate with nothing to do does nothing
    connection = connections[using]
    if not is_installable(connection):
        # Before the declared set (an intermediate migration): as the historical
        # migrations left it; a flush there still gets its tallies back.
        if plan is None:
            from statements.models import Tally

            with contextlib.suppress(DatabaseError):  # migrated back before the table
                Tally.objects.using(using).restore_missing()
        return
    if plan is not None:
        install(connection)
        if not may_change_content(plan):
            return  # schema alone: rows are copied as they were, derived values with them
    rebuild(connection)


def _operations(operations: list) -> list:
    from django.db.migrations.operations import SeparateDatabaseAndState

    found = []
    for operation in operations:
        found.append(operation)
        if isinstance(operation, SeparateDatabaseAndState):
            found += _operations(operation.database_operations)
    return found


def may_change_content(plan: list) -> bool:
    """Could this plan have changed content, or what the declared set derives from it,
    while the triggers were away? Yes for a migration run backwards, data written by
    RunPython or RunSQL, and a new declared set (InstallDerived). Schema operations alone
    keep every row (SQLite's table rebuild copies them, ids included), so the rebuild,
    which reads the whole archive, is skipped for them."""
    from django.db.migrations.operations import RunPython, RunSQL

    from statements.migration_operations import InstallDerived

    writes = (RunPython, RunSQL, InstallDerived)
    return any(
        backwards or any(isinstance(op, writes) for op in _operations(migration.operations))
        for migration, backwards in plan
    )


@checks.register(checks.Tags.database)
def check_declared_set(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """``manage.py check --database default``: the catalogue against the declared set
    (cheap; ``manage.py check_derived`` also recounts the values)."""
    messages = []
    for alias in databases or ():
        connection = connections[alias]
        if not is_installable(connection):
            continue  # not migrated that far: migrate installs the set
        messages += [
            checks.Warning(
                problem,
                hint="Run manage.py rebuild_derived (or migrate).",
                obj=f"database {alias!r}",
                id="statements.W001",
            )
            for problem in missing_or_extra(connection)
        ]
    return messages
