"""The import_statements command: atomic, idempotent, clear about bad input."""

import datetime
import importlib
import json
import shutil
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
import reversion
from django.apps import apps
from django.core.management import CommandError, call_command
from reversion.models import Version

from statements.importing import parse_document
from statements.models import Meeting, Paragraph, Participant, Resolution, Statement
from tests.factories import StatementFactory
from tests.paths import GOLDEN, SEEDS

pytestmark = pytest.mark.django_db

STATEMENT_PAGE = SEEDS / "000_a026e662df115a8c.txt"
MEETING_PAGE = SEEDS / "003_a464196ed3b8e9c0.txt"


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_statements", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Statement, Paragraph, Resolution, Meeting, Participant, Paragraph.resolutions.through)
    return {model.__name__: model.objects.count() for model in models}


def test_importing_the_seeds_creates_drafts_with_paragraphs_citations_and_the_meeting():
    output = run(str(SEEDS))
    assert Statement.objects.count() == 2
    assert set(Statement.objects.values_list("status", flat=True)) == {"draft"}
    statement = Statement.objects.get(date="2017-12-23")
    assert statement.paragraphs.count() == 7
    assert sorted(Paragraph.objects.citing(2397).values_list("number", flat=True)) == [1, 3, 4, 6]
    assert Resolution.objects.get(number=2397).symbol == "S/RES/2397"
    meeting = Statement.objects.get(date="2017-09-19").meetings.get()
    assert (meeting.date.isoformat(), meeting.start_time.isoformat()) == ("2017-09-19", "12:05:00")
    assert meeting.participants.count() == 2
    assert "created" in output and "Imported 2 page(s): 2 created" in output


def test_importing_twice_equals_importing_once():
    run(str(SEEDS))
    first = counts()
    snapshot = list(Paragraph.objects.order_by("pk").values("pk", "text", "updated_at"))
    output = run(str(SEEDS))
    assert counts() == first
    assert list(Paragraph.objects.order_by("pk").values("pk", "text", "updated_at")) == snapshot
    assert "2 unchanged" in output


def test_reimport_keeps_editor_changes_to_fields_the_source_does_not_carry():
    run(str(SEEDS))
    Resolution.objects.filter(number=2397).update(vote="15-0-0", title="Non-proliferation/DPRK")
    Statement.objects.filter(date="2017-12-23").update(title="Edited by an editor")
    run(str(SEEDS))
    resolution = Resolution.objects.get(number=2397)
    assert (resolution.vote, resolution.title) == ("15-0-0", "Non-proliferation/DPRK")
    assert Statement.objects.get(date="2017-12-23").title == "Edited by an editor"


def test_reimport_of_a_changed_page_updates_its_paragraphs(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(STATEMENT_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    run(str(page))
    changed = STATEMENT_PAGE.read_text(encoding="utf-8").replace(
        "Stockholm Agreement.", "Stockholm Agreement and resolution 2375."
    )
    page.write_text(changed, encoding="utf-8")
    output = run(str(page))
    assert "updated" in output
    last = Paragraph.objects.get(statement__date="2017-12-23", number=7)
    assert last.text.endswith("Stockholm Agreement and resolution 2375.")
    assert [r.number for r in last.resolutions.all()] == [2375]
    assert Statement.objects.count() == 1


def test_one_bad_file_in_a_batch_writes_nothing_and_names_the_file(tmp_path):
    shutil.copy(STATEMENT_PAGE, tmp_path / "a_good.txt")
    (tmp_path / "b_bad.txt").write_text("Japan and the United Nations\n\nNo date here.\n")
    with pytest.raises(CommandError) as excinfo:
        run(str(tmp_path))
    assert "b_bad.txt" in str(excinfo.value)
    assert "nothing was written" in str(excinfo.value)
    assert excinfo.value.returncode == 1
    assert counts() == dict.fromkeys(counts(), 0)


def test_dry_run_json_prints_the_parsed_pages_and_writes_nothing():
    output = run("--dry-run", "--json", str(STATEMENT_PAGE), str(MEETING_PAGE))
    documents = json.loads(output)
    assert [d["date"] for d in documents] == ["2017-12-23", "2017-09-19"]
    assert documents[0]["resolutions"] == [2397]
    assert documents[1]["meeting"]["start_time"] == "12:05"
    assert set(documents[0]) == {
        "section", "title", "title_derived", "kind", "date", "speaker", "paragraphs",
        "resolutions", "meeting",
    }  # fmt: skip
    assert counts() == dict.fromkeys(counts(), 0)


def test_dry_run_json_lists_a_nested_page_flat_in_reading_order():
    nested = GOLDEN / "handmade_headings_subitems.txt"
    [document] = json.loads(run("--dry-run", "--json", str(nested)))
    blocks = [(b["kind"], b["label"], b["depth"], b["text"][:12]) for b in document["paragraphs"]]
    assert blocks[:4] == [
        ("heading", "1", 0, "Maintenance "),
        ("paragraph", "(1)", 1, "Japan reaffi"),
        ("paragraph", "(2)", 1, "Japan stress"),
        ("heading", "2", 0, "Reform of th"),
    ]
    assert {"kind", "label", "depth", "text", "resolutions"} <= set(document["paragraphs"][0])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"Japan and the United Nations\n\nSome text without a date.\n", "date"),
        ("Japan\nDecember 23, 2017\n  1. Caf\u00e9".encode("latin-1"), "not UTF-8"),
    ],
    ids=["empty", "binary", "no-date-line", "latin-1"],
)
def test_bad_input_gives_a_clear_error_and_exit_status_1(tmp_path, content, expected):
    page = tmp_path / "page.txt"
    page.write_bytes(content)
    with pytest.raises(CommandError) as excinfo:
        run(str(page))
    message = str(excinfo.value)
    assert "page.txt" in message
    assert expected.lower() in message.lower()
    assert excinfo.value.returncode == 1


def test_an_unreadable_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run(str(tmp_path / "missing.txt"))


def test_a_reimport_that_changes_a_statement_makes_open_editor_forms_stale(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(STATEMENT_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    run(str(page))
    version_seen_by_editor = Statement.objects.get().version
    page.write_text(
        page.read_text(encoding="utf-8").replace("Stockholm Agreement.", "Stockholm Agreement!"),
        encoding="utf-8",
    )
    run(str(page))
    assert Statement.objects.get().version == version_seen_by_editor + 1
    run(str(page))  # unchanged: no new version
    assert Statement.objects.get().version == version_seen_by_editor + 1


def test_reimport_finds_the_statement_after_an_editor_changed_its_date_and_opening():
    run(str(STATEMENT_PAGE))
    statement = Statement.objects.get()
    Statement.objects.filter(pk=statement.pk).update(date="2017-12-24")
    Paragraph.objects.filter(statement=statement, position=1).update(text="Rewritten opening.")
    assert "unchanged" in run(str(STATEMENT_PAGE))
    assert Statement.objects.count() == 1


PAGE = """Japan and the United Nations

December 23, 2017
  1. {opening}
  2. Japan will continue to work with the members of the Council.

Back to Japan and the United Nations
"""


def test_reimport_matches_a_page_whose_opening_differs_only_in_spacing_and_markup(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE.format(opening="Japan welcomes Resolution 2397."), encoding="utf-8")
    run(str(page))
    page.write_text(
        PAGE.format(opening="Japan  welcomes Resolution 2397 (PDF)Open a New Window."),
        encoding="utf-8",
    )
    run(str(page))
    assert Statement.objects.count() == 1


def test_a_page_on_the_same_date_with_another_opening_is_a_new_statement(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE.format(opening="Japan welcomes Resolution 2397."), encoding="utf-8")
    run(str(page))
    page.write_text(PAGE.format(opening="Japan regrets the vote."), encoding="utf-8")
    run(str(page))
    assert Statement.objects.count() == 2


def test_an_import_updates_the_statement_an_editor_typed_in_with_the_same_first_paragraph():
    from statements.importing import parse_document

    document = parse_document(STATEMENT_PAGE.read_text(encoding="utf-8"))
    typed = Statement.objects.create(slug="typed", title="Typed in", date=document.date)
    Paragraph.objects.create(statement=typed, position=1, text=document.paragraphs[0].text)
    output = run(str(STATEMENT_PAGE))
    assert "updated typed" in output
    assert Statement.objects.get().paragraphs.count() == len(document.paragraphs)


def test_the_command_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    import gc

    before = gc.get_threshold()
    run(str(STATEMENT_PAGE))
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(CommandError):
        run(str(tmp_path / "empty.txt"))
    assert gc.get_threshold() == before


def version_rows(revision) -> set[tuple]:
    return set(
        revision.version_set.values_list(
            "content_type", "object_id", "db", "format", "serialized_data", "object_repr"
        )
    )


def assert_revisions_as_reversion_records_them(imported_files: dict[str, str]) -> None:
    for statement in Statement.objects.all():
        imported = Version.objects.get_for_object(statement).latest("pk").revision
        assert imported.comment == f"Imported from {imported_files[statement.slug]}."
        assert imported.user is None
        with reversion.create_revision():
            reversion.add_to_revision(Statement.objects.get(pk=statement.pk))
        own = Version.objects.get_for_object(statement).latest("pk").revision
        assert version_rows(imported) == version_rows(own)
        assert len(version_rows(imported)) == 1 + statement.paragraphs.count()


def files_by_slug(output: str, folder: Path) -> dict[str, str]:
    # "<file>: created <slug>: 7 paragraphs, ..."
    return {
        line.split()[2].rstrip(":"): Path(line.split(": ")[0]).name
        for line in output.splitlines()
        if line.startswith(str(folder)) and line.split()[1] != "unchanged"
    }


def test_an_import_records_the_revision_reversion_itself_would(tmp_path):
    # A paragraph citing several resolutions, out of order, and a meeting page.
    shutil.copy(MEETING_PAGE, tmp_path / "meeting.txt")
    (tmp_path / "statement.txt").write_text(
        STATEMENT_PAGE.read_text(encoding="utf-8").replace(
            "Stockholm Agreement.", "Stockholm Agreement, resolutions 2397, 2270 and 2375."
        ),
        encoding="utf-8",
    )
    assert_revisions_as_reversion_records_them(files_by_slug(run(str(tmp_path)), tmp_path))
    last = Paragraph.objects.get(statement__date="2017-12-23", number=7)
    assert last.resolutions.count() == 3


def test_a_reimport_records_the_revision_reversion_itself_would(tmp_path):
    shutil.copy(STATEMENT_PAGE, tmp_path / "statement.txt")
    run(str(tmp_path))
    # Changed, and the same page twice in one run: the second updates the first.
    (tmp_path / "statement.txt").write_text(
        STATEMENT_PAGE.read_text(encoding="utf-8").replace(
            "Stockholm Agreement.", "Stockholm Agreement and resolution 2375."
        ),
        encoding="utf-8",
    )
    shutil.copy(MEETING_PAGE, tmp_path / "a.txt")
    shutil.copy(MEETING_PAGE, tmp_path / "b.txt")
    output = run(str(tmp_path))
    assert "updated" in output
    # b.txt left a.txt's statement unchanged: its revision names a.txt.
    assert_revisions_as_reversion_records_them(files_by_slug(output, tmp_path))


def test_an_imported_statement_reverts_to_its_imported_state():
    run(str(STATEMENT_PAGE))
    statement = Statement.objects.get()
    before = list(statement.paragraphs.values_list("number", "text"))
    citations = counts()["Paragraph_resolutions"]
    statement.paragraphs.filter(number=1).update(text="Edited.")
    statement.paragraphs.filter(number=2).delete()
    Statement.objects.filter(pk=statement.pk).update(title="Renamed")
    Version.objects.get_for_object(statement).get().revision.revert(delete=True)
    statement.refresh_from_db()
    assert statement.title != "Renamed"
    assert list(statement.paragraphs.values_list("number", "text")) == before
    assert counts()["Paragraph_resolutions"] == citations


def test_imported_paragraphs_keep_their_timestamps_to_the_microsecond():
    moment = datetime.datetime(2026, 12, 2, 14, 55, 1, 123456, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        run(str(STATEMENT_PAGE))
    stamps = set(Paragraph.objects.values_list("created_at", "updated_at"))
    assert stamps == {(moment, moment)}


def test_reimporting_a_meeting_fills_only_its_blank_fields_and_adds_missing_participants():
    run(str(MEETING_PAGE))
    meeting = Meeting.objects.get()
    imported = {
        "location": meeting.location,
        "occasion": meeting.occasion,
        "people": list(meeting.participants.values_list("name", flat=True)),
    }
    assert imported["location"] and imported["occasion"] and len(imported["people"]) == 2
    # An editor clears one field, rewrites another, removes a participant and adds one.
    Meeting.objects.filter(pk=meeting.pk).update(location="", occasion="Edited occasion")
    meeting.participants.filter(name=imported["people"][0]).delete()
    Participant.objects.create(meeting=meeting, position=9, name="Added by an editor")

    run(str(MEETING_PAGE))

    meeting.refresh_from_db()
    assert (meeting.location, meeting.occasion) == (imported["location"], "Edited occasion")
    assert list(meeting.participants.order_by("position").values_list("name", flat=True)) == [
        imported["people"][1],
        imported["people"][0],  # back, after the participants the meeting had
        "Added by an editor",
    ]


def test_pages_reporting_the_same_meeting_share_one_meeting_in_one_import(tmp_path):
    shutil.copy(MEETING_PAGE, tmp_path / "a.txt")
    # Another statement (its own opening) on the same meeting.
    page = MEETING_PAGE.read_text(encoding="utf-8")
    other = page.replace("The overview of the meeting is", "An overview of the meeting is")
    assert other != page
    (tmp_path / "b.txt").write_text(other, encoding="utf-8")

    run(str(tmp_path))

    meeting = Meeting.objects.get()
    assert Statement.objects.count() == 2
    assert set(meeting.statements.values_list("pk", flat=True)) == set(
        Statement.objects.values_list("pk", flat=True)
    )
    assert meeting.participants.count() == 2


def improve_the_parser(monkeypatch) -> None:
    """A new parsing rule: derived statement titles name the date, and "U N" is spelt
    "UN" in paragraphs."""
    from statements.importing import parser

    monkeypatch.setattr(parser, "_statement_title", lambda header, paragraphs: "Better title")
    clean = parser.clean_text
    monkeypatch.setattr(parser, "clean_text", lambda text: clean(text).replace("U N ", "UN "))


def test_a_reimport_after_a_parser_change_updates_the_title_and_keeps_edited_paragraphs(
    monkeypatch,
):
    run(str(STATEMENT_PAGE))
    statement = Statement.objects.get()
    statement.paragraphs.filter(number=1).update(text="Edited by an editor.")
    improve_the_parser(monkeypatch)

    output = run(str(STATEMENT_PAGE))

    statement.refresh_from_db()
    assert statement.title == "Better title"  # the editor never touched it
    texts = list(statement.paragraphs.order_by("position").values_list("text", flat=True))
    assert texts[0] == "Edited by an editor."  # kept, with the rest of the paragraphs
    assert "U N Member States" in texts[4]
    assert "updated" in output and "kept editors' paragraphs" in output


def test_a_reimport_after_a_parser_change_updates_paragraphs_and_keeps_an_edited_title(
    monkeypatch,
):
    run(str(STATEMENT_PAGE))
    Statement.objects.update(title="Edited by an editor")
    improve_the_parser(monkeypatch)

    run(str(STATEMENT_PAGE))

    statement = Statement.objects.get()
    assert statement.title == "Edited by an editor"
    texts = list(statement.paragraphs.order_by("position").values_list("text", flat=True))
    assert "UN Member States" in texts[4] and "U N " not in texts[4]
    # The next re-import with the same parser changes nothing.
    assert "1 unchanged" in run(str(STATEMENT_PAGE))


def test_an_import_stores_its_reading_of_the_page_as_the_baseline():
    run(str(STATEMENT_PAGE))
    statement = Statement.objects.get()
    expected = parse_document(STATEMENT_PAGE.read_text(encoding="utf-8")).as_json()
    assert statement.import_baseline == expected


def test_the_migration_gives_statements_imported_before_it_their_baseline():
    migration = importlib.import_module("statements.migrations.0017_statement_import_baseline")
    run(str(SEEDS))
    Statement.objects.update(import_baseline=None)
    typed = StatementFactory(source_text="")
    migration.baseline_imported_statements(apps, None)
    for statement in Statement.objects.exclude(pk=typed.pk):
        assert statement.import_baseline == parse_document(statement.source_text).as_json()
    typed.refresh_from_db()
    assert typed.import_baseline is None


def test_an_import_gives_the_meeting_it_creates_a_first_version_with_its_participants():
    run(str(MEETING_PAGE))
    meeting = Meeting.objects.get()
    version = Version.objects.get_for_object(meeting).get()
    assert version.revision.comment == f"Imported from {MEETING_PAGE.name}."
    stored = {v.object_id for v in version.revision.version_set.all()}
    assert set(map(str, meeting.participants.values_list("pk", flat=True))) <= stored

    run(str(MEETING_PAGE))  # nothing to complete: no new version
    assert Version.objects.get_for_object(meeting).count() == 1

    Meeting.objects.filter(pk=meeting.pk).update(location="")
    run(str(MEETING_PAGE))  # completed: a version of what the import wrote
    assert Version.objects.get_for_object(meeting).count() == 2
    assert Version.objects.get_for_object(meeting).first().field_dict["location"]


def test_reverting_one_imported_statement_leaves_the_others_of_its_import_alone():
    # Why an import records a revision per statement, not one for the run: reversion
    # reverts a whole revision.
    run(str(STATEMENT_PAGE), str(MEETING_PAGE))
    reverted, other = Statement.objects.order_by("pk")
    Statement.objects.filter(pk__in=[reverted.pk, other.pk]).update(title="Edited")
    Version.objects.get_for_object(reverted).get().revision.revert(delete=True)
    assert Statement.objects.get(pk=reverted.pk).title == reverted.title
    assert Statement.objects.get(pk=other.pk).title == "Edited"
