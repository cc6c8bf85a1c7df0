"""Resolution.citation_count, kept by the database: the paragraphs of published statements
that cite each resolution. Pages used to count them over the whole archive on every
request (home's most cited, the resolution list, the filter choices); now a row read.

Triggers, so every path that writes citations or a statement's status counts: the
admin, the API, imports, reverts, loaddata, bulk inserts. The count changes when
- a citation (a row of statements_paragraph_resolutions) of a published statement's
  paragraph is inserted or deleted;
- a statement's status moves into or out of "published": by the number of its
  paragraphs citing each resolution;
- a paragraph moves to another statement.
Deleting a paragraph or a statement deletes its citations first (Django's collector;
the foreign keys allow nothing else), so that is the delete above.

Caution for later SQLite migrations, as for 0003's search triggers: rebuilding
statements_statement, statements_paragraph or the citations table drops their
triggers; tests/test_models.py checks that counts still follow after every migration.
"""

from django.db import migrations, models

# Frozen: migrations must not follow later changes to the app.
CITATIONS = "statements_paragraph_resolutions"
RECOUNT = f"""
UPDATE statements_resolution SET citation_count = (
    SELECT COUNT(*) FROM {CITATIONS} c
    JOIN statements_paragraph p ON p.id = c.paragraph_id
    JOIN statements_statement s ON s.id = p.statement_id
    WHERE c.resolution_id = statements_resolution.id AND s.status = 'published'
)
"""
# A statement's citations of each resolution, for the statement id in {statement}.
PER_RESOLUTION = f"""
    SELECT c.resolution_id, COUNT(*) AS n FROM {CITATIONS} c
    JOIN statements_paragraph p ON p.id = c.paragraph_id
    WHERE p.statement_id = {{statement}} GROUP BY c.resolution_id
"""
PUBLISHED_PARAGRAPH = """
    SELECT 1 FROM statements_paragraph p JOIN statements_statement s ON s.id = p.statement_id
    WHERE p.id = {paragraph} AND s.status = 'published'
"""


def _sqlite_adjust(sign: str, citation: str) -> str:
    return (
        f"UPDATE statements_resolution SET citation_count = citation_count {sign} 1 "
        f"WHERE id = {citation}.resolution_id AND EXISTS ("
        + PUBLISHED_PARAGRAPH.format(paragraph=f"{citation}.paragraph_id")
        + ");"
    )


def _sqlite_status(sign: str, row: str) -> str:
    counts = PER_RESOLUTION.format(statement=f"{row}.id")
    return (
        f"UPDATE statements_resolution SET citation_count = citation_count {sign} "
        f"(SELECT n FROM ({counts}) WHERE resolution_id = statements_resolution.id) "
        f"WHERE id IN (SELECT resolution_id FROM ({counts}));"
    )


def _sqlite_move(sign: str, row: str, statement: str) -> str:
    return (
        f"UPDATE statements_resolution SET citation_count = citation_count {sign} 1 "
        f"WHERE id IN (SELECT resolution_id FROM {CITATIONS} WHERE paragraph_id = {row}.id) "
        f"AND (SELECT status FROM statements_statement WHERE id = {statement}) = 'published';"
    )


SQLITE_TRIGGERS = {
    "citation_insert": f"AFTER INSERT ON {CITATIONS} BEGIN {_sqlite_adjust('+', 'NEW')} END",
    "citation_delete": f"AFTER DELETE ON {CITATIONS} BEGIN {_sqlite_adjust('-', 'OLD')} END",
    "citation_publish": (
        "AFTER UPDATE OF status ON statements_statement "
        "WHEN NEW.status = 'published' AND OLD.status != 'published' "
        f"BEGIN {_sqlite_status('+', 'NEW')} END"
    ),
    "citation_unpublish": (
        "AFTER UPDATE OF status ON statements_statement "
        "WHEN OLD.status = 'published' AND NEW.status != 'published' "
        f"BEGIN {_sqlite_status('-', 'NEW')} END"
    ),
    "citation_move": (
        "AFTER UPDATE OF statement_id ON statements_paragraph "
        "WHEN NEW.statement_id != OLD.statement_id "
        f"BEGIN {_sqlite_move('-', 'OLD', 'OLD.statement_id')} "
        f"{_sqlite_move('+', 'NEW', 'NEW.statement_id')} END"
    ),
}

POSTGRESQL_FUNCTIONS = {
    "statements_citation_changed": f"""
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE statements_resolution SET citation_count = citation_count + 1
                WHERE id = NEW.resolution_id
                AND EXISTS ({PUBLISHED_PARAGRAPH.format(paragraph="NEW.paragraph_id")});
                RETURN NEW;
            END IF;
            UPDATE statements_resolution SET citation_count = citation_count - 1
            WHERE id = OLD.resolution_id
            AND EXISTS ({PUBLISHED_PARAGRAPH.format(paragraph="OLD.paragraph_id")});
            RETURN OLD;
        END
    """,
    "statements_statement_status_changed": f"""
        DECLARE
            delta integer := (NEW.status = 'published')::integer
                - (OLD.status = 'published')::integer;
        BEGIN
            IF delta != 0 THEN
                UPDATE statements_resolution r SET citation_count = r.citation_count + delta * c.n
                FROM ({PER_RESOLUTION.format(statement="NEW.id")}) c
                WHERE r.id = c.resolution_id;
            END IF;
            RETURN NULL;
        END
    """,
    "statements_paragraph_moved": f"""
        DECLARE
            delta integer := (
                SELECT (status = 'published')::integer FROM statements_statement
                WHERE id = NEW.statement_id
            ) - (
                SELECT (status = 'published')::integer FROM statements_statement
                WHERE id = OLD.statement_id
            );
        BEGIN
            IF delta != 0 THEN
                UPDATE statements_resolution SET citation_count = citation_count + delta
                WHERE id IN (SELECT resolution_id FROM {CITATIONS} WHERE paragraph_id = NEW.id);
            END IF;
            RETURN NULL;
        END
    """,
}
POSTGRESQL_TRIGGERS = {
    "citation_changed": (
        f"AFTER INSERT OR DELETE ON {CITATIONS} FOR EACH ROW "
        "EXECUTE FUNCTION statements_citation_changed()"
    ),
    "citation_status_changed": (
        "AFTER UPDATE OF status ON statements_statement FOR EACH ROW "
        "WHEN (OLD.status IS DISTINCT FROM NEW.status) "
        "EXECUTE FUNCTION statements_statement_status_changed()"
    ),
    "citation_paragraph_moved": (
        "AFTER UPDATE OF statement_id ON statements_paragraph FOR EACH ROW "
        "WHEN (OLD.statement_id IS DISTINCT FROM NEW.statement_id) "
        "EXECUTE FUNCTION statements_paragraph_moved()"
    ),
}
POSTGRESQL_TABLES = {
    "citation_changed": CITATIONS,
    "citation_status_changed": "statements_statement",
    "citation_paragraph_moved": "statements_paragraph",
}


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_{name}")
            schema_editor.execute(f"CREATE TRIGGER statements_{name} {body}")
    elif vendor == "postgresql":
        for name, body in POSTGRESQL_FUNCTIONS.items():
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ {body} $$"
            )
        for name, body in POSTGRESQL_TRIGGERS.items():
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS statements_{name} ON {POSTGRESQL_TABLES[name]}"
            )
            schema_editor.execute(f"CREATE TRIGGER statements_{name} {body}")
    schema_editor.execute(RECOUNT)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_{name}")
    elif vendor == "postgresql":
        for name, table in POSTGRESQL_TABLES.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_{name} ON {table}")
        for name in POSTGRESQL_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0007_source_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="resolution",
            name="citation_count",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Paragraphs of published statements that cite it.",
                serialize=False,
                verbose_name="citation count",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
