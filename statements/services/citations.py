"""Which resolutions each paragraph cites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from statements.importing.citations import cited_resolutions
from statements.models import Paragraph, Resolution, Statement
from statements.services.bodies import bodies_render
from statements.services.recording import chunks, recorded


def resolutions_ensure(numbers: Iterable[int]) -> dict[int, Resolution]:
    """The Resolution rows for these numbers, creating the ones cited for the first time
    (with their symbol; editors complete the rest). Inside a service's transaction."""
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
    paragraph's resolutions. Inside a service's transaction."""
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


def paragraphs_cite_from_text(paragraphs: Iterable[Paragraph]) -> None:
    """Link each paragraph to the resolutions its current text cites, by the importer's
    rules. Inside a service's transaction."""
    paragraphs_link(citations={p: cited_resolutions(p.text) for p in paragraphs})


def paragraphs_relink(
    *, paragraphs: Iterable[Paragraph], user: AbstractBaseUser | None = None
) -> None:
    """Recompute citations from the paragraphs' current text, with the importer's rules,
    and record the statements' new state."""
    paragraphs = list(paragraphs)
    statements = {p.statement_id for p in paragraphs}
    with recorded(user=user, comment=_("Citations recomputed from the text.")):
        paragraphs_cite_from_text(paragraphs)
        for statement in Statement.objects.filter(pk__in=statements):
            reversion.add_to_revision(statement)
        bodies_render(statements=statements)


def paragraphs_relink_stale(*, dry_run: bool = False, user: AbstractBaseUser | None = None) -> int:
    """Bring every paragraph's citations to what its text cites by today's rules, through
    ``paragraphs_relink`` (a revision for each batch of 500 paragraphs that has changes),
    touching only the paragraphs whose links differ. A resolution an editor picked by
    hand that the text does not cite is unlinked. Returns how many paragraphs changed
    (would change, with ``dry_run``)."""
    through = Paragraph.resolutions.through
    changed = 0
    for chunk in chunks(list(Paragraph.objects.order_by("pk").values_list("pk", flat=True))):
        linked: dict[int, set[int]] = defaultdict(set)
        rows = through.objects.filter(paragraph__in=chunk)
        for paragraph, number in rows.values_list("paragraph_id", "resolution__number"):
            linked[paragraph].add(number)
        paragraphs = Paragraph.objects.filter(pk__in=chunk).only("pk", "statement", "text")
        stale = [p for p in paragraphs if set(cited_resolutions(p.text)) != linked[p.pk]]
        if stale and not dry_run:
            paragraphs_relink(paragraphs=stale, user=user)
        changed += len(stale)
    return changed
