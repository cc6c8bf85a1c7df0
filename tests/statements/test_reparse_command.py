"""The reparse and relink commands: stored pages read again with today's parser, and
citations recomputed from the paragraphs' text."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from mofa_site import caching
from statements.importing import parse_document
from statements.models import Paragraph, Statement
from tests.paths import SEEDS

pytestmark = pytest.mark.django_db

STATEMENT_PAGE = SEEDS / "000_a026e662df115a8c.txt"


def command(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def improve_the_parser(monkeypatch) -> None:
    """A new parsing rule: derived statement titles read better, "U N" is spelt "UN"."""
    from statements.importing import parser

    monkeypatch.setattr(parser, "_statement_title", lambda header, paragraphs: "Better title")
    clean = parser.clean_text
    monkeypatch.setattr(parser, "clean_text", lambda text: clean(text).replace("U N ", "UN "))


@pytest.fixture
def imported():
    command("import_statements", str(SEEDS))
    return {s.kind: s for s in Statement.objects.all()}


def versions(statement: Statement) -> int:
    return Version.objects.get_for_object(statement).count()


def test_reparse_dry_run_reports_each_changed_field_and_writes_nothing(imported, monkeypatch):
    statement = imported["statement"]
    before = (statement.title, statement.import_baseline, versions(statement))
    improve_the_parser(monkeypatch)

    output = command("reparse", "--dry-run")

    assert (
        f"{statement.slug}: title: 'Statement on the adoption of UN Security Council "
        "Resolution 2397' → 'Better title'"
    ) in output
    assert f"{statement.slug}: paragraphs (7 → 7): ¶5 …" in output
    assert "call on all ['U N ' → 'UN ']Member States" in output
    assert imported["meeting_summary"].slug not in output  # today's parser reads it alike
    assert "2 stored page(s): 1 would be updated; nothing written (dry run)." in output
    statement.refresh_from_db()
    assert (statement.title, statement.import_baseline, versions(statement)) == before


def test_reparse_applies_todays_reading_to_untouched_fields_once_with_one_revision(
    imported, monkeypatch
):
    statement, summary = imported["statement"], imported["meeting_summary"]
    statement.paragraphs.filter(number=1).update(text="Edited by an editor.")
    history = (versions(statement), versions(summary))
    improve_the_parser(monkeypatch)

    output = command("reparse")

    assert "paragraphs (7 → 7)" in output and "(kept: an editor changed it)" in output
    assert "2 stored page(s): 1 updated, 1 unchanged." in output
    statement.refresh_from_db()
    assert statement.title == "Better title"
    texts = list(statement.paragraphs.order_by("position").values_list("text", flat=True))
    assert texts[0] == "Edited by an editor." and "U N Member States" in texts[4]
    assert statement.import_baseline == parse_document(statement.source_text).as_json()
    assert (versions(statement), versions(summary)) == (history[0] + 1, history[1])
    revision = Version.objects.get_for_object(statement).first().revision
    assert revision.comment == "Re-parsed with the current importer."

    again = command("reparse")
    assert "2 stored page(s): 0 updated, 2 unchanged." in again
    assert "title" not in again
    assert versions(statement) == history[0] + 1


def test_reparse_of_named_statements_only_and_an_unknown_slug_is_an_error(imported, monkeypatch):
    statement = imported["statement"]
    improve_the_parser(monkeypatch)
    output = command("reparse", imported["meeting_summary"].slug)
    assert "1 stored page(s): 0 updated, 1 unchanged." in output
    with pytest.raises(CommandError, match="No statement with the slug: no-such-page"):
        command("reparse", statement.slug, "no-such-page")
    statement.refresh_from_db()
    assert statement.title != "Better title"


@pytest.mark.django_db(transaction=True)
def test_reparse_retires_the_cached_pages_and_a_dry_run_does_not(monkeypatch):
    command("import_statements", str(STATEMENT_PAGE))
    improve_the_parser(monkeypatch)
    start = caching.content_generation()
    command("reparse", "--dry-run")
    assert caching.content_generation() == start
    command("reparse")
    assert caching.content_generation() == start + 1


def test_relink_restores_the_citations_of_a_paragraph_whose_links_were_removed(imported):
    paragraph = Paragraph.objects.citing(2397).order_by("pk").first()
    cited = list(paragraph.resolutions.values_list("number", flat=True))
    paragraph.resolutions.clear()
    statement = paragraph.statement
    history = versions(statement)

    assert command("relink", "--dry-run") == "1 paragraph(s) would be relinked (dry run).\n"
    assert not paragraph.resolutions.exists()

    assert "Relinked 1 paragraph(s)." in command("relink")
    assert list(paragraph.resolutions.values_list("number", flat=True)) == cited
    assert versions(statement) == history + 1
    assert "Relinked 0 paragraph(s)." in command("relink")
    assert versions(statement) == history + 1
