"""Full-text search indexes, one kind per database (see statements/search.py).

PostgreSQL: GIN expression indexes built from the very SearchVector expressions the
queries use, so the planner matches them. SQLite: FTS5 external-content tables over
paragraph text and statement titles, kept in step by triggers.

Caution for later SQLite migrations: when Django rebuilds statements_paragraph or
statements_statement (an AlterField, for instance) the triggers go with the old table.
tests/test_search.py checks that edits still reach the index after every migration.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"
INDEXES = {
    "paragraph": GinIndex(SearchVector("text", config=CONFIG), name="paragraph_text_search"),
    "statement": GinIndex(SearchVector("title", config=CONFIG), name="statement_title_search"),
}
# table -> (indexed column)
FTS_TABLES = {"statements_paragraph": "text", "statements_statement": "title"}


def sqlite_statements(table: str, column: str) -> list[str]:
    fts = f"{table}_fts"
    delete_old = (
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    )
    insert_new = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        f"content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete_old} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} "
        f"BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def create_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for model_name, index in INDEXES.items():
            schema_editor.add_index(apps.get_model("statements", model_name), index)
    elif vendor == "sqlite":
        for table, column in FTS_TABLES.items():
            for sql in sqlite_statements(table, column):
                schema_editor.execute(sql)


def drop_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for model_name, index in INDEXES.items():
            schema_editor.remove_index(apps.get_model("statements", model_name), index)
    elif vendor == "sqlite":
        for table in FTS_TABLES:
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0002_editors_group"),
    ]

    operations = [
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
