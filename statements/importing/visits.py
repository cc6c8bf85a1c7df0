"""The meetings a visit report reports: a minister's or prime minister's week abroad on one
page.

The page sums the visit up in a few bullets ("Mr. Fumio Kishida, Minister for Foreign
Affairs, visited New York to attend the 71st United Nations General Assembly ..."), then
has sections of meetings ("1 Multilateral Meetings", "2. Bilateral meetings"), each with
sub-sections "(1) <name of the meeting> (<Month day>)" whose paragraphs report one meeting,
photo captions between them. Each sub-section is one meeting: named and dated by its
heading (the year is the page's, or the next or last one where that is nearer: a
December page may report a January meeting), of the section's kind, with the visitor and
the people its first paragraph names, at the place the bullets say the visit went to.

Pure: takes the page's lines (or the parser's blocks, see ``visit_meetings_from_blocks``)
and the page's date; nothing here raises.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from .cleaning import collapse_acronyms
from .meetings import (
    _DATE_IN,
    _OCCASION,
    _PLACE,
    BULLET,
    PLACES,
    _date_of,
    first_sentence,
    merge_participants,
    parse_meeting,
    participants_from,
    resolve_known,
)
from .types import ParsedMeeting, ParsedParticipant

# "1 Multilateral Meetings", "2. Bilateral meetings (in chronological order)".
_SECTION = re.compile(
    r"^(?P<n>[1-9]\d?)[.)]?\s+(?P<name>[A-Z][^.:;]{0,80}?\b(?:meetings?|talks|conferences?|"
    r"summits?|calls?)\b[^.:;]{0,40})$",
    re.IGNORECASE,
)
# "(1) Japan-Australia Foreign Ministers' Meeting (September 19)"; the date may carry a
# weekday: "(September 19, Monday)", "(Sept. 19 (Mon.))".
_SUB_SECTION = re.compile(
    r"^[(（](?P<n>[1-9]\d?)[)）]\s*(?P<name>.+?)\s*"
    r"[(（](?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?\b[^()（）]*"
    r"(?:[(（][^()（）]*[)）][^()（）]*)?)[)）]\s*$"
)
_CAPTION = re.compile(r"^[(（]?\s*(?:pool\s+)?photo(?:graph)?\s*\d*\s*[)）]?", re.IGNORECASE)
_VISITED = re.compile(r"\b(?:visited|visits|is\s+visiting|was\s+visiting|paid\s+a\s+visit\s+to)\b")
_CHAIRED = re.compile(
    r"\b(?:(?:co-)?chaired|hosted|presided\s+over)\s+by\s+(?P<who>[^,;.]+)", re.IGNORECASE
)


def _clean(line: str) -> str:
    return BULLET.sub("", line.strip()).strip()


def _visitor(text: str) -> tuple[list[ParsedParticipant], str, str]:
    """Who visited, where and for what, from the sentence saying so."""
    sentence = first_sentence(text)
    visited = _VISITED.search(sentence)
    if visited is None:
        return [], "", ""
    people = participants_from(sentence[: visited.start()].rstrip(" ,"))
    place = _PLACE.search(sentence)
    location = place.group(1) if place else ""
    if location.startswith("Washington"):
        location = "Washington, D.C."
    occasion = ""
    if match := _OCCASION.search(sentence):
        occasion = collapse_acronyms(re.split(r",|\s+(?:during|from|on)\s", match.group("what"))[0])
        occasion = occasion.strip(" .")
    return people, location, occasion


def _kind(section: str, meeting: ParsedMeeting | None, name: str) -> str:
    if meeting is not None and meeting.kind in ("telephone", "summit", "security_council"):
        return meeting.kind
    lowered = f"{section} {name}".lower()
    if re.search(r"\b(?:tele)?phone\b", lowered):
        return "telephone"
    if "summit" in name.lower():
        return "summit"
    if "multilateral" in section.lower():
        return "multilateral"
    if "bilateral" in section.lower():
        return "bilateral"
    return meeting.kind if meeting is not None else "other"


def _one_meeting(
    name: str,
    day: datetime.date,
    section: str,
    paragraphs: list[str],
    visitors: list[ParsedParticipant],
    location: str,
    occasion: str,
) -> ParsedMeeting:
    opening = paragraphs[0] if paragraphs else ""
    parsed = parse_meeting(opening, day, name, known=visitors) if opening else None
    named: list[ParsedParticipant] = []
    if parsed is not None:
        named = list(parsed.participants)
    else:
        # "At the ... Meeting chaired by Minister Kishida, the three Ministers ...": only
        # who chaired or hosted it is named as a person.
        for match in _CHAIRED.finditer(first_sentence(opening)):
            named += participants_from(match.group("who"))
    people = merge_participants(visitors, resolve_known(named, visitors))
    place = parsed.location if parsed is not None and parsed.location else location
    zone = parsed.timezone if parsed is not None and parsed.location else PLACES.get(place, "")
    return ParsedMeeting(
        title=name,
        kind=_kind(section, parsed, name),
        date=day,
        start_time=parsed.start_time if parsed is not None else None,
        timezone=zone,
        duration_minutes=parsed.duration_minutes if parsed is not None else None,
        location=place,
        occasion=(parsed.occasion if parsed is not None and parsed.occasion else occasion),
        participants=tuple(people),
    )


def visit_meetings(lines: Sequence[str], page_date: datetime.date) -> tuple[ParsedMeeting, ...]:
    """One meeting per dated sub-section of the page's sections of meetings (the lines
    after the date line); none when the page is not a visit report."""
    texts = [_clean(raw) for raw in lines]
    if not any(_SUB_SECTION.match(text) for text in texts if text.startswith(("(", "（"))):
        return ()  # most pages: no need to read their bullets for a visitor
    visitors: list[ParsedParticipant] = []
    location = occasion = ""
    section = ""
    current: tuple[str, datetime.date, str] | None = None  # name, date, section
    paragraphs: list[str] = []
    found: list[tuple[tuple[str, datetime.date, str], list[str]]] = []
    for text in texts:
        if not text:
            continue
        if match := _SECTION.match(text):
            if current is not None:
                found.append((current, paragraphs))
            current, paragraphs, section = None, [], match.group("name")
            continue
        sub = _SUB_SECTION.match(text)
        date_match = _DATE_IN.match(sub.group("date")) if sub else None
        if section and sub and date_match:
            if current is not None:
                found.append((current, paragraphs))
            day = _date_of(date_match, page_date) or page_date
            current, paragraphs = (sub.group("name").strip(), day, section), []
            continue
        if not section:
            if not visitors:  # the bullets before the sections say who went where
                visitors, location, occasion = _visitor(text)
            continue
        if current is not None and not _CAPTION.match(text):
            paragraphs.append(text)
    if current is not None:
        found.append((current, paragraphs))
    return tuple(
        _one_meeting(name, day, section, texts, visitors, location, occasion)
        for (name, day, section), texts in found
    )


def visit_meetings_from_blocks(
    blocks: Sequence[tuple[str | None, str, int]], page_date: datetime.date
) -> tuple[ParsedMeeting, ...]:
    """``visit_meetings`` over the parser's blocks, each (printed label, text, depth): a
    heading "1" "Multilateral Meetings" reads as the line "1 Multilateral Meetings"."""
    return visit_meetings(
        [f"{label} {text}" if label else text for label, text, _ in blocks], page_date
    )
