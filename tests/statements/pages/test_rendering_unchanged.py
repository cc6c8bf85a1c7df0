"""Speed-ups to the uncached pages (issue 21) change no byte of them.

Every public page of the seed fixtures and of a small synthetic corpus (each statement,
resolution, meeting and person, every list with its filters and pages, searches, the
alert form, the error page, robots.txt) is compared with what the site rendered for the
same content before the speed-ups: ``golden_pages/<corpus>.<engine>.json.gz``, written by
the code that the speed-ups replaced (52e3b51). A page meant to change is rewritten with
``MOFA_WRITE_GOLDEN_PAGES=1 pytest tests/statements/pages/test_rendering_unchanged.py``
and its diff reviewed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from reversion.models import Revision

from bench import synthetic
from statements import services
from statements.models import (
    Meeting,
    Paragraph,
    Person,
    RenderedBody,
    RenderedQuote,
    Resolution,
    Statement,
)
from tests.golden import assert_pages_unchanged, golden

# Fresh sequences, so that ids (which some anchors and links carry) start where they did
# when the golden pages were written, on either engine.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

GOLDEN = Path(__file__).with_name("golden_pages")
WRITE = os.environ.get("MOFA_WRITE_GOLDEN_PAGES") == "1"
# Times the content was written at are not content: every one is set to this.
WRITTEN_AT = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
# The form's CSRF token differs on every request.
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
# An Atom feed without entries was last updated when it was asked for.
EMPTY_FEED_UPDATED = re.compile(rb"<updated>[^<]*</updated>")


def _times_fixed() -> None:
    """Set every time of writing the pages show to WRITTEN_AT (the corpus is written now)."""
    Statement.objects.exclude(published_at=None).update(
        published_at=WRITTEN_AT, public_updated_at=WRITTEN_AT
    )
    Revision.objects.update(date_created=WRITTEN_AT)


def _urls() -> list[str]:
    statements = list(Statement.objects.readable().order_by("slug"))
    assert statements, "nothing to compare"
    statement = min(statements, key=lambda s: (s.date, s.pk))
    cited = list(Resolution.objects.cited().order_by("number"))
    meetings = list(Meeting.objects.published().order_by("slug"))
    people = list(Person.objects.public().order_by("slug"))
    word = Paragraph.objects.order_by("pk").first().text.split()[0]
    urls = [
        "/",
        "/statements/",
        "/statements/?page=2",
        f"/statements/?year={statement.date.year}",
        f"/statements/?kind={statement.kind}",
        "/statements/?year=1800",  # an invalid choice: the form's error
        "/resolutions/",
        "/meetings/",
        "/meetings/?page=2",
        "/people/",
        "/search/",
        f"/search/?q={word}",
        f"/search/?q={word}&sort=newest",
        "/search/?q=security&from=2030-01-01&to=2020-01-01",
        "/search/?q=S/RES/9999",
        "/alerts/?q=security",
        "/no-such-page/",
        "/robots.txt",
        *(s.get_absolute_url() for s in statements),
        *(m.get_absolute_url() for m in meetings),
        *(p.get_absolute_url() for p in people),
    ]
    for resolution in cited:
        urls += [
            resolution.get_absolute_url(),
            f"/statements/?resolution={resolution.number}",
            f"/search/?q=S/RES/{resolution.number}",
        ]
    return urls


def _pages(client: Client, urls: list[str]) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        body = CSRF_TOKEN.sub(b'name="csrfmiddlewaretoken" value=""', response.content)
        if b"<entry>" not in body:
            body = EMPTY_FEED_UPDATED.sub(b"<updated></updated>", body)
        pages[url] = f"{response.status_code}\n" + body.decode()
    return pages


def _assert_unchanged(client: Client, name: str, urls: list[str]) -> None:
    """The pages at ``urls`` are what golden_pages/<name>.<engine>.json.gz keeps (the
    times the content was written at fixed first: ``_times_fixed``)."""
    now = _pages(client, urls)
    # Per engine: the same content ranks differently in SQLite's and PostgreSQL's search.
    path = GOLDEN / f"{name}.{connection.vendor}.json.gz"
    then = golden(path, now, write=WRITE)
    assert_pages_unchanged(now, then)


def _bodies(kept: bool) -> None:
    """The statements' bodies and the resolution pages' quotes kept, rendered by the
    services (statements/bodies.py), or not, so that each page renders its own: both give
    the same bytes."""
    if kept:
        services.bodies_render()
        assert RenderedBody.objects.count() == Statement.objects.count()
        citing = Paragraph.objects.filter(resolutions__isnull=False).distinct()
        assert RenderedQuote.objects.count() == citing.count()
    else:
        RenderedBody.objects.all().delete()
        RenderedQuote.objects.all().delete()


BODIES = pytest.mark.parametrize("kept", [True, False], ids=["bodies kept", "bodies rendered"])


@BODIES
def test_the_seed_fixtures_pages_are_byte_for_byte_what_they_were(client, seeded, kept):
    assert Paragraph.objects.filter(resolutions__isnull=False).exists()
    _times_fixed()
    _bodies(kept)
    _assert_unchanged(client, "seeds", _urls())


@BODIES
def test_a_synthetic_corpus_pages_are_byte_for_byte_what_they_were(client, kept):
    synthetic.corpus_generate(statements=30, seed=4)
    # Both kinds of paragraph are there: citing (linked) and not.
    assert Paragraph.objects.filter(resolutions__isnull=False).exists()
    assert Paragraph.objects.filter(resolutions__isnull=True).exists()
    _times_fixed()
    _bodies(kept)
    _assert_unchanged(client, "synthetic", _urls())
