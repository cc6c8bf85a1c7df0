"""Two things the pages read instead of searching the archive, kept by the database:

- ``PublishedCitation``: a row for each citation of a resolution by a paragraph of a
  published statement, with the statement's date and the paragraph's position, so that
  a resolution's citations (and the statements citing it) come newest first from one
  index, a page at a time;
- ``Meeting.statement_count``: the published statements that report or mention the
  meeting, so that "is this meeting public?" is a column (``Meeting.objects.published()``).

Triggers, as in 0008, so that every path counts: the admin, the API, imports, reverts,
loaddata, bulk inserts. The rows follow
- a citation inserted or deleted (a row of statements_paragraph_resolutions);
- a statement's status moving into or out of "published", and its date changing;
- a paragraph moving to another statement or position, or being deleted;
and the count follows a statement-meeting link inserted or deleted and a statement's
status moving into or out of "published". Django deletes a statement's links, citations
and paragraphs before the statement itself, so deleting one is the deletes above.

Caution for later SQLite migrations, as for 0003 and 0008: rebuilding one of these
tables drops its triggers; tests/test_models.py checks that both still follow after
migrating back and forth.
"""

import django.db.models.deletion
from django.db import migrations, models


# Frozen: migrations must not follow later changes to the app.
CITATIONS = "statements_paragraph_resolutions"
INDEXED = "statements_publishedcitation"
LINKS = "statements_statement_meetings"
COLUMNS = "resolution_id, paragraph_id, statement_id, date, position"

# The index rows a citation, a paragraph or a statement should have, as SELECTs.
CITATION_ROWS = f"""
    SELECT {{citation}}.resolution_id, p.id, s.id, s.date, p.position
    FROM statements_paragraph p JOIN statements_statement s ON s.id = p.statement_id
    WHERE p.id = {{citation}}.paragraph_id AND s.status = 'published'
"""
PARAGRAPH_ROWS = f"""
    SELECT c.resolution_id, {{row}}.id, s.id, s.date, {{row}}.position
    FROM {CITATIONS} c JOIN statements_statement s ON s.id = {{row}}.statement_id
    WHERE c.paragraph_id = {{row}}.id AND s.status = 'published'
"""
STATEMENT_ROWS = f"""
    SELECT c.resolution_id, p.id, {{row}}.id, {{row}}.date, p.position
    FROM statements_paragraph p JOIN {CITATIONS} c ON c.paragraph_id = p.id
    WHERE p.statement_id = {{row}}.id
"""
IS_PUBLISHED = "(SELECT status FROM statements_statement WHERE id = {statement}) = 'published'"
REBUILD = [
    f"DELETE FROM {INDEXED}",
    f"""INSERT INTO {INDEXED} ({COLUMNS})
    SELECT c.resolution_id, p.id, s.id, s.date, p.position
    FROM {CITATIONS} c
    JOIN statements_paragraph p ON p.id = c.paragraph_id
    JOIN statements_statement s ON s.id = p.statement_id
    WHERE s.status = 'published'""",
    # The status by primary key: as a join, SQLite without statistics would read every
    # published statement for each meeting (minutes for 100,000 statements).
    f"""UPDATE statements_meeting SET statement_count = (
        SELECT COUNT(*) FROM {LINKS} l WHERE l.meeting_id = statements_meeting.id
        AND {IS_PUBLISHED.format(statement="l.statement_id")}
    )""",
]


def _count(sign: str, meetings: str) -> str:
    return (
        f"UPDATE statements_meeting SET statement_count = statement_count {sign} 1 "
        f"WHERE id IN ({meetings});"
    )


_INTO_PUBLISHED = "NEW.status = 'published' AND OLD.status != 'published'"
_OUT_OF_PUBLISHED = "OLD.status = 'published' AND NEW.status != 'published'"
_MEETINGS_OF_NEW = f"SELECT meeting_id FROM {LINKS} WHERE statement_id = NEW.id"

SQLITE_TRIGGERS = {
    "indexed_cite": (
        f"AFTER INSERT ON {CITATIONS} BEGIN "
        f"INSERT INTO {INDEXED} ({COLUMNS}) {CITATION_ROWS.format(citation='NEW')}; END"
    ),
    "indexed_uncite": (
        f"AFTER DELETE ON {CITATIONS} BEGIN DELETE FROM {INDEXED} "
        "WHERE paragraph_id = OLD.paragraph_id AND resolution_id = OLD.resolution_id; END"
    ),
    "indexed_publish": (
        f"AFTER UPDATE OF status ON statements_statement WHEN {_INTO_PUBLISHED} BEGIN "
        f"INSERT INTO {INDEXED} ({COLUMNS}) {STATEMENT_ROWS.format(row='NEW')}; END"
    ),
    "indexed_unpublish": (
        f"AFTER UPDATE OF status ON statements_statement WHEN {_OUT_OF_PUBLISHED} BEGIN "
        f"DELETE FROM {INDEXED} WHERE statement_id = NEW.id; END"
    ),
    "indexed_redate": (
        "AFTER UPDATE OF date ON statements_statement WHEN NEW.date != OLD.date BEGIN "
        f"UPDATE {INDEXED} SET date = NEW.date WHERE statement_id = NEW.id; END"
    ),
    "indexed_statement_delete": (
        "AFTER DELETE ON statements_statement BEGIN "
        f"DELETE FROM {INDEXED} WHERE statement_id = OLD.id; END"
    ),
    "indexed_paragraph_move": (
        "AFTER UPDATE OF statement_id, position ON statements_paragraph "
        "WHEN NEW.statement_id != OLD.statement_id OR NEW.position != OLD.position BEGIN "
        f"DELETE FROM {INDEXED} WHERE paragraph_id = NEW.id; "
        f"INSERT INTO {INDEXED} ({COLUMNS}) {PARAGRAPH_ROWS.format(row='NEW')}; END"
    ),
    "indexed_paragraph_delete": (
        "AFTER DELETE ON statements_paragraph BEGIN "
        f"DELETE FROM {INDEXED} WHERE paragraph_id = OLD.id; END"
    ),
    "meeting_report": (
        f"AFTER INSERT ON {LINKS} WHEN {IS_PUBLISHED.format(statement='NEW.statement_id')} "
        f"BEGIN {_count('+', 'NEW.meeting_id')} END"
    ),
    "meeting_unreport": (
        f"AFTER DELETE ON {LINKS} WHEN {IS_PUBLISHED.format(statement='OLD.statement_id')} "
        f"BEGIN {_count('-', 'OLD.meeting_id')} END"
    ),
    "meeting_publish": (
        f"AFTER UPDATE OF status ON statements_statement WHEN {_INTO_PUBLISHED} "
        f"BEGIN {_count('+', _MEETINGS_OF_NEW)} END"
    ),
    "meeting_unpublish": (
        f"AFTER UPDATE OF status ON statements_statement WHEN {_OUT_OF_PUBLISHED} "
        f"BEGIN {_count('-', _MEETINGS_OF_NEW)} END"
    ),
}

POSTGRESQL_FUNCTIONS = {
    "statements_indexed_citation_changed": f"""
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO {INDEXED} ({COLUMNS}) {CITATION_ROWS.format(citation="NEW")};
                RETURN NEW;
            END IF;
            DELETE FROM {INDEXED}
            WHERE paragraph_id = OLD.paragraph_id AND resolution_id = OLD.resolution_id;
            RETURN OLD;
        END
    """,
    "statements_indexed_statement_changed": f"""
        DECLARE
            delta integer;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {INDEXED} WHERE statement_id = OLD.id;
                RETURN NULL;
            END IF;
            delta := (NEW.status = 'published')::integer - (OLD.status = 'published')::integer;
            IF delta > 0 THEN
                INSERT INTO {INDEXED} ({COLUMNS}) {STATEMENT_ROWS.format(row="NEW")};
            ELSIF delta < 0 THEN
                DELETE FROM {INDEXED} WHERE statement_id = NEW.id;
            ELSIF NEW.date IS DISTINCT FROM OLD.date THEN
                UPDATE {INDEXED} SET date = NEW.date WHERE statement_id = NEW.id;
            END IF;
            IF delta != 0 THEN
                UPDATE statements_meeting SET statement_count = statement_count + delta
                WHERE id IN ({_MEETINGS_OF_NEW});
            END IF;
            RETURN NULL;
        END
    """,
    "statements_indexed_paragraph_changed": f"""
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM {INDEXED} WHERE paragraph_id = OLD.id;
                RETURN NULL;
            END IF;
            DELETE FROM {INDEXED} WHERE paragraph_id = NEW.id;
            INSERT INTO {INDEXED} ({COLUMNS}) {PARAGRAPH_ROWS.format(row="NEW")};
            RETURN NULL;
        END
    """,
    "statements_meeting_link_changed": f"""
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF {IS_PUBLISHED.format(statement="NEW.statement_id")} THEN
                    UPDATE statements_meeting SET statement_count = statement_count + 1
                    WHERE id = NEW.meeting_id;
                END IF;
                RETURN NEW;
            END IF;
            IF {IS_PUBLISHED.format(statement="OLD.statement_id")} THEN
                UPDATE statements_meeting SET statement_count = statement_count - 1
                WHERE id = OLD.meeting_id;
            END IF;
            RETURN OLD;
        END
    """,
}
POSTGRESQL_TRIGGERS = {
    "indexed_citation_changed": (
        CITATIONS,
        f"AFTER INSERT OR DELETE ON {CITATIONS} FOR EACH ROW "
        "EXECUTE FUNCTION statements_indexed_citation_changed()",
    ),
    "indexed_statement_changed": (
        "statements_statement",
        "AFTER UPDATE OF status, date ON statements_statement FOR EACH ROW "
        "WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.date IS DISTINCT FROM NEW.date) "
        "EXECUTE FUNCTION statements_indexed_statement_changed()",
    ),
    "indexed_statement_deleted": (
        "statements_statement",
        "AFTER DELETE ON statements_statement FOR EACH ROW "
        "EXECUTE FUNCTION statements_indexed_statement_changed()",
    ),
    "indexed_paragraph_moved": (
        "statements_paragraph",
        "AFTER UPDATE OF statement_id, position ON statements_paragraph FOR EACH ROW "
        "WHEN (OLD.statement_id IS DISTINCT FROM NEW.statement_id "
        "OR OLD.position IS DISTINCT FROM NEW.position) "
        "EXECUTE FUNCTION statements_indexed_paragraph_changed()",
    ),
    "indexed_paragraph_deleted": (
        "statements_paragraph",
        "AFTER DELETE ON statements_paragraph FOR EACH ROW "
        "EXECUTE FUNCTION statements_indexed_paragraph_changed()",
    ),
    "meeting_link_changed": (
        LINKS,
        f"AFTER INSERT OR DELETE ON {LINKS} FOR EACH ROW "
        "EXECUTE FUNCTION statements_meeting_link_changed()",
    ),
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
        for name, (table, body) in POSTGRESQL_TRIGGERS.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_{name} ON {table}")
            schema_editor.execute(f"CREATE TRIGGER statements_{name} {body}")
    for sql in REBUILD:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_{name}")
    elif vendor == "postgresql":
        for name, (table, _body) in POSTGRESQL_TRIGGERS.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_{name} ON {table}")
        for name in POSTGRESQL_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0009_filter_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="statement_count",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Published statements that report or mention it.",
                serialize=False,
                verbose_name="statement count",
            ),
        ),
        migrations.CreateModel(
            name="PublishedCitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="statement date")),
                ("position", models.PositiveIntegerField(verbose_name="paragraph position")),
                (
                    "paragraph",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="statements.paragraph",
                    ),
                ),
                (
                    "resolution",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="statements.resolution",
                    ),
                ),
                (
                    "statement",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="statements.statement",
                    ),
                ),
            ],
            options={
                "verbose_name": "published citation",
                "indexes": [
                    models.Index(
                        fields=["resolution", "-date", "-statement", "position"],
                        name="published_citation_order_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("paragraph", "resolution"), name="published_citation_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
