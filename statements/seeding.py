"""Build the seed fixtures from the raw pages in seeds/ and the curated facts beside them.

`make fixtures` runs this against an empty database; a test runs it again and compares the
result with the committed fixtures/seed.json, so the two can never drift apart."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from django.core import serializers
from django.db import transaction

from statements.importing import ParsedDocument, parse_document
from statements.models import Meeting, Paragraph, Participant, Person, Resolution, Statement
from statements.services import ImportOutcome, ImportPage, statements_import

RESOLUTION_FACTS = ("adopted_on", "vote", "title", "document_url", "summary")
MEETING_FACTS = ("title", "kind", "date", "start_time", "timezone", "duration_minutes",
                 "location", "occasion")  # fmt: skip


def load_facts(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def seeds_import(seeds_dir: Path) -> dict[str, ImportOutcome]:
    """Import every page of the seeds folder, by file name."""
    pages = []
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        pages.append(ImportPage(parse_document(text), text, path.name))
    outcomes = statements_import(pages=pages)
    return {page.label: outcome for page, outcome in zip(pages, outcomes, strict=True)}


def curated_facts_apply(*, facts: dict, outcomes: dict[str, ImportOutcome]) -> None:
    """Complete what the pages do not say: resolution metadata, meetings only mentioned,
    publication."""
    for item in facts.get("resolutions", []):
        resolution, _ = Resolution.objects.get_or_create(number=item["number"])
        for name in RESOLUTION_FACTS:
            if name in item:
                setattr(resolution, name, item[name])
        resolution.full_clean()
        resolution.save()
    for item in facts.get("meetings", []):
        meeting = Meeting.objects.filter(slug=item["slug"]).first() or Meeting(slug=item["slug"])
        for name in MEETING_FACTS:
            if name in item:
                setattr(meeting, name, item[name])
        meeting.full_clean()
        meeting.save()
    for item in facts.get("statements", []):
        statement = outcomes[item["file"]].statement
        statement.status = item.get("status", statement.status)
        statement.save()
        statement.meetings.add(*Meeting.objects.filter(slug__in=item.get("meetings", [])))


def _baseline_in_parser_order(statement: Statement) -> Statement:
    """The stored baseline with its keys in ``as_json()``'s order, not the database's
    (PostgreSQL's jsonb sorts them), so the fixture is the same built on either engine."""
    if statement.import_baseline is not None:
        document = ParsedDocument.from_json(statement.import_baseline)
        statement.import_baseline = document.as_json()
    return statement


def seed_fixture_build(*, seeds_dir: Path, facts_path: Path) -> str:
    """Import the seeds into the (empty) database, apply the facts, and return the fixture
    as JSON with natural keys, every timestamp set to the facts' one."""
    if Statement.objects.exists():
        raise ValueError("The seed fixture is built from an empty archive; this one has content.")
    facts = load_facts(facts_path)
    stamp: dt.datetime = facts["timestamp"]
    with transaction.atomic():
        curated_facts_apply(facts=facts, outcomes=seeds_import(seeds_dir))
        for model in (Resolution, Person, Meeting, Participant, Statement, Paragraph):
            model.objects.update(created_at=stamp, updated_at=stamp)
        Statement.objects.update(imported_at=stamp)
        Statement.objects.published().update(published_at=stamp, public_updated_at=stamp)
    objects = [
        *Resolution.objects.order_by("number"),
        *Person.objects.order_by("slug"),
        *Meeting.objects.order_by("slug"),
        *Participant.objects.select_related("meeting").order_by("meeting__slug", "position"),
        *map(_baseline_in_parser_order, Statement.objects.order_by("slug")),
        *Paragraph.objects.select_related("statement").order_by("statement__slug", "position"),
    ]
    return (
        serializers.serialize(
            "json",
            objects,
            indent=2,
            ensure_ascii=False,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        + "\n"
    )
