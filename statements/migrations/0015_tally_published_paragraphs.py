"""Tally the paragraphs of published statements too, for the API's paragraph list, which
counted 2.5 million of them for each page of a 100,000-statement archive (230 ms).

The count follows paragraphs inserted, deleted or moved between statements, and
statements moving into or out of "published" (by their number of paragraphs): per row on
SQLite; on PostgreSQL per statement for inserts and deletes (transition tables, so a bulk
insert updates the tally once) and per row for moves and status changes, which take no
transition table on UPDATE OF and touch one statement at a time. Django deletes a
statement's paragraphs before the statement, so that is the delete above.

Caution for later SQLite migrations, as for 0014: rebuilding statements_paragraph or
statements_statement drops these triggers (tests/test_models.py notices).
"""

from django.db import migrations

# Frozen: migrations must not follow later changes to the app.
TALLY = "statements_tally"
NAME = "published_paragraphs"
PUBLISHED = "(SELECT status FROM statements_statement WHERE id = {statement}) = 'published'"
ADD = f"UPDATE {TALLY} SET value = value + {{amount}} WHERE name = '{NAME}';"
PARAGRAPHS_OF = "(SELECT COUNT(*) FROM statements_paragraph WHERE statement_id = {statement})"
COUNT = (
    "SELECT COUNT(*) FROM statements_paragraph p "
    "JOIN statements_statement s ON s.id = p.statement_id WHERE s.status = 'published'"
)

SQLITE_TRIGGERS = {
    "insert": (
        f"AFTER INSERT ON statements_paragraph WHEN {PUBLISHED.format(statement='NEW.statement_id')} "
        f"BEGIN {ADD.format(amount='1')} END"
    ),
    "delete": (
        f"AFTER DELETE ON statements_paragraph WHEN {PUBLISHED.format(statement='OLD.statement_id')} "
        f"BEGIN {ADD.format(amount='-1')} END"
    ),
    "move": (
        "AFTER UPDATE OF statement_id ON statements_paragraph "
        "WHEN NEW.statement_id != OLD.statement_id BEGIN "
        + ADD.format(
            amount=f"({PUBLISHED.format(statement='NEW.statement_id')}) "
            f"- ({PUBLISHED.format(statement='OLD.statement_id')})"
        )
        + " END"
    ),
    "status": (
        "AFTER UPDATE OF status ON statements_statement "
        "WHEN (OLD.status = 'published') != (NEW.status = 'published') BEGIN "
        + ADD.format(
            amount=f"CASE WHEN NEW.status = 'published' THEN 1 ELSE -1 END "
            f"* {PARAGRAPHS_OF.format(statement='NEW.id')}"
        )
        + " END"
    ),
}

_ON_PUBLISHED = (
    "(SELECT COUNT(*) FROM changed c JOIN statements_statement s ON s.id = c.statement_id "
    "WHERE s.status = 'published')"
)


def _function(amount: str, returns: str = "NULL") -> str:
    return f"""
        DECLARE
            delta bigint := {amount};
        BEGIN
            IF delta != 0 THEN
                {ADD.format(amount="delta")}
            END IF;
            RETURN {returns};
        END
    """


POSTGRESQL_TRIGGERS = {
    # name: (table, trigger clause, function body)
    "insert": (
        "statements_paragraph",
        "AFTER INSERT ON statements_paragraph REFERENCING NEW TABLE AS changed "
        "FOR EACH STATEMENT",
        _function(_ON_PUBLISHED),
    ),
    "delete": (
        "statements_paragraph",
        "AFTER DELETE ON statements_paragraph REFERENCING OLD TABLE AS changed "
        "FOR EACH STATEMENT",
        _function(f"-{_ON_PUBLISHED}"),
    ),
    "move": (
        "statements_paragraph",
        "AFTER UPDATE OF statement_id ON statements_paragraph FOR EACH ROW "
        "WHEN (OLD.statement_id IS DISTINCT FROM NEW.statement_id)",
        _function(
            f"({PUBLISHED.format(statement='NEW.statement_id')})::integer "
            f"- ({PUBLISHED.format(statement='OLD.statement_id')})::integer"
        ),
    ),
    "status": (
        "statements_statement",
        "AFTER UPDATE OF status ON statements_statement FOR EACH ROW "
        "WHEN ((OLD.status = 'published') IS DISTINCT FROM (NEW.status = 'published'))",
        _function(
            "CASE WHEN NEW.status = 'published' THEN 1 ELSE -1 END "
            f"* {PARAGRAPHS_OF.format(statement='NEW.id')}"
        ),
    ),
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER statements_tally_paragraph_{name} {body}")
    elif vendor == "postgresql":
        for name, (_table, clause, body) in POSTGRESQL_TRIGGERS.items():
            function = f"statements_tally_paragraph_{name}"
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ {body} $$"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {function} {clause} EXECUTE FUNCTION {function}()"
            )
    schema_editor.execute(f"INSERT INTO {TALLY} (name, value) SELECT %s, ({COUNT})", [NAME])


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_tally_paragraph_{name}")
    elif vendor == "postgresql":
        for name, (table, _clause, _body) in POSTGRESQL_TRIGGERS.items():
            function = f"statements_tally_paragraph_{name}"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {function} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")
    schema_editor.execute(f"DELETE FROM {TALLY} WHERE name = %s", [NAME])


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0014_tallies"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
