"""Resolution citations: every form the MOFA pages use, and the numbers that are not."""

from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statements.importing import Mention, citations, cited_resolutions, resolution_mentions


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("the newly adopted Resolution 2397, and", (2397,)),
        ("the robust United Nations Security Council Resolution 2375 on September 12", (2375,)),
        ("UNSC Resolution 2375", (2375,)),
        ("United Nations Security Council Resolutions 1970 and 1973.", (1970, 1973)),
        ("the strict implementation of resolutions 2270 and 2321", (2270, 2321)),
        ("Resolutions 1718, 1874, 2087 and 2094", (1718, 1874, 2087, 2094)),
        ("Resolutions 1718, 1874, 2087, and 2094", (1718, 1874, 2087, 2094)),
        ("resolution 2231 (2015)", (2231,)),
        ("S/RES/2397", (2397,)),
        ("S/RES/2397 (2017)", (2397,)),
        ("S/RES/2397(2017)", (2397,)),
        ("unanimously adopted resolution 2254 regarding Syria", (2254,)),
        ("resolutions 2270 (2016) and 2321 (2016)", (2270, 2321)),
        ("resolution 2270 and resolution 2321", (2270, 2321)),
        ("UNSCR 1325 on women, peace and security", (1325,)),
        ("Resolution No. 2397", (2397,)),
        ("RESOLUTION 2397", (2397,)),
        ("Resolution\u00a02397", (2397,)),
        ("resolution 82", (82,)),
    ],
)
def test_each_citation_form_yields_its_numbers(text, numbers):
    assert cited_resolutions(text) == tuple(sorted(numbers))


@pytest.mark.parametrize(
    "text",
    [
        "a peaceful resolution of 2015",
        "the 72nd session of the General Assembly",
        "1,000 people attended",
        "on December 22, 2017",
        "a resolution in 2016",
        "resolution 0",
        "resolution 12345",
        "General Assembly resolution 2625",
        "UN General Assembly resolution 70/1",
        "resolution 377 (V)",
        "the relevant UNSC resolutions, among other actions",
        "Resolutions",
        "",
    ],
)
def test_numbers_that_are_not_resolutions_are_not_taken(text):
    assert cited_resolutions(text) == ()


def test_resolution_adopted_on_a_date_yields_only_the_resolution():
    assert cited_resolutions("Resolution 2397 adopted on December 22, 2017") == (2397,)


def test_a_count_after_a_list_joiner_is_not_a_resolution():
    assert cited_resolutions("Resolution 2397 and 1,000 people") == (2397,)
    assert cited_resolutions("Resolution 2397, 15 members voted") == (2397,)


def test_a_year_in_brackets_is_skipped_not_taken():
    assert cited_resolutions("resolution 2231 (2015) and 2254 (2015)") == (2231, 2254)


def test_mention_span_covers_exactly_the_number():
    text = "the UNSC Resolution 2397 (PDF) and S/RES/2375 (2017)"
    mentions = resolution_mentions(text)
    assert mentions == [Mention(20, 24, 2397), Mention(41, 45, 2375)]
    assert [text[m.start : m.end] for m in mentions] == ["2397", "2375"]


def test_mentions_come_in_text_order_with_repeats():
    text = "Resolution 2397 ... Resolutions 2375 and 2397"
    assert [m.number for m in resolution_mentions(text)] == [2397, 2375, 2397]
    assert cited_resolutions(text) == (2375, 2397)


def test_a_list_span_covers_each_number():
    text = "Resolutions 1718, 1874, 2087 and 2094"
    spans = [text[m.start : m.end] for m in resolution_mentions(text)]
    assert spans == ["1718", "1874", "2087", "2094"]


def test_mention_is_a_named_tuple_with_start_end_number():
    (mention,) = resolution_mentions("resolution 2254")
    start, end, number = mention
    assert (mention.start, mention.end, mention.number) == (start, end, number) == (11, 15, 2254)


# Text made of what the keywords, numbers and other bodies' names are made of, in any case,
# with the letters other scripts fold onto theirs ("ſ", "ı", "İ", Kelvin's "K").
_PIECES = st.sampled_from(
    [
        *("resolution", "resolutions", "S/RES/", "UNSCR", "SCR", "scrs", "No.", "nos "),
        *("General Assembly ", "GA ", "UNGA", "HRC ", "ECOSOC", "Board of Governors ", "WHA"),
        *("Human Rights Council ", "(XXV)", "(2017)", " and ", ", ", " or ", "/", "-", "."),
        *("2397", "1718", "70", "9", "0", " ", "\u00a0", "x", "’", "ſ", "ı", "İ", "\u212a"),
    ]
)
_TEXTS = st.lists(
    st.one_of(_PIECES, _PIECES.map(str.upper), _PIECES.map(str.lower), st.text(max_size=3)),
    max_size=25,
).map("".join)


@given(_TEXTS, st.integers(min_value=0, max_value=200))
def test_keywords_are_found_where_the_regex_alone_finds_them(text, pos):
    found = citations._next_intro(text, citations._lowered(text), pos)
    alone = citations._INTRO.search(text, pos)
    assert (found and found.span()) == (alone and alone.span())


@given(_TEXTS, st.integers(min_value=0, max_value=200))
def test_other_bodies_are_told_apart_as_by_the_regex_alone(text, start):
    start = min(start, len(text))
    alone = citations._OTHER_BODY.search(text[max(0, start - 40) : start]) is not None
    assert citations._of_other_body(text, citations._lowered(text), start) == alone


@given(_TEXTS)
def test_mentions_are_what_the_regex_alone_reads(text):
    with patch.object(citations, "_lowered", return_value=None):
        alone = resolution_mentions(text)
    assert resolution_mentions(text) == alone


def test_text_whose_letters_fold_onto_a_keyword_is_read_by_the_regex():
    # IGNORECASE reads "ſ" as "s" and "ı" as "i"; "İ" lowercases to two characters.
    assert resolution_mentions("ſ/RES/2397 and reſolutıon 1718") == [
        Mention(6, 10, 2397),
        Mention(26, 30, 1718),
    ]
    assert resolution_mentions("İ resolution 2397") == [Mention(13, 17, 2397)]
