"""People: linking printed speakers and participants to the person they name, and
merging two records of one person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.utils.text import slugify
from django.utils.translation import gettext as _

from statements.importing.people import (
    PeopleIndex,
    is_surname_only,
    printed_name,
    sort_name,
)
from statements.models import Meeting, Participant, Person, PersonRole, Statement
from statements.services.recording import chunks, recorded, save_existing


class _People:
    """The known people, matched by spelling; new ones made as names need them."""

    def __init__(self) -> None:
        self.index = PeopleIndex()
        self.slugs: set[str] = set()
        self.changed: dict[int, Person] = {}  # people given a new spelling
        for person in Person.objects.only("pk", "name", "slug", "spellings"):
            self.index.add(person, person.all_spellings)
            self.slugs.add(person.slug)

    def _new(self, name: str) -> Person:
        base = slugify(name)[:110] or "person"
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        person = Person.objects.create(
            name=name, sort_name=sort_name(name), slug=slug, confirmed=False
        )
        self.index.add(person, [name])
        return person

    def find(self, phrase: str) -> Person | None:
        """The person a printed phrase names: a known one, else a new unconfirmed one;
        None for a role alone, or a surname that no single known person has (a guess
        could make a duplicate or a wrong link)."""
        name = printed_name(phrase)
        if name is None:
            return None
        person = self.index.match(name)
        if person is None:
            return None if is_surname_only(name) else self._new(name)
        if not is_surname_only(name) and name not in person.all_spellings:
            # Kept so that filters and the admin's search find every printed form.
            person.spellings = [*person.spellings, name]
            self.changed[person.pk] = person
        return person

    def save_spellings(self) -> None:
        if self.changed:
            Person.objects.bulk_update(self.changed.values(), ["spellings"])


def people_link(
    *,
    statements: Iterable[Statement] = (),
    participants: Iterable[Participant] = (),
) -> None:
    """Link each statement's speaker and each participant that has no person yet to the
    person the printed name matches (statements.importing.people), creating an
    unconfirmed person for editors to confirm when none does. Call inside the write's
    transaction; a surname matching several people, or none, stays unlinked."""
    people = _People()
    linked_statements = [
        s for s in statements if s.person_id is None and s.speaker and _assign(s, s.speaker, people)
    ]
    linked_participants = [
        p for p in participants if p.person_id is None and _assign(p, p.name, people)
    ]
    Statement.objects.bulk_update(linked_statements, ["person"])
    Participant.objects.bulk_update(linked_participants, ["person"])
    people.save_spellings()


def _assign(row: Statement | Participant, phrase: str, people: _People) -> bool:
    person = people.find(phrase)
    if person is None:
        return False
    row.person = person
    return True


def speaker_person(*, speaker: str) -> Person | None:
    """The person a speaker line names, made unconfirmed when new: for a statement's save."""
    people = _People()
    person = people.find(speaker) if speaker else None
    people.save_spellings()
    return person


def people_link_unlinked(
    *, statement_ids: Sequence[int] = (), meeting_ids: Sequence[int] = ()
) -> None:
    """``people_link`` for the given statements and the participants of the given
    meetings that have no person yet (an import's, a fixture's)."""
    statements: list[Statement] = []
    participants: list[Participant] = []
    for chunk in chunks(list(statement_ids)):
        statements += (
            Statement.objects.filter(pk__in=chunk, person=None)
            .exclude(speaker="")
            .only("pk", "speaker", "person")
        )
    for chunk in chunks(list(meeting_ids)):
        participants += Participant.objects.filter(meeting__in=chunk, person=None).only(
            "pk", "name", "person"
        )
    people_link(statements=statements, participants=participants)


def people_link_all() -> None:
    """Link every speaker and participant that has no person yet."""
    people_link_unlinked(
        statement_ids=list(Statement.objects.values_list("pk", flat=True)),
        meeting_ids=list(Meeting.objects.values_list("pk", flat=True)),
    )


def person_update(
    *,
    person: Person,
    roles: Sequence[Mapping[str, Any]] | None = None,
    user: AbstractBaseUser | None = None,
    comment: str = "",
    **fields: Any,
) -> Person:
    """Create or change a person (an editor's correction or confirmation), and replace
    their roles when given; one revision."""
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    with recorded(user=user, comment=comment or (_("Changed.") if person.pk else _("Created."))):
        if person.pk is None:
            person.save()
        else:
            save_existing(person)
        if roles is not None:
            person.roles.all().delete()
            PersonRole.objects.bulk_create(PersonRole(person=person, **role) for role in roles)
        reversion.add_to_revision(person)
    return person


def person_merge(*, keep: Person, remove: Person, user: AbstractBaseUser | None = None) -> Person:
    """Make ``remove`` part of ``keep``: its statements, meetings, roles and spellings
    move to ``keep`` and it is deleted, in one transaction and one revision."""
    if keep.pk == remove.pk:
        raise ValueError(_("A person cannot be merged into themselves."))
    with recorded(
        user=user,
        comment=_("Merged %(remove)s into %(keep)s.") % {"remove": remove.name, "keep": keep.name},
    ):
        Statement.objects.filter(person=remove).update(person=keep)
        Participant.objects.filter(person=remove).update(person=keep)
        PersonRole.objects.filter(person=remove).update(person=keep)
        added = [s for s in remove.all_spellings if s not in keep.all_spellings]
        keep.spellings = [*keep.spellings, *added]
        keep.confirmed = keep.confirmed or remove.confirmed
        remove.delete()
        save_existing(keep)
        reversion.add_to_revision(keep)
    return keep
