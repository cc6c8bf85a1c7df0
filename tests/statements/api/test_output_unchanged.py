"""Speed-ups to the API's reads (issue 21) change no byte of them.

Every list of the API (its first page, other pages, filters, searches and orderings) and
every detail, for the seed fixtures and for a small synthetic corpus, as an anonymous
client and as an editor, is compared with what the API answered for the same content
before the speed-ups: ``golden_api/*.json.gz``, written by the code that the speed-ups
replaced. Compared: the status, the headers a client or a cache reads, and the body's
bytes (key order included). A response meant to change is rewritten with
``MOFA_WRITE_GOLDEN_API=1 pytest tests/statements/api/test_output_unchanged.py`` and its
diff reviewed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from reversion.models import Revision

from bench import synthetic
from statements.models import (
    ChangeNote,
    Meeting,
    Paragraph,
    Participant,
    Person,
    Resolution,
    Statement,
)
from tests.golden import golden

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).with_name("golden_api")
WRITE = os.environ.get("MOFA_WRITE_GOLDEN_API") == "1"
# Times the content was written at are not content: every one is set to this.
WRITTEN_AT = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
# What a client or a shared cache reads besides the body.
HEADERS = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Allow")


def _times_fixed() -> None:
    """Set every time of writing the API shows from WRITTEN_AT (the corpus is written
    now): a few minutes apart by record, so that Last-Modified shows which one counted."""
    for model in (Statement, Paragraph, Meeting, Participant, Resolution, Person):
        records = list(model.objects.order_by("pk"))
        for rank, record in enumerate(records):  # not the pk: PostgreSQL's run on
            record.created_at = WRITTEN_AT
            record.updated_at = WRITTEN_AT + dt.timedelta(minutes=rank * 7 % 61)
        model.objects.bulk_update(records, ["created_at", "updated_at"], batch_size=500)
    Statement.objects.exclude(published_at=None).update(
        published_at=WRITTEN_AT, public_updated_at=WRITTEN_AT
    )
    Revision.objects.update(date_created=WRITTEN_AT)
    for index, note in enumerate(ChangeNote.objects.order_by("date", "pk")):
        ChangeNote.objects.filter(pk=note.pk).update(date=WRITTEN_AT + dt.timedelta(seconds=index))


def _public_urls() -> list[str]:
    """The reads anyone may make, chosen from the content (not from the API's answers)."""
    statements = list(Statement.objects.readable().order_by("slug"))
    assert statements, "nothing to compare"
    statement = min(statements, key=lambda s: (s.date, s.pk))
    resolutions = list(Resolution.objects.order_by("number"))
    cited = [r for r in resolutions if r.citation_count]
    meetings = list(Meeting.objects.published().order_by("slug"))
    participant = Participant.objects.filter(meeting__in=meetings).order_by("pk").first()
    # A word of the text, not one PostgreSQL's search drops as too common ("on").
    text = Paragraph.objects.order_by("pk").first().text
    word = next(w for w in text.split() if w.isalpha() and len(w) > 5)
    urls = [
        "/api/v1/",
        "/api/v1/statements/",
        "/api/v1/statements/?page=2&page_size=1",
        "/api/v1/statements/?page_size=100",
        f"/api/v1/statements/?year={statement.date.year}&kind={statement.kind}",
        "/api/v1/statements/?ordering=title",
        "/api/v1/statements/?ordering=-updated,kind",
        "/api/v1/statements/?status=withdrawn",
        f"/api/v1/statements/?q={word}",
        f"/api/v1/statements/?q={word}&ordering=date&page_size=3",
        f"/api/v1/statements/?speaker={statement.speaker[:4]}",
        "/api/v1/statements/?status=draft",  # a 403 for the public
        "/api/v1/statements/?year=1800",  # a 400 naming the parameter
        "/api/v1/statements/?page=999",  # a 404
        "/api/v1/statements/no-such-statement/",
        "/api/v1/paragraphs/",
        "/api/v1/paragraphs/?page=2&page_size=7",
        "/api/v1/paragraphs/?page_size=100",
        f"/api/v1/paragraphs/?statement={statement.slug}",
        f"/api/v1/paragraphs/?statement={statement.slug}&ordering=-position",
        "/api/v1/paragraphs/?ordering=date",
        f"/api/v1/paragraphs/?q={word}",
        f"/api/v1/paragraphs/?q={word}&ordering=position&page_size=4",
        "/api/v1/resolutions/",
        "/api/v1/resolutions/?page_size=100",
        "/api/v1/resolutions/?cited=true&ordering=-citations",
        "/api/v1/resolutions/?cited=false&ordering=adopted_on",
        "/api/v1/resolutions/9999/",
        "/api/v1/meetings/",
        "/api/v1/meetings/?page_size=100",
        "/api/v1/meetings/?ordering=title&page=2&page_size=1",
        "/api/v1/meetings/no-such-meeting/",
        "/api/v1/export/statements.jsonl",
        *(f"/api/v1/statements/{s.slug}/" for s in statements),
        *(f"/api/v1/resolutions/{r.number}/" for r in resolutions),
        *(f"/api/v1/meetings/{m.slug}/" for m in meetings),
    ]
    if participant is not None:
        urls.append(f"/api/v1/meetings/?participant={participant.name.split()[0]}")
    for resolution in cited:
        urls += [
            f"/api/v1/statements/?resolution={resolution.number}",
            f"/api/v1/paragraphs/?resolution={resolution.number}",
            f"/api/v1/statements/?q=S/RES/{resolution.number}",
        ]
    return urls


def _editor_urls() -> list[str]:
    """What editors read beyond the public: drafts and withdrawn records."""
    hidden = list(Statement.objects.exclude(status=Statement.Status.PUBLISHED).order_by("slug"))
    meetings = list(Meeting.objects.exclude(statement_count__gt=0).order_by("slug"))
    return [
        "/api/v1/statements/?status=draft",
        "/api/v1/statements/?status=withdrawn&page_size=100",
        *(f"/api/v1/statements/{s.slug}/" for s in hidden),
        *(f"/api/v1/meetings/{m.slug}/" for m in meetings),
    ]


def _response(client: Client, url: str) -> str:
    cache.clear()  # the anonymous throttle's counts: hundreds of reads here
    response = client.get(url)
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    shown = [name for name in HEADERS if response.has_header(name)]
    headers = "".join(f"{name}: {response[name]}\n" for name in shown)
    return f"{response.status_code}\n{headers}\n{body}"


def _readable(text: str) -> list[str]:
    """The response's lines, its JSON body indented, for a diff a reviewer can read."""
    head, _, body = text.partition("\n\n")
    try:
        lines = json.dumps(json.loads(body), indent=1, ensure_ascii=False).splitlines()
    except ValueError:
        lines = body.splitlines()
    return [*head.splitlines(), "", *lines]


def _assert_unchanged(client: Client, editor_client: Client, name: str) -> None:
    _times_fixed()
    now = {url: _response(client, url) for url in _public_urls()}
    now.update({f"editor {url}": _response(editor_client, url) for url in _editor_urls()})
    path = GOLDEN / f"{name}.json.gz"
    then = golden(path, now, write=WRITE)
    assert sorted(now) == sorted(then)
    changed = [url for url in then if now[url] != then[url]]
    if changed:
        url = changed[0]
        diff = difflib.unified_diff(
            _readable(then[url]), _readable(now[url]), "before", "now", lineterm=""
        )
        if _readable(then[url]) == _readable(now[url]):
            diff = difflib.ndiff([then[url]], [now[url]])  # the same JSON, other bytes
        pytest.fail(
            f"{len(changed)} response(s) changed, the first {url}:\n" + "\n".join(list(diff)[:80])
        )


@pytest.fixture
def clients(client, editor):
    """An anonymous client and an editor's, each with its own session."""
    editor_client = Client()
    editor_client.force_login(editor)
    return client, editor_client


def test_the_seed_fixtures_api_reads_are_byte_for_byte_what_they_were(clients, seeded):
    assert Paragraph.objects.filter(resolutions__isnull=False).exists()
    _assert_unchanged(*clients, "seeds")


def test_a_synthetic_corpus_api_reads_are_byte_for_byte_what_they_were(clients):
    synthetic.corpus_generate(statements=30, seed=4)
    # Both kinds of paragraph are there: citing and not.
    assert Paragraph.objects.filter(resolutions__isnull=False).exists()
    assert Paragraph.objects.filter(resolutions__isnull=True).exists()
    # A withdrawn statement (public, with its notice) and a draft (editors only).
    first, second = Statement.objects.order_by("slug")[3:5]
    Statement.objects.filter(pk=first.pk).update(
        status=Statement.Status.WITHDRAWN, withdrawn_note="Withdrawn: issued in error."
    )
    Statement.objects.filter(pk=second.pk).update(status=Statement.Status.DRAFT, published_at=None)
    _assert_unchanged(*clients, "synthetic")
