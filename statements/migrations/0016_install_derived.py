"""From here on, what the database keeps for us (triggers, trigger functions, SQLite's
full-text tables) is the set declared in statements/derived.py, installed by one
operation. Migrations 0003-0015 built the same set piece by piece; they stay as history.

The pre_migrate and post_migrate receivers (statements/apps.py) take the triggers away
while later migrations run and put them back afterwards, so that an ordinary AddField
works on SQLite, whose table rebuilds break triggers.
"""

from django.db import migrations

from statements.migration_operations import InstallDerived


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0015_tally_published_paragraphs"),
    ]

    operations = [
        InstallDerived(),
    ]
