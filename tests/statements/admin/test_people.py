"""Editors curate people in the admin: roles, search by any spelling, the unconfirmed, merging."""

import pytest
from django.urls import reverse
from reversion.models import Version

from statements.models import Person, Statement
from tests.factories import MeetingFactory, ParticipantFactory, PersonFactory, StatementFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:statements_person_changelist")


def names(response) -> list[str]:
    return [person.name for person in response.context["cl"].result_list]


def test_an_editor_adds_a_person_with_roles_through_the_service(editor_client, editor):
    response = editor_client.post(
        reverse("admin:statements_person_add"),
        {
            "name": "Taro Kono",
            "sort_name": "Kono Taro",
            "slug": "taro-kono",
            "spellings": '["KONO Taro"]',
            "confirmed": "on",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-0-title": "Foreign Minister",
            "roles-0-organisation": "Japan",
            "roles-0-start_date": "2017-08-03",
            "roles-0-end_date": "2019-09-11",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    kono = Person.objects.get(slug="taro-kono")
    assert kono.confirmed and kono.spellings == ["KONO Taro"]
    assert [(r.title, str(r.end_date)) for r in kono.roles.all()] == [
        ("Foreign Minister", "2019-09-11")
    ]
    assert Version.objects.get_for_object(kono).get().revision.user == editor


def test_search_finds_any_spelling_with_or_without_accents(editor_client):
    PersonFactory(name="Péter Szijjártó", slug="szijjarto")
    PersonFactory(name="Taro Kono", slug="kono", spellings=["KONO Taro"])
    PersonFactory(name="Shinzo Abe", slug="abe")
    assert names(editor_client.get(CHANGELIST, {"q": "szijjarto"})) == ["Péter Szijjártó"]
    assert names(editor_client.get(CHANGELIST, {"q": "KONO Taro"})) == ["Taro Kono"]


def test_the_unconfirmed_filter_lists_the_people_the_importer_made(editor_client):
    PersonFactory(name="Checked One", confirmed=True)
    PersonFactory(name="Imported One", confirmed=False)
    assert names(editor_client.get(CHANGELIST, {"confirmed__exact": "0"})) == ["Imported One"]


def test_merge_into_moves_every_link_and_keeps_the_chosen_person(editor_client):
    keep = PersonFactory(name="Taro Kono", sort_name="Kono Taro", slug="taro-kono")
    duplicate = PersonFactory(name="Kono Taro", sort_name="Taro Kono", slug="kono-taro")
    statement = StatementFactory(speaker="Kono Taro", person=duplicate)
    participant = ParticipantFactory(meeting=MeetingFactory(), person=duplicate)
    selected = {"action": "merge", "_selected_action": [keep.pk, duplicate.pk]}
    confirm = editor_client.post(CHANGELIST, selected)
    assert confirm.status_code == 200
    assert "Taro Kono" in confirm.content.decode() and "Kono Taro" in confirm.content.decode()
    done = editor_client.post(
        CHANGELIST, {**selected, "apply": "yes", "keep": keep.pk}, follow=True
    )
    assert "Merged 1 person into Taro Kono" in done.content.decode()
    assert list(Person.objects.all()) == [keep]
    assert Statement.objects.get(pk=statement.pk).person == keep
    participant.refresh_from_db()
    assert participant.person == keep
    keep.refresh_from_db()
    assert keep.spellings == ["Kono Taro"]


def test_a_person_cannot_be_deleted_only_merged(editor_client):
    person = PersonFactory()
    response = editor_client.get(reverse("admin:statements_person_delete", args=[person.pk]))
    assert response.status_code == 403


def test_a_meetings_participants_can_be_linked_to_people_in_the_admin(editor_client):
    meeting = MeetingFactory()
    ParticipantFactory(meeting=meeting, name="The Prime Minister", position=1)
    page = editor_client.get(reverse("admin:statements_meeting_change", args=[meeting.pk]))
    assert 'name="participants-0-person"' in page.content.decode()
