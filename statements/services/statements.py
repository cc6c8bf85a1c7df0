"""Writing statements and their paragraphs: one algorithm for the admin, the API and the
importer's updates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from statements.importing.anchors import block_anchors
from statements.models import (
    ChangeNote,
    Meeting,
    Paragraph,
    Resolution,
    Statement,
    paragraph_order_errors,
)
from statements.services.bodies import bodies_render
from statements.services.citations import paragraphs_cite_from_text
from statements.services.people import speaker_person
from statements.services.recording import recorded, save_existing

# Paragraphs step out of the way here while a reorder is saved, so that swapping two
# positions (or printed numbers) never trips the unique constraints half-way.
PARKING_OFFSET = 1_000_000


# Change notes are content, like the text they describe: written in English, not
# translated for whoever saves.
FIRST_PUBLISHED = "First published."
PUBLISHED_AGAIN = "Published again."


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


# --- Change notes ----------------------------------------------------------------------------


def change_note_checked(*, statement: Statement, major: bool, note: str) -> str:
    """The note of a change about to be saved, stripped; refused (ValidationError on
    ``change_note``) when a major change has none, when a minor change has one (a minor
    change tells readers nothing, so a note there would be lost on them: refused rather
    than dropped), or when a statement readers have never seen is marked major (its first
    publication says "First published.")."""
    note = note.strip()
    if major and not note:
        raise ValidationError(
            {"change_note": _("A major change needs a note telling readers what changed.")}
        )
    if not major and note:
        raise ValidationError(
            {
                "change_note": _(
                    "A minor change is not announced, so it has no note: mark the change "
                    "major, or clear the note."
                )
            }
        )
    if major and statement.published_at is None and not statement.is_published:
        raise ValidationError(
            {
                "change_note": _(
                    "Readers have not seen this statement yet: save it as a minor change. "
                    "Its first publication is noted “First published.”"
                )
            }
        )
    return note


def _change_record(statement: Statement, *, major: bool, note: str) -> None:
    """Inside the write's ``recorded()``, before the statement is saved: keep the change's
    kind and note with its revision, and on a major change (a first publication is one)
    move what readers see as its last update. A minor change puts back the last major
    one's date, which a revert to an older version would otherwise take from that
    version."""
    now = timezone.now()
    if statement.is_published and statement.published_at is None:
        statement.published_at = now
        major, note = True, note or FIRST_PUBLISHED
    if major:
        statement.public_updated_at = now
    elif statement.pk is not None and statement.published_at is not None:
        latest = ChangeNote.objects.filter(statement=statement, major=True).aggregate(
            latest=Max("date")
        )["latest"]
        statement.public_updated_at = latest or statement.published_at
    reversion.add_meta(ChangeNote, statement=statement, major=major, note=note, date=now)


def statement_publish(
    *,
    statements: Iterable[Statement],
    change_note: str = "",
    user: AbstractBaseUser | None = None,
) -> list[Statement]:
    """Publish drafts and withdrawn statements. Each must have at least one paragraph.
    A major change each: "First published." the first time, else ``change_note`` or
    "Published again."."""
    statements = list(statements)
    empty = [s for s in statements if not s.paragraphs.exists()]
    if empty:
        titles = ", ".join(f"“{s.title}”" for s in empty)
        raise ValueError(_("A statement needs at least one paragraph to be published: %s") % titles)
    with transaction.atomic():
        for statement in statements:
            # A revision each: reverting one statement reverts its whole revision.
            with recorded(user=user, comment=_("Published.")):
                statement_claim_version(statement=statement, expected_version=statement.version)
                statement.status = Statement.Status.PUBLISHED
                statement.withdrawn_note = ""
                first = statement.published_at is None
                _change_record(
                    statement,
                    major=True,
                    note=change_note.strip() or (FIRST_PUBLISHED if first else PUBLISHED_AGAIN),
                )
                statement.save(
                    update_fields=[
                        "status",
                        "withdrawn_note",
                        "published_at",
                        "public_updated_at",
                        "updated_at",
                    ]
                )
                reversion.add_to_revision(statement)
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
            with recorded(user=user, comment=_("Withdrawn: %s") % note):  # a revision each
                statement_claim_version(statement=statement, expected_version=statement.version)
                statement.status = Statement.Status.WITHDRAWN
                statement.withdrawn_note = note
                # Minor: the withdrawal notice on top of the page is what readers read.
                reversion.add_meta(
                    ChangeNote, statement=statement, major=False, note="", date=timezone.now()
                )
                statement.save(update_fields=["status", "withdrawn_note", "updated_at"])
                reversion.add_to_revision(statement)
    return statements


# --- Paragraphs ----------------------------------------------------------------------------


def _checked_paragraph_rows(paragraphs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check a statement's wanted paragraphs as the admin's form does and give each its
    position: the list order unless every paragraph states one. An ``id`` (the admin's
    forms) and ``resolutions`` are passed on as given."""
    rows = [
        {
            **{key: p[key] for key in ("id", "resolutions", *STRUCTURE) if key in p},
            "position": p.get("position"),
            "number": p.get("number"),
            "text": p["text"].strip(),
        }
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
    if not errors:
        ordered = sorted(rows, key=lambda row: row["position"])
        errors += _parents_by_anchor(ordered) + _tree_errors(ordered)
    if errors:
        raise ValidationError({"paragraphs": errors})
    return sorted(rows, key=lambda row: row["position"])


def paragraphs_checked(*, paragraphs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The check ``statement_create`` and ``statement_update`` make of the wanted
    paragraphs (order, numbers, tree), without writing: for a form to show its errors
    before it saves (ValidationError on ``paragraphs``, naming each block)."""
    return _checked_paragraph_rows(paragraphs)


def paragraphs_placed_by_depth(paragraphs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows in position order, each given the parent an outline's indentation means:
    the nearest block before it one level up (a ``parent`` by position, with its
    ``depth``), as the admin's form states the tree. A first block indented, or a block
    indented more than one level past the block before it, has no such parent: refused
    (ValidationError on ``paragraphs``), naming the block."""
    rows = sorted((dict(p) for p in paragraphs), key=lambda row: row["position"])
    errors = []
    # The open blocks from the top down: the last block seen at each depth.
    open_blocks: list[int] = []
    for row in rows:
        depth = row["depth"]
        if depth > len(open_blocks):
            errors.append(
                (
                    _("%(block)s: indented, but no block before it to sit under.")
                    if not open_blocks
                    else _(
                        "%(block)s: depth %(depth)s, more than one level below the block "
                        "before it (depth %(before)s)."
                    )
                )
                % {"block": _block_name(row), "depth": depth, "before": len(open_blocks) - 1}
            )
            depth = len(open_blocks)  # read on as if indented one level, to find the rest
        row["parent"] = open_blocks[depth - 1] if depth else None
        del open_blocks[depth:]
        open_blocks.append(row["position"])
    if errors:
        raise ValidationError({"paragraphs": errors})
    return rows


# The columns that place a block in the tree, written with its text.
TREE_FIELDS = ("kind", "label", "depth", "anchor")
# What a row may say of its place in the body's tree; ``parent`` is the parent's position.
STRUCTURE = ("kind", "label", "depth", "parent")


def _block_name(row: Mapping[str, Any]) -> str:
    label = row.get("label") or ""
    return (
        _("Block %(label)s (position %(position)s)") % {"label": label, "position": row["position"]}
        if label
        else _("Block at position %(position)s") % {"position": row["position"]}
    )


def _parents_by_anchor(rows: list[dict[str, Any]]) -> list[str]:
    """Turn parents given by anchor (what the API reads out) into positions: a parent
    comes first, so the anchors of the rows before a block are already known."""
    errors = []
    for index, row in enumerate(rows):
        if not isinstance(row.get("parent"), str):
            continue
        before = rows[:index]
        anchors = block_anchors(
            [
                (
                    other["position"],
                    other.get("label", "" if other["number"] is None else str(other["number"])),
                    other.get("parent"),
                )
                for other in before
            ]
        )
        found = [
            other["position"]
            for other, a in zip(before, anchors, strict=True)
            if a == row["parent"]
        ]
        if found:
            row["parent"] = found[0]
        else:
            errors.append(
                _("%(block)s: no block before it has the anchor %(anchor)s.")
                % {"block": _block_name(row), "anchor": row["parent"]}
            )
    return errors


def _tree_errors(rows: list[dict[str, Any]]) -> list[str]:
    """What makes the rows' stated tree impossible (rows in position order): a parent
    that is not in the statement or comes after its child, a depth that is not its
    parent's plus one, a printed number below the top, an unknown kind."""
    errors = []
    depths: dict[int, int] = {}
    for row in rows:
        name = _block_name(row)
        parent = row.get("parent")
        if isinstance(parent, str):  # an anchor no block before it has: said already
            depths[row["position"]] = row.get("depth") or 0
            continue
        if parent is not None and parent not in depths:
            later = any(other["position"] == parent for other in rows)
            errors.append(
                _("%(block)s: its parent (position %(parent)s) comes after it.")
                if later
                else _("%(block)s: its parent (position %(parent)s) is not in this statement."),
            )
            errors[-1] %= {"block": name, "parent": parent}
            depths[row["position"]] = row.get("depth") or 0
            continue
        expected = 0 if parent is None else depths[parent] + 1
        if "depth" in row and row["depth"] != expected:
            errors.append(
                _("%(block)s: depth %(depth)s, but its parent makes it %(expected)s.")
                % {"block": name, "depth": row["depth"], "expected": expected}
            )
        if expected and row.get("number") is not None:
            errors.append(
                _("%(block)s: only a top-level block has a printed number.") % {"block": name}
            )
        if "kind" in row and row["kind"] not in Paragraph.Kind.values:
            errors.append(
                _("%(block)s: kind must be heading or paragraph, not %(kind)s.")
                % {"block": name, "kind": row["kind"]}
            )
        depths[row["position"]] = expected
    return errors


def _tree_rows(
    pairs: list[tuple[Paragraph | None, dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Each row's kind, label, parent (a position), depth and anchor: as the row states
    them, else as its paragraph had them (an editor's form that shows text and numbers
    only keeps the tree), else a top-level block labelled by its number."""
    position_of = {p.pk: row["position"] for p, row in pairs if p is not None}
    depths: dict[int, int] = {}
    for paragraph, row in pairs:
        if "parent" not in row:
            parent = position_of.get(paragraph.parent_id) if paragraph is not None else None
            # Moved above its parent: it comes out at the top rather than out of order.
            row["parent"] = parent if parent is not None and parent < row["position"] else None
        if "kind" not in row:
            row["kind"] = paragraph.kind if paragraph is not None else Paragraph.Kind.PARAGRAPH
        if "label" not in row:
            same = paragraph is not None and paragraph.number == row["number"]
            printed = "" if row["number"] is None else str(row["number"])
            # A paragraph reverted to a version older than the tree has no label yet.
            row["label"] = (paragraph.label or printed) if same else printed
        row["depth"] = 0 if row["parent"] is None else depths[row["parent"]] + 1
        depths[row["position"]] = row["depth"]
        if row["depth"] and row["number"] is not None:
            raise ValidationError(
                {
                    "paragraphs": [
                        _("%(block)s: only a top-level block has a printed number.")
                        % {"block": _block_name(row)}
                    ]
                }
            )
    anchors = block_anchors([(row["position"], row["label"], row["parent"]) for _p, row in pairs])
    for (_paragraph, row), anchor in zip(pairs, anchors, strict=True):
        row["anchor"] = anchor
    return [row for _paragraph, row in pairs]


def _check_publishable(statement: Statement, paragraph_count: int) -> None:
    if statement.status == Statement.Status.PUBLISHED and paragraph_count == 0:
        raise ValidationError(
            {"paragraphs": [_("A statement needs at least one paragraph to be published.")]}
        )


def _paragraphs_apply(statement: Statement, rows: list[dict[str, Any]]) -> None:
    """Make the statement's paragraphs the wanted rows (checked, in position order):
    update in place, create, delete. A row with an ``id`` is that paragraph (or a new one
    for ``None``); a row without that key is the paragraph at its position. Citations:
    a row's ``resolutions`` when given, else found in the text when it is new or changed.
    Paragraphs that move are parked out of the way first (``PARKING_OFFSET``)."""
    existing = {p.pk: p for p in statement.paragraphs.all()}
    at_position = {p.position: p for p in existing.values()}
    named = {row["id"] for row in rows if row.get("id") is not None}
    pairs: list[tuple[Paragraph | None, dict[str, Any]]] = []
    for row in rows:
        if "id" in row:
            paragraph = existing.get(row["id"]) if row["id"] is not None else None
        else:
            paragraph = at_position.get(row["position"])
            if paragraph is not None and paragraph.pk in named:
                paragraph = None
        pairs.append((paragraph, row))
    _tree_rows(pairs)
    kept = {paragraph.pk for paragraph, _row in pairs if paragraph is not None}
    doomed = [pk for pk in existing if pk not in kept]
    # Kept items of a removed heading are detached first, or CASCADE would take them.
    Paragraph.objects.filter(parent__in=doomed).exclude(pk__in=doomed).update(parent=None)
    Paragraph.objects.filter(pk__in=doomed).delete()
    moving = [
        paragraph.pk
        for paragraph, row in pairs
        if paragraph is not None
        and (paragraph.position, paragraph.number) != (row["position"], row["number"])
    ]
    Paragraph.objects.filter(pk__in=moving).update(
        position=F("position") + PARKING_OFFSET, number=None
    )
    # Anchors that change are cleared first, so two blocks trading theirs never clash.
    Paragraph.objects.filter(
        pk__in=[p.pk for p, row in pairs if p is not None and p.anchor != row["anchor"]]
    ).update(anchor=None)
    cite_from_text: list[Paragraph] = []
    at_new_position: dict[int, Paragraph] = {}
    for paragraph, row in pairs:
        values = {name: row[name] for name in ("position", "number", "text", *TREE_FIELDS)}
        values["parent"] = at_new_position[row["parent"]] if row["parent"] is not None else None
        if paragraph is None:
            paragraph = Paragraph.objects.create(statement=statement, **values)
            text_changed = True
        else:
            text_changed = paragraph.text != values["text"]
            placed = [getattr(paragraph, name) for name in TREE_FIELDS] + [paragraph.parent_id]
            wanted = [values[name] for name in TREE_FIELDS] + [
                row["parent"] and values["parent"].pk
            ]
            if paragraph.pk in moving or text_changed or placed != wanted:
                for name, value in values.items():
                    setattr(paragraph, name, value)
                paragraph.save()
        at_new_position[row["position"]] = paragraph
        resolutions: Iterable[Resolution] | None = row.get("resolutions")
        if resolutions is not None:
            paragraph.resolutions.set(resolutions)
        elif text_changed:
            cite_from_text.append(paragraph)
    paragraphs_cite_from_text(cite_from_text)
    bodies_render(statements=[statement.pk])


# --- Statements -----------------------------------------------------------------------------


def statement_create(
    *,
    paragraphs: Sequence[Mapping[str, Any]],
    meetings: Iterable[Meeting] = (),
    user: AbstractBaseUser | None = None,
    comment: str = "",
    major: bool = False,
    change_note: str = "",
    **fields: Any,
) -> Statement:
    """Create a statement with its paragraphs (and their citations); its first version.
    Created published, it is "First published." (or ``change_note``)."""
    statement = Statement(**fields)
    statement.published_at = None  # set by its first publication, here or later
    rows = _checked_paragraph_rows(paragraphs)
    _check_publishable(statement, len(rows))
    statement.full_clean(exclude=["version"])
    note = change_note_checked(statement=statement, major=major, note=change_note)
    with recorded(user=user, comment=comment or _("Created.")):
        _change_record(statement, major=major, note=note)
        if statement.person_id is None and statement.speaker:
            statement.person = speaker_person(speaker=statement.speaker)
        statement.save()
        statement.meetings.set(meetings)
        _paragraphs_apply(statement, rows)
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
    major: bool = False,
    change_note: str = "",
    **fields: Any,
) -> Statement:
    """Change a statement, and its paragraphs when given (the wanted paragraphs, in full),
    unless someone saved it since ``expected_version`` (StaleVersionError). A ``major``
    change carries a ``change_note`` for readers; a minor one none."""
    for name, value in fields.items():
        setattr(statement, name, value)
    rows = _checked_paragraph_rows(paragraphs) if paragraphs is not None else None
    _check_publishable(statement, len(rows) if rows is not None else statement.paragraphs.count())
    statement.full_clean(exclude=["version"])
    note = change_note_checked(statement=statement, major=major, note=change_note)
    with recorded(user=user, comment=comment or _("Changed.")):
        statement_claim_version(statement=statement, expected_version=expected_version)
        _change_record(statement, major=major, note=note)
        if "speaker" in fields and fields.get("person") is None:
            # No person chosen (an editor's choice stands): the speaker line names one.
            statement.person = speaker_person(speaker=statement.speaker)
        save_existing(statement)
        if meetings is not None:
            statement.meetings.set(meetings)
        if rows is not None:
            _paragraphs_apply(statement, rows)  # renders its body
        else:  # its address or kind is in its body's key
            bodies_render(statements=[statement.pk], stale_only=True)
        reversion.add_to_revision(statement)
    return statement


def statement_delete(*, statement: Statement, user: AbstractBaseUser | None = None) -> None:
    """Delete a statement and its paragraphs; its last state stays in the history."""
    with recorded(user=user, comment=_("Deleted.")):
        reversion.add_to_revision(statement)
        statement.delete()


def paragraphs_anchor(*, statements: Iterable[Statement] | None = None) -> int:
    """Give an anchor (and a label, from the printed number) to the blocks a raw load left
    without one: a backup or fixture written before the tree, a revert to a version older
    than it. Every block of such a statement is anchored again, in one pass, so the
    anchors stay unique. Returns how many statements were fixed."""
    missing = Paragraph.objects.filter(anchor__isnull=True)
    if statements is not None:
        missing = missing.filter(statement__in=list(statements))
    fixed = 0
    for statement_id in sorted(set(missing.values_list("statement_id", flat=True))):
        blocks = list(Paragraph.objects.filter(statement_id=statement_id).order_by("position"))
        position_of = {p.pk: p.position for p in blocks}
        for paragraph in blocks:
            if not paragraph.label and paragraph.number is not None:
                paragraph.label = str(paragraph.number)
        anchors = block_anchors(
            [(p.position, p.label, position_of.get(p.parent_id)) for p in blocks]
        )
        Paragraph.objects.filter(statement_id=statement_id).update(anchor=None)
        for paragraph, anchor in zip(blocks, anchors, strict=True):
            paragraph.anchor = anchor
        Paragraph.objects.bulk_update(blocks, ["label", "anchor"])
        fixed += 1
    return fixed
