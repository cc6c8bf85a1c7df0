"""Tally: the counts the public lists show (published statements, meetings with a published
statement), kept by triggers so that no page counts the archive.

SQLite follows each row: a statement inserted, deleted or changing status into or out of
"published"; a meeting inserted, deleted, or its statement count (0010) crossing zero.
PostgreSQL follows each statement with transition tables, so a bulk insert updates the
tally's row once, not once per row (see 0012).

Caution for later SQLite migrations, as for 0003, 0008 and 0010: rebuilding
statements_statement or statements_meeting drops these triggers; tests/test_models.py
checks that the tallies still follow after migrating back and forth.
"""

from django.db import migrations, models

# Frozen: migrations must not follow later changes to the app.
TALLY = "statements_tally"
COUNTS = {
    "published_statements": "SELECT COUNT(*) FROM statements_statement WHERE status = 'published'",
    "published_meetings": "SELECT COUNT(*) FROM statements_meeting WHERE statement_count > 0",
}
# What makes a row count, per table, and the tally it counts in.
COUNTED = {
    "statements_statement": ("status = 'published'", "published_statements"),
    "statements_meeting": ("statement_count > 0", "published_meetings"),
}


def _add(name: str, amount: str) -> str:
    return f"UPDATE {TALLY} SET value = value + {amount} WHERE name = '{name}';"


def _row(row: str, condition: str) -> str:
    return condition.replace("status", f"{row}.status").replace(
        "statement_count", f"{row}.statement_count"
    )


def sqlite_triggers() -> dict[str, str]:
    triggers = {}
    for table, (condition, name) in COUNTED.items():
        short = table.removeprefix("statements_")
        column = "status" if "status" in condition else "statement_count"
        old, new = _row("OLD", condition), _row("NEW", condition)
        triggers[f"{short}_insert"] = (
            f"AFTER INSERT ON {table} WHEN {new} BEGIN {_add(name, '1')} END"
        )
        triggers[f"{short}_delete"] = (
            f"AFTER DELETE ON {table} WHEN {old} BEGIN {_add(name, '-1')} END"
        )
        triggers[f"{short}_update"] = (
            f"AFTER UPDATE OF {column} ON {table} WHEN ({old}) != ({new}) "
            f"BEGIN {_add(name, f'CASE WHEN {new} THEN 1 ELSE -1 END')} END"
        )
    return triggers


def postgresql_triggers() -> dict[str, tuple[str, str, str]]:
    """name -> (table, trigger clause, function body)."""
    triggers = {}
    for table, (condition, name) in COUNTED.items():
        short = table.removeprefix("statements_")
        counted = f"(SELECT COUNT(*) FROM {{rows}} WHERE {condition})"
        events = {
            "insert": ("INSERT", "NEW TABLE AS changed", counted.format(rows="changed")),
            "delete": ("DELETE", "OLD TABLE AS changed", "-" + counted.format(rows="changed")),
            "update": (
                "UPDATE",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                f"{counted.format(rows='new_rows')} - {counted.format(rows='old_rows')}",
            ),
        }
        for event, (verb, referencing, amount) in events.items():
            body = f"""
                DECLARE
                    delta bigint := {amount};
                BEGIN
                    IF delta != 0 THEN
                        {_add(name, "delta")}
                    END IF;
                    RETURN NULL;
                END
            """
            triggers[f"{short}_{event}"] = (
                table,
                f"AFTER {verb} ON {table} REFERENCING {referencing} FOR EACH STATEMENT",
                body,
            )
    return triggers


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, body in sqlite_triggers().items():
            schema_editor.execute(f"CREATE TRIGGER statements_tally_{name} {body}")
    elif vendor == "postgresql":
        for name, (_table, clause, body) in postgresql_triggers().items():
            function = f"statements_tally_{name}"
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ {body} $$"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {function} {clause} EXECUTE FUNCTION {function}()"
            )
    for name, count in COUNTS.items():
        schema_editor.execute(f"INSERT INTO {TALLY} (name, value) SELECT %s, ({count})", [name])


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in sqlite_triggers():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_tally_{name}")
    elif vendor == "postgresql":
        for name, (table, _clause, _body) in postgresql_triggers().items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_tally_{name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS statements_tally_{name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0013_list_order_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tally",
            fields=[
                (
                    "name",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="name"
                    ),
                ),
                ("value", models.BigIntegerField(default=0, verbose_name="value")),
            ],
            options={
                "verbose_name": "tally",
                "verbose_name_plural": "tallies",
            },
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
