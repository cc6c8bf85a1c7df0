"""Every path that writes a statement leaves the same kind of history: a first version
(with its paragraphs), then one per change, each naming the user (nobody for a command)
and saying what was done. Seeded statements start with a first version too."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import reversion
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient
from reversion.models import Version

from statements import services
from statements.models import Meeting, Resolution, Statement
from tests.statements.admin.test_admin import (
    change_url,
    create_through_admin,
    current_paragraphs,
    error_text,
    statement_data,
)
from tests.statements.test_import_command import MEETING_PAGE, STATEMENT_PAGE

pytestmark = pytest.mark.django_db


def history(obj, part: str = "paragraph") -> list[tuple[str | None, str, int]]:
    """Oldest first: (user, comment, parts recorded: paragraphs, participants...) of each
    revision."""
    versions = Version.objects.get_for_object(obj).order_by("pk")
    return [
        (
            v.revision.user.username if v.revision.user else None,
            v.revision.comment,
            v.revision.version_set.filter(content_type__model=part).count(),
        )
        for v in versions
    ]


def created_and_edited_in_the_admin(editor_client) -> Statement:
    statement = create_through_admin(editor_client)
    paragraphs = current_paragraphs(statement)
    paragraphs[1]["text"] = "Japan welcomes resolution 2375."
    response = editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    assert response.status_code == 302, error_text(response)
    return statement


def created_and_edited_through_the_api(editor) -> Statement:
    client = APIClient()
    client.force_authenticate(editor)
    paragraphs = [
        {"number": None, "text": "Today the Security Council adopted a resolution."},
        {"number": 1, "text": "Japan welcomes resolution 2397."},
        {"number": 2, "text": "Japan calls for the full implementation."},
    ]
    payload = {
        "slug": "2017-12-23-statement",
        "title": "Statement on Resolution 2397",
        "kind": "statement",
        "date": "2017-12-23",
        "paragraphs": paragraphs,
    }
    assert client.post("/api/v1/statements/", payload, format="json").status_code == 201
    paragraphs[1]["text"] = "Japan welcomes resolution 2375."
    response = client.patch(
        "/api/v1/statements/2017-12-23-statement/",
        {"version": 1, "paragraphs": paragraphs},
        format="json",
    )
    assert response.status_code == 200, response.content
    return Statement.objects.get(slug="2017-12-23-statement")


def created_and_edited_by_the_importer(tmp_path) -> Statement:
    page = tmp_path / "page.txt"
    text = STATEMENT_PAGE.read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    call_command("import_statements", str(page), stdout=StringIO())
    page.write_text(text.replace("Stockholm Agreement.", "Stockholm Agreement, 2375."))
    call_command("import_statements", str(page), stdout=StringIO())
    return Statement.objects.exclude(source_text="").get()


def test_the_admin_the_api_and_the_importer_leave_the_same_kind_of_history(
    editor_client, editor, tmp_path
):
    paths = {
        "admin": (created_and_edited_in_the_admin(editor_client), "editor"),
        "api": (created_and_edited_through_the_api(editor), "editor"),
        "importer": (created_and_edited_by_the_importer(tmp_path), None),
    }
    for path, (statement, user) in paths.items():
        recorded = history(statement)
        assert len(recorded) == 2, (path, recorded)  # the first version, then the edit
        assert [u for u, _comment, _count in recorded] == [user, user], path
        assert all(comment for _user, comment, _count in recorded), (path, recorded)
        # Each version holds the statement's paragraphs as they were.
        assert [count for *_, count in recorded] == [statement.paragraphs.count()] * 2, path
        first, second = Version.objects.get_for_object(statement).order_by("pk")
        assert first.revision.date_created <= second.revision.date_created


def test_seeded_statements_have_a_first_version_the_compare_view_works_against(
    editor_client,
):
    call_command("seed", stdout=StringIO())
    statements = list(Statement.objects.all())
    assert statements
    for statement in statements:
        assert len(history(statement)) == 1
    statement = statements[0]
    paragraphs = current_paragraphs(statement)
    paragraphs[0]["text"] = paragraphs[0]["text"] + " Edited."
    response = editor_client.post(change_url(statement), statement_data(statement, paragraphs))
    assert response.status_code == 302, error_text(response)
    first, edited = Version.objects.get_for_object(statement).order_by("pk")
    compare = editor_client.get(
        reverse("admin:statements_statement_compare", args=[statement.pk]),
        {"version_id1": first.pk, "version_id2": edited.pk},
    )
    assert compare.status_code == 200
    assert "Edited.</ins>" in compare.content.decode()


# --- The admin's other saves, reverts and deletes -------------------------------------------


def meeting_form(**fields) -> dict:
    """The meeting form's POST, with its participants inline (dicts, in form order)."""
    participants = fields.pop("participants", [])
    data = {
        "title": "Meeting with the Secretary-General",
        "slug": "2017-09-19-meeting",
        "kind": "bilateral",
        "occasion": "",
        "location": "New York",
        "date": "2017-09-19",
        "start_time": "12:05",
        "timezone": "America/New_York",
        "duration_minutes": "",
        "participants-TOTAL_FORMS": str(len(participants)),
        "participants-INITIAL_FORMS": str(sum(1 for p in participants if p.get("id"))),
        **fields,
    }
    for index, participant in enumerate(participants):
        prefix = f"participants-{index}-"
        data.update({prefix + "id": str(participant.get("id", "")), prefix + "meeting": ""})
        data.update({prefix + name: str(participant.get(name, "")) for name in PARTICIPANT})
        data[prefix + "person"] = str(participant.get("person") or "")  # as the form shows it
    return data


PARTICIPANT = ("position", "name", "role", "organisation")


def current_participants(meeting: Meeting) -> list[dict]:
    return [
        {"id": p.pk, "person": p.person_id, **{name: getattr(p, name) for name in PARTICIPANT}}
        for p in meeting.participants.order_by("position")
    ]


def test_a_meeting_saved_in_the_admin_has_one_revision_per_save_with_its_participants(
    editor_client,
):
    add = reverse("admin:statements_meeting_add")
    abe = {"position": 1, "name": "Shinzo Abe", "role": "Prime Minister"}
    guterres = {"position": 2, "name": "António Guterres", "role": "Secretary-General"}
    response = editor_client.post(add, meeting_form(participants=[abe, guterres]))
    assert response.status_code == 302, error_text(response)
    meeting = Meeting.objects.get()
    # Put the Secretary-General first and change the place.
    first, second = current_participants(meeting)
    change = reverse("admin:statements_meeting_change", args=[meeting.pk])
    response = editor_client.post(
        change,
        meeting_form(
            location="Geneva",
            participants=[{**first, "position": 2}, {**second, "position": 1}],
        ),
    )
    assert response.status_code == 302, error_text(response)

    meeting.refresh_from_db()
    assert meeting.location == "Geneva"
    assert [p.name for p in meeting.participants.order_by("position")] == [
        "António Guterres",
        "Shinzo Abe",
    ]
    recorded = history(meeting, "participant")
    assert [(user, count) for user, _comment, count in recorded] == [("editor", 2)] * 2
    added, changed = (comment for _user, comment, _count in recorded)
    assert added.startswith("Added.") and "Shinzo Abe" in added  # the admin's message
    assert changed.startswith("Changed Location. Changed Order for participant “Shinzo Abe")


def test_a_resolution_saved_in_the_admin_has_one_revision_per_save(editor_client):
    add = reverse("admin:statements_resolution_add")
    form = {"number": "2397", "vote": "15-0-0", "title": "", "document_url": "", "summary": ""}
    assert editor_client.post(add, form).status_code == 302
    resolution = Resolution.objects.get()
    change = reverse("admin:statements_resolution_change", args=[resolution.pk])
    response = editor_client.post(change, {**form, "title": "Non-proliferation/DPRK"})
    assert response.status_code == 302, error_text(response)
    resolution.refresh_from_db()
    assert resolution.title == "Non-proliferation/DPRK"
    assert resolution.symbol == "S/RES/2397"  # computed by its save, as before
    recorded = history(resolution)
    assert [user for user, _comment, _count in recorded] == ["editor", "editor"]
    assert recorded[0][1].startswith("Added.")
    assert "title" in recorded[1][1].lower()


def test_a_revert_in_the_admin_adds_one_revision_saying_so(editor_client):
    statement = created_and_edited_in_the_admin(editor_client)
    first = Version.objects.get_for_object(statement).order_by("pk").first()
    revert = reverse("admin:statements_statement_revision", args=[statement.pk, first.pk])
    page = editor_client.get(revert)  # the form shows the old paragraphs
    statement.refresh_from_db()
    paragraphs = [
        {**p, "text": form.initial["text"]}
        for p, form in zip(
            current_paragraphs(statement),
            page.context["inline_admin_formsets"][0].formset.forms,
            strict=True,
        )
    ]
    response = editor_client.post(revert, statement_data(statement, paragraphs))
    assert response.status_code == 302, error_text(response)
    recorded = history(statement)
    assert len(recorded) == 3
    assert recorded[-1][0] == "editor"
    assert recorded[-1][1].startswith("Reverted to previous version")
    assert statement.paragraphs.get(position=2).text == "Japan welcomes resolution 2397."


def test_deleting_in_the_admin_goes_through_the_services_and_can_be_recovered(admin_client):
    meeting = services.meeting_create(
        slug="2017-09-19-meeting", title="Meeting", date=dt.date(2017, 9, 19)
    )
    resolutions = [services.resolution_create(number=n) for n in (2375, 2397)]
    response = admin_client.post(
        reverse("admin:statements_meeting_delete", args=[meeting.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    response = admin_client.post(
        reverse("admin:statements_resolution_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [r.pk for r in resolutions],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Meeting.objects.exists() and not Resolution.objects.exists()
    assert Version.objects.get_deleted(Meeting).count() == 1
    assert Version.objects.get_deleted(Resolution).count() == 2
    recover = reverse(
        "admin:statements_resolution_recover",
        args=[Version.objects.get_deleted(Resolution).get(object_id=resolutions[1].pk).pk],
    )
    form = {"number": "2397", "vote": "", "title": "", "document_url": "", "summary": ""}
    assert admin_client.post(recover, form).status_code == 302
    assert list(Resolution.objects.values_list("number", flat=True)) == [2397]


def test_recording_a_version_checks_paragraphs_and_participants_without_a_join():
    # Reversion checks that every object of a revision still exists, a query per model
    # and revision, through the base manager: the default ordering of paragraphs and
    # participants (through their statement, their meeting) would join and sort.
    call_command("import_statements", str(MEETING_PAGE), stdout=StringIO())
    statement, meeting = Statement.objects.get(), Meeting.objects.get()
    assert statement.paragraphs.exists() and meeting.participants.exists()
    with CaptureQueriesContext(connection) as queries:
        for obj in (statement, meeting):
            with reversion.create_revision():
                reversion.add_to_revision(obj)
    checks = {
        table: [q["sql"] for q in queries if q["sql"].startswith(f'SELECT "{table}"."id" AS')]
        for table in ("statements_paragraph", "statements_participant")
    }
    for table, sql in checks.items():
        assert len(sql) == 1, (table, sql)
        assert "JOIN" not in sql[0] and "ORDER BY" not in sql[0]
    assert len(Version.objects.get_for_object(statement)) == 2
