"""Writes that span several rows or models: each one transaction, one revision, shared by
the admin, the API and the management commands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from statements.models import Meeting, Paragraph, Participant, Resolution, Statement


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


def _record(user: AbstractBaseUser | None, comment: str) -> None:
    if user is not None and user.is_authenticated:
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
    with transaction.atomic(), reversion.create_revision():
        _record(user, _("Published."))
        for statement in statements:
            statement_claim_version(statement=statement, expected_version=statement.version)
            statement.status = Statement.Status.PUBLISHED
            statement.withdrawn_note = ""
            statement.published_at = statement.published_at or now
            statement.save(update_fields=["status", "withdrawn_note", "published_at", "updated_at"])
    return statements


def statement_withdraw(
    *, statements: Iterable[Statement], note: str, user: AbstractBaseUser | None = None
) -> list[Statement]:
    """Withdraw statements from publication with a public explanation."""
    note = note.strip()
    if not note:
        raise ValueError(_("Withdrawing needs a public explanation for readers."))
    statements = list(statements)
    with transaction.atomic(), reversion.create_revision():
        _record(user, _("Withdrawn: %s") % note)
        for statement in statements:
            statement_claim_version(statement=statement, expected_version=statement.version)
            statement.status = Statement.Status.WITHDRAWN
            statement.withdrawn_note = note
            statement.save(update_fields=["status", "withdrawn_note", "updated_at"])
    return statements


# --- Writing statements and meetings (the API; the admin may share them) --------------------


def _paragraph_rows(paragraphs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check a statement's paragraphs as the admin does and give each its position: the
    list order unless every paragraph states one, which must then run 1..n."""
    rows = [
        {"position": p.get("position"), "number": p.get("number"), "text": p["text"].strip()}
        for p in paragraphs
    ]
    errors = []
    given = [row["position"] for row in rows if row["position"] is not None]
    if not given:
        for position, row in enumerate(rows, start=1):
            row["position"] = position
    elif len(given) < len(rows) or sorted(given) != list(range(1, len(rows) + 1)):
        errors.append(_("Paragraph positions must run 1, 2, 3… without gaps or repeats."))
    numbers = [row["number"] for row in rows if row["number"] is not None]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        errors.append(
            _("Two paragraphs cannot share a printed number: %(numbers)s.")
            % {"numbers": ", ".join(map(str, repeated))}
        )
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


def _write_paragraphs(statement: Statement, rows: list[dict[str, Any]]) -> None:
    """Replace the statement's paragraphs and link each to the resolutions its text cites."""
    from statements.importing import cited_resolutions  # TEMP until main has it

    statement.paragraphs.all().delete()
    for row in rows:
        paragraph = Paragraph.objects.create(statement=statement, **row)
        numbers = cited_resolutions(paragraph.text)
        paragraph.resolutions.set(
            Resolution.objects.get_or_create(number=number)[0] for number in numbers
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
    rows = _paragraph_rows(paragraphs)
    _check_publishable(statement, len(rows))
    statement.full_clean(exclude=["version"])
    with transaction.atomic(), reversion.create_revision():
        _record(user, comment or _("Created."))
        if statement.is_published:
            statement.published_at = timezone.now()
        statement.save()
        statement.meetings.set(meetings)
        _write_paragraphs(statement, rows)
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
    rows = _paragraph_rows(paragraphs) if paragraphs is not None else None
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
            _write_paragraphs(statement, rows)
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
