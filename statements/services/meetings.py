"""Writing meetings with their participants, and resolutions' metadata."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from statements.models import Meeting, Participant, Resolution, Statement
from statements.services.bodies import bodies_render
from statements.services.people import people_link
from statements.services.recording import recorded, save_existing


def _write_participants(meeting: Meeting, participants: Sequence[Mapping[str, Any]]) -> None:
    meeting.participants.all().delete()
    # One save() each: it computes the participant's search key.
    created = [
        Participant.objects.create(meeting=meeting, position=position, **participant)
        for position, participant in enumerate(participants, start=1)
    ]
    people_link(participants=created)


def meeting_create(
    *,
    participants: Sequence[Mapping[str, Any]] = (),
    user: AbstractBaseUser | None = None,
    comment: str = "",
    **fields: Any,
) -> Meeting:
    """Create a meeting with its participants, in protocol order; its first version."""
    meeting = Meeting(**fields)
    meeting.full_clean()
    with recorded(user=user, comment=comment or _("Created.")):
        meeting.save()
        _write_participants(meeting, participants)
        reversion.add_to_revision(meeting)
    return meeting


def meeting_update(
    *,
    meeting: Meeting,
    participants: Sequence[Mapping[str, Any]] | None = None,
    user: AbstractBaseUser | None = None,
    comment: str = "",
    **fields: Any,
) -> Meeting:
    """Change a meeting, and replace its participants (in protocol order) when given."""
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    with recorded(user=user, comment=comment or _("Changed.")):
        save_existing(meeting)
        if participants is not None:
            _write_participants(meeting, participants)
        reversion.add_to_revision(meeting)
    return meeting


def meeting_delete(*, meeting: Meeting, user: AbstractBaseUser | None = None) -> None:
    """Delete a meeting and its participants; its last state stays in the history."""
    with recorded(user=user, comment=_("Deleted.")):
        reversion.add_to_revision(meeting)
        meeting.delete()


def resolution_create(
    *, user: AbstractBaseUser | None = None, comment: str = "", **fields: Any
) -> Resolution:
    """Record a resolution; its first version."""
    resolution = Resolution(**fields)
    resolution.full_clean(exclude=["symbol"])  # computed by save()
    with recorded(user=user, comment=comment or _("Created.")):
        resolution.save()
        reversion.add_to_revision(resolution)
    return resolution


def resolution_update(
    *,
    resolution: Resolution,
    user: AbstractBaseUser | None = None,
    comment: str = "",
    **fields: Any,
) -> Resolution:
    """Change a resolution's metadata."""
    for name, value in fields.items():
        setattr(resolution, name, value)
    resolution.full_clean(exclude=["symbol"])  # computed by save()
    with recorded(user=user, comment=comment or _("Changed.")):
        save_existing(resolution)
        reversion.add_to_revision(resolution)
        # Their links name its number.
        bodies_render(statements=Statement.objects.citing(resolution).values_list("pk", flat=True))
    return resolution


def resolution_delete(*, resolution: Resolution, user: AbstractBaseUser | None = None) -> None:
    """Delete a resolution (its citations go with it); its last state stays in the history."""
    with recorded(user=user, comment=_("Deleted.")):
        reversion.add_to_revision(resolution)
        citing = list(Statement.objects.citing(resolution).values_list("pk", flat=True))
        resolution.delete()
        bodies_render(statements=citing)
