"""Change notes through the API: the detail exposes them, a write with a change note is a
major change, one without a minor one."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from statements.models import ChangeNote, Statement
from tests.factories import UserFactory
from tests.statements.api.test_api import EDITOR_PERMISSIONS
from tests.statements.api.test_api_writes import statement_payload

pytestmark = pytest.mark.django_db

URL = "/api/v1/statements/2017-12-23-statement-on-2397/"


@pytest.fixture
def editor_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(username="editor", permissions=EDITOR_PERMISSIONS))
    return client


def published(client) -> dict:
    response = client.post(
        "/api/v1/statements/", statement_payload(status="published"), format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_detail_gives_first_publication_last_update_and_notes(editor_client):
    created = published(editor_client)
    body = APIClient().get(URL).json()
    assert body["first_published_at"] == created["published_at"] == body["published_at"]
    assert body["public_updated_at"] == body["first_published_at"]
    assert body["change_notes"] == [
        {"date": body["first_published_at"], "note": "First published."}
    ]


def test_a_write_with_a_change_note_is_a_major_change(editor_client):
    published(editor_client)
    response = editor_client.patch(
        URL,
        {"version": 1, "speaker": "Taro Kono", "change_note": "Named the speaker."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert "change_note" not in body
    assert [n["note"] for n in body["change_notes"]] == ["Named the speaker.", "First published."]
    assert body["public_updated_at"] == body["change_notes"][0]["date"]
    assert body["public_updated_at"] > body["first_published_at"]
    public = APIClient().get(URL).json()
    assert public["change_notes"] == body["change_notes"]


def test_a_write_without_one_is_minor(editor_client):
    created = published(editor_client)
    response = editor_client.patch(URL, {"version": 1, "speaker": "Kono"}, format="json")
    body = response.json()
    assert body["speaker"] == "Kono"
    assert body["public_updated_at"] == created["public_updated_at"]
    assert len(body["change_notes"]) == 1
    statement = Statement.objects.get(slug=body["slug"])
    assert ChangeNote.objects.filter(statement=statement, major=False).count() == 1


def test_a_change_note_on_a_draft_is_refused_and_says_why(editor_client):
    editor_client.post("/api/v1/statements/", statement_payload(), format="json")
    response = editor_client.patch(URL, {"version": 1, "change_note": "Corrected."}, format="json")
    assert response.status_code == 400
    assert "Readers have not seen this statement yet" in response.json()["errors"]["change_note"][0]
    assert Statement.objects.get(slug="2017-12-23-statement-on-2397").version == 1
