"""Search reads published text newest first, a page at a time (statements/search.py).

SQLite: two contentless FTS5 tables hold the published paragraphs and the titles of
published statements, keyed so that FTS5's own rowid order is the archive's reading order:

    key = days since 1900-01-01 << 46 | statement id << 16 | (65535 - paragraph position)

(a title is keyed as position 0 of its statement: it sorts just before the statement's
paragraphs). FTS5 walks a match list in rowid order and narrows it by rowid range, so
"the newest 1,001 matches of 2017" costs 1,001 entries, not the whole match list. The
tables index only; snippets still come from 0003's tables, which hold every paragraph.
Contentless rows are deleted by giving back the values they were indexed with, which the
triggers below do; they follow paragraphs inserted, edited, moved and deleted, and
statements published, withdrawn, re-dated, retitled and deleted.

PostgreSQL: the vectors are stored (generated columns ``search_document`` and
``search_title``) instead of computed by the GIN expression indexes, so that checking a
row while walking statements newest first is a read, not a parse of the text; the GIN
indexes keep their names and move to the stored columns.

Caution for later migrations: on SQLite, rebuilding statements_paragraph or
statements_statement drops these triggers (tests/test_search.py checks that search still
follows edits after migrating back and forth); on PostgreSQL, changing the type of
``text`` or ``title`` needs the generated column dropped first.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# Frozen: migrations must not follow later changes to the app.
PARAGRAPHS = "statements_search_paragraph"
TITLES = "statements_search_title"
TOKENIZER = "porter unicode61 remove_diacritics 2"
JULIAN_DAY_1900 = 2415020  # CAST(julianday('1900-01-01') AS INTEGER)


def statement_key(date: str, statement: str) -> str:
    days = f"(CAST(julianday({date}) AS INTEGER) - {JULIAN_DAY_1900})"
    return f"(({days} << 46) | ({statement} << 16))"


def paragraph_key(date: str, statement: str, position: str) -> str:
    return f"({statement_key(date, statement)} | (65535 - min({position}, 65535)))"


def add_paragraphs(date: str, statement: str, where: str) -> str:
    """Index the paragraphs of one published statement (``where`` selects them)."""
    key = paragraph_key(date, statement, "p.position")
    return (
        f"INSERT INTO {PARAGRAPHS}(rowid, text) SELECT {key}, p.text "
        f"FROM statements_paragraph p WHERE {where};"
    )


def remove_paragraphs(date: str, statement: str, where: str) -> str:
    key = paragraph_key(date, statement, "p.position")
    return (
        f"INSERT INTO {PARAGRAPHS}({PARAGRAPHS}, rowid, text) SELECT 'delete', {key}, p.text "
        f"FROM statements_paragraph p WHERE {where};"
    )


def published(statement: str) -> str:
    return f"(SELECT status FROM statements_statement WHERE id = {statement}) = 'published'"


def date_of(statement: str) -> str:
    return f"(SELECT date FROM statements_statement WHERE id = {statement})"


def add_row(row: str) -> str:
    key = paragraph_key(date_of(f"{row}.statement_id"), f"{row}.statement_id", f"{row}.position")
    return (
        f"INSERT INTO {PARAGRAPHS}(rowid, text) SELECT {key}, {row}.text "
        f"WHERE {published(f'{row}.statement_id')};"
    )


def remove_row(row: str) -> str:
    key = paragraph_key(date_of(f"{row}.statement_id"), f"{row}.statement_id", f"{row}.position")
    return (
        f"INSERT INTO {PARAGRAPHS}({PARAGRAPHS}, rowid, text) SELECT 'delete', {key}, {row}.text "
        f"WHERE {published(f'{row}.statement_id')};"
    )


_RESTATED = "(OLD.status != NEW.status OR OLD.date != NEW.date)"
SQLITE_TRIGGERS = {
    "paragraph_insert": f"AFTER INSERT ON statements_paragraph BEGIN {add_row('NEW')} END",
    "paragraph_delete": f"AFTER DELETE ON statements_paragraph BEGIN {remove_row('OLD')} END",
    # A move's old statement is still in the table: remove with the old key, add the new.
    "paragraph_update": (
        "AFTER UPDATE OF text, statement_id, position ON statements_paragraph "
        "WHEN NEW.text != OLD.text OR NEW.statement_id != OLD.statement_id "
        f"OR NEW.position != OLD.position BEGIN {remove_row('OLD')} {add_row('NEW')} END"
    ),
    "statement_insert": (
        "AFTER INSERT ON statements_statement WHEN NEW.status = 'published' BEGIN "
        f"INSERT INTO {TITLES}(rowid, title) VALUES ({statement_key('NEW.date', 'NEW.id')}, "
        "NEW.title); END"
    ),
    "statement_delete": (
        "AFTER DELETE ON statements_statement WHEN OLD.status = 'published' BEGIN "
        f"INSERT INTO {TITLES}({TITLES}, rowid, title) VALUES ('delete', "
        f"{statement_key('OLD.date', 'OLD.id')}, OLD.title); END"
    ),
    "statement_update": (
        "AFTER UPDATE OF status, date, title ON statements_statement "
        f"WHEN {_RESTATED} OR OLD.title != NEW.title BEGIN "
        + remove_paragraphs(
            "OLD.date",
            "OLD.id",
            f"p.statement_id = OLD.id AND OLD.status = 'published' AND {_RESTATED}",
        )
        + add_paragraphs(
            "NEW.date",
            "NEW.id",
            f"p.statement_id = NEW.id AND NEW.status = 'published' AND {_RESTATED}",
        )
        + f"INSERT INTO {TITLES}({TITLES}, rowid, title) SELECT 'delete', "
        f"{statement_key('OLD.date', 'OLD.id')}, OLD.title WHERE OLD.status = 'published'; "
        f"INSERT INTO {TITLES}(rowid, title) SELECT {statement_key('NEW.date', 'NEW.id')}, "
        "NEW.title WHERE NEW.status = 'published'; END"
    ),
}
SQLITE_BUILD = [
    f"CREATE VIRTUAL TABLE {PARAGRAPHS} USING fts5(text, content='', tokenize='{TOKENIZER}')",
    f"CREATE VIRTUAL TABLE {TITLES} USING fts5(title, content='', tokenize='{TOKENIZER}')",
    f"INSERT INTO {PARAGRAPHS}(rowid, text) "
    f"SELECT {paragraph_key('s.date', 's.id', 'p.position')}, p.text "
    "FROM statements_paragraph p JOIN statements_statement s ON s.id = p.statement_id "
    "WHERE s.status = 'published'",
    f"INSERT INTO {TITLES}(rowid, title) SELECT {statement_key('s.date', 's.id')}, s.title "
    "FROM statements_statement s WHERE s.status = 'published'",
]

# PostgreSQL: the GIN index (0005's name) -> (model, stored column, source column).
POSTGRESQL_VECTORS = {
    "paragraph_text_search": ("paragraph", "search_document", "text"),
    "statement_title_search": ("statement", "search_title", "title"),
}
CONFIG = "english_unaccent"


def expression_index(name: str, source: str) -> GinIndex:
    """0005's index, as its queries built it (they match the expression exactly)."""
    return GinIndex(SearchVector(source, config=CONFIG), name=name)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_BUILD:
            schema_editor.execute(sql)
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER statements_search_{name} {body}")
    elif vendor == "postgresql":
        for name, (model_name, column, source) in POSTGRESQL_VECTORS.items():
            model = apps.get_model("statements", model_name)
            table = model._meta.db_table
            schema_editor.remove_index(model, expression_index(name, source))
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} tsvector GENERATED ALWAYS AS "
                f"(to_tsvector('{CONFIG}'::regconfig, {source})) STORED"
            )
            schema_editor.execute(f"CREATE INDEX {name} ON {table} USING gin ({column})")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_search_{name}")
        for table in (PARAGRAPHS, TITLES):
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
    elif vendor == "postgresql":
        for name, (model_name, column, source) in POSTGRESQL_VECTORS.items():
            model = apps.get_model("statements", model_name)
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
            schema_editor.execute(f"ALTER TABLE {model._meta.db_table} DROP COLUMN {column}")
            schema_editor.add_index(model, expression_index(name, source))


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0010_published_citations"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
