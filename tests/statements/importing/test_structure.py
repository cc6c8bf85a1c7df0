"""The body as a tree: one test per layout of the ministry's pages, then properties."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements.importing import ParsedDocument, ParsedParagraph, ParseError, parse_document
from statements.importing.anchors import block_anchors, label_key
from tests.paths import GOLDEN

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse(*lines: str) -> ParsedDocument:
    return parse_document("\n".join(["Japan and the United Nations", "", *lines]))


def tree(document: ParsedDocument) -> list[tuple[str, str, int, int | None, str]]:
    """(kind, label, depth, parent position, text) of each block, in reading order."""
    return [(p.kind, p.label, p.depth, p.parent, p.text) for p in document.paragraphs]


# --- layouts --------------------------------------------------------------------------


def test_numbered_headings_hold_their_bracketed_sub_items():
    document = parse(
        "June 4, 2024",
        "1. Peace and security",
        "(1) Japan reaffirmed its position.",
        "(2) Japan stressed the rule of law.",
        "2. Council reform",
        "(1) Japan called for expansion.",
    )
    assert tree(document) == [
        ("heading", "1", 0, None, "Peace and security"),
        ("paragraph", "(1)", 1, 1, "Japan reaffirmed its position."),
        ("paragraph", "(2)", 1, 1, "Japan stressed the rule of law."),
        ("heading", "2", 0, None, "Council reform"),
        ("paragraph", "(1)", 1, 4, "Japan called for expansion."),
    ]
    assert [p.number for p in document.paragraphs] == [1, None, None, 2, None]


def test_indented_numbers_under_an_item_are_its_sub_items_not_a_repeat():
    document = parse(
        "March 10, 2024",
        "  1. The first point.",
        "  2. The second point has three parts:",
        "    1. part one;",
        "    2. part two;",
        "  3. The third point.",
    )
    assert [(p.label, p.depth, p.parent) for p in document.paragraphs] == [
        ("1", 0, None),
        ("2", 0, None),
        ("1", 1, 2),
        ("2", 1, 2),
        ("3", 0, None),
    ]
    # A full sentence with children stays a paragraph.
    assert document.paragraphs[1].kind == "paragraph"


def test_a_repeated_number_in_the_same_list_is_still_an_error():
    with pytest.raises(ParseError) as caught:
        parse("March 10, 2024", "  1. One.", "  2. Two:", "    1. a;", "    1. b;")
    assert caught.value.line == 7
    assert "paragraph number 1 is used again" in str(caught.value)


def test_an_exact_repeat_in_the_same_list_is_dropped():
    document = parse("March 10, 2024", "1. One.", "2. Two:", "  (1) a;", "  (1) a;", "3. Three.")
    assert [p.label for p in document.paragraphs] == ["1", "2", "(1)", "3"]


def test_an_indented_unnumbered_line_continues_the_item_above_as_its_child():
    document = parse(
        "March 10, 2024",
        "  1. Japan will continue to stand with Ukraine.",
        "     The Government also calls on Russia to withdraw.",
        "  2. Next.",
    )
    assert tree(document)[1] == (
        "paragraph",
        "",
        1,
        1,
        "The Government also calls on Russia to withdraw.",
    )
    assert document.paragraphs[2].depth == 0


def test_an_indented_line_starting_in_lower_case_joins_the_line_above():
    document = parse(
        "March 10, 2024", "  1. repair of substations, including", "     transformers;"
    )
    assert [p.text for p in document.paragraphs] == [
        "repair of substations, including transformers;"
    ]


def test_lettered_items_and_roman_items_nest_by_indentation():
    document = parse(
        "January 15, 2025",
        "Japan will support:",
        "(a) projects in the Sahel, namely:",
        "  (i) dialogue;",
        "  (ii) reintegration;",
        "(b) projects in the Pacific.",
    )
    assert [(p.label, p.depth, p.parent) for p in document.paragraphs] == [
        ("", 0, None),
        ("(a)", 1, 1),
        ("(i)", 2, 2),
        ("(ii)", 2, 2),
        ("(b)", 1, 1),
    ]


def test_i_after_h_is_a_letter_and_i_alone_starts_a_roman_list():
    letters = parse("January 15, 2025", *(f"({c}) Item {c}." for c in "abcdefghij"))
    assert [p.label for p in letters.paragraphs] == [f"({c})" for c in "abcdefghij"]
    assert {p.depth for p in letters.paragraphs} == {0}
    roman = parse("January 15, 2025", "(a) Sahel:", "  (i) one;", "  (ii) two;", "  (v) five.")
    assert [p.depth for p in roman.paragraphs] == [0, 1, 1, 1]


def test_stopped_letters_and_romans_are_labels():
    document = parse("January 15, 2025", "a. First.", "b. Second.", "i. Third?", "ii. Fourth.")
    assert [p.label for p in document.paragraphs] == ["a", "b", "i", "ii"]
    assert document.paragraphs[0].text == "First."


def test_an_abbreviation_is_not_a_letter_label():
    document = parse("January 15, 2025", "U.S. and Japan agreed.", "Mr. Kono spoke.")
    assert [p.label for p in document.paragraphs] == ["", ""]


def test_visit_report_sections_and_sub_sections_are_headings_over_their_paragraphs():
    document = parse(
        "September 22, 2016",
        "  • Mr. Fumio Kishida visited New York.",
        "",
        "1 Multilateral Meetings",
        "",
        "(1) Trilateral Foreign Ministers' Meeting (September 18)",
        "",
        "At the meeting, the ministers shared the view.",
        "(photo 4) The three ministers at the meeting",
        "They also agreed to meet again.",
    )
    assert tree(document) == [
        ("paragraph", "", 0, None, "Mr. Fumio Kishida visited New York."),
        ("heading", "1", 0, None, "Multilateral Meetings"),
        ("heading", "(1)", 1, 2, "Trilateral Foreign Ministers' Meeting (September 18)"),
        ("paragraph", "", 2, 3, "At the meeting, the ministers shared the view."),
        ("paragraph", "", 2, 3, "They also agreed to meet again."),
    ]


def test_a_number_then_space_line_without_sub_items_is_text():
    document = parse("September 22, 2016", "Opening.", "1 Multilateral Meetings", "Japan met.")
    assert [p.label for p in document.paragraphs] == ["", "", ""]


@pytest.mark.parametrize(
    "artefact",
    [
        "Get Acrobat Reader",
        "[Reference] Joint Press Release (PDF)Open a New Window",
        "Back to Index",
        "(photo1) Minister Kamikawa shaking hands with the President, at length, in the hall",
        "(photo 4) The ministers",
        "photo (Foreign Minister Kamikawa and President Francis)",
        "Photo1",
    ],
)
def test_artefact_lines_between_paragraphs_are_dropped(artefact):
    document = parse("May 20, 2024", "1. First.", artefact, "2. Second.")
    assert [p.text for p in document.paragraphs] == ["First.", "Second."]


def test_a_reference_line_without_a_link_heads_the_list_under_it():
    document = parse(
        "September 21, 2023",
        "They agreed.",
        "[Reference 1] Participants",
        "  • Japan: Ms. KAMIKAWA Yoko, Minister for Foreign Affairs",
    )
    assert tree(document)[1:] == [
        ("heading", "", 0, None, "[Reference 1] Participants"),
        ("paragraph", "", 1, 2, "Japan: Ms. KAMIKAWA Yoko, Minister for Foreign Affairs"),
    ]


def test_a_caption_between_numbered_paragraphs_heads_nothing():
    document = parse("May 20, 2024", "1. First.", "A caption without a stop", "2. Second.")
    assert [(p.label, p.depth) for p in document.paragraphs] == [("1", 0), ("", 0), ("2", 0)]


def test_a_short_numbered_item_without_children_is_a_paragraph():
    document = parse("May 20, 2024", "1. Nuclear disarmament", "2. Climate change")
    assert [p.kind for p in document.paragraphs] == ["paragraph", "paragraph"]


def test_a_reading_stored_before_the_tree_reads_back_flat():
    old = {"position": 2, "number": 1, "text": "First.", "resolutions": [2397]}
    assert ParsedParagraph.from_json(old) == ParsedParagraph(
        2, 1, "First.", (2397,), kind="paragraph", label="1", depth=0, parent=None
    )


# --- anchors --------------------------------------------------------------------------


def test_anchors_follow_the_label_path_and_unlabelled_blocks_their_position():
    blocks = [(1, "", None), (2, "2", None), (3, "(1)", 2), (4, "a", 3), (5, "", 3)]
    assert block_anchors(blocks) == ["p-1", "p2", "p2-1", "p2-1-a", "p-5"]


def test_labels_under_an_unlabelled_block_keep_their_own_key_and_clashes_fall_back():
    blocks = [(1, "", None), (2, "(a)", 1), (3, "a", None)]
    assert block_anchors(blocks) == ["p-1", "pa", "p-3"]
    assert label_key("(IV)") == "iv"


# --- properties -----------------------------------------------------------------------

ROMAN = ["i", "ii", "iii", "iv", "v", "vi"]


def _marker(depth: int, n: int) -> tuple[str, str]:
    """The printed marker and the stored label of item n (1-based) at a depth."""
    if depth == 0:
        return f"{n}.", str(n)
    if depth == 1:
        return f"({n})", f"({n})"
    if depth == 2:
        letter = "abcdef"[n - 1]
        return f"({letter})", f"({letter})"
    return f"{ROMAN[n - 1]}.", ROMAN[n - 1]


@st.composite
def outlines(draw, depth=0):
    """A list of items, each with a list of sub-items one level down (at most 4 deep)."""
    count = draw(st.integers(min_value=1, max_value=3 if depth else 4))
    items = []
    for _ in range(count):
        children = draw(outlines(depth + 1)) if depth < 3 and draw(st.booleans()) else []
        items.append(children)
    return items


WORD = st.sampled_from(["Japan", "welcomes", "the", "Council", "reform", "peace", "António"])


@FAST
@given(outlines(), st.data())
def test_an_indented_outline_parses_back_to_its_tree(outline, data):
    lines, expected = [], []

    def render(items, depth, parent):
        for n, children in enumerate(items, start=1):
            marker, label = _marker(depth, n)
            words = data.draw(st.lists(WORD, min_size=1, max_size=6))
            text = " ".join(words) + "."  # a sentence: never a topic line
            lines.append("  " * (depth + 1) + f"{marker} {text}")
            expected.append((label, depth, parent, text))
            render(children, depth + 1, len(expected))

    render(outline, 0, None)
    document = parse("March 10, 2024", *lines)
    assert [(p.label, p.depth, p.parent, p.text) for p in document.paragraphs] == expected
    anchors = block_anchors([(p.position, p.label, p.parent) for p in document.paragraphs])
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"p[0-9a-z]+(?:-[0-9a-z]+)*", a) for a in anchors)


ARTEFACTS = ["Get Acrobat Reader", "Back to Index", "(photo 2) A caption", "Photo3"]


@FAST
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "    "]),
            st.sampled_from(["", "1. ", "2. ", "(1) ", "(a) ", "i. ", "• ", "3 "]),
            st.lists(WORD, min_size=1, max_size=8),
            st.sampled_from([".", "", ":"]),
        ),
        min_size=1,
        max_size=10,
    ),
    st.lists(st.sampled_from(ARTEFACTS), max_size=3),
)
def test_no_word_of_the_body_is_lost_and_reading_order_is_kept(body, artefacts):
    lines = [f"{indent}{marker}{' '.join(words)}{stop}" for indent, marker, words, stop in body]
    for i, artefact in enumerate(artefacts):
        lines.insert(min(len(lines), 2 * i + 1), artefact)
    try:
        document = parse("March 10, 2024", "1. Opening sentence of the page.", *lines)
    except ParseError as error:  # reusing a label in one list is refused, never a crash
        assert "used again" in error.message
        return
    written = " ".join(p.text for p in document.paragraphs)
    for _, _, words, _ in body:
        for word in words:
            assert word in written
    # Reading order: the blocks' texts appear in the input in the same order.
    source = "\n".join(lines)
    at = 0
    for paragraph in document.paragraphs[1:]:
        first = paragraph.text.split()[0]
        found = source.find(first, at)
        assert found >= 0
        at = found
    assert not any(a in written for a in ("Acrobat", "Back to", "caption", "Photo3"))


# --- what a reader would dispute in the golden pages ----------------------------------


def golden(name: str) -> ParsedDocument:
    return parse_document((GOLDEN / f"{name}.txt").read_text(encoding="utf-8"))


def everything(document: ParsedDocument) -> str:
    return " ".join(p.text for p in document.paragraphs)


def test_golden_g4_page_drops_its_captions_and_document_link_and_heads_the_participants():
    document = golden("fp_unp_page6e_000390")
    assert "photo session" not in everything(document)
    assert "Joint Press Statement" not in everything(document)  # "[Reference 2] ... (PDF)"
    reference = document.paragraphs[4]
    assert (reference.kind, reference.text) == ("heading", "[Reference 1] Participants")
    under = [p.text.split(":")[0] for p in document.paragraphs if p.parent == 5]
    assert under == ["Japan", "Brazil", "Germany", "India"]


def test_golden_g4_2014_sub_items_sit_under_the_full_sentence_item_two():
    document = golden("fp_unp_page18e_000104")
    two = document.paragraphs[2]
    assert (two.label, two.kind) == ("2", "paragraph")  # a sentence, not a heading
    assert [(p.label, p.parent, p.text[:6]) for p in document.paragraphs[3:]] == [
        ("(1)", 3, "To aim"),
        ("(2)", 3, "Since "),
    ]


def test_golden_visit_report_sections_are_headings_not_paragraphs():
    document = golden("fp_unp_page3e_000610")
    assert [(p.kind, p.label, p.depth) for p in document.paragraphs[3:]] == [
        ("heading", "1", 0),
        ("heading", "(1)", 1),
        ("paragraph", "", 2),
    ]
    assert document.paragraphs[3].text == "Multilateral Meetings"
    assert document.paragraphs[4].text.endswith("(September 18)")


def test_golden_hand_made_pages_drop_every_caption_and_link_line():
    artefacts = everything(golden("handmade_artefacts"))
    for gone in ("Acrobat", "Joint Press Release", "Back to", "shaking hands", "Iikura", "Photo"):
        assert gone not in artefacts
    report = golden("handmade_visit_report")
    assert "photo session" not in everything(report)
    assert [p.label for p in report.paragraphs if p.kind == "heading"] == [
        "1",
        "(1)",
        "(2)",
        "2",
        "(1)",
    ]


def test_golden_nested_list_repeats_numbers_one_level_down_and_keeps_the_continuation():
    document = golden("handmade_nested_list")
    assert [(p.label, p.depth) for p in document.paragraphs[1:]] == [
        ("1", 0),
        ("2", 0),
        ("1", 1),
        ("2", 1),
        ("3", 1),
        ("3", 0),
        ("", 1),
    ]
    # The lower-case wrapped line joins item 2.2; the indented sentence is 3's child.
    assert document.paragraphs[4].text.endswith("supplied by Japanese companies;")
    anchors = block_anchors([(p.position, p.label, p.parent) for p in document.paragraphs])
    assert anchors == ["p-1", "p1", "p2", "p2-1", "p2-2", "p2-3", "p3", "p-8"]
