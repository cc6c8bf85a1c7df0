"""PostgreSQL: citation counts follow a bulk insert or delete of citations with one update
per resolution, not one per citation.

0008's trigger updated the cited resolution's row once for every citation row. PostgreSQL
writes a new version of a row at every update, and a bulk load updates the few most cited
resolutions thousands of times: with autovacuum slow or off, each update (and each
foreign-key check) then walks thousands of dead versions, and loading 100,000 synthetic
statements slowed to 27 a second, and falling. These statement-level triggers read the
inserted or deleted citations as a transition table and update each resolution once.

Status changes and paragraph moves keep 0008's row-level triggers (PostgreSQL allows no
transition table on an UPDATE OF trigger, and they touch one statement at a time). SQLite
keeps 0008's triggers: it updates rows in place.
"""

from django.db import migrations

# Frozen: migrations must not follow later changes to the app.
CITATIONS = "statements_paragraph_resolutions"


def _adjust(table: str, sign: str) -> str:
    """Add or take off, per resolution, the rows of ``table`` on published statements."""
    return f"""
        BEGIN
            UPDATE statements_resolution r
            SET citation_count = r.citation_count {sign} c.n
            FROM (
                SELECT t.resolution_id, COUNT(*) AS n FROM {table} t
                JOIN statements_paragraph p ON p.id = t.paragraph_id
                JOIN statements_statement s ON s.id = p.statement_id
                WHERE s.status = 'published'
                GROUP BY t.resolution_id
            ) c
            WHERE r.id = c.resolution_id;
            RETURN NULL;
        END
    """


FUNCTIONS = {
    "statements_citations_inserted": _adjust("inserted", "+"),
    "statements_citations_deleted": _adjust("deleted", "-"),
}
TRIGGERS = {
    "citations_inserted": (
        f"AFTER INSERT ON {CITATIONS} REFERENCING NEW TABLE AS inserted "
        "FOR EACH STATEMENT EXECUTE FUNCTION statements_citations_inserted()"
    ),
    "citations_deleted": (
        f"AFTER DELETE ON {CITATIONS} REFERENCING OLD TABLE AS deleted "
        "FOR EACH STATEMENT EXECUTE FUNCTION statements_citations_deleted()"
    ),
}
# 0008's row-level trigger, as it was, for going back.
ROW_LEVEL = (
    f"CREATE TRIGGER statements_citation_changed AFTER INSERT OR DELETE ON {CITATIONS} "
    "FOR EACH ROW EXECUTE FUNCTION statements_citation_changed()"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_citation_changed ON {CITATIONS}")
    for name, body in FUNCTIONS.items():
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$"
        )
    for name, body in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER statements_{name} {body}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS statements_{name} ON {CITATIONS}")
    for name in FUNCTIONS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    schema_editor.execute(ROW_LEVEL)


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0011_search_in_date_order"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
