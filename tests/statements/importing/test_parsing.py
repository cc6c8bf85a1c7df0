"""parse_document: one test per rule of the page format, then the golden pages."""

import datetime
import json

import pytest

from statements.importing import ParsedDocument, ParseError, page_key, parse_document
from tests.paths import GOLDEN

GOLDEN_PAGES = sorted(p.stem for p in GOLDEN.glob("*.txt"))

OPENING = (
    "On September 19, commencing at 12:05 p.m. (local time; 1:05 a.m. on Tuesday, "
    "September 20, Japan time) for approximately 15 minutes, Mr. Shinzo Abe, Prime Minister "
    "of Japan, who is visiting New York to attend the 72nd United Nations (UN) General "
    "Assembly, held a meeting with Mr. António Guterres, Secretary-General of the UN. "
    "The overview of the meeting is as follows."
)


def page(*lines: str) -> str:
    return "\n".join(lines)


def parse(*lines: str) -> ParsedDocument:
    return parse_document(page(*lines))


def texts(document: ParsedDocument) -> list[str]:
    return [p.text for p in document.paragraphs]


def tree(document: ParsedDocument) -> list[tuple[str, int, int | None]]:
    """(label, depth, parent position) of each block, in reading order."""
    return [(p.label, p.depth, p.parent) for p in document.paragraphs]


def kinds(document: ParsedDocument) -> list[str]:
    return [p.kind for p in document.paragraphs]


def numbers(document: ParsedDocument) -> list[int | None]:
    return [p.number for p in document.paragraphs]


def meeting_page(opening: str, date: str = "September 19, 2017") -> ParsedDocument:
    return parse("Japan and the United Nations", "", date, opening, "  1. Talks went well.")


# --- header: section, title, speaker, date -------------------------------------------


def test_section_line_may_follow_blank_lines():
    document = parse("", "", "Japan and the United Nations", "", "December 23, 2017", "  1. Text.")
    assert document.section == "Japan and the United Nations"
    assert document.date == datetime.date(2017, 12, 23)


def test_section_and_title_lines_before_the_date():
    document = parse("Press Releases", "A Title", "December 23, 2017", "1. Text.")
    assert (document.section, document.title, document.title_derived) == (
        "Press Releases",
        "A Title",
        False,
    )


def test_a_single_title_line_is_a_title_not_a_section():
    document = parse("Statement by the Press Secretary on Syria", "March 1, 2016", "1. Text.")
    assert document.section is None
    assert document.title == "Statement by the Press Secretary on Syria"


def test_statement_by_line_gives_the_speaker():
    document = parse(
        "Press Releases",
        "The Adoption of a Resolution",
        "(Statement by Foreign Minister Taro Kono)",
        "September 12, 2017",
        "1. Japan highly appreciates the adoption.",
    )
    assert document.speaker == "Taro Kono"
    assert document.kind == "statement"
    assert document.title == "The Adoption of a Resolution"


def test_title_statement_by_mr_name_gives_the_speaker():
    document = parse(
        "Statement by Mr. Taro Aso, Minister for Foreign Affairs, on the Inauguration",
        "June 28, 2007",
        "- Text.",
    )
    assert document.speaker == "Taro Aso"


def test_title_statement_by_an_office_names_no_speaker():
    document = parse(
        "Statement by Minister for Foreign Affairs of Japan, on military action against Libya",
        "March 20, 2011",
        "  1. Text.",
    )
    assert document.speaker is None
    assert document.kind == "statement"


def test_date_line_day_month_year_is_tolerated():
    assert parse("21 September 2016", "Text.").date == datetime.date(2016, 9, 21)


def test_abbreviated_month_and_weekday_date_lines_are_tolerated():
    assert parse("Sept. 3, 2016", "Text.").date == datetime.date(2016, 9, 3)
    assert parse("Tuesday, December 5, 2017", "Text.").date == datetime.date(2017, 12, 5)


def test_missing_date_line_is_an_error_naming_the_line():
    with pytest.raises(ParseError) as caught:
        parse("Japan and the United Nations", "", "foo")
    error = caught.value
    assert error.line == 3
    assert error.expected == "a date line like 'December 23, 2017'"
    assert str(error) == "line 3: expected a date line like 'December 23, 2017', found 'foo'"


def test_paragraph_before_any_date_is_an_error_at_that_paragraph():
    with pytest.raises(ParseError) as caught:
        parse("Japan and the United Nations", "  1. Japan welcomes the resolution.")
    assert caught.value.line == 2
    assert "found '1. Japan welcomes the resolution.'" in str(caught.value)


def test_impossible_calendar_date_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse("Section", "February 30, 2017", "1. Text.")
    assert caught.value.line == 2
    assert "calendar date" in caught.value.message


@pytest.mark.parametrize("text", ["", "   ", "\n\n \t\n", "\u00a0\u200b"])
def test_empty_or_blank_text_is_an_error_about_the_whole_input(text):
    with pytest.raises(ParseError) as caught:
        parse_document(text)
    assert caught.value.line is None


def test_nul_character_is_an_error_naming_its_line():
    with pytest.raises(ParseError) as caught:
        parse_document("Japan and the United Nations\nDecember 23, 2017\n1. a\x00b")
    assert caught.value.line == 3


def test_text_of_mostly_control_characters_is_rejected():
    with pytest.raises(ParseError) as caught:
        parse_document("December 23, 2017\n" + "\x01\x02\x03\x04" * 20 + "ab")
    assert caught.value.line is None
    assert "control characters" in str(caught.value)


def test_date_without_paragraphs_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse("Japan and the United Nations", "December 23, 2017", "", "Back to Index")
    assert caught.value.line == 2


def test_parse_error_pickles_and_keeps_its_fields():
    import pickle

    error = pickle.loads(pickle.dumps(ParseError("bad", 4, "a date line")))
    assert (error.message, error.line, error.expected, str(error)) == (
        "bad",
        4,
        "a date line",
        "line 4: bad",
    )


# --- captions -------------------------------------------------------------------------


def test_pool_photo_lines_are_not_paragraphs():
    document = parse("December 1, 2017", "Pool Photo", "Pool Photo", "", "Text here.")
    assert texts(document) == ["Text here."]


def test_caption_sentence_after_the_date_is_not_a_paragraph():
    document = parse(
        "April 28, 2025",
        "Foreign Minister Iwaya is shaking hands with Mr. António Guterres",
        "",
        "On April 28, the two met.",
    )
    assert texts(document) == ["On April 28, the two met."]


def test_a_short_unpunctuated_line_is_a_paragraph_when_nothing_follows():
    assert texts(parse("April 28, 2025", "A short line")) == ["A short line"]


# --- numbering ------------------------------------------------------------------------


def test_unnumbered_opening_paragraph_has_no_number():
    document = parse("December 1, 2017", "Opening text.", "  1. First.", "  2. Second.")
    assert numbers(document) == [None, 1, 2]
    assert [p.position for p in document.paragraphs] == [1, 2, 3]


def test_doubled_first_number_is_read_once():
    document = parse("March 3, 2016", "  1. 1. First.", "    2. Second.")
    assert numbers(document) == [1, 2]
    assert texts(document) == ["First.", "Second."]


def test_number_then_space_numbering():
    document = parse("December 21, 2015", "1 On December 19 it happened.", "2 A settlement.")
    assert numbers(document) == [1, 2]
    assert texts(document) == ["On December 19 it happened.", "A settlement."]


def test_a_paragraph_starting_with_a_number_is_not_numbered_by_it():
    document = parse("December 21, 2015", "70 years have passed.", "Japan remains.")
    assert numbers(document) == [None, None]
    assert texts(document)[0] == "70 years have passed."


def test_dash_number_numbering():
    document = parse("September 26, 2012", "Opening.", "- 1. First.", "- 2. Second.")
    assert numbers(document) == [None, 1, 2]
    assert texts(document)[1:] == ["First.", "Second."]


def test_dash_bullets_are_unnumbered_items():
    document = parse("June 28, 2007", "- First item.", "- Second item.")
    assert numbers(document) == [None, None]
    assert texts(document) == ["First item.", "Second item."]


def test_round_bullet_is_not_text():
    assert texts(parse("June 28, 2007", "• An item.")) == ["An item."]


def test_sub_items_under_a_lone_heading_become_paragraphs_numbered_1_to_n():
    document = parse(
        "December 21, 2016", "Opening.", "", "1.", "", "(1) One.", "", "(2) Two.", "(3) Three."
    )
    assert numbers(document) == [None, 1, 2, 3]
    assert texts(document) == ["Opening.", "One.", "Two.", "Three."]


def test_sub_items_after_a_numbered_item_are_its_children():
    document = parse("December 21, 2016", "1. First.", "2. Second:", "(1) Sub a.", "(2) Sub b.")
    assert numbers(document) == [1, 2, None, None]
    assert texts(document)[2:] == ["Sub a.", "Sub b."]
    assert tree(document) == [("1", 0, None), ("2", 0, None), ("(1)", 1, 2), ("(2)", 1, 2)]


def test_lone_number_heading_numbers_the_next_paragraph():
    document = parse("December 21, 2016", "1.", "", "Text of the first.", "2. Second.")
    assert numbers(document) == [1, 2]
    assert texts(document) == ["Text of the first.", "Second."]


def test_exact_repeat_of_a_paragraph_is_dropped():
    document = parse("December 21, 2015", "1 First.", "2 Second.", "3 Third.", "2 Second.")
    assert numbers(document) == [1, 2, 3]


def test_different_paragraph_reusing_a_number_is_an_error_naming_the_line():
    with pytest.raises(ParseError) as caught:
        parse("December 21, 2015", "1. First.", "2. Second.", "2. Something else.")
    assert caught.value.line == 4
    assert "paragraph number 2" in str(caught.value)
    assert "first on line 3" in str(caught.value)


def test_hard_wrapped_line_continues_the_paragraph():
    document = parse("December 1, 2017", "1. Japan strongly urges", "all parties to comply.")
    assert texts(document) == ["Japan strongly urges all parties to comply."]


# --- text clean-up --------------------------------------------------------------------


@pytest.mark.parametrize(
    "artefact", ["(PDF)Open a New Window", "(PDF)open", "Open a New Window", "(PDF)"]
)
def test_link_artefacts_are_removed_from_text(artefact):
    document = parse("December 23, 2017", f"  1. Resolution 2397 {artefact} at the UNSC.")
    assert texts(document) == ["Resolution 2397 at the UNSC."]


def test_artefact_before_punctuation_leaves_no_space():
    document = parse("December 23, 2017", "1. Resolution 2397 (PDF)Open a New Window.")
    assert texts(document) == ["Resolution 2397."]


def test_whitespace_is_collapsed_and_trailing_spaces_dropped():
    document = parse("December 23, 2017", "1. Two  spaces\u00a0\u00a0and nbsp.\u00a0 \u00a0 ")
    assert texts(document) == ["Two spaces and nbsp."]


def test_typographic_quotes_and_accents_are_kept():
    text = "“dialogue and pressure” and Japan’s friend António Jeremić."
    assert texts(parse("December 23, 2017", text)) == [text]


def test_crlf_line_endings_are_read():
    document = parse_document("Press Releases\r\nDecember 23, 2017\r\n1. A.\r\n2. B.\r\n")
    assert texts(document) == ["A.", "B."]


# --- trailers and notes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "trailer",
    [
        "Back to Japan and the United Nations",
        "Back to Index",
        "(END)",
        "Related Information (Japan and the United Nations)",
    ],
)
def test_trailers_are_not_paragraphs(trailer):
    assert texts(parse("December 23, 2017", "1. Text.", "", trailer)) == ["Text."]


def test_provisional_translation_note_is_dropped():
    note = (
        "    \u2022 (*This is a provisional translation. The above date denotes the date of "
        "the issue of the original press release in Japanese.)"
    )
    assert texts(parse("March 20, 2011", "  1. Text.", note)) == ["Text."]


# --- resolutions ----------------------------------------------------------------------


def test_paragraph_resolutions_and_document_resolutions():
    document = parse(
        "March 20, 2011",
        "1. Resolutions 1970 and 1973.",
        "2. Resolution 1973 (2011) again.",
        "3. A resolution of 2015.",
    )
    assert [p.resolutions for p in document.paragraphs] == [(1970, 1973), (1973,), ()]
    assert document.resolutions == (1970, 1973)


# --- kinds and derived titles ---------------------------------------------------------


def test_adoption_statement_without_title_gets_a_derived_title():
    document = parse(
        "Japan and the United Nations",
        "December 23, 2017",
        "  1. Japan highly appreciates the unanimous adoption of the robust United Nations "
        "Security Council (UNSC) Resolution 2397 at the UNSC.",
    )
    assert document.kind == "statement"
    assert document.title == "Statement on the adoption of UN Security Council Resolution 2397"
    assert document.title_derived is True


def test_statement_without_title_or_resolution_gets_a_dated_title():
    document = parse("December 23, 2017", "Japan strongly condemns the launch.")
    assert document.kind == "statement"
    assert document.title == "Statement on December 23, 2017"


def test_other_press_release_is_a_press_release():
    document = parse("Press Releases", "", "May 1, 2019", "The Ministry will hold a seminar.")
    assert document.kind == "press_release"
    assert document.title == "The Ministry will hold a seminar"
    assert document.title_derived is True


def test_page_that_is_neither_is_other():
    document = parse("December 1, 2017", "The G4 Ministers underscored their commitment.")
    assert document.kind == "other"
    assert document.title


# --- meetings -------------------------------------------------------------------------


def test_meeting_summary_facts_from_the_opening_sentence():
    document = meeting_page(OPENING)
    meeting = document.meeting
    assert document.kind == "meeting_summary"
    assert meeting is not None
    assert meeting.kind == "bilateral"
    assert meeting.date == datetime.date(2017, 9, 19)
    assert meeting.start_time == datetime.time(12, 5)
    assert meeting.timezone == "America/New_York"
    assert meeting.duration_minutes == 15
    assert meeting.location == "New York"
    assert meeting.occasion == "72nd UN General Assembly"
    assert [(p.name, p.role) for p in meeting.participants] == [
        ("Shinzo Abe", "Prime Minister of Japan"),
        ("António Guterres", "Secretary-General of the UN"),
    ]
    expected = "Meeting between Prime Minister Shinzo Abe and Secretary-General António Guterres"
    assert meeting.title == document.title == expected
    assert document.title_derived is True


@pytest.mark.parametrize(
    ("phrase", "minutes"),
    [
        ("for approximately 15 minutes", 15),
        ("for about 20 minutes", 20),
        ("for approximately twenty-five minutes", 25),
        ("for about an hour", 60),
        ("for 1 hour and 10 minutes", 70),
        ("for about an hour and a half", 90),
        ("for half an hour", 30),
    ],
)
def test_meeting_durations(phrase, minutes):
    opening = (
        f"On May 1, commencing at 3:00 p.m. {phrase}, Mr. Taro Kono held a meeting with Mr. X Y."
    )
    assert meeting_page(opening, "May 1, 2018").meeting.duration_minutes == minutes


@pytest.mark.parametrize(
    ("phrase", "start"),
    [
        ("commencing at 12:05 p.m.", datetime.time(12, 5)),
        ("commencing at 8:45 a.m.", datetime.time(8, 45)),
        ("from 11 a.m.", datetime.time(11, 0)),
        ("at 12:30 a.m.", datetime.time(0, 30)),
        ("commencing at around 2:00 p.m. local time", datetime.time(14, 0)),
    ],
)
def test_meeting_start_times(phrase, start):
    opening = f"On May 1, {phrase} for about 20 minutes, Mr. Taro Kono held a meeting with Mr. X Y."
    assert meeting_page(opening, "May 1, 2018").meeting.start_time == start


def test_meeting_without_time_or_duration_has_none():
    meeting = meeting_page("On May 1, Mr. Taro Kono met with Mr. Xavier Yves.").meeting
    assert (meeting.start_time, meeting.duration_minutes) == (None, None)


def test_telephone_talks_without_place_are_japan_time():
    opening = (
        "On December 21, commencing at 8:45 a.m. for approximately 30 minutes, Mr. Shinzo Abe, "
        "Prime Minister of Japan, held telephone talks with Mr. António Guterres, "
        "Secretary-General-designate of the United Nations (UN)."
    )
    meeting = meeting_page(opening, "December 21, 2016").meeting
    assert (meeting.kind, meeting.timezone, meeting.location) == ("telephone", "Asia/Tokyo", "")
    assert meeting.participants[1].role == "Secretary-General-designate of the UN"
    assert meeting.title == (
        "Telephone talks between Prime Minister Shinzo Abe and "
        "Secretary-General-designate António Guterres"
    )


def test_timezone_is_inferred_from_local_and_japan_time_offset():
    opening = (
        "On April 28, commencing at around 2:00 p.m. local time (3:00 a.m. on April 29, Japan "
        "time) for approximately twenty-five minutes, Mr. IWAYA Takeshi, Minister for Foreign "
        "Affairs, held a meeting with H.E. Mr. António Manuel de Oliveira Guterres, "
        "Secretary-General of the United Nations."
    )
    meeting = meeting_page(opening, "April 28, 2025").meeting
    assert meeting.timezone == "America/New_York"
    assert meeting.location == ""


def test_offset_inference_picks_europe_for_a_european_offset():
    opening = (
        "On June 10, commencing at 10:00 a.m. (local time; 5:00 p.m. Japan time), Mr. Taro "
        "Kono held a meeting with Mr. Xavier Yves."
    )
    assert meeting_page(opening, "June 10, 2018").meeting.timezone == "Europe/Zurich"


def test_named_place_gives_location_and_timezone():
    opening = (
        "On May 1, Mr. Taro Kono, who is visiting Geneva, held a meeting with Mr. Xavier Yves."
    )
    meeting = meeting_page(opening, "May 1, 2018").meeting
    assert (meeting.location, meeting.timezone) == ("Geneva", "Europe/Zurich")


def test_local_time_with_no_place_leaves_timezone_unknown():
    opening = (
        "On September 26, Prime Minister Noda met with the Secretary-General of the United "
        "Nations, Ban Ki-Moon, for about 20 minutes from 11:30 a.m. (local time)."
    )
    meeting = meeting_page(opening, "September 26, 2012").meeting
    assert (meeting.timezone, meeting.location) == ("", "")
    assert [(p.name, p.role) for p in meeting.participants] == [
        ("Noda", "Prime Minister"),
        ("Ban Ki-Moon", "Secretary-General of the United Nations"),
    ]


def test_capitalised_family_name_is_normalised_given_name_first():
    opening = (
        "On April 28, Mr. IWAYA Takeshi, Minister for Foreign Affairs, met with Mr. Xavier Yves."
    )
    meeting = meeting_page(opening, "April 28, 2025").meeting
    assert meeting.participants[0].name == "Takeshi Iwaya"


def test_honorifics_are_stripped_from_participant_names():
    opening = (
        "On 21 September 2016, H.E. Dr. Frank-Walter Steinmeier, Federal Foreign Minister of "
        "Germany, invited H.E. Mr. José Serra, Foreign Minister of Brazil and H.E. Mr. M. J. "
        "Akbar, Minister of State for External Affairs of India to a G4 meeting in New York."
    )
    meeting = meeting_page(opening, "September 21, 2016").meeting
    assert [p.name for p in meeting.participants] == [
        "Frank-Walter Steinmeier",
        "José Serra",
        "M. J. Akbar",
    ]
    assert meeting.kind == "multilateral"
    assert meeting.title == "G4 meeting in New York"


def test_meeting_date_takes_the_year_nearest_the_page_date():
    opening = "On December 31, Mr. Taro Kono held a meeting with Mr. Xavier Yves."
    assert meeting_page(opening, "January 2, 2018").meeting.date == datetime.date(2017, 12, 31)


def test_meeting_date_is_the_local_date_even_when_japan_date_is_later():
    assert meeting_page(OPENING, "September 20, 2017").meeting.date == datetime.date(2017, 9, 19)


def test_a_meeting_title_line_becomes_the_meeting_title():
    document = parse(
        "Meeting between Prime Minister Noda and Secretary-General Ban Ki-moon",
        "September 26, 2012",
        "On September 26, Prime Minister Noda met with Mr. Ban Ki-moon.",
    )
    assert document.meeting.title == document.title
    assert document.title_derived is False


def test_statement_pages_report_no_meeting():
    document = parse(
        "Statement by the Minister for Foreign Affairs on Syria",
        "December 21, 2015",
        "1 On December 19, the Council held a meeting with the parties.",
        "2 Japan welcomes it.",
    )
    assert (document.kind, document.meeting) == ("statement", None)


# --- JSON shape -----------------------------------------------------------------------


def test_as_json_has_exactly_the_contract_keys():
    data = meeting_page(OPENING).as_json()
    assert list(data) == [
        "section",
        "title",
        "title_derived",
        "kind",
        "date",
        "speaker",
        "paragraphs",
        "resolutions",
        "meeting",
    ]
    assert list(data["paragraphs"][0]) == [
        "position",
        "number",
        "kind",
        "label",
        "depth",
        "parent",
        "text",
        "resolutions",
    ]
    assert list(data["meeting"]) == [
        "title",
        "kind",
        "date",
        "start_time",
        "timezone",
        "duration_minutes",
        "location",
        "occasion",
        "participants",
    ]
    assert data["meeting"]["start_time"] == "12:05"
    assert data["date"] == "2017-09-19"
    json.dumps(data)  # serialisable as is


# --- golden pages ---------------------------------------------------------------------


def test_every_golden_page_has_its_expected_json():
    assert len(GOLDEN_PAGES) == 20
    assert all((GOLDEN / f"{name}.json").exists() for name in GOLDEN_PAGES)


@pytest.mark.parametrize("name", GOLDEN_PAGES)
def test_golden_page_parses_to_its_expected_json(name):
    text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert parse_document(text).as_json() == expected


@pytest.mark.parametrize("name", GOLDEN_PAGES)
def test_a_parsed_page_reads_back_from_its_json_as_it_was(name):
    # How an import's stored baseline is read back on the next re-import.
    document = parse_document((GOLDEN / f"{name}.txt").read_text(encoding="utf-8"))
    stored = json.loads(json.dumps(document.as_json()))
    assert ParsedDocument.from_json(stored) == document


def test_page_key_ignores_spacing_punctuation_and_case_but_not_words_or_date():
    day = datetime.date(2017, 12, 23)
    key = page_key(day, "Japan welcomes “Resolution 2397”.")
    assert page_key(day, 'Japan  welcomes "resolution 2397"') == key
    assert page_key(day, "Japan regrets Resolution 2397.") != key
    assert page_key(day + datetime.timedelta(days=1), "Japan welcomes “Resolution 2397”.") != key
