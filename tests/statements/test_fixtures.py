"""The committed seed fixtures hold the facts the seed pages state or imply."""

import datetime as dt

import pytest
from django.core import serializers
from django.core.management import call_command

from statements.models import Meeting, Paragraph, Resolution, Statement
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

ARTEFACTS = ("(PDF)", "Open a New Window", "open a new window")


def snapshot() -> str:
    objects = [
        obj
        for model in (Resolution, Meeting, Statement, Paragraph)
        for obj in model.objects.order_by("pk")
    ]
    return serializers.serialize("json", objects)


def test_both_seed_statements_are_published_with_every_paragraph(seeded):
    statements = {s.date: s for s in Statement.objects.published()}
    assert set(statements) == {dt.date(2017, 12, 23), dt.date(2017, 9, 19)}
    resolution_statement = statements[dt.date(2017, 12, 23)]
    meeting_summary = statements[dt.date(2017, 9, 19)]
    assert resolution_statement.kind == Statement.Kind.STATEMENT
    assert meeting_summary.kind == Statement.Kind.MEETING_SUMMARY
    assert [p.number for p in resolution_statement.paragraphs.order_by("position")] == [
        1, 2, 3, 4, 5, 6, 7,
    ]  # fmt: skip
    # An un-numbered overview, then four numbered paragraphs.
    assert [p.number for p in meeting_summary.paragraphs.order_by("position")] == [
        None, 1, 2, 3, 4,
    ]  # fmt: skip


def test_paragraph_text_is_clean_and_keeps_typographic_quotes(seeded):
    texts = list(Paragraph.objects.values_list("text", flat=True))
    assert not [t for t in texts if any(a in t for a in ARTEFACTS)]
    assert not [t for t in texts if "  " in t or "\u00a0" in t or t != t.strip()]
    assert any("Japan’s presidency" in t for t in texts)
    assert any("“dialogue and pressure”" in t for t in texts)
    assert any("António Guterres" in t for t in texts)


def test_resolutions_hold_the_seed_facts(seeded):
    r2397 = Resolution.objects.get(number=2397)
    assert (r2397.symbol, r2397.adopted_on, r2397.vote) == (
        "S/RES/2397 (2017)",
        dt.date(2017, 12, 22),
        "15-0-0",
    )
    r2375 = Resolution.objects.get(number=2375)
    assert (r2375.symbol, r2375.adopted_on, r2375.vote) == (
        "S/RES/2375 (2017)",
        dt.date(2017, 9, 11),
        "15-0-0",
    )
    assert r2397.is_unanimous and r2375.is_unanimous


def test_each_paragraph_is_linked_to_the_resolutions_it_cites(seeded):
    citations = {
        (p.statement.date, p.position): sorted(r.number for r in p.resolutions.all())
        for p in Paragraph.objects.select_related("statement").prefetch_related("resolutions")
    }
    december = {pos: nums for (date, pos), nums in citations.items() if date.month == 12}
    september = {pos: nums for (date, pos), nums in citations.items() if date.month == 9}
    assert december == {1: [2397], 2: [], 3: [2397], 4: [2397], 5: [], 6: [2397], 7: []}
    assert september == {1: [], 2: [], 3: [2375], 4: [], 5: []}


def test_meetings_hold_the_seed_facts(seeded):
    abe_guterres = Meeting.objects.get(date=dt.date(2017, 9, 19))
    assert abe_guterres.start_time == dt.time(12, 5)
    assert abe_guterres.timezone == "America/New_York"
    assert abe_guterres.duration_minutes == 15
    assert abe_guterres.location == "New York"
    assert abe_guterres.occasion == "72nd UN General Assembly"
    assert abe_guterres.starts_at_japan.isoformat() == "2017-09-20T01:05:00+09:00"
    assert {(p.name, p.role) for p in abe_guterres.participants.all()} == {
        ("Shinzo Abe", "Prime Minister of Japan"),
        ("António Guterres", "Secretary-General of the UN"),
    }
    assert [s.date for s in abe_guterres.statements.all()] == [dt.date(2017, 9, 19)]

    ministerial = Meeting.objects.get(date=dt.date(2017, 12, 15))
    assert ministerial.kind == Meeting.Kind.SECURITY_COUNCIL
    assert "Ministerial-Level Meeting" in ministerial.title
    assert [s.date for s in ministerial.statements.all()] == [dt.date(2017, 12, 23)]


def test_loading_the_fixtures_twice_changes_nothing(seeded):
    before = snapshot()
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert snapshot() == before
    assert Statement.objects.count() == 2


def test_seed_command_loads_an_empty_archive_once_and_never_overwrites(db):
    call_command("seed", verbosity=0)
    statement = Statement.objects.get(date=dt.date(2017, 12, 23))
    statement.title = "Edited by an editor"
    statement.save()
    call_command("seed", verbosity=0)
    statement.refresh_from_db()
    assert statement.title == "Edited by an editor"
    assert Statement.objects.count() == 2
