"""Writes that span several rows or models: each one transaction, one revision, shared by
the admin, the API and the management commands."""

from __future__ import annotations

from collections.abc import Iterable

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from statements.models import Statement


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
