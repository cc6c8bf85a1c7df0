"""Writes that span several rows or models: each one transaction, one revision, shared by
the admin, the API and the management commands."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Count, F, Model, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion.models import Revision, Version

from statements.importing import ParsedDocument, ParsedMeeting, ParseError, parse_document
from statements.importing.citations import cited_resolutions
from statements.models import (
    Meeting,
    Paragraph,
    Participant,
    Resolution,
    Statement,
    dated_slug,
    paragraph_order_errors,
)


class StaleVersionError(Exception):
    """Someone else saved the statement since this edit began."""

    def __init__(self, *, statement_id: int, current_version: int) -> None:
        self.statement_id = statement_id
        self.current_version = current_version
        super().__init__(
            _(
                "This statement was changed by someone else while you were editing it "
                "(it is now at version %(version)s). Reload it to see their changes, then "
                "apply yours again."
            )
            % {"version": current_version}
        )


def statement_claim_version(*, statement: Statement, expected_version: int) -> int:
    """Move the statement from ``expected_version`` to the next one, or raise
    StaleVersionError. A compare-and-set in the database, so two concurrent saves cannot
    both succeed. Call it inside the transaction that writes the change."""
    claimed = Statement.objects.filter(pk=statement.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        current = Statement.objects.filter(pk=statement.pk).values_list("version", flat=True)
        raise StaleVersionError(statement_id=statement.pk, current_version=current.first() or 0)
    statement.version = expected_version + 1
    return statement.version


def _author(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    """The user a revision names: nobody for a command or an anonymous request."""
    return user if user is not None and user.is_authenticated else None


def _record(user: AbstractBaseUser | None, comment: str) -> None:
    if _author(user) is not None:
        reversion.set_user(user)
    reversion.set_comment(comment)


def statement_publish(
    *, statements: Iterable[Statement], user: AbstractBaseUser | None = None
) -> list[Statement]:
    """Publish drafts and withdrawn statements. Each must have at least one paragraph."""
    statements = list(statements)
    empty = [s for s in statements if not s.paragraphs.exists()]
    if empty:
        titles = ", ".join(f"“{s.title}”" for s in empty)
        raise ValueError(_("A statement needs at least one paragraph to be published: %s") % titles)
    now = timezone.now()
    with transaction.atomic():
        for statement in statements:
            # A revision each: reverting one statement reverts its whole revision.
            with reversion.create_revision(atomic=False):
                _record(user, _("Published."))
                statement_claim_version(statement=statement, expected_version=statement.version)
                statement.status = Statement.Status.PUBLISHED
                statement.withdrawn_note = ""
                statement.published_at = statement.published_at or now
                statement.save(
                    update_fields=["status", "withdrawn_note", "published_at", "updated_at"]
                )
    return statements


def statement_withdraw(
    *, statements: Iterable[Statement], note: str, user: AbstractBaseUser | None = None
) -> list[Statement]:
    """Withdraw published statements from publication with a public explanation."""
    note = note.strip()
    if not note:
        raise ValueError(_("Withdrawing needs a public explanation for readers."))
    statements = list(statements)
    # Withdrawn statements stay readable, so withdrawing a draft would publish it.
    unpublished = [s for s in statements if not s.is_published]
    if unpublished:
        titles = ", ".join(f"“{s.title}”" for s in unpublished)
        raise ValueError(_("Only published statements can be withdrawn: %s") % titles)
    with transaction.atomic():
        for statement in statements:
            with reversion.create_revision(atomic=False):  # a revision each, as publishing
                _record(user, _("Withdrawn: %s") % note)
                statement_claim_version(statement=statement, expected_version=statement.version)
                statement.status = Statement.Status.WITHDRAWN
                statement.withdrawn_note = note
                statement.save(update_fields=["status", "withdrawn_note", "updated_at"])
    return statements


# --- Citations -----------------------------------------------------------------------------


def resolutions_ensure(numbers: Iterable[int]) -> dict[int, Resolution]:
    """The Resolution rows for these numbers, creating the ones cited for the first time
    (with their symbol; editors complete the rest)."""
    wanted = sorted(set(numbers))
    existing = Resolution.objects.in_bulk(wanted, field_name="number")
    for number in wanted:
        if number not in existing:
            existing[number] = Resolution.objects.create(number=number)
    return existing


def paragraphs_link(
    *, citations: dict[Paragraph, Iterable[int]], new: bool = False
) -> dict[Paragraph, list[Resolution]]:
    """Set each paragraph's cited resolutions to exactly the given numbers (``new``: the
    paragraphs were just created, so there are no old links to clear). Returns each
    paragraph's resolutions."""
    wanted = {paragraph: sorted(set(numbers)) for paragraph, numbers in citations.items()}
    resolutions = resolutions_ensure(n for numbers in wanted.values() for n in numbers)
    through = Paragraph.resolutions.through
    if not new:
        through.objects.filter(paragraph__in=[p.pk for p in wanted]).delete()
    through.objects.bulk_create(
        through(paragraph_id=paragraph.pk, resolution_id=resolutions[number].pk)
        for paragraph, numbers in wanted.items()
        for number in numbers
    )
    return {
        paragraph: [resolutions[number] for number in numbers]
        for paragraph, numbers in wanted.items()
    }


def paragraphs_relink(*, paragraphs: Iterable[Paragraph]) -> None:
    """Recompute citations from the paragraphs' current text, with the importer's rules."""
    paragraphs_link(citations={p: cited_resolutions(p.text) for p in paragraphs})


# --- Importing -----------------------------------------------------------------------------

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
            f"{self.action} {self.statement.slug}: {self.paragraph_count} paragraphs, "
            f"{self.citation_count} citations"
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


def _parse_stored(statement: Statement) -> ParsedDocument | None:
    if not statement.source_text:
        return None
    try:
        return parse_document(statement.source_text)
    except ParseError:
        return None


def _chunks(items: Sequence, size: int = 500) -> Iterator[Sequence]:
    # Under SQLite's limit on query parameters.
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
    first_text = Paragraph.objects.filter(statement=OuterRef("pk")).order_by("position")
    for dates in _chunks(list({d.date for d in unmatched})):
        typed = (
            Statement.objects.filter(source_key="", date__in=dates)
            .annotate(first_text=Subquery(first_text.values("text")[:1]))
            .order_by("-id")
        )
        for statement in typed:
            by_opening[statement.date, statement.first_text] = statement
    openings = [(d.date, d.paragraphs[0].text) if d.paragraphs else None for d in documents]
    return [
        by_key.get(d.key) or by_opening.get(opening)
        for d, opening in zip(documents, openings, strict=True)
    ]


def _paragraph_rows(paragraphs: Iterable) -> list[tuple[int | None, str]]:
    return [(p.number, p.text) for p in paragraphs]


def _paragraphs_write(
    documents: dict[Statement, ParsedDocument], *, replace: bool
) -> dict[Paragraph, list[Resolution]]:
    """Write the pages' paragraphs and citations to their statements, replacing the
    statements' paragraphs if ``replace``, in a few queries for any number of pages.
    Returns the new paragraphs, in order, with the resolutions each cites."""
    if replace:
        Paragraph.objects.filter(statement__in=[s.pk for s in documents]).delete()
    now = timezone.now()
    stamp = Paragraph._meta.get_field("created_at").get_db_prep_save(
        now, connections[router.db_for_write(Paragraph)]
    )
    _insert_rows(
        Paragraph,
        ("statement", "position", "number", "text", "created_at", "updated_at"),
        [
            (statement.pk, p.position, p.number, p.text, stamp, stamp)
            for statement, document in documents.items()
            for p in document.paragraphs
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
    return paragraphs_link(citations=citations, new=True)


def meetings_import(*, meetings: Sequence[ParsedMeeting]) -> list[Meeting]:
    """Create each reported meeting, or complete the one an earlier import (or an earlier
    page of this one) created: fields an editor has filled are never overwritten, missing
    participants are added after the others. In a few queries for any number of pages
    (one page at a time was a fifth of an import on PostgreSQL)."""
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
                Participant(meeting=row, position=start + i, name=p.name, role=p.role)
            )
            names.add(p.name)
    Participant.objects.bulk_create(participants)
    return [rows[slug] for slug in slugs]


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
        created, paragraphs = _pages_create([pages[i] for i in new.values()], source_url)
        for index, statement in zip(new.values(), created, strict=True):
            written[index] = (statement, "created", [])
        for index in again:
            first = written[new[pages[index].document.key]]
            written[index] = _page_update(pages[index], first[0], source_url)
        # What a revision stores of each new statement, from the objects just written
        # (reloading them was a fifth of an import); a statement a later page of the same
        # import changed again is read back instead.
        fresh = {s.pk: _Recorded(s, [], []) for s in created}
        for paragraph, resolutions in paragraphs.items():
            # In Resolution's own order, as a query of them would give them.
            cited = sorted(resolutions, key=lambda r: -r.number)
            fresh[paragraph.statement_id].paragraphs.append((paragraph, cited))
        for index in again:
            fresh.pop(written[index][0].pk, None)
        reporting = [
            (page.document.meeting, statement)
            for page, (statement, _action, _kept) in zip(pages, written, strict=True)
            if page.document.meeting is not None
        ]
        meetings = meetings_import(meetings=[meeting for meeting, _statement in reporting])
        _meetings_link([(s, m) for (_, s), m in zip(reporting, meetings, strict=True)], fresh)
        labels: dict[int, list[str]] = {}
        for page, (statement, action, _kept) in zip(pages, written, strict=True):
            if action != "unchanged":
                labels.setdefault(statement.pk, []).append(page.label or _("source text"))
        _record_imports(labels, user, fresh)
        counts = _citation_counts([statement.pk for statement, _action, _kept in written])
    return [
        ImportOutcome(statement, action, *counts[statement.pk], tuple(kept))
        for statement, action, kept in written
    ]


def _meetings_link(links: Sequence[tuple[Statement, Meeting]], fresh: dict[int, _Recorded]) -> None:
    """Link each statement to the meeting it reports, as ``statement.meetings.add()``
    would (a link already there stays), and give the meeting to the history of a
    statement this import created."""
    through = Statement.meetings.through
    pairs = {(statement.pk, meeting.pk): (statement, meeting) for statement, meeting in links}
    through.objects.bulk_create(
        (through(statement_id=s, meeting_id=m) for s, m in pairs), ignore_conflicts=True
    )
    for statement, meeting in pairs.values():
        if statement.pk in fresh:
            fresh[statement.pk].meetings.append(meeting)


def _pages_create(
    pages: Sequence[ImportPage], source_url: str
) -> tuple[list[Statement], dict[Paragraph, list[Resolution]]]:
    """New draft statements for pages no statement was imported from, and their
    paragraphs with the resolutions each cites."""
    slugs = _unique_slugs([dated_slug(p.document.date, p.document.title) for p in pages])
    now = timezone.now()
    statements = Statement.objects.bulk_create(
        Statement(
            slug=slug,
            source_text=page.source_text,
            source_key=page.document.key,
            source_url=source_url,
            imported_at=now,
            status=Statement.Status.DRAFT,
            **_source_values(page.document),
        )
        for page, slug in zip(pages, slugs, strict=True)
    )
    paragraphs = _paragraphs_write(
        {s: page.document for s, page in zip(statements, pages, strict=True)}, replace=False
    )
    return statements, paragraphs


@dataclass
class _Recorded:
    """A statement as a revision stores it: its paragraphs with the resolutions each
    cites, and its meetings."""

    statement: Statement
    paragraphs: list[tuple[Paragraph, list[Resolution]]]
    meetings: list[Meeting]

    @classmethod
    def loaded(cls, statement: Statement) -> _Recorded:
        return cls(
            statement,
            [(p, list(p.resolutions.all())) for p in statement.paragraphs.all()],
            list(statement.meetings.all()),
        )

    def version_rows(self, revision: Revision) -> Iterator[tuple[Any, ...]]:
        yield _version_row(revision, self.statement, meetings=self.meetings)
        for paragraph, resolutions in self.paragraphs:
            yield _version_row(revision, paragraph, resolutions=resolutions)


def _record_imports(
    labels: dict[int, list[str]],
    user: AbstractBaseUser | None,
    fresh: dict[int, _Recorded],
) -> None:
    """A revision for each imported statement, holding what django-reversion records of
    it (the statement and, as its registration follows them, its paragraphs), written in
    bulk: through ``reversion.create_revision()`` each revision cost five queries and a
    copy of the revision's state per object, half of an import's time. New statements
    come from ``fresh``; the others are read back.
    ``tests/test_import_command.py`` checks the rows against reversion's own."""
    author = _author(user)
    now = timezone.now()
    for chunk in _chunks(list(labels), 100):
        # Loaded with their relations (as much as a revision stores of them) so each
        # version serialises without a query.
        loaded = Statement.objects.prefetch_related(
            "paragraphs",
            Prefetch("paragraphs__resolutions", queryset=Resolution.objects.only("pk")),
            Prefetch("meetings", queryset=Meeting.objects.only("pk")),
        ).in_bulk([pk for pk in chunk if pk not in fresh])
        recorded = {pk: _Recorded.loaded(statement) for pk, statement in loaded.items()}
        recorded.update((pk, fresh[pk]) for pk in chunk if pk in fresh)
        revisions = Revision.objects.bulk_create(
            Revision(
                date_created=now,
                user=author,
                comment=_("Imported from %s.") % ", ".join(labels[pk]),
            )
            for pk in chunk
        )
        _insert_rows(
            Version,
            VERSION_FIELDS,
            [
                row
                for revision, pk in zip(revisions, chunk, strict=True)
                for row in recorded[pk].version_rows(revision)
            ],
        )


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


VERSION_FIELDS = (
    "revision",
    "content_type",
    "object_id",
    "db",
    "format",
    "serialized_data",
    "object_repr",
)


def _version_row(
    revision: Revision, obj: Statement | Paragraph, **related: list[Any]
) -> tuple[Any, ...]:
    """The values reversion.revisions._add_to_revision gives a version (default options),
    in the order of ``VERSION_FIELDS``. ``related``: the objects of each many-to-many
    field in their model's order, which the serializer reads as if prefetched
    (statements/prefetched_json.py)."""
    previous = getattr(obj, "_prefetched_objects_cache", None)
    obj._prefetched_objects_cache = related
    try:
        data = serializers.serialize("json", (obj,))
    finally:
        if previous is None:
            del obj._prefetched_objects_cache
        else:
            obj._prefetched_objects_cache = previous
    return (
        revision.pk,
        ContentType.objects.get_for_model(obj).pk,
        str(obj.pk),
        router.db_for_write(type(obj), instance=obj),
        "json",
        data,
        str(obj),
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
    page: ImportPage, statement: Statement, source_url: str
) -> tuple[Statement, str, list[str]]:
    """Update the statement an earlier import made of this page: the action taken and the
    source fields kept as an editor changed them."""
    document, source_text = page.document, page.source_text
    previous = _parse_stored(statement)
    base = _source_values(previous) if previous else {}
    kept: list[str] = []
    changed: list[str] = []
    for name, value in _source_values(document).items():
        current = getattr(statement, name)
        if name in base and current != base[name]:
            kept.append(name)
        elif current != value:
            setattr(statement, name, value)
            changed.append(name)
    if "title" in kept and "title_derived" in changed:
        statement.title_derived = base["title_derived"]
        changed.remove("title_derived")
    kept = [name for name in kept if name != "title_derived"]
    current_rows = _paragraph_rows(statement.paragraphs.order_by("position"))
    paragraphs_changed = False
    if previous is not None and current_rows != _paragraph_rows(previous.paragraphs):
        kept.append("paragraphs")
    elif current_rows != _paragraph_rows(document.paragraphs):
        paragraphs_changed = True
    source = (("source_text", source_text), ("source_key", document.key))
    for name, value in (*source, ("source_url", source_url)):
        if value and getattr(statement, name) != value:
            setattr(statement, name, value)
            changed.append(name)
    if changed or paragraphs_changed:
        # A re-import is an edit like any other: an editor's open form goes stale.
        statement_claim_version(statement=statement, expected_version=statement.version)
        statement.imported_at = timezone.now()
        statement.save()
    if paragraphs_changed:
        _paragraphs_write({statement: document}, replace=True)
    return statement, "updated" if changed or paragraphs_changed else "unchanged", kept


# --- Writing statements and meetings (the API; the admin may share them) --------------------


def _checked_paragraph_rows(paragraphs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check a statement's paragraphs as the admin does and give each its position: the
    list order unless every paragraph states one."""
    rows = [
        {"position": p.get("position"), "number": p.get("number"), "text": p["text"].strip()}
        for p in paragraphs
    ]
    if all(row["position"] is None for row in rows):
        for position, row in enumerate(rows, start=1):
            row["position"] = position
    errors = []
    if any(row["position"] is None for row in rows):
        errors.append(_("Give every paragraph a position, or none (the list order)."))
    else:
        errors += paragraph_order_errors([(row["position"], row["number"]) for row in rows])
    if any(not row["text"] for row in rows):
        errors.append(_("A paragraph needs text."))
    if errors:
        raise ValidationError({"paragraphs": errors})
    return sorted(rows, key=lambda row: row["position"])


def _check_publishable(statement: Statement, paragraph_count: int) -> None:
    if statement.status == Statement.Status.PUBLISHED and paragraph_count == 0:
        raise ValidationError(
            {"paragraphs": [_("A statement needs at least one paragraph to be published.")]}
        )


def _replace_paragraphs(statement: Statement, rows: list[dict[str, Any]]) -> None:
    """Replace the statement's paragraphs and link each to the resolutions its text cites."""
    statement.paragraphs.all().delete()
    paragraphs_relink(
        paragraphs=[Paragraph.objects.create(statement=statement, **row) for row in rows]
    )


def statement_create(
    *,
    paragraphs: Sequence[Mapping[str, Any]],
    meetings: Iterable[Meeting] = (),
    user: AbstractBaseUser | None = None,
    comment: str = "",
    **fields: Any,
) -> Statement:
    """Create a statement with its paragraphs (and their citations) in one revision."""
    statement = Statement(**fields)
    rows = _checked_paragraph_rows(paragraphs)
    _check_publishable(statement, len(rows))
    statement.full_clean(exclude=["version"])
    with transaction.atomic(), reversion.create_revision():
        _record(user, comment or _("Created."))
        if statement.is_published:
            statement.published_at = timezone.now()
        statement.save()
        statement.meetings.set(meetings)
        _replace_paragraphs(statement, rows)
        reversion.add_to_revision(statement)
    return statement


def statement_update(
    *,
    statement: Statement,
    expected_version: int,
    paragraphs: Sequence[Mapping[str, Any]] | None = None,
    meetings: Iterable[Meeting] | None = None,
    user: AbstractBaseUser | None = None,
    comment: str = "",
    **fields: Any,
) -> Statement:
    """Change a statement, and replace its paragraphs when given, unless someone saved it
    since ``expected_version`` (StaleVersionError)."""
    for name, value in fields.items():
        setattr(statement, name, value)
    rows = _checked_paragraph_rows(paragraphs) if paragraphs is not None else None
    _check_publishable(statement, len(rows) if rows is not None else statement.paragraphs.count())
    statement.full_clean(exclude=["version"])
    with transaction.atomic(), reversion.create_revision():
        _record(user, comment or _("Changed."))
        statement_claim_version(statement=statement, expected_version=expected_version)
        if statement.is_published and statement.published_at is None:
            statement.published_at = timezone.now()
        statement.save()
        if meetings is not None:
            statement.meetings.set(meetings)
        if rows is not None:
            _replace_paragraphs(statement, rows)
        reversion.add_to_revision(statement)
    return statement


def statement_delete(*, statement: Statement, user: AbstractBaseUser | None = None) -> None:
    """Delete a statement and its paragraphs; its last state stays in the history."""
    with transaction.atomic(), reversion.create_revision():
        _record(user, _("Deleted."))
        reversion.add_to_revision(statement)
        statement.delete()


def _write_participants(meeting: Meeting, participants: Sequence[Mapping[str, Any]]) -> None:
    meeting.participants.all().delete()
    for position, participant in enumerate(participants, start=1):
        # One save() each: it computes the participant's search key.
        Participant.objects.create(meeting=meeting, position=position, **participant)


def meeting_create(
    *,
    participants: Sequence[Mapping[str, Any]] = (),
    user: AbstractBaseUser | None = None,
    **fields: Any,
) -> Meeting:
    """Create a meeting with its participants, in protocol order."""
    meeting = Meeting(**fields)
    meeting.full_clean()
    with transaction.atomic(), reversion.create_revision():
        _record(user, _("Created."))
        meeting.save()
        _write_participants(meeting, participants)
        reversion.add_to_revision(meeting)
    return meeting


def meeting_update(
    *,
    meeting: Meeting,
    participants: Sequence[Mapping[str, Any]] | None = None,
    user: AbstractBaseUser | None = None,
    **fields: Any,
) -> Meeting:
    """Change a meeting, and replace its participants when given."""
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    with transaction.atomic(), reversion.create_revision():
        _record(user, _("Changed."))
        meeting.save()
        if participants is not None:
            _write_participants(meeting, participants)
        reversion.add_to_revision(meeting)
    return meeting
