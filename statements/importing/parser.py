"""Parse the text of one MOFA page into a ParsedDocument.

A page reads, top to bottom: an optional section line ("Japan and the United Nations"),
an optional title (one or two lines), an optional "(Statement by ...)" line, the date line,
photo captions, then paragraphs (un-numbered, "1. ", "1 ", "- 1. ", "- ", "(1)"), and a
trailer ("Back to ...", "(END)", "Related Information (...)").

Decisions (documented here because editors and tests rely on them):
- Every non-blank line is one paragraph, except that a line starting in lower case right
  after an unfinished line continues it (hard-wrapped text).
- A lone "1." line is a heading: its number goes to the paragraph that follows, unless
  "(1)", "(2)"... sub-items follow, in which case the heading is dropped and the
  sub-items keep their printed numbers 1, 2, ... . If those numbers would collide with
  other numbers in the document, all sub-items become un-numbered paragraphs that keep
  "(1) " at the start of their text instead, so numbers stay unique and nothing is lost.
- "1 Text" (number, space) counts as numbering only when the page uses it for 1 and 2;
  otherwise "70 years..." would become paragraph 70.
- A paragraph that repeats an earlier one exactly (an extraction slip) is dropped; a
  different paragraph reusing a printed number is an error.
- Dropped, not paragraphs: photo credits and captions (short lines without a full stop
  right after the date), trailers, and translation notes "(*This is a provisional
  translation ...)" (they describe the page, not the statement).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from .citations import cited_resolutions, resolution_mentions
from .cleaning import clean_text
from .meetings import (
    MONTHS,
    first_sentence,
    format_date,
    looks_like_meeting_title,
    parse_meeting,
    participant_list,
)
from .names import person_from_phrase
from .types import ParsedDocument, ParsedMeeting, ParsedParagraph
from .visits import visit_meetings

DATE_EXPECTED = "a date line like 'December 23, 2017'"

SECTIONS = frozenset(
    s.lower()
    for s in (
        "Japan and the United Nations",
        "Press Releases",
        "Press Release",
        "Statements",
        "Statements by the Press Secretary",
        "Statements by the Minister for Foreign Affairs",
        "Announcements",
        "Speeches",
        "Press Conferences",
        "Foreign Policy",
        "Japan's Foreign Policy",
        "Japan’s Foreign Policy",
        "Diplomatic Bluebook",
        "United Nations",
        "Top Page",
    )
)


class ParseError(Exception):
    """The text is not a page this parser understands.

    `line` is the 1-based input line at fault, or None when the problem is the whole
    input (empty, binary, no date anywhere).
    """

    def __init__(self, message: str, line: int | None = None, expected: str | None = None):
        super().__init__(message, line, expected)
        self.message = message
        self.line = line
        self.expected = expected

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


@dataclass
class _Line:
    number: int
    text: str


@dataclass
class _Draft:
    kind: str  # "text", "bullet", "numbered", "sub"
    number: int | None
    text: str
    line: int


def _quote(text: str) -> str:
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)"
_DATE_LINE = re.compile(
    rf"^\(?{_WEEKDAY}?(?:(?P<m1>[a-z]{{3,9}})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>[a-z]{{3,9}})\.?,?)\s+(?P<y>\d{{4}})\.?\)?$",
    re.IGNORECASE,
)
_SPEAKER_LINE = re.compile(
    r"^\(\s*(?:(?:Joint\s+|Press\s+)?Statement|Comments?|Remarks|Message|Address|Speech)"
    r"\s+by\s+(?P<who>.+?)\s*\)$",
    re.IGNORECASE,
)
_TITLE_SPEAKER = re.compile(
    r"^(?:(?:Joint|Press)\s+)?(?:Statement|Comments?|Remarks|Message)\s+by\s+(?P<who>.+?)"
    r"(?=,?\s+(?:on|regarding|concerning|following|upon|about|in\s+response\s+to)\s|$)",
    re.IGNORECASE,
)
_STATEMENT_TITLE = re.compile(
    r"^(?:(?:Joint|Press)\s+)?(?:Statements?|Comments?\s+by|Remarks\s+by)\b|\bStatement\s+by\b",
    re.IGNORECASE,
)
# The government stating its position: "Japan highly appreciates the adoption of ...".
_POSITION = re.compile(
    r"^(?:The\s+Government\s+of\s+Japan|Japan|I|We)\b[^.]{0,120}?\b(?:welcomes?|appreciates?|"
    r"condemns?|deplores?|protests?|regrets?|expresses|supports?|urges?|calls\s+(?:on|upon)|"
    r"is\s+(?:deeply\s+|gravely\s+)?concerned)\b",
)
_TRAILER = re.compile(
    r"^(?:Back\s+to\b.*|Page\s+Top|Return\s+to\s+Top|\(\s*END\s*\)|END|"
    r"Related\s+(?:Information|Links?)\b.*)$",
    re.IGNORECASE,
)
_NOTE = re.compile(r"^\(?\s*\*|^\(?\s*(?:This\s+is\s+an?\s+)?provisional\s+translation", re.I)
_PHOTO = re.compile(
    r"^\(?\s*(?:pool\s+)?photo(?:graph)?s?\b|\bphoto\s*(?:credit|courtesy)?\s*[:：]", re.I
)
_BULLET = re.compile(r"^(?:[-–—]\s+|[•・●■◆○◎▪►]\s*)")
_DOUBLED = re.compile(r"^(?P<n>[1-9]\d{0,2})\.\s+(?P<n2>[1-9]\d{0,2})\.\s+(?P<text>.+)$")
_NUMBERED = re.compile(r"^(?P<n>[1-9]\d{0,2})[.)](?:\s+|(?=[^\d\s.,)]))(?P<text>.+)$")
_HEADING = re.compile(r"^(?P<n>[1-9]\d{0,2})[.)]?$")
_SUB = re.compile(r"^[(（](?P<n>[1-9]\d{0,2})[)）]\s*(?P<text>.*)$")
_BARE = re.compile(r"^(?P<n>[1-9]\d{0,2})\s+(?P<text>[A-Z\u00C0-\u00DE“‘\"'(].*)$")
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")


def _split_lines(text: str) -> list[_Line]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ParseError("the text contains a NUL character: not a page", line)
    lines = text.split("\n")
    # Per line, so the common printable line (no control characters) costs one C call.
    control = sum(
        1
        for raw in lines
        if not raw.isprintable()
        for ch in raw
        if ch != "\t" and unicodedata.category(ch) in ("Cc", "Cs")
    )
    if control and control * 5 >= len("".join(text.split())):  # vs the visible characters
        raise ParseError("the text is mostly control characters: not a page")
    result = [_Line(i, clean_text(raw)) for i, raw in enumerate(lines, start=1)]
    if not any(line.text for line in result):
        raise ParseError("the text is empty", expected=DATE_EXPECTED)
    return result


def _date_from_line(line: _Line) -> datetime.date | None:
    match = _DATE_LINE.match(line.text)
    if match is None:
        return None
    month = MONTHS.get((match.group("m1") or match.group("m2")).lower().rstrip("."))
    if month is None:
        return None
    day, year = int(match.group("d1") or match.group("d2")), int(match.group("y"))
    try:
        if not 1900 <= year <= 2199:
            raise ValueError(year)
        return datetime.date(year, month, day)
    except ValueError:
        raise ParseError(
            f"expected a real calendar date, found {_quote(line.text)}",
            line.number,
            DATE_EXPECTED,
        ) from None


def _strip_bullet(text: str) -> tuple[str, bool]:
    match = _BULLET.match(text)
    return (text[match.end() :].strip(), True) if match else (text, False)


def _looks_like_paragraph(text: str) -> bool:
    body, bulleted = _strip_bullet(text)
    if bulleted or _NUMBERED.match(body) or _SUB.match(body) or _HEADING.match(body):
        return True
    if re.match(r"^On\s+\S+\s+\d", body):  # "On September 19, ..." opens a summary
        return True
    return bool(_SENTENCE_END.search(body)) and len(body.split()) > 30


def _is_section(text: str, of_many: bool) -> bool:
    if text.lower() in SECTIONS:
        return True
    # Of several lines above the date, a short label first is the site section.
    return (
        of_many
        and len(text.split()) <= 6
        and not _SENTENCE_END.search(text)
        and not re.match(r"(?:Statement|Meeting|Telephone|Remarks|Comments?)\b", text, re.I)
    )


@dataclass
class _Header:
    section: str | None
    title: str | None
    speaker_phrase: str | None
    date: datetime.date
    date_line: int


def _parse_header(lines: list[_Line]) -> _Header:
    header: list[_Line] = []
    speaker_phrase = None
    for line in lines:
        if not line.text:
            continue
        date = _date_from_line(line)
        if date is not None:
            texts = [h.text for h in header]
            section = None
            if texts and _is_section(texts[0], len(texts) >= 2):
                section = texts.pop(0)
            return _Header(section, " ".join(texts) or None, speaker_phrase, date, line.number)
        speaker = _SPEAKER_LINE.match(line.text)
        if speaker is not None:
            speaker_phrase = speaker.group("who")
            continue
        # Above the date there is room for a section, a title of up to two lines and
        # little else; anything more means the date is missing.
        if _looks_like_paragraph(line.text) or len(header) >= 4:
            raise ParseError(
                f"expected {DATE_EXPECTED}, found {_quote(line.text)}", line.number, DATE_EXPECTED
            )
        header.append(line)
    culprit = next((h for h in header if h.text.lower() not in SECTIONS), None)
    if culprit is not None:
        raise ParseError(
            f"expected {DATE_EXPECTED}, found {_quote(culprit.text)}",
            culprit.number,
            DATE_EXPECTED,
        )
    raise ParseError(f"expected {DATE_EXPECTED}, found none", None, DATE_EXPECTED)


def _is_caption(draft: _Draft) -> bool:
    return (
        draft.kind == "text"
        and len(draft.text.split()) <= 30
        and not _SENTENCE_END.search(draft.text)
    )


def _parse_body(lines: list[_Line]) -> list[_Draft]:
    bare_numbers = {
        int(m.group("n")) for line in lines if (m := _BARE.match(_strip_bullet(line.text)[0]))
    }
    bare_numbering = {1, 2} <= bare_numbers

    drafts: list[_Draft] = []
    heading: int | None = None
    after_blank = True
    for line in lines:
        text = line.text
        if not text:
            after_blank = True
            continue
        text, bulleted = _strip_bullet(text)
        if (
            _TRAILER.match(text)
            or _NOTE.match(text)
            or (_PHOTO.search(text) and len(text.split()) <= 12)
            or _SPEAKER_LINE.match(text)
            or not any(ch.isalnum() for ch in text)
        ):
            continue
        draft: _Draft | None = None
        numbered = _DOUBLED.match(text)
        if numbered is None or numbered.group("n") != numbered.group("n2"):
            numbered = _NUMBERED.match(text)  # "1. 2. x" is paragraph 1 reading "2. x"
        if numbered is not None:
            draft = _Draft(
                "numbered", int(numbered.group("n")), numbered.group("text"), line.number
            )
        elif match := _HEADING.match(text):
            heading = int(match.group("n"))
            after_blank = False
            continue
        elif match := _SUB.match(text):
            if match.group("text"):
                draft = _Draft("sub", int(match.group("n")), match.group("text"), line.number)
        elif bare_numbering and (match := _BARE.match(text)):
            draft = _Draft("numbered", int(match.group("n")), match.group("text"), line.number)
        elif (
            not bulleted
            and not after_blank
            and heading is None
            and drafts
            and text[0].islower()
            and not _SENTENCE_END.search(drafts[-1].text)
        ):
            drafts[-1].text += " " + text  # a hard-wrapped line goes on
            continue
        else:
            kind = "bullet" if bulleted else "text"
            draft = _Draft(kind, None, text, line.number)
        after_blank = False
        if draft is None or not any(ch.isalnum() for ch in draft.text):
            continue  # a marker with nothing after it ("(1) ." once its link is gone)
        if heading is not None and draft.kind in ("text", "bullet"):
            draft.kind, draft.number = "numbered", heading
        heading = None
        drafts.append(draft)

    # Captions come right after the date, before the first real paragraph.
    first = next((i for i, d in enumerate(drafts) if not _is_caption(d)), None)
    if first is not None:
        drafts = drafts[first:]
    return drafts


def _number_paragraphs(drafts: list[_Draft]) -> list[_Draft]:
    unique: list[_Draft] = []
    seen: set[tuple[str, int | None, str]] = set()
    for draft in drafts:
        key = (draft.kind, draft.number, draft.text)
        if key not in seen:  # an exact repeat is an extraction slip
            seen.add(key)
            unique.append(draft)

    subs = [d for d in unique if d.kind == "sub"]
    sub_numbers = [d.number for d in subs]
    plain = {d.number for d in unique if d.kind != "sub" and d.number is not None}
    if len(set(sub_numbers)) != len(sub_numbers) or plain & set(sub_numbers):
        for draft in subs:
            draft.text, draft.number = f"({draft.number}) {draft.text}", None

    first_line: dict[int, int] = {}
    for draft in unique:
        if draft.number is None:
            continue
        if draft.number in first_line:
            raise ParseError(
                f"paragraph number {draft.number} is used again with different text "
                f"(first on line {first_line[draft.number]})",
                draft.line,
                "distinct paragraph numbers",
            )
        first_line[draft.number] = draft.line
    return unique


def _speaker(header: _Header) -> str | None:
    phrases = [header.speaker_phrase]
    if header.title and (match := _TITLE_SPEAKER.match(header.title)):
        phrases.append(match.group("who"))
    for phrase in phrases:
        for part in (phrase or "").split(","):
            name, _ = person_from_phrase(part)
            if name:
                return name
    return None


def _resolution_phrase(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"Resolution {numbers[0]}"
    listed = ", ".join(str(n) for n in numbers[:-1])
    return f"Resolutions {listed} and {numbers[-1]}"


def _statement_title(header: _Header, paragraphs: list[ParsedParagraph]) -> str:
    by = f" by {header.speaker_phrase}" if header.speaker_phrase else ""
    for paragraph in paragraphs:
        if re.search(r"\badopt", paragraph.text, re.IGNORECASE) and paragraph.resolutions:
            numbers = list(dict.fromkeys(m.number for m in resolution_mentions(paragraph.text)))
            return (
                f"Statement{by} on the adoption of UN Security Council "
                f"{_resolution_phrase(numbers)}"
            )
    return f"Statement{by} on {format_date(header.date)}"


def _summary_title(paragraphs: list[ParsedParagraph], date: datetime.date) -> str:
    sentence = first_sentence(paragraphs[0].text).rstrip(".").strip()
    if len(sentence) > 100:
        sentence = sentence[:100].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    # Never an empty title: a page whose first sentence is only punctuation gets its date.
    return sentence if any(ch.isalnum() for ch in sentence) else f"Page of {format_date(date)}"


def _fallback_meeting(title: str, date: datetime.date) -> ParsedMeeting:
    lowered = title.lower()
    kind = "telephone" if "telephone" in lowered else "summit" if "summit" in lowered else "other"
    return ParsedMeeting(title, kind, date, None, "", None, "", "", ())


def _meeting(
    body: list[str], header: _Header, paragraphs: list[ParsedParagraph]
) -> tuple[ParsedMeeting, ...]:
    """The meeting the opening paragraph reports, with the participants the page lists
    below it, if any."""
    title = header.title
    listed = participant_list(body)
    meeting = parse_meeting(paragraphs[0].text, header.date, title, listed=listed)
    if meeting is None and title and looks_like_meeting_title(title):
        meeting = _fallback_meeting(title, header.date)
    return (meeting,) if meeting is not None else ()


def _parse(text: str) -> ParsedDocument:
    lines = _split_lines(text)
    header = _parse_header(lines)
    drafts = _number_paragraphs(_parse_body(lines[header.date_line :]))
    if not drafts:
        raise ParseError(
            "expected paragraphs after the date line, found none",
            header.date_line,
            "at least one paragraph",
        )
    paragraphs = [
        ParsedParagraph(i, d.number, d.text, cited_resolutions(d.text))
        for i, d in enumerate(drafts, start=1)
    ]

    title = header.title
    statement = bool(header.speaker_phrase or (title and _STATEMENT_TITLE.search(title)))
    meetings: tuple[ParsedMeeting, ...] = ()
    visit = False
    if not statement:
        body = [line.text for line in lines[header.date_line :]]
        meetings = visit_meetings(body, header.date)
        visit = bool(meetings)
        meetings = meetings or _meeting(body, header, paragraphs)

    if statement:
        kind = "statement"
    elif meetings:
        kind = "meeting_summary"
    elif any(_POSITION.search(p.text) for p in paragraphs[:2]):
        kind = "statement"
    elif header.section and "press release" in header.section.lower():
        kind = "press_release"
    else:
        kind = "other"

    if title:
        derived = False
    else:
        derived = True
        if len(meetings) == 1 and not visit:
            title = meetings[0].title
        elif kind == "statement":
            title = _statement_title(header, paragraphs)
        else:
            title = _summary_title(paragraphs, header.date)

    return ParsedDocument(
        section=header.section,
        title=title,
        title_derived=derived,
        kind=kind,
        date=header.date,
        speaker=_speaker(header),
        paragraphs=tuple(paragraphs),
        meetings=meetings,
    )


def parse_document(text: str) -> ParsedDocument:
    """Parse one page of text; raise ParseError (and nothing else) if it is not a page."""
    if not isinstance(text, str):
        raise TypeError(f"parse_document() needs a str, not {type(text).__name__}")
    try:
        return _parse(text)
    except ParseError:
        raise
    except Exception as exc:  # a bug must not reach the importer as a crash
        raise ParseError(f"internal parser error ({type(exc).__name__}: {exc})") from exc
