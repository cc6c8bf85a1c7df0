"""Meetings a page reports: multi-party meetings with officials in attendance, telephone
talks, courtesy calls opening with a name, luncheons, a minister named by family name
alone, visit reports of several meetings; and the stored JSON of older imports."""

import datetime

from statements.importing import ParsedDocument, parse_document
from statements.importing.visits import visit_meetings, visit_meetings_from_blocks
from tests.paths import GOLDEN


def people(meeting) -> list[tuple[str, str, str, bool]]:
    return [(p.name, p.role, p.organisation, p.in_attendance) for p in meeting.participants]


G4_SUMMIT = """Japan and the United Nations

September 26, 2015
Photo
On September 26, commencing at 10:30 a.m. (local time) for approximately one hour, the G4 \
Summit Meeting was held in New York, hosted by Mr. Narendra Modi, Prime Minister of India, \
with the participation of Mr. Shinzo Abe, Prime Minister of Japan; Ms. Dilma Rousseff, \
President of Brazil; and Ms. Angela Merkel, Chancellor of Germany. The overview is as follows.
  1. The leaders agreed. Prime Minister Abe stated that Japan will work with them.
  2. Prime Minister Modi welcomed it.

[Reference] Participants
  • India: Mr. Narendra Modi, Prime Minister (Host)
  • Japan: Mr. Shinzo Abe, Prime Minister (In attendance: Mr. Hiroshige Seko, Deputy Chief \
Cabinet Secretary; Mr. Motohide Yoshikawa, Ambassador)
  • Brazil: Ms. Dilma Rousseff, President; in attendance: Mr. Mauro Vieira, Minister of \
External Relations
  • Germany: Ms. Angela Merkel, Chancellor
    In attendance: Mr. Christoph Heusgen, Foreign and Security Policy Adviser

Back to Japan and the United Nations
"""


def test_four_leader_meeting_hosted_with_participation_and_officials_in_attendance():
    (meeting,) = parse_document(G4_SUMMIT).meetings
    assert (meeting.kind, meeting.title) == ("summit", "G4 Summit Meeting in New York")
    assert (meeting.date, meeting.start_time) == (datetime.date(2015, 9, 26), datetime.time(10, 30))
    assert (meeting.location, meeting.timezone, meeting.duration_minutes) == (
        "New York",
        "America/New_York",
        60,
    )
    assert people(meeting) == [
        ("Narendra Modi", "Prime Minister of India", "India", False),
        ("Shinzo Abe", "Prime Minister of Japan", "Japan", False),
        ("Dilma Rousseff", "President of Brazil", "Brazil", False),
        ("Angela Merkel", "Chancellor of Germany", "Germany", False),
        ("Hiroshige Seko", "Deputy Chief Cabinet Secretary", "Japan", True),
        ("Motohide Yoshikawa", "Ambassador", "Japan", True),
        ("Mauro Vieira", "Minister of External Relations", "Brazil", True),
        ("Christoph Heusgen", "Foreign and Security Policy Adviser", "Germany", True),
    ]


def test_ministerial_meeting_with_participants_in_a_bracket_is_multilateral():
    text = (GOLDEN / "fp_unp_page18e_000104.txt").read_text(encoding="utf-8")
    document = parse_document(text)
    (meeting,) = document.meetings
    assert document.kind == "meeting_summary"
    assert (meeting.kind, meeting.title) == (
        "multilateral",
        "G4 Ministerial-level Meeting in New York",
    )
    # "(local time)" with the place named: the place's zone.
    assert (meeting.date, meeting.timezone) == (datetime.date(2014, 9, 25), "America/New_York")
    assert [(p.name, p.organisation) for p in meeting.participants] == [
        ("Fumio Kishida", "Japan"),
        ("Sushma Swaraj", "India"),
        ("Frank-Walter Steinmeier", "Germany"),
        ("Luiz Alberto Figueiredo Machado", "Brazil"),
    ]


def test_opening_with_a_name_and_a_participants_list_by_country():
    text = (GOLDEN / "fp_unp_page6e_000390.txt").read_text(encoding="utf-8")
    (meeting,) = parse_document(text).meetings
    assert meeting.kind == "multilateral"
    assert meeting.title == "Meeting of the Foreign Ministers of the G4 countries in New York"
    assert (meeting.date, meeting.start_time, meeting.duration_minutes) == (
        datetime.date(2023, 9, 21),
        datetime.time(12, 15),
        55,
    )
    # "from 12:15 to 13:10 (local time)", "visiting New York": New York's clock.
    assert meeting.timezone == "America/New_York"
    # Named in the opening and again in the list: one participant, principal, Japan.
    assert people(meeting) == [
        ("Yoko Kamikawa", "Minister for Foreign Affairs of Japan", "Japan", False),
        ("Mauro Vieira", "Minister of Foreign Affairs (Chair)", "Brazil", False),
        ("Annalena Baerbock", "Federal Minister for Foreign Affairs", "Germany", False),
        ("Sanjay Verma", "Vice Minister / Secretary", "India", False),
    ]


def test_telephone_talk_from_tokyo_is_japan_time():
    document = parse_document(
        "March 3, 2016\n"
        "On March 3, commencing at 9:00 p.m. for approximately 20 minutes, Mr. Fumio Kishida, "
        "Minister for Foreign Affairs of Japan, held a telephone talk with Mr. John Kerry, "
        "Secretary of State of the United States.\n"
        "  1. Minister Kishida said.\n"
    )
    (meeting,) = document.meetings
    assert (meeting.kind, meeting.timezone, meeting.start_time) == (
        "telephone",
        "Asia/Tokyo",
        datetime.time(21, 0),
    )
    assert people(meeting) == [
        ("Fumio Kishida", "Minister for Foreign Affairs of Japan", "Japan", False),
        ("John Kerry", "Secretary of State of the United States", "United States", False),
    ]


def test_courtesy_call_whose_opening_starts_with_a_name():
    document = parse_document(
        "November 8, 2016\n"
        "Mr. Kairat Abdrakhmanov, Minister of Foreign Affairs of the Republic of Kazakhstan, "
        "who is visiting Japan, paid a courtesy call on Mr. Shinzo Abe, Prime Minister of "
        "Japan, on November 7, for about 15 minutes from 5:45 p.m.\n"
        "  1. Prime Minister Abe welcomed Minister Abdrakhmanov.\n"
    )
    (meeting,) = document.meetings
    assert document.kind == "meeting_summary"
    assert (meeting.kind, meeting.date, meeting.start_time, meeting.duration_minutes) == (
        "bilateral",
        datetime.date(2016, 11, 7),
        datetime.time(17, 45),
        15,
    )
    assert (meeting.location, meeting.timezone) == ("Japan", "Asia/Tokyo")
    assert [(p.name, p.organisation) for p in meeting.participants] == [
        ("Kairat Abdrakhmanov", "Republic of Kazakhstan"),
        ("Shinzo Abe", "Japan"),
    ]


def test_a_sentence_naming_someone_inside_a_clause_is_no_meeting():
    document = parse_document(
        "May 1, 2018\nJapan welcomes that Mr. Xavier Yves met with the parties.\n"
    )
    assert document.meetings == ()


def test_luncheon_hosted_for_a_guest_is_a_bilateral_meeting():
    (meeting,) = parse_document(
        "May 12, 2018\n"
        "On May 12, commencing at 12:30 p.m. for approximately 90 minutes, Mr. Taro Kono, "
        "Minister for Foreign Affairs, hosted a working luncheon for Mr. Xavier Yves, Minister "
        "of Foreign Affairs of Ruritania.\n"
        "  1. Minister Kono welcomed him.\n"
    ).meetings
    assert (meeting.kind, meeting.duration_minutes) == ("bilateral", 90)
    assert [p.name for p in meeting.participants] == ["Taro Kono", "Xavier Yves"]


def test_a_minister_named_by_family_name_is_the_listed_participant_not_a_second_one():
    (meeting,) = parse_document(
        "Japan and the United Nations\n\nSeptember 21, 2023\n"
        "On September 21, commencing at 3:00 p.m. (local time) for about 30 minutes, "
        "Minister Kamikawa held a meeting with Mr. Xavier Yves, Minister of Foreign Affairs "
        "of Ruritania.\n"
        "  1. Minister Kamikawa said.\n\n"
        "[Reference] Participants\n"
        "  • Japan: Ms. KAMIKAWA Yoko, Minister for Foreign Affairs\n"
        "  • Ruritania: Mr. Xavier Yves, Minister of Foreign Affairs\n"
    ).meetings
    assert people(meeting) == [
        ("Yoko Kamikawa", "Minister for Foreign Affairs", "Japan", False),
        ("Xavier Yves", "Minister of Foreign Affairs of Ruritania", "Ruritania", False),
    ]
    # "(local time)" and no place named: the zone stays unknown rather than guessed.
    assert meeting.timezone == ""


VISIT = """Japan and the United Nations

October 2, 2019
  • Mr. Toshimitsu Motegi, Minister for Foreign Affairs, visited New York to attend the 74th \
United Nations General Assembly, from September 29 (Sunday) to October 1 (Tuesday).
  • Minister Motegi participated in two multilateral meetings.

1. Multilateral meetings (in chronological order)

(1) G4 Foreign Ministers' Meeting (September 29)
(photo 1) The G4 Ministers
At the G4 Foreign Ministers' Meeting hosted by Minister Motegi, the four Ministers agreed.
(2) Japan-CARICOM Ministerial-Level Conference (September 30, Monday)
Minister Motegi co-chaired the conference.

2. Bilateral meetings

(1) Japan-Australia Foreign Ministers' Meeting (October 1)
On October 1, commencing at 9:00 a.m. for approximately 30 minutes, Minister Motegi held \
a meeting with Ms. Marise Payne, Minister for Foreign Affairs of Australia.
(photo 4) Minister Motegi and Minister Payne
Minister Motegi stated that Japan and Australia are special strategic partners.
(2) Telephone talk with the Foreign Minister of Ruritania (October 1 (Tue.))
Minister Motegi held a telephone talk with Mr. Xavier Yves, Minister of Foreign Affairs \
of Ruritania.

Back to Japan and the United Nations
"""


def test_visit_report_gives_one_meeting_per_sub_section_across_a_month_boundary():
    document = parse_document(VISIT)
    assert document.kind == "meeting_summary"
    assert document.title.startswith("Mr. Toshimitsu Motegi, Minister for Foreign Affairs, visited")
    assert [(m.title, m.kind, m.date) for m in document.meetings] == [
        ("G4 Foreign Ministers' Meeting", "multilateral", datetime.date(2019, 9, 29)),
        ("Japan-CARICOM Ministerial-Level Conference", "multilateral", datetime.date(2019, 9, 30)),
        ("Japan-Australia Foreign Ministers' Meeting", "bilateral", datetime.date(2019, 10, 1)),
        (
            "Telephone talk with the Foreign Minister of Ruritania",
            "telephone",
            datetime.date(2019, 10, 1),
        ),
    ]
    assert {(m.location, m.timezone) for m in document.meetings} == {
        ("New York", "America/New_York")
    }
    assert {m.occasion for m in document.meetings} == {"74th United Nations General Assembly"}
    australia = document.meetings[2]
    assert (australia.start_time, australia.duration_minutes) == (datetime.time(9, 0), 30)
    # "Minister Motegi" is the visitor the bullets name in full, never a second person.
    assert [(p.name, p.organisation) for p in australia.participants] == [
        ("Toshimitsu Motegi", ""),
        ("Marise Payne", "Australia"),
    ]
    assert [p.name for p in document.meetings[0].participants] == ["Toshimitsu Motegi"]


def test_visit_report_dates_take_the_nearest_year_at_a_year_boundary():
    lines = [
        "• Mr. Taro Kono, Minister for Foreign Affairs, visited Geneva to attend the "
        "Conference on Disarmament.",
        "2 Bilateral meetings",
        "(1) Japan-Ruritania Foreign Ministers' Meeting (January 2)",
        "Minister Kono held a meeting with Mr. Xavier Yves, Minister of Ruritania.",
        "(2) Japan-Utopia Foreign Ministers' Meeting (December 30)",
        "Minister Kono held a meeting with Ms. Yvette Zed, Minister of Utopia.",
    ]
    december = visit_meetings(lines, datetime.date(2019, 12, 31))
    assert [m.date for m in december] == [datetime.date(2020, 1, 2), datetime.date(2019, 12, 30)]
    january = visit_meetings(lines, datetime.date(2020, 1, 3))
    assert [m.date for m in january] == [datetime.date(2020, 1, 2), datetime.date(2019, 12, 30)]
    assert {(m.location, m.timezone) for m in december} == {("Geneva", "Europe/Zurich")}


def test_visit_meetings_read_the_parsers_blocks_as_lines():
    blocks = [
        (None, "Mr. Taro Kono, Minister for Foreign Affairs, visited Geneva.", 0),
        ("2", "Bilateral meetings", 0),
        ("(1)", "Japan-Ruritania Foreign Ministers' Meeting (January 2)", 1),
        (None, "Minister Kono held a meeting with Mr. Xavier Yves, Minister of Ruritania.", 2),
    ]
    (meeting,) = visit_meetings_from_blocks(blocks, datetime.date(2020, 1, 3))
    assert meeting.title == "Japan-Ruritania Foreign Ministers' Meeting"
    assert [p.name for p in meeting.participants] == ["Taro Kono", "Xavier Yves"]


def test_pages_without_dated_sub_sections_are_no_visit_report():
    lines = ["1. Multilateral meetings", "Japan took part in many meetings."]
    assert visit_meetings(lines, datetime.date(2019, 10, 2)) == ()


def test_a_baseline_stored_in_the_old_shape_reads_back():
    # Imports before pages could report several meetings stored "meeting" (one or null),
    # and participants without organisation or in_attendance.
    old = {
        "section": None,
        "title": "Meeting",
        "title_derived": True,
        "kind": "meeting_summary",
        "date": "2017-09-19",
        "speaker": None,
        "paragraphs": [{"position": 1, "number": None, "text": "On it.", "resolutions": []}],
        "resolutions": [],
        "meeting": {
            "title": "Meeting",
            "kind": "bilateral",
            "date": "2017-09-19",
            "start_time": "12:05",
            "timezone": "America/New_York",
            "duration_minutes": 15,
            "location": "New York",
            "occasion": "",
            "participants": [{"name": "Shinzo Abe", "role": "Prime Minister of Japan"}],
        },
    }
    document = ParsedDocument.from_json(old)
    (meeting,) = document.meetings
    assert [(p.name, p.organisation, p.in_attendance) for p in meeting.participants] == [
        ("Shinzo Abe", "", False)
    ]
    assert ParsedDocument.from_json({**old, "meeting": None}).meetings == ()
    assert ParsedDocument.from_json(document.as_json()) == document


def test_real_visit_report_dates_its_meeting_from_the_heading_and_names_the_visitor_once():
    # The corpus page is cut after its first sub-section: "(1) Japan-US-Republic of Korea
    # (ROK) Trilateral Foreign Ministers' Meeting (September 18)", "chaired by Minister
    # Kishida"; the bullets name "Mr. Fumio Kishida" visiting New York.
    text = (GOLDEN / "fp_unp_page3e_000610.txt").read_text(encoding="utf-8")
    document = parse_document(text)
    (meeting,) = document.meetings
    assert document.title_derived and "visited New York" in document.title
    assert (meeting.date, meeting.kind) == (datetime.date(2016, 9, 18), "multilateral")
    assert (meeting.location, meeting.timezone) == ("New York", "America/New_York")
    assert people(meeting) == [("Fumio Kishida", "Minister for Foreign Affairs", "", False)]


def test_a_summit_chaired_with_the_participation_of_others_names_them_all():
    (meeting,) = parse_document(
        "May 26, 2016\n"
        "On May 26, Mr. Shinzo Abe, Prime Minister of Japan, chaired the G7 Ise-Shima Summit, "
        "with the participation of Mr. Barack Obama, President of the United States; Mr. "
        "Justin Trudeau, Prime Minister of Canada; and Ms. Angela Merkel, Chancellor of "
        "Germany.\n"
        "  1. The leaders discussed the world economy.\n"
    ).meetings
    assert meeting.kind == "summit"
    assert [(p.name, p.organisation) for p in meeting.participants] == [
        ("Shinzo Abe", "Japan"),
        ("Barack Obama", "United States"),
        ("Justin Trudeau", "Canada"),
        ("Angela Merkel", "Germany"),
    ]


def test_a_participants_list_without_countries_before_the_names():
    (meeting,) = parse_document(
        "July 1, 2019\n"
        "On July 1, the Japan-Pacific Islands Ministerial Meeting was held in Tokyo.\n"
        "  1. The ministers agreed.\n\n"
        "[Participants]\n"
        "  • Mr. Taro Kono, Minister for Foreign Affairs of Japan (Chair)\n"
        "  • Mr. Xavier Yves, Minister of Foreign Affairs of Ruritania\n"
        "  • Mr. Zed Quill, Deputy Minister of Utopia (in attendance)\n"
        "Back to Index\n"
    ).meetings
    assert (meeting.kind, meeting.location, meeting.timezone) == (
        "multilateral",
        "Tokyo",
        "Asia/Tokyo",
    )
    assert people(meeting) == [
        ("Taro Kono", "Minister for Foreign Affairs of Japan (Chair)", "Japan", False),
        ("Xavier Yves", "Minister of Foreign Affairs of Ruritania", "Ruritania", False),
        ("Zed Quill", "Deputy Minister of Utopia", "Utopia", True),
    ]


def test_visit_report_with_captions_above_the_bullets_and_an_honorable_counterpart():
    document = parse_document(
        "Japan and the United Nations\n\nSeptember 24, 2021\n"
        "(photo 1) The Foreign Ministers of the G4\n"
        "  • Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs of Japan visited New York "
        "from September 22 to 24 at the occasion of the 76th Session of the United Nations "
        "General Assembly.\n\n"
        "1. Multilateral meetings (in chronological order)\n\n"
        "(1) Meeting of the Foreign Ministers of the G4 Countries (September 22)\n\n"
        "(photo 4) Foreign ministers attending the meeting\n\n"
        "Together with the Foreign Ministers of Brazil, Germany, and India, Minister Motegi, "
        "who served as the chair of the meeting, shared their understanding.\n\n"
        "2. Bilateral meetings\n\n"
        "(1) Japan-U.S. Foreign Ministers' Meeting (September 23)\n\n"
        "On September 23, commencing at 9:00 a.m. (local time; 10:00 p.m. Japan time) for "
        "about 40 minutes, Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs, held a meeting "
        "with the Honorable Antony Blinken, Secretary of State of the United States.\n"
    )
    g4, us = document.meetings
    assert (g4.date, g4.kind, [p.name for p in g4.participants]) == (
        datetime.date(2021, 9, 22),
        "multilateral",
        ["Toshimitsu Motegi"],
    )
    assert us.occasion == "76th Session of the United Nations General Assembly"
    assert (us.start_time, us.timezone, us.duration_minutes) == (
        datetime.time(9, 0),
        "America/New_York",
        40,
    )
    assert people(us) == [
        ("Toshimitsu Motegi", "Minister for Foreign Affairs of Japan", "Japan", False),
        ("Antony Blinken", "Secretary of State of the United States", "United States", False),
    ]


def test_a_telephone_talk_opening_with_a_name_and_an_official_in_attendance_in_a_bracket():
    (meeting,) = parse_document(
        "June 3, 2020\n"
        "Prime Minister Shinzo Abe held a telephone talk with Mr. Xavier Yves, President of "
        "Ruritania, for about 25 minutes from 8:00 p.m. (Mr. Yasutoshi Nishimura, Minister "
        "of State, and Mr. Zed Quill, Deputy Chief Cabinet Secretary, were also in "
        "attendance). The overview is as follows.\n"
        "  1. Prime Minister Abe said.\n"
    ).meetings
    assert (meeting.kind, meeting.date, meeting.start_time, meeting.timezone) == (
        "telephone",
        datetime.date(2020, 6, 3),  # no date in the sentence: the page's
        datetime.time(20, 0),
        "Asia/Tokyo",
    )
    assert people(meeting) == [
        ("Shinzo Abe", "Prime Minister", "", False),
        ("Xavier Yves", "President of Ruritania", "Ruritania", False),
        ("Yasutoshi Nishimura", "Minister of State", "", True),
        ("Zed Quill", "Deputy Chief Cabinet Secretary", "", True),
    ]


def test_handmade_visit_report_gives_its_three_meetings_with_the_visitor_named_in_full():
    # "Mr. KAMIKAWA Yoko ... visited New York"; each sub-section says "Minister Kamikawa".
    text = (GOLDEN / "handmade_visit_report.txt").read_text(encoding="utf-8")
    meetings = parse_document(text).meetings
    assert [(m.title, m.kind, m.date) for m in meetings] == [
        ("G4 Foreign Ministers' Meeting", "multilateral", datetime.date(2024, 9, 21)),
        (
            "Japan-Pacific Island Countries Foreign Ministers' Meeting",
            "multilateral",
            datetime.date(2024, 9, 22),
        ),
        ("Japan-Brazil Foreign Ministers' Meeting", "bilateral", datetime.date(2024, 9, 23)),
    ]
    assert {tuple(p.name for p in m.participants) for m in meetings} == {("Yoko Kamikawa",)}
    assert {(m.location, m.timezone) for m in meetings} == {("New York", "America/New_York")}
