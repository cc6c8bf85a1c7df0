"""PostgreSQL full-text search ignores accents, as SQLite's FTS5 tables (remove_diacritics)
already do: "Antonio" finds "António".

A text search configuration ``english_unaccent`` runs words with non-ASCII letters through
the ``unaccent`` dictionary before the English stemmer. ``to_tsvector(regconfig, text)`` is
immutable whatever the configuration's dictionaries, so the GIN expression indexes can use
it, unlike a call to the (only stable) ``unaccent()`` function. The indexes keep their names
and are rebuilt over the new configuration; the queries use it too (statements/search.py).

The extension needs a superuser, or on PostgreSQL 13 and later a user with the CREATE
privilege on the database (unaccent is a trusted extension); nothing is asked of the
database user when the extension is already installed. Going back leaves the extension in
place: other code may use it. SQLite is untouched.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# Frozen copies: migrations must not follow later changes to statements/search.py.
OLD_CONFIG = "english"
NEW_CONFIG = "english_unaccent"
FIELDS = {
    "paragraph": ("text", "paragraph_text_search"),
    "statement": ("title", "statement_title_search"),
}


def indexes(config: str) -> dict[str, GinIndex]:
    return {
        model_name: GinIndex(SearchVector(field, config=config), name=name)
        for model_name, (field, name) in FIELDS.items()
    }


def replace_indexes(apps, schema_editor, old: str, new: str) -> None:
    for model_name, index in indexes(old).items():
        schema_editor.remove_index(apps.get_model("statements", model_name), index)
    for model_name, index in indexes(new).items():
        schema_editor.add_index(apps.get_model("statements", model_name), index)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE EXTENSION unaccent")
    # Only word token types can carry accents; ASCII words go straight to the stemmer.
    schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {NEW_CONFIG} (COPY = {OLD_CONFIG})")
    schema_editor.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {NEW_CONFIG} "
        "ALTER MAPPING FOR word, hword, hword_part WITH unaccent, english_stem"
    )
    replace_indexes(apps, schema_editor, OLD_CONFIG, NEW_CONFIG)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    replace_indexes(apps, schema_editor, NEW_CONFIG, OLD_CONFIG)
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION {NEW_CONFIG}")


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0004_participant_name_search"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
