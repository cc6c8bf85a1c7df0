"""Speed-ups to the feeds (issue 21) change no byte of them.

Every Atom feed of the seed fixtures and of a small synthetic corpus (the new statements,
each filter of the list alone and combined, each cited resolution's, each person's,
searches; refused and missing ones) is compared with what the site answered for the same
content before the speed-ups: ``golden_pages/feeds-<corpus>.<engine>.json.gz``, written
by the code the speed-ups replaced. Some statements carry notes of major changes, so that
updated entries are compared too. A feed meant to change is rewritten with
``MOFA_WRITE_GOLDEN_PAGES=1 pytest tests/statements/pages/test_feeds_unchanged.py`` and
its diff reviewed.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from bench import synthetic
from statements import services
from statements.models import ChangeNote, Paragraph, Person, Resolution, Statement
from statements.pages.filters import speaker_choices
from tests.statements.pages.test_rendering_unchanged import (
    WRITTEN_AT,
    _assert_unchanged,
    _times_fixed,
)

# Fresh sequences, as for the pages: feeds hold ids in their search entries' anchors.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

# What an updated entry says first (the newest note): the last has markup and an
# ampersand, which the summary escapes.
NOTES = ("Added the annex.", "Corrected the <em>vote</em> & the date.")


def _content_completed() -> None:
    """Give the speakers their people (the person feeds' entries), tell readers of a major
    change to every third published statement (two changes to the first), then date the
    changes and every row's last write from WRITTEN_AT: the change notes a day apart,
    after the first publication."""
    services.people_link_all()
    published = list(Statement.objects.published().order_by("slug"))
    for rank, statement in enumerate(published[::3]):
        for note in NOTES if rank == 0 else NOTES[-1:]:
            statement = services.statement_update(
                statement=statement,
                expected_version=statement.version,
                major=True,
                change_note=note,
            )
    _times_fixed()
    for days, note in enumerate(ChangeNote.objects.order_by("pk"), start=1):
        told = WRITTEN_AT + dt.timedelta(days=days)
        ChangeNote.objects.filter(pk=note.pk).update(date=told)
        Statement.objects.filter(pk=note.statement_id).update(public_updated_at=told)
    # The search feed's entries were updated when their statement or paragraph was.
    Statement.objects.update(updated_at=WRITTEN_AT)
    Paragraph.objects.update(updated_at=WRITTEN_AT)


def _feed_urls() -> list[str]:
    statements = list(Statement.objects.published().order_by("date", "pk"))
    assert statements, "nothing to compare"
    oldest = statements[0]
    cited = [r.number for r in Resolution.objects.cited().order_by("number")]
    people = list(Person.objects.public().order_by("slug"))
    speakers = [value for value, _label in speaker_choices()]
    # Every filter but the resolution at once: the oldest spoken statement's (the seeds'
    # statements have no speaker).
    spoken = next((s for s in statements if s.person_id), oldest)
    combined = {
        "year": spoken.date.year,
        "kind": spoken.kind,
        "speaker": [spoken.person.slug] if spoken.person_id else [],
    }
    word = Paragraph.objects.order_by("pk").first().text.split()[0]

    def newest_citing(number: int) -> Statement:
        return Statement.objects.published().citing(number).order_by("-date", "-pk")[0]

    def listed(**filters: str | int | list[str]) -> str:
        return f"/statements/feed/?{urlencode(filters, doseq=True)}"

    urls = [
        "/statements/feed/",
        "/statements/feed/?page=2",  # the page number is not a filter
        listed(year=1800),  # a choice the list refuses: a 400
        listed(**combined),
        "/resolutions/9999/feed/",
        "/people/no-such-person/feed/",
        "/search/feed/",
        f"/search/feed/?q={word}",
        f"/search/feed/?q={word}&sort=oldest&from=2000-01-01",
        *(listed(year=year) for year in sorted({s.date.year for s in statements})),
        *(listed(kind=kind) for kind in sorted({s.kind for s in statements})),
        *(listed(speaker=speaker) for speaker in speakers),
        *(f"{person.get_absolute_url()}feed/" for person in people),
    ]
    for number in cited:
        urls += [
            listed(resolution=number),
            listed(year=newest_citing(number).date.year, resolution=number),
            f"/resolutions/{number}/feed/",
            f"/search/feed/?q=S/RES/{number}",
        ]
    return urls


def test_the_seed_fixtures_feeds_are_byte_for_byte_what_they_were(client, seeded):
    _content_completed()
    _assert_unchanged(client, "feeds-seeds", _feed_urls())


def test_a_synthetic_corpus_feeds_are_byte_for_byte_what_they_were(client):
    # More statements than a feed holds (FEED_LENGTH), so that the newest are cut off.
    synthetic.corpus_generate(statements=45, seed=4)
    _content_completed()
    assert Statement.objects.published().count() > 30
    _assert_unchanged(client, "feeds-synthetic", _feed_urls())
