"""Linking speakers and participants to people, and merging two records of one person."""

from io import StringIO

import pytest
from django.core.management import call_command
from reversion.models import Version

from statements.importing import parse_document
from statements.models import Meeting, Participant, Person, PersonRole, Statement
from statements.services import (
    ImportPage,
    meeting_update,
    person_merge,
    statement_create,
    statement_update,
    statements_import,
)
from tests.factories import MeetingFactory, ParticipantFactory, StatementFactory, UserFactory
from tests.paths import GOLDEN, SEEDS

pytestmark = pytest.mark.django_db


def person(name: str, slug: str, **fields) -> Person:
    return Person.objects.create(name=name, sort_name=name, slug=slug, **fields)


def spoken_by(speaker: str, slug: str) -> Statement:
    return statement_create(
        paragraphs=[{"text": "Text."}], slug=slug, title=slug, date="2017-12-23", speaker=speaker
    )


def import_texts(paths) -> None:
    pages = [ImportPage(parse_document(p.read_text(encoding="utf-8")), "", p.name) for p in paths]
    statements_import(
        pages=[ImportPage(page.document, page.document.key, page.label) for page in pages]
    )


def test_importing_the_seeds_links_both_participants_of_the_september_meeting(db):
    import_texts(sorted(SEEDS.glob("*.txt")))
    meeting = Meeting.objects.get(date="2017-09-19")
    linked = {p.name: p.person.name for p in meeting.participants.select_related("person")}
    assert linked == {"Shinzo Abe": "Shinzo Abe", "António Guterres": "António Guterres"}
    assert not Person.objects.filter(confirmed=True).exists()  # editors confirm them


def test_importing_the_corpus_and_the_seeds_makes_no_duplicate_person(db):
    import_texts([*sorted(GOLDEN.glob("*.txt")), *sorted(SEEDS.glob("*.txt"))])
    names = list(Person.objects.values_list("name", flat=True))
    keys = [" ".join(sorted(name.casefold().split())) for name in names]
    assert len(keys) == len(set(keys)), names
    assert sorted(names) == [
        "Annalena Baerbock", "António Manuel de Oliveira Guterres", "Ban Ki-Moon", "Dennis Francis",
        "Frank-Walter Steinmeier", "Fumio Kishida", "José Serra",
        "Luiz Alberto Figueiredo Machado", "M. J. Akbar", "Mauro Vieira", "Sanjay Verma",
        "Shinzo Abe", "Sushma Swaraj", "Takeshi Iwaya", "Taro Aso", "Taro Kono",
        "Vuk Jeremić", "Yoko Kamikawa", "Yoshihiko Noda",
    ]  # fmt: skip
    # The first page to name him printed his name in full; the others' form is kept.
    guterres = Person.objects.get(slug="antonio-manuel-de-oliveira-guterres")
    assert "António Guterres" in guterres.spellings
    # Everyone the pages name as a participant with a full name has a person.
    assert not Participant.objects.filter(person=None).exclude(name__regex=r"^\S+$").exists()
    # Importing them again makes nobody new.
    before = Person.objects.count()
    import_texts([*sorted(GOLDEN.glob("*.txt")), *sorted(SEEDS.glob("*.txt"))])
    assert Person.objects.count() == before


def test_a_speaker_line_links_the_existing_person_whatever_the_order_and_title():
    kono = person("Taro Kono", "taro-kono", confirmed=True)
    statement = spoken_by("Foreign Minister KONO Taro", slug="s")
    assert statement.person == kono
    assert Statement.objects.get(pk=statement.pk).speaker == "Foreign Minister KONO Taro"
    assert Person.objects.count() == 1


def test_a_new_speaker_is_created_unconfirmed_and_a_surname_alone_creates_nobody():
    statement = spoken_by("Minister Kono", slug="s")
    assert statement.person is None and not Person.objects.exists()
    statement = statement_update(
        statement=statement, expected_version=statement.version, speaker="Mr. Taro Kono"
    )
    created = Person.objects.get()
    assert (statement.person, created.name, created.confirmed) == (created, "Taro Kono", False)
    other = spoken_by("Minister Kono", slug="t")
    assert other.person == created


def test_a_meetings_participants_are_linked_when_it_is_saved():
    abe = person("Shinzo Abe", "shinzo-abe")
    meeting = MeetingFactory()
    meeting_update(
        meeting=meeting,
        participants=[
            {"name": "ABE Shinzo", "role": "Prime Minister"},
            {"name": "Antonio Guterres", "role": "Secretary-General"},
        ],
    )
    by_name = {p.name: p.person for p in meeting.participants.select_related("person")}
    assert by_name["ABE Shinzo"] == abe
    assert by_name["Antonio Guterres"].name == "Antonio Guterres"
    abe.refresh_from_db()
    assert abe.spellings == []  # "ABE Shinzo" reads as "Shinzo Abe", already known


def test_merging_moves_every_link_to_the_kept_person_in_one_revision():
    keep = person("Taro Kono", "taro-kono", confirmed=True)
    remove = person("Kono Taro", "kono-taro-2", spellings=["KONO Taro"])
    spoken = StatementFactory(speaker="Kono Taro", person=remove)
    met = ParticipantFactory(name="Kono Taro", person=remove)
    PersonRole.objects.create(person=remove, title="Foreign Minister", organisation="Japan")
    editor = UserFactory()
    person_merge(keep=keep, remove=remove, user=editor)
    assert not Person.objects.filter(pk=remove.pk).exists()
    spoken.refresh_from_db()
    met.refresh_from_db()
    assert spoken.person == keep and met.person == keep
    assert [r.title for r in keep.roles.all()] == ["Foreign Minister"]
    keep.refresh_from_db()
    assert keep.spellings == ["Kono Taro", "KONO Taro"]
    versions = Version.objects.get_for_object(keep)
    assert versions.count() == 1 and versions[0].revision.user == editor
    in_revision = {
        (v.content_type.model, v.object_repr) for v in versions[0].revision.version_set.all()
    }
    assert in_revision == {("person", "Taro Kono"), ("personrole", "Foreign Minister, Japan")}


def test_a_person_cannot_be_merged_into_themselves():
    keep = person("Taro Kono", "taro-kono")
    with pytest.raises(ValueError):
        person_merge(keep=keep, remove=keep)


def test_the_link_people_command_links_rows_older_than_people():
    StatementFactory(speaker="Foreign Minister Taro Kono")
    ParticipantFactory(name="KONO Taro")
    call_command("link_people", stdout=StringIO())
    kono = Person.objects.get()
    assert kono.statements.count() == 1 and kono.participations.count() == 1
