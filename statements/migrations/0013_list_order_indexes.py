"""Indexes in the lists' whole order (to the id), replacing the date-only ones: a page of
statements or meetings, and a statement's neighbours, are read in order and never sorted,
whatever statistics the planner has (with SQLite's, the home page's five meetings were
found by sorting all 25,000)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0012_citation_counts_per_statement"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(fields=["-date", "-start_time", "-id"], name="meeting_order_idx"),
        ),
        migrations.AddIndex(
            model_name="statement",
            index=models.Index(fields=["status", "-date", "-id"], name="statement_list_order_idx"),
        ),
        migrations.RemoveIndex(
            model_name="meeting",
            name="meeting_date_idx",
        ),
        migrations.RemoveIndex(
            model_name="statement",
            name="statement_status_date_idx",
        ),
    ]
