"""People's pages: the list, a person's page, feed and JSON-LD, and the links to them."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import resolve, reverse

from statements.models import Person, Statement
from tests.factories import (
    MeetingFactory,
    ParticipantFactory,
    PersonFactory,
    StatementFactory,
    statement_with_paragraphs,
)
from tests.statements.pages.rendered import item_links, json_ld, select_options

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SUMMARY = (
    "2017-09-19-meeting-between-prime-minister-shinzo-abe-and-secretary-general-antonio-guterres"
)


def public_meeting(**fields):
    meeting = MeetingFactory(**fields)
    meeting.statements.add(StatementFactory())  # a published statement makes it public
    return meeting


def test_the_seeds_load_with_abe_and_guterres_and_abes_page_lists_the_meeting(client, seeded):
    abe = Person.objects.get(slug="shinzo-abe")
    assert {p.person.name for p in abe.participations.all()} == {"Shinzo Abe"}
    html = client.get(abe.get_absolute_url()).content.decode()
    assert f'href="/meetings/{SUMMARY}/"' in html
    assert "as Prime Minister of Japan" in html
    meeting = client.get(f"/meetings/{SUMMARY}/").content.decode()
    assert 'href="/people/shinzo-abe/"' in meeting and 'href="/people/antonio-guterres/"' in meeting
    data = json_ld(html)
    assert data["@type"] == "Person" and data["name"] == "Shinzo Abe"
    assert data["jobTitle"] == ["Prime Minister of Japan"]
    assert data["url"] == "http://testserver/people/shinzo-abe/"


def test_a_person_page_lists_what_they_said_and_whom_they_met_newest_first(client):
    kono = PersonFactory(name="Taro Kono", slug="taro-kono", spellings=["KONO Taro"])
    StatementFactory(title="Older", date="2017-01-02", speaker="Taro Kono", person=kono)
    StatementFactory(title="Newer", date="2018-03-04", speaker="KONO Taro", person=kono)
    StatementFactory(title="Draft", speaker="Taro Kono", person=kono, status=Statement.Status.DRAFT)
    early = public_meeting(title="Early talks", date="2017-02-01")
    late = public_meeting(title="Late talks", date="2018-02-01")
    ParticipantFactory(meeting=early, name="Taro Kono", role="Foreign Minister", person=kono)
    ParticipantFactory(meeting=late, name="KONO Taro", role="Defence Minister", person=kono)
    html = client.get("/people/taro-kono/").content.decode()
    assert html.index("Newer") < html.index("Older") and "Draft" not in html
    assert html.index("Late talks") < html.index("Early talks")
    assert "as Defence Minister" in html and "as Foreign Minister" in html
    assert "Also printed as KONO Taro" in html
    assert '<h2 id="said-heading">Said: 2 statements</h2>' in html


def test_a_person_who_is_nowhere_public_has_no_page(client):
    hidden = PersonFactory(slug="hidden")
    StatementFactory(person=hidden, status=Statement.Status.DRAFT)
    ParticipantFactory(person=hidden)  # a meeting no published statement names
    assert client.get("/people/hidden/").status_code == 404
    assert client.get("/people/hidden/feed/").status_code == 404
    assert "hidden" not in client.get("/people/").content.decode()


def test_the_people_list_is_in_sort_name_order_with_counts(client):
    abe = PersonFactory(name="Shinzo Abe", sort_name="Abe Shinzo", slug="abe")
    kono = PersonFactory(name="Taro Kono", sort_name="Kono Taro", slug="kono")
    StatementFactory.create_batch(2, person=kono)
    ParticipantFactory(meeting=public_meeting(), person=abe)
    html = client.get(reverse("statements:person-list")).content.decode()
    assert html.index("Shinzo Abe") < html.index("Taro Kono")
    assert "0 statements · 1 meeting" in html and "2 statements · 0 meetings" in html
    assert 'aria-current="page">People<' in html


def test_a_person_feed_holds_their_statements_newest_first(client):
    kono = PersonFactory(name="Taro Kono", slug="taro-kono")
    statement_with_paragraphs(1, title="Older", date="2017-01-02", person=kono)
    statement_with_paragraphs(1, title="Newer", date="2018-03-04", person=kono)
    statement_with_paragraphs(1, title="Someone else's")
    feed = ET.fromstring(client.get("/people/taro-kono/feed/").content)
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == ["Newer", "Older"]
    assert "Taro Kono" in feed.findtext(f"{ATOM}title")


def test_a_statement_page_links_its_speaker_to_their_page(client):
    kono = PersonFactory(name="Taro Kono", slug="taro-kono")
    statement = statement_with_paragraphs(1, speaker="Foreign Minister Taro Kono", person=kono)
    html = client.get(statement.get_absolute_url()).content.decode()
    assert '<a href="/people/taro-kono/">Foreign Minister Taro Kono</a>' in html
    assert json_ld(html)["contributor"]["url"] == "http://testserver/people/taro-kono/"


def test_person_pages_are_in_the_sitemap(client):
    kono = PersonFactory(slug="taro-kono")
    StatementFactory(person=kono)
    PersonFactory(slug="nowhere")
    sitemap = client.get("/sitemap-people.xml").content.decode()
    assert "http://testserver/people/taro-kono/" in sitemap and "nowhere" not in sitemap
    assert "http://testserver/people/" in client.get("/sitemap-sections.xml").content.decode()


@pytest.mark.parametrize("count", [2, 60])
def test_person_pages_run_the_same_queries_however_much_they_did(
    client, django_assert_num_queries, count
):
    kono = PersonFactory(slug="taro-kono")
    for n in range(count):
        StatementFactory(person=kono, speaker="Taro Kono")
        ParticipantFactory(meeting=public_meeting(), person=kono, role=f"Role {n}")
    PersonFactory.create_batch(count)  # nowhere public: not listed
    # person, statements, participations with their meetings
    with django_assert_num_queries(3):
        assert client.get("/people/taro-kono/").status_code == 200
    # count, page (with the counts as subqueries)
    with django_assert_num_queries(2):
        assert client.get("/people/").status_code == 200


def test_the_speaker_filter_lists_a_person_once_and_matches_every_spelling(client):
    kono = PersonFactory(name="Taro Kono", slug="taro-kono", spellings=["KONO Taro"])
    StatementFactory(title="Printed in full", speaker="Foreign Minister Taro Kono", person=kono)
    StatementFactory(title="Printed capitals", speaker="KONO Taro", person=kono)
    StatementFactory(title="Unlinked line", speaker="Government of Japan")
    page = client.get("/statements/", {"speaker": "taro-kono"})
    html = page.content.decode()
    slugs = [resolve(href).kwargs["slug"] for href in item_links(html)]
    listed = [Statement.objects.get(slug=slug).title for slug in slugs]
    assert sorted(listed) == ["Printed capitals", "Printed in full"]
    choices = {value: label for value, _selected, label in select_options(html, "speaker")}
    assert choices["taro-kono"] == "Taro Kono (2)"
    assert choices["Government of Japan"] == "Government of Japan (1)"
    # An address from before people: the printed line lists the person's statements.
    old = client.get("/statements/", {"speaker": "KONO Taro"})
    assert len(item_links(old.content.decode())) == 2
    feed = ET.fromstring(client.get("/statements/feed/", {"speaker": "taro-kono"}).content)
    assert len(list(feed.iter(f"{ATOM}entry"))) == 2
