"""Every path that writes a statement leaves the same kind of history: a first version
(with its paragraphs), then one per change, each naming the user (nobody for a command)
and saying what was done. Seeded statements start with a first version too."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient
from reversion.models import Version

from statements.models import Statement
from tests.test_admin import (
    change_url,
    create_through_admin,
    current_paragraphs,
    error_text,
    statement_data,
)
from tests.test_import_command import STATEMENT_PAGE

pytestmark = pytest.mark.django_db


def history(statement: Statement) -> list[tuple[str | None, str, int]]:
    """Oldest first: (user, comment, paragraphs recorded) of each revision."""
    versions = Version.objects.get_for_object(statement).order_by("pk")
    return [
        (
            v.revision.user.username if v.revision.user else None,
            v.revision.comment,
            v.revision.version_set.filter(content_type__model="paragraph").count(),
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
