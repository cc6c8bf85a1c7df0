"""What readers see of change notes: the statement page's "Published" and "Last updated"
and its list of updates, the feeds' updated entries."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from statements import services
from statements.models import Statement
from tests.conftest import FIXTURES
from tests.factories import ParagraphFactory, ParticipantFactory, ResolutionFactory
from tests.statements.pages.test_views import STATEMENT_2397, page, statement_url

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def seeded_with_history(db):
    """The seeds as `make run` loads them (``seed``): with their first versions."""
    services.fixtures_load(paths=FIXTURES)


def corrected(slug: str, note: str) -> Statement:
    statement = Statement.objects.get(slug=slug)
    return services.statement_update(
        statement=statement, expected_version=statement.version, major=True, change_note=note
    )


def test_a_statement_page_shows_when_it_was_first_published(client, seeded_with_history):
    html = page(client, statement_url(STATEMENT_2397))
    assert '<dt>Published</dt><dd><time datetime="2017-12-23T00:00:00+00:00">23 December 2017' in (
        html
    )
    assert "Last updated" not in html  # nothing changed since
    assert '<h2 id="updates-heading">Updates to this page</h2>' in html
    assert "First published." in html


def test_a_major_change_shows_last_updated_and_its_note_newest_first(client, seeded_with_history):
    statement = corrected(STATEMENT_2397, "Corrected the vote in paragraph 1.")
    html = page(client, statement_url(STATEMENT_2397))
    today = statement.public_updated_at
    assert (
        f'<dt>Last updated</dt><dd><time datetime="{today.isoformat()}">'
        f"{today.day} {today:%B %Y}</time> · "
        '<a href="#updates">see all updates</a>'
    ) in html
    assert html.index("Corrected the vote in paragraph 1.") < html.index("First published.")
    # Search engines read the same date: the last change for readers.
    assert f'"dateModified": "{today.isoformat()}"' in html


def test_a_minor_change_shows_nothing_new(client, seeded_with_history):
    statement = Statement.objects.get(slug=STATEMENT_2397)
    services.statement_update(
        statement=statement, expected_version=statement.version, speaker="Taro Kono"
    )
    html = page(client, statement_url(STATEMENT_2397))
    assert "Taro Kono" in html and "Last updated" not in html


def test_the_feed_carries_an_update_as_an_updated_entry_naming_its_note(
    client, seeded_with_history
):
    before = ET.fromstring(client.get(reverse("statements:statement-feed")).content)
    entry = next(before.iter(f"{ATOM}entry"))
    assert entry.findtext(f"{ATOM}updated") == "2017-12-23T00:00:00+00:00"
    assert entry.findtext(f"{ATOM}summary").startswith("Japan highly appreciates")

    statement = corrected(STATEMENT_2397, "Added the vote of 15-0-0.")
    after = ET.fromstring(client.get(reverse("statements:statement-feed")).content)
    entry = next(after.iter(f"{ATOM}entry"))
    assert entry.findtext(f"{ATOM}updated") == statement.public_updated_at.isoformat()
    assert entry.findtext(f"{ATOM}published") == "2017-12-23T00:00:00+00:00"
    summary = entry.findtext(f"{ATOM}summary")
    assert summary.startswith("<p>Updated ") and "Added the vote of 15-0-0.</p>" in summary
    assert "Japan highly appreciates" in summary


def test_the_statement_page_and_feed_run_the_same_queries_for_1_or_20_notes(
    client, db, django_assert_num_queries
):
    resolution = ResolutionFactory(number=2397)
    for count in (1, 20):
        statement = services.statement_create(
            paragraphs=[{"text": "Japan welcomes resolution 2397."}],
            title=f"Noted {count}",
            slug=f"noted-{count}",
            date=dt.date(2017, 12, 23),
            status="published",
        )
        for n in range(count - 1):
            statement = corrected(statement.slug, f"Change {n}.")
        ParagraphFactory(statement=statement, position=2).resolutions.add(resolution)
        statement.meetings.add(ParticipantFactory().meeting)
        # statement (with its previous and next), paragraphs, resolutions, meetings with
        # their participants, change notes, validators
        with django_assert_num_queries(6):
            html = page(client, statement.get_absolute_url())
        assert html.count("<li><time") == count
        # statements (with their opening text and cited numbers), resolutions, change notes
        with django_assert_num_queries(3):
            assert client.get(reverse("statements:statement-feed")).status_code == 200
