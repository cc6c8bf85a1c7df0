"""What the database keeps for us (statements/derived.py): declared once, installed by
migrations, checked and rebuilt by commands, and out of the way of ordinary migrations."""

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, migrations, models
from django.test.utils import CaptureQueriesContext
from hypothesis import example, given
from hypothesis import strategies as st

from statements import derived
from statements.migration_operations import InstallDerived
from statements.models import Meeting, PublishedCitation, Resolution, Statement, Tally
from tests.factories import MeetingFactory, ParagraphFactory, ResolutionFactory
from tests.paths import ROOT

# --- An ordinary schema change migrates a database with content ------------------------

# Run in the scratch project after its migrate: a write and a delete must reach search,
# the citation pages' data and the lists' tallies, and nothing may have drifted.
FOLLOWS_WRITES = """
import json
from django.db import connection
from statements import derived
from statements.models import Meeting, PublishedCitation, Resolution, Statement, Tally
from statements.search import filter_statements, search_paragraphs
from tests.factories import MeetingFactory, ParagraphFactory

def state(resolution):
    resolution.refresh_from_db()
    return {
        "hits": len(search_paragraphs("zanzibarish")[0:10]),
        "filtered": filter_statements(Statement.objects.all(), "zanzibarish").count(),
        "citation_count": resolution.citation_count,
        "published_citations": PublishedCitation.objects.filter(resolution=resolution).count(),
        "tallies": dict(Tally.objects.values_list("name", "value")),
        "meeting_counts": list(
            Meeting.objects.filter(note="new").values_list("statement_count", flat=True)
        ),
    }

resolution = Resolution.objects.order_by("number").first()
result = {"drift_before": derived.drift(connection), "before": state(resolution)}
paragraph = ParagraphFactory(text="A zanzibarish clause.", note="new", statement__note="new")
paragraph.resolutions.add(resolution)
meeting = MeetingFactory(note="new")
paragraph.statement.meetings.add(meeting)
result["written"] = state(resolution)
paragraph.statement.delete()
result["deleted"] = state(resolution)
result["drift_after"] = derived.drift(connection)
print(json.dumps(result))
"""


def add_note_fields(project: Path) -> None:
    """The maintainer's ordinary change: a plain field on three models."""
    models = project / "statements" / "models.py"
    source = models.read_text()
    for model in ("Meeting", "Statement", "Paragraph"):
        start = source.index(f"class {model}(TimeStampedModel):")
        meta = source.index("\n    class Meta:", start)
        field = '\n    note = models.CharField(max_length=50, blank=True, default="")\n'
        source = source[:meta] + field + source[meta:]
    models.write_text(source)


def scratch_database(engine: str, tmp_path: Path):
    """A database URL of the engine's, empty; and a function that removes it."""
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'scratch.sqlite3'}", lambda: None
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL only when the suite runs on it (DATABASE_URL)")
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_scratch"
    server = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }

    def drop() -> None:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}", drop


def manage(project: Path, database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "mofa_site.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_adding_a_field_migrates_a_database_with_content_and_everything_derived_follows(
    engine, tmp_path
):
    project = tmp_path / "site"
    ignored = shutil.ignore_patterns(".git", ".venv", "__pycache__", "db.sqlite3", "var")
    shutil.copytree(ROOT, project, ignore=ignored)
    database_url, drop_database = scratch_database(engine, tmp_path)
    try:

        def run(*args: str) -> str:
            result = manage(project, database_url, *args)
            assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
            return result.stdout

        run("migrate", "--verbosity=0")
        run("seed")
        add_note_fields(project)
        run("makemigrations", "statements", "--name=notes", "--verbosity=0")
        run("migrate", "--verbosity=0")  # failed on SQLite before statements/derived.py
        assert "matches its declaration" in run("check_derived")

        checked = json.loads(run("shell", "-c", FOLLOWS_WRITES).strip().splitlines()[-1])
        before, written, deleted = checked["before"], checked["written"], checked["deleted"]
        assert checked["drift_before"] == checked["drift_after"] == []
        assert (before["hits"], before["filtered"]) == (0, 0)
        assert (written["hits"], written["filtered"]) == (1, 1)
        assert written["citation_count"] == before["citation_count"] + 1
        assert written["published_citations"] == before["published_citations"] + 1
        assert written["meeting_counts"] == [1]
        assert written["tallies"] == {name: n + 1 for name, n in before["tallies"].items()}
        assert deleted == {**before, "meeting_counts": [0]}

        # And back: the field goes, the triggers stay right.
        run("migrate", "statements", "0016", "--verbosity=0")
        assert "matches its declaration" in run("check_derived")
    finally:
        drop_database()


# --- Drift is found and rebuilt ----------------------------------------------------------


@pytest.fixture
def content(db):
    resolution = ResolutionFactory(number=2397)
    for status in ("published", "published", "draft"):
        paragraph = ParagraphFactory(text="Sanctions apply.", statement__status=status)
        paragraph.resolutions.add(resolution)
        paragraph.statement.meetings.add(MeetingFactory())
    return resolution


def test_a_migrated_database_holds_exactly_the_declared_set(content):
    assert derived.drift(connection) == []
    call_command("check_derived", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_wrong_counts_and_tallies_are_reported_and_rebuilt(content):
    Resolution.objects.update(citation_count=99)
    Tally.objects.filter(name=Tally.PUBLISHED_STATEMENTS).update(value=-1)
    PublishedCitation.objects.filter(statement__status="published")[:1].get().delete()

    with pytest.raises(CommandError) as failure:
        call_command("check_derived")
    message = str(failure.value)
    assert "Resolution.citation_count: 1 row(s) differ" in message
    assert "tally published_statements is -1, a recount says 2" in message
    assert "PublishedCitation rows: 1 row(s)" in message

    call_command("rebuild_derived", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert derived.drift(connection) == []
    content.refresh_from_db()
    assert content.citation_count == 2
    assert Tally.objects.published_statements() == 2
    assert PublishedCitation.objects.count() == 2


def test_a_dropped_trigger_is_reported_and_install_puts_it_back(content):
    trigger = next(t for t in derived.declared_triggers(connection) if "tally_statement" in t.name)
    on = f" ON {trigger.table}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {trigger.name}{on}")
        cursor.execute(
            "CREATE TRIGGER statements_stray AFTER DELETE ON statements_meeting "
            + (
                "FOR EACH ROW EXECUTE FUNCTION statements_meeting_link_changed()"
                if connection.vendor == "postgresql"
                else "BEGIN SELECT 1; END"
            )
        )
    assert set(derived.drift(connection)) == {
        f"missing trigger {trigger.name} on {trigger.table}",
        "extra trigger statements_stray on statements_meeting",
    }

    derived.install(connection)
    assert derived.drift(connection) == []
    ParagraphFactory(statement__status="published")  # the tallies follow again
    assert derived.drift(connection) == []


def test_lost_search_rows_are_reported_and_rebuilt(content):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite keeps search tables; PostgreSQL's vectors are generated columns")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {derived.PUBLISHED_PARAGRAPHS}({derived.PUBLISHED_PARAGRAPHS}) "
            "VALUES ('delete-all')"
        )
        cursor.execute(
            f"INSERT INTO {derived.PARAGRAPH_FTS}({derived.PARAGRAPH_FTS}, rowid, text) "
            "SELECT 'delete', id, text FROM statements_paragraph LIMIT 1"
        )
    assert set(derived.drift(connection)) == {
        f"search table {derived.PARAGRAPH_FTS} differs from its content",
        f"search table {derived.PUBLISHED_PARAGRAPHS}: 2 row(s) missing or extra",
    }
    derived.rebuild(connection)
    assert derived.drift(connection) == []


def test_a_migrate_with_nothing_to_apply_leaves_the_triggers_alone(db):
    with CaptureQueriesContext(connection) as queries:
        call_command("migrate", verbosity=0)
    touched = [q["sql"] for q in queries if "TRIGGER" in q["sql"] or "statements_tally" in q["sql"]]
    assert touched == []


def plan_of(*operations, backwards: bool = False) -> list:
    migration = migrations.Migration("0099_example", "statements")
    migration.operations = list(operations)
    return [(migration, backwards)]


ADD_FIELD = migrations.AddField("statement", "note", models.CharField(max_length=5, default=""))


def test_only_a_migration_that_may_write_content_rebuilds_what_is_derived():
    assert not derived.may_change_content(plan_of(ADD_FIELD))
    assert derived.may_change_content(plan_of(ADD_FIELD, backwards=True))
    assert derived.may_change_content(plan_of(migrations.RunPython(migrations.RunPython.noop)))
    assert derived.may_change_content(plan_of(migrations.RunSQL("SELECT 1")))
    assert derived.may_change_content(plan_of(InstallDerived()))
    hidden = migrations.SeparateDatabaseAndState(database_operations=[migrations.RunSQL("")])
    assert derived.may_change_content(plan_of(hidden))


def test_a_schema_only_migrate_installs_the_triggers_without_reading_the_archive(
    content, monkeypatch
):
    rebuilt = []
    monkeypatch.setattr(derived, "rebuild", lambda connection: rebuilt.append(connection))
    derived.before_migrate(None, using="default", plan=plan_of(ADD_FIELD))
    assert derived.missing_or_extra(connection)  # away while migrations run
    derived.after_migrate(None, using="default", plan=plan_of(ADD_FIELD))
    assert (derived.missing_or_extra(connection), rebuilt) == ([], [])
    derived.after_migrate(None, using="default", plan=plan_of(migrations.RunSQL("SELECT 1")))
    assert rebuilt == [connection]


def test_the_declared_set_names_its_tables_from_the_models():
    assert Statement._meta.db_table == derived.STATEMENT
    for trigger in derived.sqlite_triggers() + derived.postgresql_triggers():
        assert trigger.reason and f" ON {trigger.table} " in trigger.definition
    for function in derived.postgresql_functions():
        assert function.reason


@example(date=derived.KEY_EPOCH, statement=1, position=0)
@given(
    date=st.dates(min_value=derived.KEY_EPOCH, max_value=dt.date(2258, 1, 1)),
    statement=st.integers(min_value=1, max_value=derived.STATEMENT_MASK),
    position=st.integers(min_value=0, max_value=100_000),
)
def test_a_reading_order_key_reads_back_as_its_day_statement_and_position(
    date, statement, position
):
    # The triggers write keys with paragraph_key(); search reads them with key_*() and
    # looks days up with day_keys(): one layout, both ways (SQLite's own arithmetic).
    with contextlib.closing(sqlite3.connect(":memory:")) as database:
        written = derived.paragraph_key("?", "?", "?")
        (key,) = database.execute(
            f"SELECT {written}", (date.isoformat(), statement, position)
        ).fetchone()
        readers = (derived.key_day, derived.key_statement, derived.key_position)
        read = ", ".join(reader(str(key)) for reader in readers)
        day, statement_read, position_read = database.execute(f"SELECT {read}").fetchone()
    assert day == derived.day_number(date)
    assert (statement_read, position_read) == (statement, min(position, derived.LAST_POSITION))
    first, last = derived.day_keys(day, day)
    assert first <= key <= last
    assert derived.day_keys(day + 1, day + 1)[0] == last + 1  # the days tile the keys


def test_the_database_system_check_warns_of_a_missing_trigger(content):
    from django.core.checks import run_checks

    assert run_checks(databases=["default"], tags=["database"]) == []
    trigger = derived.declared_triggers(connection)[0]
    on = f" ON {trigger.table}" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {trigger.name}{on}")
    messages = run_checks(databases=["default"], tags=["database"])
    assert [(m.id, m.msg) for m in messages] == [
        ("statements.W001", f"missing trigger {trigger.name} on {trigger.table}")
    ]


@pytest.mark.django_db
def test_reverting_a_meeting_or_resolution_keeps_the_counts_the_database_keeps():
    import reversion
    from reversion.models import Version

    from tests.factories import MeetingFactory, ParagraphFactory, ResolutionFactory

    meeting, resolution = MeetingFactory(), ResolutionFactory()
    for instance in (meeting, resolution):
        with reversion.create_revision():
            reversion.add_to_revision(instance)
    paragraph = ParagraphFactory(statement__status="published")
    paragraph.statement.meetings.add(meeting)
    paragraph.resolutions.add(resolution)
    for instance in (meeting, resolution):
        # History never carries the counts (serialize=False): a revert wrote them as 0.
        Version.objects.get_for_object(instance).first().revision.revert()
    meeting.refresh_from_db()
    resolution.refresh_from_db()
    assert (meeting.statement_count, resolution.citation_count) == (1, 1)
    assert Meeting.objects.published().filter(pk=meeting.pk).exists()
