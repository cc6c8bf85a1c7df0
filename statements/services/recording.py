"""What every service does around its writes: one transaction, one history revision
(django-reversion's public API) naming the user and saying what was done, and the page
cache retired once the transaction commits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction

from mofa_site.caching import content_changed
from statements.derived import KEPT_COLUMNS


def author(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    """The user a revision names: nobody for a command or an anonymous request."""
    return user if user is not None and user.is_authenticated else None


@contextmanager
def recorded(*, user: AbstractBaseUser | None, comment: str) -> Iterator[None]:
    """One transaction and one revision for a write; the cached pages go when it commits.
    Inside another revision (the admin's, around a whole form), it joins that one. The
    revision holds what the service adds (``reversion.add_to_revision``) and what that
    follows, nothing else it saves: a resolution first cited by a statement is not part
    of the statement's history, so reverting the statement never writes the resolution
    (nor its citation count, which the database keeps)."""
    with transaction.atomic(), reversion.create_revision(manage_manually=True, atomic=False):
        if author(user) is not None:  # else the user of a revision it joins, if any
            reversion.set_user(user)
        reversion.set_comment(comment)
        content_changed()
        yield


def save_existing(instance: models.Model) -> None:
    """Save a row that exists, every column but those the database keeps (a count moved
    by a publish since this instance was read must stay as the triggers left it)."""
    opts = instance._meta
    instance.save(
        update_fields=[
            field.name
            for field in opts.concrete_fields
            if not field.primary_key and f"{opts.object_name}.{field.name}" not in KEPT_COLUMNS
        ]
    )


def chunks(items: Sequence, size: int = 500) -> Iterator[Sequence]:
    # Under SQLite's limit on query parameters.
    for start in range(0, len(items), size):
        yield items[start : start + size]
