"""Resolution citations: every form the MOFA pages use, and the numbers that are not."""

import pytest

from statements.importing import Mention, cited_resolutions, resolution_mentions


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
