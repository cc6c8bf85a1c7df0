"""Importing parsed pages: new statements in bulk, earlier imports updated, each with a
revision of its own."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, router, transaction
from django.db.models import Count, Model, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mofa_site.caching import content_changed
from statements.importing import ParsedDocument, ParsedMeeting, ParseError, parse_document
from statements.importing.anchors import block_anchors
from statements.models import Meeting, Paragraph, Participant, Resolution, Statement, dated_slug
from statements.services.bodies import bodies_render
from statements.services.citations import paragraphs_link
from statements.services.people import people_link_unlinked
from statements.services.recording import author, chunks
from statements.services.statements import _paragraphs_apply, statement_claim_version
from statements.version_json import prefetched_as

_chunks = chunks


# The fields a source page carries; everything else on a statement is the editors'.
SOURCE_FIELDS = ("title", "title_derived", "kind", "date", "section", "speaker")


@dataclass(frozen=True)
class ImportOutcome:
    statement: Statement
    action: str  # "created", "updated" or "unchanged"
    paragraph_count: int
    citation_count: int
    kept: tuple[str, ...] = ()  # source fields an editor changed, left as the editor wrote them

    def summary(self) -> str:
        line = (
            f"{self.action} {self.statement.slug}: "
            + ngettext("%d paragraph", "%d paragraphs", self.paragraph_count) % self.paragraph_count
            + ", "
            + ngettext("%d citation", "%d citations", self.citation_count) % self.citation_count
        )
        if self.kept:
            line += f" (kept editors' {', '.join(self.kept)})"
        return line


def _source_values(document: ParsedDocument) -> dict[str, object]:
    return {
        "title": document.title,
        "title_derived": document.title_derived,
        "kind": document.kind,
        "date": document.date,
        "section": document.section or "",
        "speaker": document.speaker or "",
    }


def _baseline(statement: Statement) -> ParsedDocument | None:
    """What the last import made of the statement's page: the reading it stored. A
    statement without one (typed in, or restored from before the field existed) falls back
    to reading its source text again with today's parser."""
    if statement.import_baseline is not None:
        return ParsedDocument.from_json(statement.import_baseline)
    if not statement.source_text:
        return None
    try:
        return parse_document(statement.source_text)
    except ParseError:
        return None


@dataclass(frozen=True)
class FieldChange:
    """A source field that today's parser reads differently from the last import."""

    name: str
    before: object  # the last import's reading
    after: object  # today's
    kept: bool  # an editor changed the field since: left as they wrote it

    def describe(self) -> str:
        if self.name == "paragraphs":
            line = _paragraphs_change(self.before, self.after)
        else:
            line = f"{self.name}: {self.before!r} → {self.after!r}"
        return f"{line} (kept: an editor changed it)" if self.kept else line


def _paragraphs_change(before: list, after: list) -> str:
    changed = [
        f"¶{position} {_excerpt(old[1] if old else '', new[1] if new else '')}"
        for position, (old, new) in enumerate(zip_longest(before, after), start=1)
        if old != new
    ]
    return f"paragraphs ({len(before)} → {len(after)}): " + "; ".join(changed)


def _excerpt(before: str, after: str, context: int = 25) -> str:
    """Where two texts differ, whole words, with a little context:
    "…call on all ['U N ' → 'UN ']Member States…"."""
    shortest = min(len(before), len(after))
    start = 0
    while start < shortest and before[start] == after[start]:
        start += 1
    while start > 0 and not before[start - 1].isspace():
        start -= 1
    end = 0  # the length of the common ending
    while end < shortest - start and before[-1 - end] == after[-1 - end]:
        end += 1
    while end > 0 and not (
        before[len(before) - end - 1].isspace() and after[len(after) - end - 1].isspace()
    ):
        end -= 1
    lead = before[max(0, start - context) : start]
    old, new = before[start : len(before) - end], after[start : len(after) - end]
    tail = before[len(before) - end :][:context]
    return f"…{lead}[{old!r} → {new!r}]{tail}…"


def _source_state(document: ParsedDocument) -> dict[str, object]:
    return {**_source_values(document), "paragraphs": _paragraph_rows(document.paragraphs)}


@dataclass(frozen=True)
class _Plan:
    writes: dict[str, object]  # today's reading of the fields the editors left alone
    kept: list[str]  # source fields an editor changed since the last import
    changes: list[FieldChange]  # fields today's reading differs from the last import's in


def _page_plan(statement: Statement, document: ParsedDocument) -> _Plan:
    """What a re-import of ``document`` does to the statement: a source field still as
    the last import wrote it (its stored baseline) takes today's reading; one an editor
    changed since is kept."""
    previous = _baseline(statement)
    base = _source_state(previous) if previous is not None else {}
    current = {name: getattr(statement, name) for name in SOURCE_FIELDS}
    current["paragraphs"] = _paragraph_rows(statement.paragraphs.order_by("position"))
    writes: dict[str, object] = {}
    kept: list[str] = []
    changes: list[FieldChange] = []
    for name, value in _source_state(document).items():
        if name in base and current[name] != base[name]:
            kept.append(name)
        elif current[name] != value:
            writes[name] = value
        if name in base and base[name] != value:
            changes.append(FieldChange(name, base[name], value, kept=name in kept))
    if "title" in kept and "title_derived" in writes:
        del writes["title_derived"]  # the editor's title is not the importer's derived one
    return _Plan(writes, [name for name in kept if name != "title_derived"], changes)


def statements_find_imported(
    *, documents: Sequence[ParsedDocument], source_url: str = ""
) -> list[Statement | None]:
    """For each page, the statement an earlier import made of it: matched by source URL
    (one page), else by the date and opening paragraph of the page it was imported from
    (``source_key``), else, for a statement an editor typed in (no key), by its date and
    first paragraph. The oldest statement wins if several match."""
    if source_url and len(documents) != 1:
        raise ValueError("A source URL names the address of one page.")
    if source_url and (match := Statement.objects.filter(source_url=source_url).first()):
        return [match]
    by_key: dict[str, Statement] = {}
    for keys in _chunks(list({d.key for d in documents})):
        for statement in Statement.objects.filter(source_key__in=keys).order_by("-id"):
            by_key[statement.source_key] = statement
    unmatched = [d for d in documents if d.key not in by_key and d.paragraphs]
    by_opening: dict[tuple, Statement] = {}
    for dates in _chunks(list({d.date for d in unmatched})):
        typed = (
            Statement.objects.filter(source_key="", date__in=dates)
            .with_opening_text()
            .order_by("-id")
        )
        for statement in typed:
            by_opening[statement.date, statement.opening_text] = statement
    openings = [(d.date, d.paragraphs[0].text) if d.paragraphs else None for d in documents]
    return [
        by_key.get(d.key) or by_opening.get(opening)
        for d, opening in zip(documents, openings, strict=True)
    ]


def _paragraph_rows(paragraphs: Iterable) -> list[tuple[int | None, str, str, int]]:
    # The text second: a change summary quotes it (``_paragraphs_change``).
    return [(p.number, p.text, p.label, p.depth) for p in paragraphs]


def _paragraphs_write(documents: dict[Statement, ParsedDocument]) -> None:
    """Write the pages' paragraphs and citations to their new statements, in a few
    queries for any number of pages."""
    now = timezone.now()
    stamp = Paragraph._meta.get_field("created_at").get_db_prep_save(
        now, connections[router.db_for_write(Paragraph)]
    )
    anchors = {
        statement: block_anchors([(p.position, p.label, p.parent) for p in document.paragraphs])
        for statement, document in documents.items()
    }
    _insert_rows(
        Paragraph,
        (
            *("statement", "position", "number", "text", "kind", "label", "depth", "anchor"),
            *("created_at", "updated_at"),
        ),
        [
            (
                *(statement.pk, p.position, p.number, p.text, p.kind, p.label, p.depth),
                *(anchor, stamp, stamp),
            )
            for statement, document in documents.items()
            for p, anchor in zip(document.paragraphs, anchors[statement], strict=True)
        ],
    )
    # Read back by their unique (statement, position): rows a multi-row INSERT returns
    # come in no promised order.
    ids: dict[tuple[int, int], int] = {}
    for chunk in _chunks([s.pk for s in documents]):
        rows = Paragraph.objects.filter(statement__in=chunk).values_list(
            "statement", "position", "pk"
        )
        ids.update(((statement, position), pk) for statement, position, pk in rows)
    nested = [
        Paragraph(pk=ids[statement.pk, p.position], parent_id=ids[statement.pk, p.parent])
        for statement, document in documents.items()
        for p in document.paragraphs
        if p.parent is not None
    ]
    if nested:  # a parent's id is known only once it is written
        Paragraph.objects.bulk_update(nested, ["parent"], batch_size=1_000)
    citations = {
        Paragraph(
            pk=ids[statement.pk, p.position],
            statement=statement,
            position=p.position,
            number=p.number,
            text=p.text,
            created_at=now,
            updated_at=now,
        ): p.resolutions
        for statement, document in documents.items()
        for p in document.paragraphs
    }
    paragraphs_link(citations=citations, new=True)


def meetings_import(*, meetings: Sequence[ParsedMeeting]) -> tuple[list[Meeting], set[Meeting]]:
    """Create each reported meeting, or complete the one an earlier import (or an earlier
    page of this one) created: fields an editor has filled are never overwritten, missing
    participants are added after the others. In a few queries for any number of pages
    (one page at a time was a fifth of an import on PostgreSQL). Returns the row of each
    meeting given, and the meetings created or completed, which the caller records."""
    slugs = [dated_slug(meeting.date, meeting.title) for meeting in meetings]
    rows: dict[str, Meeting] = {}
    for chunk in _chunks(list(set(slugs))):
        rows.update(Meeting.objects.in_bulk(chunk, field_name="slug"))
    new: dict[str, Meeting] = {}
    completed: dict[Meeting, set[str]] = {}  # rows that existed, and the blanks filled in
    for slug, meeting in zip(slugs, meetings, strict=True):
        values = {
            "title": meeting.title,
            "kind": meeting.kind,
            "date": meeting.date,
            "start_time": meeting.start_time,
            "timezone": meeting.timezone,
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
            "occasion": meeting.occasion,
        }
        row = rows.get(slug)
        if row is None:
            row = rows[slug] = new[slug] = Meeting(slug=slug, **values)
            continue
        blanks = {k: v for k, v in values.items() if getattr(row, k) in (None, "") and v}
        for name, value in blanks.items():
            setattr(row, name, value)
        if blanks and slug not in new:
            completed.setdefault(row, set()).update(blanks)
    Meeting.objects.bulk_create(new.values())
    for row, fields in completed.items():
        row.save(update_fields=[*fields, "updated_at"])

    known: dict[int, set[str]] = {row.pk: set() for row in rows.values()}
    for chunk in _chunks([row.pk for row in rows.values() if row.slug not in new]):
        for meeting_id, name in Participant.objects.filter(meeting__in=chunk).values_list(
            "meeting", "name"
        ):
            known[meeting_id].add(name)
    participants = []
    for slug, meeting in zip(slugs, meetings, strict=True):
        row = rows[slug]
        names = known[row.pk]
        start = len(names)
        missing = [p for p in meeting.participants if p.name not in names]
        for i, p in enumerate(missing, start=1):
            participants.append(
                Participant(
                    meeting=row,
                    position=start + i,
                    name=p.name,
                    role=p.role,
                    organisation=p.organisation,
                    in_attendance=p.in_attendance,
                )
            )
            names.add(p.name)
    Participant.objects.bulk_create(participants)
    written = {*new.values(), *completed, *(p.meeting for p in participants)}
    return [rows[slug] for slug in slugs], written


def _unique_slugs(slugs: Sequence[str]) -> list[str]:
    """Each slug, or ``slug-2``, ``slug-3``… where it is taken, by a statement or by an
    earlier slug of the list."""
    taken: set[str] = set()
    for chunk in _chunks(list(set(slugs))):
        taken.update(Statement.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    searched: set[str] = set()
    unique = []
    for slug in slugs:
        if slug in taken and slug not in searched:  # rare: look for its numbered siblings
            found = Statement.objects.filter(slug__startswith=slug).values_list("slug", flat=True)
            taken.update(found)
            searched.add(slug)
        candidate, n = slug, 1
        while candidate in taken:
            n += 1
            candidate = f"{slug}-{n}"
        taken.add(candidate)
        unique.append(candidate)
    return unique


@dataclass(frozen=True)
class ImportPage:
    document: ParsedDocument
    source_text: str
    label: str = ""  # the file it came from, for the history


def statements_import(
    *,
    pages: Sequence[ImportPage],
    source_url: str = "",
    user: AbstractBaseUser | None = None,
) -> list[ImportOutcome]:
    """Write parsed pages as draft statements, or update the statements earlier imports
    made of them, in one transaction. Idempotent: importing the same pages twice changes
    nothing. On update, a source field an editor has changed since the last import is
    kept. New statements are written together, in a few queries; each changed statement
    gets one revision, written once every page is in."""
    with transaction.atomic():
        found = statements_find_imported(
            documents=[page.document for page in pages], source_url=source_url
        )
        written: list[tuple[Statement, str, list[str]] | None] = [None] * len(pages)
        new: dict[str, int] = {}  # a new page's key -> its index
        again: list[int] = []  # a new page seen twice: the second time updates the first
        for index, (page, existing) in enumerate(zip(pages, found, strict=True)):
            if existing is not None:
                written[index] = _page_update(page, existing, source_url)
            elif page.document.key in new:
                again.append(index)
            else:
                new[page.document.key] = index
        created = _pages_create([pages[i] for i in new.values()], source_url)
        for index, statement in zip(new.values(), created, strict=True):
            written[index] = (statement, "created", [])
        for index in again:
            first = written[new[pages[index].document.key]]
            written[index] = _page_update(pages[index], first[0], source_url)
        labels: dict[int, list[str]] = {}
        for page, (statement, action, _kept) in zip(pages, written, strict=True):
            if action != "unchanged":
                labels.setdefault(statement.pk, []).append(page.label or _("source text"))
        meeting_labels = _meetings_write(
            [(page, statement) for page, (statement, _, _) in zip(pages, written, strict=True)]
        )
        _record_imports(labels, meeting_labels, user)
        bodies_render(statements=[statement.pk for statement in created])
        content_changed()
        counts = _citation_counts([statement.pk for statement, _action, _kept in written])
    return [
        ImportOutcome(statement, action, *counts[statement.pk], tuple(kept))
        for statement, action, kept in written
    ]


def _meetings_write(pages: Sequence[tuple[ImportPage, Statement]]) -> dict[int, list[str]]:
    """Create or complete every meeting the pages report (one for a meeting summary, one
    per reported meeting for a visit report) and link each statement to all of its own.
    Returns the pages that created or completed each meeting, for its history."""
    reporting = [
        (page, statement, meeting)
        for page, statement in pages
        for meeting in page.document.meetings
    ]
    meetings, written = meetings_import(meetings=[meeting for _, _, meeting in reporting])
    _meetings_link([(s, m) for (_, s, _), m in zip(reporting, meetings, strict=True)])
    # Before the revisions are written, so that they hold the links.
    people_link_unlinked(
        statement_ids=[statement.pk for _, statement in pages],
        meeting_ids=[meeting.pk for meeting in meetings],
    )
    labels: dict[int, list[str]] = {}
    for (page, _statement, _parsed), meeting in zip(reporting, meetings, strict=True):
        if meeting in written:
            named = labels.setdefault(meeting.pk, [])
            if (label := page.label or _("source text")) not in named:
                named.append(label)
    return labels


def _meetings_link(links: Sequence[tuple[Statement, Meeting]]) -> None:
    """Link each statement to the meeting it reports, as ``statement.meetings.add()``
    would (a link already there stays)."""
    through = Statement.meetings.through
    pairs = {(statement.pk, meeting.pk) for statement, meeting in links}
    through.objects.bulk_create(
        (through(statement_id=s, meeting_id=m) for s, m in pairs), ignore_conflicts=True
    )


def _record_imports(
    labels: dict[int, list[str]],
    meeting_labels: dict[int, list[str]],
    user: AbstractBaseUser | None,
    comment: str = "",
) -> None:
    """A revision for each imported statement (reversion's public API: the statement and,
    as its registration follows them, its paragraphs), and for each meeting the import
    created or completed (with its participants), naming the pages they came from (or
    saying ``comment``). They are loaded with everything a version stores of them, a
    hundred at a time, so that serializing one costs no query; many-to-manys as plain
    lists, which the history's format reads (statements/version_json.py)."""
    statements = Statement.objects.prefetch_related(
        "paragraphs",
        Prefetch(
            "paragraphs__resolutions",
            queryset=Resolution.objects.only("pk"),
            to_attr=prefetched_as("resolutions"),
        ),
        Prefetch(
            "meetings", queryset=Meeting.objects.only("pk"), to_attr=prefetched_as("meetings")
        ),
    )
    meetings = Meeting.objects.prefetch_related("participants")
    for queryset, named in ((statements, labels), (meetings, meeting_labels)):
        for chunk in _chunks(list(named), 100):
            loaded = queryset.in_bulk(chunk)
            for pk in chunk:
                with reversion.create_revision(atomic=False):
                    if author(user) is not None:
                        reversion.set_user(user)
                    reversion.set_comment(comment or _("Imported from %s.") % ", ".join(named[pk]))
                    reversion.add_to_revision(loaded[pk])


def _pages_create(pages: Sequence[ImportPage], source_url: str) -> list[Statement]:
    """New draft statements, with their paragraphs and citations, for pages no statement
    was imported from."""
    slugs = _unique_slugs([dated_slug(p.document.date, p.document.title) for p in pages])
    now = timezone.now()
    statements = Statement.objects.bulk_create(
        Statement(
            slug=slug,
            source_text=page.source_text,
            source_key=page.document.key,
            source_url=source_url,
            imported_at=now,
            import_baseline=page.document.as_json(),
            status=Statement.Status.DRAFT,
            **_source_values(page.document),
        )
        for page, slug in zip(pages, slugs, strict=True)
    )
    _paragraphs_write({s: page.document for s, page in zip(statements, pages, strict=True)})
    return statements


def _insert_rows(model: type[Model], fields: Sequence[str], rows: list[Sequence[Any]]) -> None:
    """INSERT rows of values ready for the database (as a field's ``get_db_prep_save()``
    gives them) in few statements. For an import's paragraphs and history, where
    ``bulk_create`` spent more time building a model instance per row and passing every
    value through its field than the database spent writing them."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [model._meta.get_field(name).column for name in fields]
    columns = ", ".join(quote(name) for name in names)
    insert = f"INSERT INTO {table} ({columns}) "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows as one JSON parameter, typed by the table's own row type: psycopg
            # binds parameters client-side, in Python, and spent longer quoting thousands
            # of values (or parsing their placeholders) than the server spent inserting.
            for batch in _chunks(rows, 5_000):
                cursor.execute(
                    f"{insert}SELECT {columns} "
                    f"FROM json_populate_recordset(NULL::{table}, %s::json)",
                    # str(): a datetime whole, microseconds included (DjangoJSONEncoder
                    # drops them).
                    [
                        json.dumps(
                            [dict(zip(names, row, strict=True)) for row in batch], default=str
                        )
                    ],
                )
            return
        placeholders = f"({', '.join(['%s'] * len(fields))})"
        # Within SQLite's limit on parameters.
        for batch in _chunks(rows, (connection.features.max_query_params or 1_000) // len(fields)):
            cursor.execute(
                f"{insert}VALUES {', '.join([placeholders] * len(batch))}",
                [value for row in batch for value in row],
            )


def _citation_counts(pks: list[int]) -> dict[int, tuple[int, int]]:
    """(paragraphs, citations) of each statement."""
    counts: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(pks):
        rows = (
            Statement.objects.filter(pk__in=chunk)
            .annotate(
                paragraph_count=Count("paragraphs", distinct=True),
                citation_count=Count("paragraphs__resolutions"),
            )
            .values_list("pk", "paragraph_count", "citation_count")
        )
        counts.update((pk, (paragraphs, citations)) for pk, paragraphs, citations in rows)
    return counts


def _page_update(
    page: ImportPage, statement: Statement, source_url: str, plan: _Plan | None = None
) -> tuple[Statement, str, list[str]]:
    """Update the statement an earlier import made of this page: the action taken and the
    source fields kept as an editor changed them. The page's reading becomes the
    statement's baseline."""
    document = page.document
    plan = plan or _page_plan(statement, document)
    writes = dict(plan.writes)
    paragraphs = writes.pop("paragraphs", None)
    changed = list(writes)
    for name, value in writes.items():
        setattr(statement, name, value)
    source = (("source_text", page.source_text), ("source_key", document.key))
    for name, value in (*source, ("source_url", source_url)):
        if value and getattr(statement, name) != value:
            setattr(statement, name, value)
            changed.append(name)
    baseline = document.as_json()
    rebased = statement.import_baseline != baseline
    statement.import_baseline = baseline
    if changed or paragraphs is not None:
        # A re-import is an edit like any other: an editor's open form goes stale.
        statement_claim_version(statement=statement, expected_version=statement.version)
        statement.imported_at = timezone.now()
        statement.save()
    elif rebased:  # only the kept fields read differently: nothing an editor sees changed
        statement.save(update_fields=["import_baseline"])
    if paragraphs is not None:
        _paragraphs_apply(
            statement,
            [
                {
                    **{"position": p.position, "number": p.number, "text": p.text},
                    **{"kind": p.kind, "label": p.label, "parent": p.parent},
                }
                for p in document.paragraphs
            ],
        )
    action = "updated" if changed or paragraphs is not None else "unchanged"
    return statement, action, plan.kept


@dataclass(frozen=True)
class ReparseOutcome:
    statement: Statement
    changes: tuple[FieldChange, ...]  # fields today's parser reads differently
    action: str  # "updated", "unchanged" or "unreadable"
    error: str = ""  # why today's parser cannot read the stored page


def statements_reparse(
    *,
    statements: Sequence[Statement],
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
) -> list[ReparseOutcome]:
    """Read the stored page (``source_text``) of each statement again with today's
    parser, and (unless ``dry_run``) apply it as a re-import of the same page would: a
    source field still as the last import read it takes today's reading, one an editor
    changed is kept, today's reading becomes the baseline, the meetings it reports are
    created or completed. One transaction; one revision per changed statement."""
    comment = _("Re-parsed with the current importer.")
    outcomes: list[ReparseOutcome] = []
    with transaction.atomic():
        written: list[tuple[ImportPage, Statement]] = []
        labels: dict[int, list[str]] = {}
        for statement in statements:
            try:
                document = parse_document(statement.source_text)
            except ParseError as exc:
                outcomes.append(ReparseOutcome(statement, (), "unreadable", str(exc)))
                continue
            plan = _page_plan(statement, document)
            action = "unchanged"
            if not dry_run:
                page = ImportPage(document, statement.source_text, comment)
                action = _page_update(page, statement, "", plan)[1]
                written.append((page, statement))
                if action == "updated":
                    labels[statement.pk] = []
            outcomes.append(ReparseOutcome(statement, tuple(plan.changes), action))
        if not dry_run:
            meeting_labels = _meetings_write(written)
            _record_imports(labels, meeting_labels, user, comment=comment)
            content_changed()
    return outcomes
