"""The body's tree as the services write it: imports, edits, raw loads."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from statements.importing import parse_document
from statements.models import Paragraph, Statement
from statements.services import (
    ImportPage,
    paragraphs_anchor,
    paragraphs_placed_by_depth,
    statement_create,
    statement_update,
    statements_import,
)
from tests.factories import ParagraphFactory, StatementFactory
from tests.paths import GOLDEN

pytestmark = pytest.mark.django_db


def blocks(statement: Statement) -> list[tuple[str, str, int, str | None, str]]:
    """(kind, label, depth, parent's anchor, anchor) of each block, in reading order."""
    return [
        (p.kind, p.label, p.depth, p.parent.anchor if p.parent else None, p.anchor)
        for p in statement.paragraphs.select_related("parent").order_by("position")
    ]


def imported(name: str) -> Statement:
    text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    [outcome] = statements_import(pages=[ImportPage(parse_document(text), text)])
    return outcome.statement


def test_an_imported_page_stores_its_tree_with_anchors_from_the_label_path():
    statement = imported("handmade_headings_subitems")
    assert blocks(statement) == [
        ("heading", "1", 0, None, "p1"),
        ("paragraph", "(1)", 1, "p1", "p1-1"),
        ("paragraph", "(2)", 1, "p1", "p1-2"),
        ("heading", "2", 0, None, "p2"),
        ("paragraph", "(1)", 1, "p2", "p2-1"),
        ("paragraph", "(2)", 1, "p2", "p2-2"),
        ("paragraph", "(a)", 2, "p2-2", "p2-2-a"),
        ("paragraph", "(b)", 2, "p2-2", "p2-2-b"),
        ("paragraph", "3", 0, None, "p3"),
    ]
    assert [p.number for p in statement.paragraphs.order_by("position")] == [
        1, None, None, 2, None, None, None, None, 3,
    ]  # fmt: skip


def test_a_flat_page_keeps_its_p_n_anchors():
    statement = imported("003_a464196ed3b8e9c0")
    assert [anchor for *_, anchor in blocks(statement)] == ["p-1", "p1", "p2", "p3", "p4"]


def test_a_re_import_of_a_changed_page_writes_the_tree_through_the_same_service():
    statement = imported("handmade_nested_list")
    text = (GOLDEN / "handmade_nested_list.txt").read_text(encoding="utf-8")
    text = text.replace("vocational training", "job training")
    statements_import(pages=[ImportPage(parse_document(text), text)])
    statement.refresh_from_db()
    assert blocks(statement)[3:6] == [
        ("paragraph", "1", 1, "p2", "p2-1"),
        ("paragraph", "2", 1, "p2", "p2-2"),
        ("paragraph", "3", 1, "p2", "p2-3"),
    ]
    assert statement.paragraphs.get(anchor="p2-3").text.startswith("job training")


def test_an_edit_that_names_only_text_and_numbers_keeps_the_tree():
    statement = imported("handmade_headings_subitems")
    rows = [
        {"id": p.pk, "position": p.position, "number": p.number, "text": p.text}
        for p in statement.paragraphs.order_by("position")
    ]
    rows[1]["text"] = "Japan reaffirmed its position, reworded."
    statement_update(statement=statement, expected_version=statement.version, paragraphs=rows)
    after = blocks(statement)
    assert after[1] == ("paragraph", "(1)", 1, "p1", "p1-1")
    assert after[6] == ("paragraph", "(a)", 2, "p2-2", "p2-2-a")


def test_removing_a_heading_keeps_its_items_at_the_top():
    statement = imported("handmade_headings_subitems")
    rows = [
        {"id": p.pk, "position": p.position - 1, "number": p.number, "text": p.text}
        for p in statement.paragraphs.order_by("position")[1:4]  # without heading 1
    ]
    statement_update(statement=statement, expected_version=statement.version, paragraphs=rows)
    assert blocks(statement) == [
        ("paragraph", "(1)", 0, None, "p1"),
        ("paragraph", "(2)", 0, None, "p2"),
        ("heading", "2", 0, None, "p-3"),  # "p2" is taken by the item above
    ]


def test_rows_stating_a_tree_are_written_as_stated():
    statement = statement_create(
        title="A nested statement",
        slug="2024-06-04-a-nested-statement",
        date="2024-06-04",
        paragraphs=[
            {"kind": "heading", "label": "1", "number": 1, "text": "Reform"},
            {"label": "(1)", "parent": 1, "depth": 1, "text": "Japan called for it."},
            {"label": "", "parent": 2, "text": "It said so twice."},
        ],
    )
    assert blocks(statement) == [
        ("heading", "1", 0, None, "p1"),
        ("paragraph", "(1)", 1, "p1", "p1-1"),
        ("paragraph", "", 2, "p1-1", "p-3"),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [{"text": "One.", "parent": 2}, {"text": "Two."}],
            "Block at position 1: its parent (position 2) comes after it.",
        ),
        (
            [{"text": "One."}, {"label": "(1)", "text": "Two.", "parent": 9}],
            "Block (1) (position 2): its parent (position 9) is not in this statement.",
        ),
        (
            [{"text": "One."}, {"label": "a", "text": "Two.", "parent": 1, "depth": 2}],
            "Block a (position 2): depth 2, but its parent makes it 1.",
        ),
        (
            [{"text": "One."}, {"text": "Two.", "parent": 1, "number": 2}],
            "Block at position 2: only a top-level block has a printed number.",
        ),
        ([{"text": "One.", "kind": "list"}], "Block at position 1: kind must be heading"),
    ],
)
def test_an_impossible_tree_is_refused_naming_the_block(rows, message):
    with pytest.raises(ValidationError) as caught:
        statement_create(title="Impossible", slug="impossible", date="2024-06-04", paragraphs=rows)
    assert any(message in error for error in caught.value.message_dict["paragraphs"])
    assert not Statement.objects.exists()


def test_depths_place_each_block_under_the_nearest_block_one_level_up():
    depths = [0, 1, 2, 1, 0, 1]
    rows = paragraphs_placed_by_depth(
        [{"position": p, "depth": d} for p, d in enumerate(depths, start=1)][::-1]
    )
    assert [(row["position"], row["parent"]) for row in rows] == [
        (1, None),
        (2, 1),
        (3, 2),
        (4, 1),
        (5, None),
        (6, 5),
    ]


@pytest.mark.parametrize(
    ("depths", "message"),
    [
        ([1, 0], "Block at position 1: indented, but no block before it to sit under."),
        ([0, 1, 3], "Block at position 3: depth 3, more than one level below the block before"),
    ],
)
def test_an_indentation_with_no_block_to_sit_under_is_refused_naming_it(depths, message):
    with pytest.raises(ValidationError) as refused:
        paragraphs_placed_by_depth(
            [{"position": p, "depth": d} for p, d in enumerate(depths, start=1)]
        )
    assert message in refused.value.message_dict["paragraphs"][0]


def test_the_database_refuses_a_shared_anchor_and_a_nested_number():
    paragraph = ParagraphFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParagraphFactory(statement=paragraph.statement, number=None, anchor="p1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ParagraphFactory(statement=paragraph.statement, number=2, depth=1, parent=paragraph)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParagraphFactory(statement=paragraph.statement, number=None, anchor="")


def test_blocks_a_raw_load_left_without_anchors_get_them_back():
    statement = StatementFactory()
    for position, number in ((1, None), (2, 1), (3, 2)):
        ParagraphFactory(statement=statement, position=position, number=number)
    Paragraph.objects.update(anchor=None, label="")  # as an old backup or version loads
    assert paragraphs_anchor() == 1
    assert [anchor for *_, anchor in blocks(statement)] == ["p-1", "p1", "p2"]
    assert [label for _k, label, *_ in blocks(statement)] == ["", "1", "2"]


def test_the_migration_gives_existing_paragraphs_their_old_anchors():
    migration = importlib.import_module("statements.migrations.0021_paragraph_tree")
    statement = StatementFactory()
    for position, number in ((1, None), (2, 1), (3, 2)):
        ParagraphFactory(statement=statement, position=position, number=number)
    Paragraph.objects.update(anchor=None, label="")
    migration.fill_flat_structure(apps, None)
    assert [anchor for *_, anchor in blocks(statement)] == ["p-1", "p1", "p2"]
    assert [label for _k, label, *_ in blocks(statement)] == ["", "1", "2"]
