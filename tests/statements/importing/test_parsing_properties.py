"""Properties of parse_document and the citation finder on generated input."""

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from statements.importing import ParsedDocument, ParseError, parse_document, resolution_mentions
from tests.paths import GOLDEN

GOLDEN_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*.txt"))]
ARTEFACT = re.compile(r"\(PDF\)|Open a New Window", re.IGNORECASE)

# Arbitrary text is never a document (test 1 reaches only the ParseError branch); after
# this head, most of it is (the other tests reach the document invariants).
DATE_LINE = "Japan and the United Nations\n\nDecember 23, 2017\n"

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(text: str) -> ParsedDocument | ParseError:
    """The document, or the ParseError; anything else raised fails the test."""
    try:
        return parse_document(text)
    except ParseError as error:
        return error


def check_invariants(text: str, result: ParsedDocument | ParseError) -> None:
    if isinstance(result, ParseError):
        assert not result.message.startswith("internal parser error"), result.message
        line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
        assert result.line is None or 1 <= result.line <= line_count
        assert str(result)
        return
    assert result.title.strip()
    assert result.paragraphs
    assert [p.position for p in result.paragraphs] == list(range(1, len(result.paragraphs) + 1))
    printed = [p.number for p in result.paragraphs if p.number is not None]
    assert len(printed) == len(set(printed))
    assert all(p.depth == 0 for p in result.paragraphs if p.number is not None)
    check_tree(result)
    for paragraph in result.paragraphs:
        assert paragraph.text and paragraph.text == paragraph.text.strip()
        assert "  " not in paragraph.text and "\u00a0" not in paragraph.text
        assert not ARTEFACT.search(paragraph.text)
        for number in paragraph.resolutions:
            assert str(number) in paragraph.text
            assert 1 <= number <= 9999
    assert result.resolutions == tuple(
        sorted({n for p in result.paragraphs for n in p.resolutions})
    )


def check_tree(result: ParsedDocument) -> None:
    """The blocks form a tree listed in reading order, a parent before its children."""
    blocks = result.paragraphs
    for block in blocks:
        assert block.kind in ("heading", "paragraph")
        if block.parent is None:
            assert block.depth == 0
        else:
            assert 1 <= block.parent < block.position
            assert block.depth == blocks[block.parent - 1].depth + 1
        if block.kind == "heading":  # a heading heads something
            assert any(b.parent == block.position for b in blocks)
        assert block.label == block.label.strip()
    # Siblings never share a label: every label path is a distinct citation.
    paths = [(b.parent, b.label) for b in blocks if b.label]
    assert len(paths) == len(set(paths))
    # A block's subtree is contiguous: everything between it and its last descendant
    # descends from it.
    for block in blocks:
        ancestors = []
        parent = block.parent
        while parent is not None:
            ancestors.append(parent)
            parent = blocks[parent - 1].parent
        for ancestor in ancestors:
            assert all(
                _descends(blocks, between, ancestor)
                for between in range(ancestor + 1, block.position)
            )


def _descends(blocks, position: int, ancestor: int) -> bool:
    while position is not None:
        if position == ancestor:
            return True
        position = blocks[position - 1].parent
    return False


@FAST
@given(st.text())
def test_arbitrary_text_gives_a_document_or_a_parse_error(text):
    check_invariants(text, outcome(text))


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text_after_a_date_line_gives_a_document_or_a_parse_error(tail):
    text = DATE_LINE + tail
    check_invariants(text, outcome(text))


@FAST
@given(
    st.sampled_from(GOLDEN_TEXTS),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=4000),
            st.integers(min_value=0, max_value=40),
            st.text(alphabet=" \n\u00a0.,()-:1234567890aAzZ(PDF)OpenaNewWindow", max_size=20),
        ),
        max_size=4,
    ),
)
def test_damaged_real_pages_give_a_document_or_a_parse_error(text, edits):
    for position, length, insert in edits:
        position = min(position, len(text))
        text = text[:position] + insert + text[position + length :]
    check_invariants(text, outcome(text))


@FAST
@given(st.one_of(st.text(max_size=200), st.text(max_size=200).map(DATE_LINE.__add__)))
def test_parsing_is_deterministic(text):
    first, second = outcome(text), outcome(text)
    if isinstance(first, ParseError):
        assert isinstance(second, ParseError) and str(first) == str(second)
    else:
        assert first == second and first.as_json() == second.as_json()


WORDS = st.sampled_from(
    [
        "Japan",
        "welcomes",
        "the",
        "Resolution 2397",
        "resolutions 2270 and 2321",
        "(PDF)Open a New Window",
        "(PDF)open",
        "Open a New Window",
        "(PDF)",
        "1,000",
        "“dialogue”",
        "António",
        "on December 22,",
        "2017.",
        "\u00a0",
        "  ",
    ]
)
SENTENCE = st.lists(WORDS, max_size=12).map(lambda w: " ".join(["Japan", *w]) + ".")
MARKERS = st.sampled_from(["", "  {n}. ", "{n}. ", "- {n}. ", "- ", "• ", "({n}) ", "{n} "])


@FAST
@given(
    st.sampled_from(["", "Japan and the United Nations\n\n", "Press Releases\n"]),
    st.sampled_from(["December 23, 2017", "23 December 2017", "Sept. 3, 2016"]),
    st.lists(st.tuples(MARKERS, SENTENCE), min_size=1, max_size=8),
    st.sampled_from(["", "\n\nBack to Japan and the United Nations", "\n(END)"]),
)
def test_well_formed_pages_parse_and_keep_the_invariants(head, date, body, trailer):
    lines = [marker.format(n=i) + sentence for i, (marker, sentence) in enumerate(body, 1)]
    text = head + date + "\n" + "\n".join(lines) + trailer
    result = outcome(text)
    check_invariants(text, result)
    assert isinstance(result, ParsedDocument), result


# Random text almost never holds a citation (the loop below ran in 0 of 150 examples):
# splice citation-shaped pieces, near misses included, into it.
CITATION_PIECES = st.sampled_from(
    [
        "Resolution 2397",
        "resolutions 2270 and 2321",
        "UNSCRs 1718, 1874, 2087 and 2094",
        "S/RES/1718 (2006)",
        "resolution No. 1540",
        "resolution 2397-like",
        "resolution 0",
        "resolutions 12345",
        "resolution 1,000",
        "General Assembly resolution 70",
        "resolution 2625 (XXV)",
        "resolutions 2270 and 15 members",
    ]
)
PIECES = st.one_of(st.text(max_size=20), CITATION_PIECES)
TEXT_WITH_CITATIONS = st.lists(PIECES, max_size=8).map("".join)


@FAST
@given(st.one_of(st.text(max_size=200), TEXT_WITH_CITATIONS))
@example("the resolutions 2270, 2321 and 2371 were adopted")
def test_every_mention_span_is_the_printed_number(text):
    for mention in resolution_mentions(text):
        assert text[mention.start : mention.end] == str(mention.number)
        assert 1 <= mention.number <= 9999


@FAST
@given(
    st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=5),
    st.sampled_from(["Resolution", "resolutions", "UNSC Resolutions", "S/RES/"]),
)
def test_listed_resolutions_are_all_found(numbers, keyword):
    listed = ", ".join(str(n) for n in numbers[:-1])
    joined = f"{listed} and {numbers[-1]}" if listed else str(numbers[-1])
    if keyword == "S/RES/":
        text = " and ".join(f"S/RES/{n} (2017)" for n in numbers)
    else:
        text = f"the {keyword} {joined} were adopted."
    assert [m.number for m in resolution_mentions(text)] == numbers
