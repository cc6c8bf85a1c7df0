"""Facts of a meeting from the opening sentence of a MOFA meeting summary.

The sentence has a few shapes:
- "On <date>, commencing at <time> (<Japan time>) for approximately <duration>, <person>,
  <role>, who is visiting <place> to attend <occasion>, held a meeting with <person>,
  <role>." (also "met", "held telephone talks", "paid a courtesy call on", "held a
  luncheon meeting with", "attended the <meeting>");
- the same opening with a person instead of the date ("Mr. X, Minister ..., paid a
  courtesy call on ... on <date>");
- a meeting of several: "On <date>, the <meeting> was held in <place>, hosted by <person>,
  with the participation of <person>; <person>; and <person>", or its participants in a
  bracket ("(participants from each country were ...)").
A page may list the participants again below the overview ("[Reference 1] Participants",
then "<country>: <person>, <role>" lines, officials "in attendance"): ``participant_list``
reads it. A person named in full once and by family name alone elsewhere is one
participant. Everything here is best effort: a fact the page does not give stays unknown
("" or None); nothing in this module raises.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .cleaning import collapse_acronyms
from .names import (
    HONORIFIC,
    name_key,
    organisation_from_role,
    person_from_phrase,
    surname_of,
    words,
)
from .types import ParsedMeeting, ParsedParticipant

JAPAN_TZ = "Asia/Tokyo"

# Places the UN and MOFA material uses, with their IANA zone. Order matters: when only the
# UTC offset is known, the first place with that offset wins, so New York leads.
PLACES: dict[str, str] = {
    "New York": "America/New_York",
    "Washington, D.C.": "America/New_York",
    "Washington D.C.": "America/New_York",
    "Washington": "America/New_York",
    "Tokyo": JAPAN_TZ,
    "Japan": JAPAN_TZ,
    "Osaka": JAPAN_TZ,
    "Kyoto": JAPAN_TZ,
    "Hiroshima": JAPAN_TZ,
    "Nagasaki": JAPAN_TZ,
    "Yokohama": JAPAN_TZ,
    "Nagoya": JAPAN_TZ,
    "Okinawa": JAPAN_TZ,
    "Geneva": "Europe/Zurich",
    "Vienna": "Europe/Vienna",
    "Paris": "Europe/Paris",
    "London": "Europe/London",
    "Brussels": "Europe/Brussels",
    "Berlin": "Europe/Berlin",
    "The Hague": "Europe/Amsterdam",
    "Rome": "Europe/Rome",
    "Madrid": "Europe/Madrid",
    "Moscow": "Europe/Moscow",
    "Istanbul": "Europe/Istanbul",
    "Nairobi": "Africa/Nairobi",
    "Addis Ababa": "Africa/Addis_Ababa",
    "Cairo": "Africa/Cairo",
    "Johannesburg": "Africa/Johannesburg",
    "Beijing": "Asia/Shanghai",
    "Seoul": "Asia/Seoul",
    "Hong Kong": "Asia/Hong_Kong",
    "Bangkok": "Asia/Bangkok",
    "Jakarta": "Asia/Jakarta",
    "Manila": "Asia/Manila",
    "Singapore": "Asia/Singapore",
    "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Hanoi": "Asia/Ho_Chi_Minh",
    "Phnom Penh": "Asia/Phnom_Penh",
    "Vientiane": "Asia/Vientiane",
    "New Delhi": "Asia/Kolkata",
    "Doha": "Asia/Qatar",
    "Riyadh": "Asia/Riyadh",
    "Dubai": "Asia/Dubai",
    "Abu Dhabi": "Asia/Dubai",
    "Tehran": "Asia/Tehran",
    "Canberra": "Australia/Sydney",
    "Sydney": "Australia/Sydney",
    "Ottawa": "America/Toronto",
    "Los Angeles": "America/Los_Angeles",
    "San Francisco": "America/Los_Angeles",
    "Honolulu": "Pacific/Honolulu",
    "Mexico City": "America/Mexico_City",
    "Lima": "America/Lima",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Brasilia": "America/Sao_Paulo",
    "Rio de Janeiro": "America/Sao_Paulo",
}
_PLACE_ALT = "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True))
# A place is where the meeting is only after a preposition ("in New York", "visiting
# New York"); "Prime Minister of Japan" names no place.
_PLACE = re.compile(rf"\b(?:in|visiting|visited|at|to)\s+(?:the\s+)?({_PLACE_ALT})\b")
_PLACE_TIME = re.compile(rf"\b({_PLACE_ALT})\s+time\b", re.IGNORECASE)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)"
_ON_DATE = re.compile(
    rf"^On\s+{_WEEKDAY}?(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}))(?:,?\s+(?P<y>\d{{4}}))?",
    re.IGNORECASE,
)
_DATE_IN = re.compile(
    rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH}))\b",
    re.IGNORECASE,
)

_TIME = re.compile(
    r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b"
    r"|\b(?P<noon>noon|midnight)\b",
    re.IGNORECASE,
)

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "  # noqa: SIM905
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_QTY = (
    r"(?:\d{1,3}|an?|(?:twenty|thirty|forty|fifty|sixty|seventy)(?:[- ](?:one|two|three|"
    r"four|five|six|seven|eight|nine))?|"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + ")"
)
_DURATION = re.compile(
    r"\b(?:for\s+)?(?:(?:approximately|about|around|roughly|some|nearly|almost|over|"
    r"more\s+than|just\s+over|just\s+under)\s+)?(?:"
    r"(?P<half_hour>half\s+an\s+hour)"
    rf"|(?P<hours_half>an|one)\s+(?:hour\s+and\s+a\s+half|and\s+a\s+half\s+hours)"
    rf"|(?P<h>{_QTY})\s+hours?(?:\s+(?:and\s+)?(?P<hm>{_QTY})\s+minutes?)?"
    rf"|(?P<m>{_QTY})\s+minutes?)\b",
    re.IGNORECASE,
)

# What makes the opening sentence a meeting, and what kind of one.
_VERB = re.compile(
    r"\b(?:(?:held|had|conducted|hosted)\s+(?:an?\s+|the\s+)?"
    r"(?P<what>[\w'’.\- ]{0,60}?\b(?:meeting|talks?|conversation|summit|teleconference|"
    r"conference|call|dialogue|consultations?|discussions?))\s+with"
    r"|(?:held|had|hosted|gave)\s+(?:an?\s+|the\s+)?(?P<meal>(?:working\s+|official\s+)?"
    r"(?:luncheon|lunch|dinner|breakfast)(?:\s+meeting)?)\s+(?:with|for|in\s+honou?r\s+of)"
    r"|(?P<met>met)(?:\s+with)?"
    r"|(?P<spoke>spoke|talked)\s+(?:on|over|by)\s+(?:the\s+)?(?:tele)?phone\s+with"
    r"|(?P<courtesy>paid\s+a\s+courtesy\s+call\s+on|received\s+a\s+courtesy\s+call\s+from)"
    r"|(?P<invited>invited)(?=.*?\bto\s+(?:an?|the)\s+[^,.]*?\bmeeting\b)"
    r"|(?P<attended>presided\s+over|chaired|attended|participated\s+in)\s+(?:the\s+|an?\s+)?"
    r"(?P<event>[^,.;]{0,80}?\b(?:meeting|debate|session|summit|conference|dialogue)))\b",
    re.IGNORECASE,
)
# "the G4 Summit Meeting was held": the meeting is the subject, the people follow.
_WAS_HELD = re.compile(r"\s+(?:was|were)\s+(?:held|convened|organi[sz]ed)\b", re.IGNORECASE)
_EVENT_WORD = re.compile(
    r"\b(?:meeting|summit|conference|dialogue|session|talks|consultations|luncheon|lunch|"
    r"dinner|breakfast|call|conversation)\b",
    re.IGNORECASE,
)
# A meeting's name goes on with "of ...": "the Meeting of the Foreign Ministers of the G4".
_EVENT_OF = re.compile(r"\s+of\s+[^,;]*?(?=\s*\(|\s+(?:on|from|at|in|for|with)\s|[,;.]|$)")
# Words that introduce people in a list rather than name them.
_LEAD_IN = re.compile(
    r"^(?:(?:and|while)\s+)?(?:(?:was|were)\s+)?(?:(?:co-)?(?:hosted|chaired)|presided\s+over|"
    r"attended|joined|accompanied)\s+by\s+"
    r"|^(?:and\s+)?with\s+the\s+(?:participation|attendance)\s+of\s+"
    r"|^(?:the\s+)?participants?\b[^:]*?\b(?:were|was|are|is|included?)\s+"
    r"|^(?:the\s+)?participants?\s*[:：]\s*"
    r"|^including\s+",
    re.IGNORECASE,
)
_JOINED_BY = re.compile(
    r"\b(?:with\s+the\s+(?:participation|attendance)\s+of|(?:co-)?(?:hosted|chaired)\s+by|"
    r"attended\s+by|joined\s+by)\s",
    re.IGNORECASE,
)
_IN_ATTENDANCE = re.compile(r"\s*[(（]\s*(?:also\s+)?in\s+attendance\s*[)）]", re.IGNORECASE)
# A bracket that lists who took part: "(participants from each country were ...)".
_PEOPLE_BRACKET = re.compile(
    r"\b(?:participants?|participation\s+of|attended\s+by|joined\s+by)\b", re.IGNORECASE
)
# "..., was also in attendance": the people before it accompanied a principal.
_ATTENDING = re.compile(r",?\s+(?:was|were)\s+(?:also\s+)?in\s+attendance\b", re.IGNORECASE)
_INVITED_TO = re.compile(r"\s+to\s+(?:an?|the)\s+(?P<name>[^,.]*?\bmeeting\b)", re.IGNORECASE)
_OCCASION = re.compile(
    r"\b(?:to\s+attend|attending|(?:on|at)\s+the\s+occasion\s+of|(?:on|in)\s+the\s+(?:margins|"
    r"sidelines)\s+of)\s+(?:the\s+)?(?P<what>[^,;]+)",
    re.IGNORECASE,
)
# Where a role or name stops and the circumstances start.
_ROLE_END = re.compile(
    r"\s+(?:who|which|for\s+(?:about|approximately|around|some|roughly|nearly|over|an?\b|"
    r"\d)|from\s+\d|commencing|at\s+(?:around\s+)?\d|to\s+(?:an?)\s|"
    rf"(?:in|at)\s+(?:the\s+)?(?:{_PLACE_ALT})\b|on\s+the\s+(?:occasion|margins|sidelines)|"
    r"during\b|via\b|by\s+(?:tele)?phone)",
)
_AND_PERSON = re.compile(r"\s+and\s+(?=" + HONORIFIC.pattern + r")")
_ABBREVIATIONS = words(
    "mr ms mrs dr prof st jr sr no nos gen lt col amb h.e u.s u.k u.n e.g i.e vs mt "
    "a.m p.m sen rep gov pres approx"
)


def mask_brackets(text: str) -> str:
    """Same length as `text`, with the inside of balanced brackets blanked out, so commas
    and full stops inside "(local time; 1:05 a.m. on Tuesday, September 20, Japan time)"
    do not split the sentence."""
    chars = list(text)
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            start = stack.pop()
            if not stack:
                for j in range(start + 1, i):
                    chars[j] = "_"
    return "".join(chars)


def first_sentence(text: str) -> str:
    masked = mask_brackets(text)
    for match in re.finditer(r"[.!?](?=\s+[^\s\w]*[A-Z\u00C0-\u024F]|\s*$)", masked):
        i = match.start()
        # The word before the full stop, found without rescanning the whole prefix.
        token = masked[max(masked.rfind(" ", 0, i), masked.rfind("\n", 0, i)) + 1 : i]
        token = token.lstrip("(").lower().rsplit("-", 1)[-1]  # "Japan-U.S."
        if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
            continue
        return text[: i + 1]
    return text


def _number(word: str) -> int | None:
    word = word.lower().replace(" ", "-")
    if word.isdigit():
        return int(word)
    if word in ("a", "an"):
        return 1
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    tens, _, unit = word.partition("-")
    if tens in _TENS:
        return _TENS[tens] + (_NUMBER_WORDS.get(unit, 0) if unit else 0)
    return None


def duration_minutes(sentence: str) -> int | None:
    match = _DURATION.search(sentence)
    if match is None:
        return None
    if match.group("half_hour"):
        return 30
    if match.group("hours_half"):
        return 90
    if match.group("h"):
        hours = _number(match.group("h"))
        minutes = _number(match.group("hm")) if match.group("hm") else 0
        if hours is None or minutes is None:
            return None
        return hours * 60 + minutes
    return _number(match.group("m"))


def _time_of(match: re.Match[str]) -> datetime.time | None:
    if match.group("noon"):
        return datetime.time(12, 0) if match.group("noon").lower() == "noon" else datetime.time(0)
    if match.group("h24") is not None:
        return datetime.time(int(match.group("h24")), int(match.group("m24")))
    hour, minute = int(match.group("h")), int(match.group("m") or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    hour %= 12
    if match.group("ap").lower() == "p":
        hour += 12
    return datetime.time(hour, minute)


def _date_of(match: re.Match[str], near: datetime.date) -> datetime.date | None:
    month = MONTHS.get((match.group("m1") or match.group("m2") or "").lower().rstrip("."))
    day = int(match.group("d1") or match.group("d2") or 0)
    year_text = match.groupdict().get("y")
    if month is None:
        return None
    if year_text:
        try:
            return datetime.date(int(year_text), month, day)
        except ValueError:
            return None
    # No year: the one that puts the date closest to the page date (a meeting on
    # December 31 reported on January 1 belongs to the year before).
    best = None
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs(candidate - near) < abs(best - near):
            best = candidate
    return best


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zone_for_offset(local: datetime.datetime, offset: datetime.timedelta) -> str:
    for name in dict.fromkeys(PLACES.values()):
        zone = _zone(name)
        if zone is not None and local.replace(tzinfo=zone).utcoffset() == offset:
            return name
    return ""


def _split_people(text: str) -> list[str]:
    """Pieces of a list of people, cut at commas and semicolons, brackets kept whole."""
    masked = mask_brackets(text)
    pieces: list[str] = []
    start = 0
    cuts = [m.start() for m in re.finditer("[,;]", masked)]
    for cut in [*cuts, len(text)]:
        piece, piece_masked = text[start:cut], masked[start:cut]
        offset = 0
        for match in _AND_PERSON.finditer(piece_masked):
            pieces.append(piece[offset : match.start()])
            offset = match.end()
        pieces.append(piece[offset:])
        start = cut + 1
    return pieces


def participants_from(text: str) -> list[ParsedParticipant]:
    """People named in a MOFA list: "Mr. Shinzo Abe, Prime Minister of Japan" or
    "the Secretary-General of the United Nations, Ban Ki-Moon"."""
    people: list[list] = []  # [name, role, in attendance]
    pending_role = ""
    last_was_person = False
    for raw in _split_people(text):
        piece = raw.strip()
        piece = _LEAD_IN.sub("", piece)
        attending = _IN_ATTENDANCE.search(piece) is not None
        piece = _IN_ATTENDANCE.sub("", piece)
        if re.match(r"^(?:and|with)\s+", piece):
            piece = re.sub(r"^(?:and|with)\s+", "", piece)
        cut = _ROLE_END.search(" " + piece)
        if cut is not None:
            piece = (" " + piece)[: cut.start()].strip()
        piece = piece.strip(" .;:")
        # Circumstances ("commencing at ...", "who is visiting ...") start in lower case;
        # "On September 19" is the date.
        if not piece or (piece[0].islower() and not piece.startswith("the ")):
            last_was_person = False
            continue
        if _ON_DATE.match(piece) or piece in PLACES:
            continue
        name, role_before = person_from_phrase(piece)
        if name:
            people.append([name, collapse_acronyms(role_before or pending_role), attending])
            pending_role = ""
            last_was_person = True
            continue
        role = collapse_acronyms(re.sub(r"^the\s+", "", piece))
        if people and last_was_person and not people[-1][1]:
            people[-1][1] = role
        elif people and last_was_person:
            people[-1][1] += ", " + role
        else:
            pending_role = role
            last_was_person = False
        if attending and people and last_was_person:
            people[-1][2] = True
    return merge_participants(
        [
            ParsedParticipant(name, role, organisation_from_role(role), attending)
            for name, role, attending in people
        ]
    )


def _same_person(people: Sequence[ParsedParticipant], name: str) -> int | None:
    """Where ``name`` is already among ``people``: the same name (case and accents
    aside), or a family name alone matching a full name either way round."""
    key = name_key(name)
    for i, person in enumerate(people):
        if name_key(person.name) == key:
            return i
    for i, person in enumerate(people):
        if surname_of(person.name, name) or surname_of(name, person.name):
            return i
    return None


def merge_participants(*groups: Iterable[ParsedParticipant]) -> list[ParsedParticipant]:
    """The people of several lists, each once, in the order first named: a later mention
    fills in what an earlier one left blank, a full name replaces a family name alone
    ("Minister Kamikawa" and "Ms. KAMIKAWA Yoko" are one participant), the longer of two
    roles is kept, and a principal named anywhere is a principal."""
    merged: list[ParsedParticipant] = []
    for group in groups:
        for person in group:
            index = _same_person(merged, person.name)
            if index is None:
                merged.append(person)
                continue
            old = merged[index]
            fuller = person.name if len(person.name.split()) > len(old.name.split()) else old.name
            merged[index] = ParsedParticipant(
                fuller,
                # "Minister" (beside a family name) says less than "Minister for Foreign
                # Affairs" (in the list): the longer one is the fuller reading.
                person.role if len(person.role) > len(old.role) else old.role,
                old.organisation or person.organisation,
                old.in_attendance and person.in_attendance,
            )
    return merged


def resolve_known(
    people: Iterable[ParsedParticipant], known: Sequence[ParsedParticipant]
) -> list[ParsedParticipant]:
    """``people`` with a family name alone replaced by the full name of the one person of
    ``known`` (named elsewhere on the page) it belongs to."""
    resolved = []
    for person in people:
        index = _same_person(known, person.name) if len(person.name.split()) == 1 else None
        if index is not None:
            full = known[index]
            person = ParsedParticipant(
                full.name,
                person.role if len(person.role) > len(full.role) else full.role,
                person.organisation or full.organisation,
                person.in_attendance,
            )
        resolved.append(person)
    return merge_participants(resolved)


_LIST_HEAD = re.compile(
    r"^[\[【(（]?\s*(?:Reference\s*\d*\s*[\]】)）]?\s*[\[【]?\s*)?(?:List\s+of\s+)?"
    r"(?:Participants?|Attendees|Participating\s+(?:countries|leaders|ministers))\b"
    r"[\]】)）]?\s*[:：]?\s*$",
    re.IGNORECASE,
)
_LIST_ENTRY = re.compile(r"^(?P<org>[A-Z][^:：()]{0,60}?)\s*[:：]\s*(?P<people>\S.*)$")
_ATTENDANCE_LINE = re.compile(r"^(?:also\s+)?in\s+attendance\s*[:：]\s*(?P<people>.+)$", re.I)
_ATTENDANCE_BRACKET = re.compile(
    r"[(（]\s*(?:also\s+)?in\s+attendance\s*[:：]\s*(?P<people>[^()（）]*(?:[(（][^()（）]*[)）]"
    r"[^()（）]*)*)[)）]",
    re.IGNORECASE,
)
_ATTENDANCE_INLINE = re.compile(r"[;,]?\s*(?:also\s+)?in\s+attendance\s*[:：]\s*", re.I)
BULLET = re.compile(r"^(?:[-–—]\s+|[•・●■◆○◎▪►]\s*)")


def _attendees(text: str, organisation: str) -> list[ParsedParticipant]:
    return [
        ParsedParticipant(p.name, p.role, organisation or p.organisation, True)
        for p in participants_from(text)
    ]


def participant_list(lines: Sequence[str]) -> list[ParsedParticipant]:
    """The people a page lists under a "Participants" heading ("[Reference 1]
    Participants"), one "<country or organisation>: <person>, <role>" line each, officials
    accompanying them "in attendance" (in a bracket, on a line of their own, or marked
    "(in attendance)" one by one). Empty when the page has no such list."""
    people: list[ParsedParticipant] = []
    inside = False
    organisation = ""
    for raw in lines:
        text = BULLET.sub("", raw.strip()).strip()
        if not text:
            continue
        if _LIST_HEAD.match(text):
            inside, organisation = True, ""
            continue
        if not inside:
            continue
        if attendance := _ATTENDANCE_LINE.match(text):
            people += _attendees(attendance.group("people"), organisation)
            continue
        entry = _LIST_ENTRY.match(text)
        if entry is None:
            if _starts_with_person(text) and (named := participants_from(text)):
                people += named  # a person without a country before: "Mr. X, President of Y"
            else:
                inside = False  # the list is over: another reference, a trailer, a paragraph
            continue
        organisation = entry.group("org").strip()
        listed = entry.group("people")
        attending: list[ParsedParticipant] = []
        for bracket in _ATTENDANCE_BRACKET.finditer(listed):
            attending += _attendees(bracket.group("people"), organisation)
        listed = _ATTENDANCE_BRACKET.sub("", listed)
        if inline := _ATTENDANCE_INLINE.search(listed):
            attending += _attendees(listed[inline.end() :], organisation)
            listed = listed[: inline.start()]
        principals = [
            ParsedParticipant(p.name, p.role, organisation, p.in_attendance)
            for p in participants_from(listed)
        ]
        people += principals + attending
    return merge_participants(people)


def short_role(role: str) -> str:
    """'Prime Minister of Japan' -> 'Prime Minister', for titles."""
    role = re.sub(r"^the\s+", "", role)
    if re.match(r"minister\s+(?:for|of)\s+foreign\s+affairs", role, re.IGNORECASE):
        return "Foreign Minister"
    return re.split(r"\s+(?:of|for|to)\s+|,", role, maxsplit=1)[0].strip()


def _label(person: ParsedParticipant) -> str:
    return f"{short_role(person.role)} {person.name}".strip()


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def format_date(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def meeting_title(
    kind: str,
    participants: list[ParsedParticipant],
    named: str,
    location: str,
    day: datetime.date,
) -> str:
    if named:
        title = named[0].upper() + named[1:]
        return f"{title} in {location}" if location else title
    labels = [_label(p) for p in participants]
    what = {"telephone": "Telephone talks", "summit": "Summit meeting"}.get(kind, "Meeting")
    if len(labels) >= 2:
        return f"{what} between {_join(labels)}"
    if labels:
        return f"{what} with {labels[0]}"
    return f"{what} on {format_date(day)}"


def looks_like_meeting_title(title: str) -> bool:
    return re.search(r"\b(?:meeting|talks?|summit|conversation|call)\b", title, re.I) is not None


def _starts_with_person(subject: str) -> bool:
    """Whether a sentence opens with a person ("Mr. X, Minister ...", "Minister Kishida"),
    not with a clause that happens to name one ("Japan welcomes that Mr. X ...")."""
    pieces = _split_people(subject.strip())
    piece = pieces[0].strip() if pieces else ""
    name, before = person_from_phrase(piece)
    if name is None:
        return False
    if HONORIFIC.match(re.sub(r"^the\s+", "", piece)):
        return True
    return all(word[:1].isupper() for word in before.split())


def _people_in_brackets(text: str) -> list[ParsedParticipant]:
    """The people a bracket of the opening paragraph lists as taking part, or as in
    attendance: "(Mr. X, Deputy Chief Cabinet Secretary, was also in attendance)"."""
    people: list[ParsedParticipant] = []
    for bracket in re.finditer(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text):
        inside = bracket.group(1)
        if attending := _ATTENDING.search(inside):
            people += [
                ParsedParticipant(p.name, p.role, p.organisation, True)
                for p in participants_from(inside[: attending.start()])
            ]
        elif _PEOPLE_BRACKET.search(inside):
            people += participants_from(inside)
    return people


def _held(masked: str, start: int) -> tuple[int, int, int] | None:
    """Where "<the meeting> was held" is in a sentence: the start and end of the
    meeting's words (its clause, from the last comma) and the end of "was held". Found
    from "was held" backwards: one regular expression for both spent a second on a long
    sentence without commas."""
    for held in _WAS_HELD.finditer(masked, start):
        clause = max(masked.rfind(",", start, held.start()), masked.rfind(";", start, held.start()))
        clause = max(clause + 1, start)
        if held.start() - clause <= 240 and _EVENT_WORD.search(masked, clause, held.start()):
            return clause, held.start(), held.end()
    return None


def _event_name(text: str) -> str:
    """A meeting's name as the sentence gives it, without its brackets or article."""
    text = re.sub(r"\s*\([^()]*\)", "", text)
    text = re.sub(r"^(?:the|an?)\s+", "", text.strip(), flags=re.IGNORECASE)
    return " ".join(text.split()).strip(" ,")


def parse_meeting(
    opening: str,
    page_date: datetime.date,
    title: str | None,
    *,
    listed: Sequence[ParsedParticipant] = (),
    known: Sequence[ParsedParticipant] = (),
) -> ParsedMeeting | None:
    """The meeting the opening paragraph reports, or None if it reports none. ``listed``
    are the people the page lists below (``participant_list``); ``known``, people the
    page names elsewhere, whom a family name alone in the opening may mean."""
    sentence = first_sentence(opening)
    on_date = _ON_DATE.match(sentence)
    masked = mask_brackets(sentence)
    after_date = on_date.end() if on_date else 0
    verb = _VERB.search(masked)
    held = _held(masked, after_date)
    passive = held is not None and (verb is None or held[0] < verb.start())
    if verb is None and not passive:
        return None

    named = ""
    if passive:
        # "the G4 Summit Meeting was held in New York, hosted by X, with the
        # participation of Y; Z": the meeting is the subject, the people follow.
        named = _event_name(sentence[held[0] : held[1]])
        subject, rest = "", sentence[held[2] :]
    else:
        subject, rest = sentence[: verb.start()], sentence[verb.end() :]
        if on_date is None and not _starts_with_person(subject):
            return None
        if verb.group("attended"):
            # "presided over the UN Security Council Ministerial-Level Meeting": the event
            # is the meeting; only the subject's side is named.
            end = verb.end("event")
            if more := _EVENT_OF.match(masked, end):
                end = more.end()
            named = _event_name(sentence[verb.start("event") : end])
            # Only the people the sentence says took part with them: "chaired the G7
            # Summit, with the participation of ...".
            joined = _JOINED_BY.search(mask_brackets(rest))
            rest = rest[joined.start() :] if joined else ""
        elif verb.group("invited"):
            invited_to = _INVITED_TO.search(mask_brackets(rest))
            if invited_to is not None:
                named = rest[invited_to.start("name") : invited_to.end("name")]
                rest = rest[: invited_to.start()]
    # The same person can appear twice only by a parsing slip, or by family name alone.
    people = merge_participants(
        participants_from(subject.rstrip(" ,")),
        participants_from(rest.rstrip(" .")),
        _people_in_brackets(opening),
        listed,
    )
    people = resolve_known(people, known)
    if passive and on_date is None and not people:
        return None

    if on_date is not None:
        day = _date_of(on_date, page_date) or page_date
    else:
        # "..., paid a courtesy call on ... on September 5": the first date outside a
        # bracket (a bracket gives Japan's date).
        in_text = _DATE_IN.search(masked)
        day = (_date_of(in_text, page_date) if in_text else None) or page_date

    # Kind: what the verb says, then how many took part.
    what = "" if passive else (verb.group("what") or verb.group("meal") or "").lower()
    words = f"{what} {(title or '').lower()}"
    if (not passive and verb.group("spoke")) or re.search(r"\b(?:tele)?phone\b", words):
        kind = "telephone"
    elif "security council" in f"{what} {named.lower()}":
        kind = "security_council"
    elif "summit" in f"{words} {named.lower()}":
        kind = "summit"
    elif named or len(people) > 2:
        kind = "multilateral"
    elif people or what or (not passive and (verb.group("met") or verb.group("courtesy"))):
        kind = "bilateral"
    else:
        kind = "other"

    # Place: the first one named after a preposition.
    place = _PLACE.search(sentence)
    location = place.group(1) if place else ""
    if location.startswith("Washington"):
        location = "Washington, D.C."

    occasion = ""
    occasion_match = _OCCASION.search(masked)
    if occasion_match is not None:
        text = sentence[occasion_match.start("what") : occasion_match.end("what")]
        text = re.split(r"\s+(?:held|met|and\s+held)\b", text)[0].strip(" .")
        if not re.match(r"(?:his|her|their|its|a)\b", text, re.IGNORECASE):
            occasion = collapse_acronyms(text)

    # Times: those inside a bracket that says "Japan time" are Japan time; the first
    # other one is the local start.
    japan_spans = [
        (m.start(), m.end())
        for m in re.finditer(r"\([^()]*\)", sentence)
        if re.search(r"\bJapan\s+time\b|\bJST\b", m.group(0), re.IGNORECASE)
    ]
    local_start: datetime.time | None = None
    japan_start: datetime.time | None = None
    japan_day: datetime.date | None = None
    for match in _TIME.finditer(sentence):
        moment = _time_of(match)
        if moment is None:
            continue
        span = next((s for s in japan_spans if s[0] <= match.start() < s[1]), None)
        after = sentence[match.end() : match.end() + 30]
        if span is None and re.match(r"\s*\(?\s*Japan\s+time", after, re.IGNORECASE):
            span = (match.start(), match.end() + 30)
        if span is not None:
            if japan_start is None:
                japan_start = moment
                in_span = _DATE_IN.search(sentence, match.end(), span[1])
                japan_day = _date_of(in_span, day) if in_span else None
        elif local_start is None:
            local_start = moment

    says_local = re.search(r"\blocal\s+time\b", sentence, re.IGNORECASE) is not None
    timezone = PLACES.get(location, "")
    if not timezone:
        # "(December 18, New York time)" names the local clock; "Japan time" never does.
        for place_time in _PLACE_TIME.finditer(sentence):
            zone = next(z for p, z in PLACES.items() if p.lower() == place_time.group(1).lower())
            if zone != JAPAN_TZ:
                timezone = zone
                break
    if not timezone and local_start is not None and japan_start is not None:
        # Both clocks given: the difference is the local UTC offset (Japan is UTC+9).
        local = datetime.datetime.combine(day, local_start)
        japan = datetime.datetime.combine(japan_day or day, japan_start)
        difference = japan - local
        if japan_day is None:  # only the clock: take the difference modulo a day
            hours = difference.total_seconds() / 3600 % 24
            difference = datetime.timedelta(hours=hours - 24 if hours > 21 else hours)
        timezone = _zone_for_offset(local, datetime.timedelta(hours=9) - difference)
    if not timezone and not says_local and (kind == "telephone" or local_start is not None):
        # MOFA gives an unqualified time only for Japan; a call from Tokyo has no place.
        timezone = JAPAN_TZ
    start = local_start
    if start is None and japan_start is not None:
        zone, tokyo = _zone(timezone) if timezone else None, _zone(JAPAN_TZ)
        if zone is not None and tokyo is not None:
            moment = datetime.datetime.combine(japan_day or day, japan_start, tokyo)
            start = moment.astimezone(zone).time()
        elif timezone in ("", JAPAN_TZ):
            start, timezone = japan_start, JAPAN_TZ

    if title and looks_like_meeting_title(title):
        meeting_name = title
    else:
        meeting_name = meeting_title(kind, people, named, location, day)
    return ParsedMeeting(
        title=meeting_name,
        kind=kind,
        date=day,
        start_time=start,
        timezone=timezone,
        duration_minutes=duration_minutes(sentence),
        location=location,
        occasion=occasion,
        participants=tuple(people),
    )
