"""Parse the text of one MOFA page into a ParsedDocument.

A page reads, top to bottom: an optional section line ("Japan and the United Nations"),
an optional title (one or two lines), an optional "(Statement by ...)" line, the date line,
photo captions, then paragraphs (un-numbered, "1. ", "1 ", "- 1. ", "- ", "(1)"), and a
trailer ("Back to ...", "(END)", "Related Information (...)").

Decisions (documented here because editors and tests rely on them):
- The body is a tree of blocks in reading order (``ParsedParagraph``: kind, label, depth,
  parent). Nesting comes from the indentation the extraction keeps and from label styles:
  an item indented under another is its child ("2." holding "1." to "3."); at the same
  indentation, an item in a style not yet open nests under the item above ("2. ...:" then
  "(1)"), one in an open style closes the lists opened since ("(2)" after "(1)"'s
  children, "2" after "1"'s). An indented item in the same style that does not start a
  list ("    2." after "  1. 1.") is only unevenly indented: the next item, not a child.
- Labels: "1."/"1)"/"(1)" numbers, "(a)"/"a."/"A." letters, "(i)"/"i."/"IV." romans
  ("(i)" is a letter only right after "(h)"), and "1 Title" lines when the page numbers 1
  and 2 that way or the line heads "(1)" items. A label is stored without a trailing full
  stop ("2." -> "2", "a." -> "a"), other brackets kept ("(1)", "3)").
- Un-labelled lines: a line indented under the item above is an un-labelled child of that
  item (kept as its own block, not joined, so the page's paragraphs stay as printed);
  a line starting in lower case right after an unfinished line continues it (hard-wrapped
  text). A non-indented paragraph belongs to the nearest topic line above it (a labelled
  heading, "(1) <meeting> (<date>)"), else it is top-level. A short un-labelled line
  heads the indented lines or bullets after it ("[Reference 1] Participants"), and a
  paragraph ending in ":" heads the lettered items or bullets after it; numbered items
  after "as follows:" stay top-level so their numbers stay the page's paragraph numbers.
- Heading or paragraph: a block with children whose text is short (20 words at most) and
  not a sentence (no final stop) is a heading; a full sentence with children stays a
  paragraph.
- ``number`` is the integer of a top-level numeric label, unique in the document (the
  ``#pN`` permalinks of flat pages); nested and repeated ones have none.
- A lone "1." line is a heading: its number goes to the paragraph that follows, unless
  "(1)", "(2)"... sub-items follow, in which case it is dropped and the sub-items are the
  top-level paragraphs 1, 2, ... .
- A block that repeats an earlier one exactly under the same parent (an extraction slip)
  is dropped; a different block reusing a label in the same list is an error.
- Dropped, not blocks: photo credits and captions (short lines without a full stop right
  after the date; "(photo 4) ...", "Photo1", "photo (...)" anywhere), trailers ("Back to
  ..."), link lines ("[Reference] <document> (PDF)", "Get Acrobat Reader"), and
  translation notes "(*This is a provisional translation ...)" (they describe the page,
  not the statement).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from .anchors import label_key
from .citations import cited_resolutions, resolution_mentions
from .cleaning import clean_text, has_artefact
from .meetings import MONTHS, first_sentence, format_date, looks_like_meeting_title, parse_meeting
from .names import person_from_phrase
from .types import ParsedDocument, ParsedMeeting, ParsedParagraph

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
    indent: int = 0  # leading spaces of the raw line: how nesting shows in extracted text
    linked: bool = False  # the raw line carried a link label ("(PDF)Open a New Window")


@dataclass
class _Draft:
    kind: str  # "text", "bullet" or "item" (labelled)
    style: str  # how the label is printed: "1.", "(1)", "(_)" letter or roman, "1 "...
    label: str
    text: str
    line: int
    indent: int


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
_NUMBERED = re.compile(r"^(?P<n>[1-9]\d{0,2})(?P<p>[.)])(?:\s+|(?=[^\d\s.,)]))(?P<text>.+)$")
_HEADING = re.compile(r"^(?P<n>[1-9]\d{0,2})[.)]?$")
_SUB = re.compile(r"^[(（](?P<n>[1-9]\d{0,2})[)）]\s*(?P<text>.*)$")
_BARE = re.compile(r"^(?P<n>[1-9]\d{0,2})\s+(?P<text>[A-Z\u00C0-\u00DE“‘\"'(].*)$")
_LETTER_BRACKETED = re.compile(
    r"^(?P<p>[(（])(?P<l>[a-zA-Z]|[ivx]{2,5}|[IVX]{2,5})[)）]\s*(?P<text>.*\w.*)$"
)
_LETTER_STOPPED = re.compile(r"^(?P<l>[a-zA-Z]|[ivx]{2,5}|[IVX]{2,5})(?P<p>[.)])\s+(?P<text>.+)$")
# Captions between paragraphs: "(photo 4) ...", "(photo1) ...", "Photo1", "photo (Foreign ...)".
_CAPTION = re.compile(r"^(?:\(\s*photo\s*\d*\s*\)|photo\s*\d+\b|photo\s*\()", re.I)
_READER = re.compile(r"^(?:Get\s+)?(?:Adobe\s+)?Acrobat\s+Reader\b", re.I)
_REFERENCE = re.compile(r"^\[\s*Reference\b[^\]]*\]", re.I)
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")


def _indent(raw: str) -> int:
    expanded = raw.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


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
    result = [
        _Line(i, clean_text(raw), _indent(raw), has_artefact(raw))
        for i, raw in enumerate(lines, start=1)
    ]
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


def _heading_like(text: str) -> bool:
    """Short and not a sentence: a topic line, if items come under it."""
    return len(text.split()) <= 20 and not _SENTENCE_END.search(text)


def _is_artefact(line: _Line, text: str) -> bool:
    return bool(
        _TRAILER.match(text)
        or _NOTE.match(text)
        or _CAPTION.match(text)
        or (_PHOTO.search(text) and len(text.split()) <= 12)
        or _READER.match(text)
        or (line.linked and _REFERENCE.match(text))  # "[Reference] <document> (PDF)"
        or _SPEAKER_LINE.match(text)
        or not any(ch.isalnum() for ch in text)
    )


def _item(text: str, line: _Line, bare_numbering: bool, next_text: str) -> _Draft | None:
    """The line as a labelled item, or None when it has no label."""
    numbered = _DOUBLED.match(text)
    if numbered is None or numbered.group("n") != numbered.group("n2"):
        numbered = _NUMBERED.match(text)  # "1. 2. x" is paragraph 1 reading "2. x"
    if numbered is not None:
        mark = numbered.group("p") if "p" in numbered.groupdict() else "."
        label = numbered.group("n") + ("" if mark == "." else mark)
        return _Draft("item", f"1{mark}", label, numbered.group("text"), line.number, line.indent)
    if match := _SUB.match(text):
        return _Draft(
            "item", "(1)", f"({match.group('n')})", match.group("text"), line.number, line.indent
        )
    if match := (_LETTER_BRACKETED.match(text) or _LETTER_STOPPED.match(text)):
        key, mark = match.group("l"), match.group("p")
        label = f"({key})" if mark == "(" else key if mark == "." else f"{key})"
        style = mark.replace("(", "(_)").replace(".", "_.").replace(")", "_)")
        return _Draft("item", style, label, match.group("text"), line.number, line.indent)
    # "1 Title" is numbering when the page numbers 1 and 2 that way, or when it heads "(1)"
    # sub-items; otherwise "70 years have passed." would become paragraph 70.
    match = _BARE.match(text)
    if match and (bare_numbering or (_heading_like(match.group("text")) and _SUB.match(next_text))):
        return _Draft("item", "1 ", match.group("n"), match.group("text"), line.number, line.indent)
    return None


def _parse_body(lines: list[_Line]) -> list[_Draft]:
    bare_numbers = {
        int(m.group("n")) for line in lines if (m := _BARE.match(_strip_bullet(line.text)[0]))
    }
    bare_numbering = {1, 2} <= bare_numbers
    following = [""] * len(lines)  # the next non-blank line's text, for "1 Title" headings
    upcoming = ""
    for i in range(len(lines) - 1, -1, -1):
        following[i] = upcoming
        if lines[i].text:
            upcoming = _strip_bullet(lines[i].text)[0]

    drafts: list[_Draft] = []
    heading: str | None = None
    after_blank = True
    for i, line in enumerate(lines):
        text = line.text
        if not text:
            after_blank = True
            continue
        text, bulleted = _strip_bullet(text)
        if _is_artefact(line, text):
            continue
        draft = _item(text, line, bare_numbering, following[i])
        if draft is None and (match := _HEADING.match(text)):
            heading = match.group("n")
            after_blank = False
            continue
        if (
            draft is None
            and not bulleted
            and not after_blank
            and heading is None
            and drafts
            and text[0].islower()
            and not _SENTENCE_END.search(drafts[-1].text)
        ):
            drafts[-1].text += " " + text  # a hard-wrapped line goes on
            continue
        if draft is None:
            kind = "bullet" if bulleted else "text"
            draft = _Draft(kind, "•" if bulleted else "", "", text, line.number, line.indent)
        after_blank = False
        if not any(ch.isalnum() for ch in draft.text):
            continue  # a marker with nothing after it ("(1) ." once its link is gone)
        if heading is not None and draft.kind in ("text", "bullet"):
            draft.kind, draft.style, draft.label = "item", "1.", heading
        heading = None
        drafts.append(draft)

    # Captions come right after the date, before the first real paragraph.
    first = next((i for i, d in enumerate(drafts) if not _is_caption(d)), None)
    if first is not None:
        drafts = drafts[first:]
    return drafts


@dataclass
class _Block:
    draft: _Draft
    depth: int
    parent: int | None  # the parent block's position (1-based)
    number: int | None = None
    kind: str = "paragraph"
    children: int = 0


@dataclass
class _Frame:
    """An open block that later lines may nest under."""

    style: str
    indent: int
    position: int
    key: str
    absorbs: bool  # a labelled topic line: the un-labelled paragraphs after it are its own


_ROMAN = re.compile(r"^(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3})$")


def _style(draft: _Draft, stack: list[_Frame]) -> str:
    """The list a letter or roman item belongs to: "(i)" is roman unless it follows "(h)"."""
    if "_" not in draft.style:
        return draft.style
    key = label_key(draft.label)
    upper = draft.label != draft.label.lower()
    letter = draft.style.replace("_", "A" if upper else "a")
    roman = draft.style.replace("_", "I" if upper else "i")
    if not _ROMAN.match(key):
        return letter
    if len(key) > 1:
        return roman
    if any(f.style == letter and ord(f.key) + 1 == ord(key) for f in stack if len(f.key) == 1):
        return letter
    if key == "i" or any(f.style == roman for f in stack):
        return roman
    return letter


_LIST_STARTS = frozenset({"1", "a", "i"})


def _place_item(style: str, key: str, indent: int, stack: list[_Frame]) -> None:
    """Close the open blocks the item does not nest in; the top is then its parent."""
    while stack:
        top = stack[-1]
        if indent < top.indent:
            stack.pop()
        elif indent > top.indent:
            if top.style == style and key not in _LIST_STARTS:
                stack.pop()  # "1." then an indented "2.": the same list, unevenly indented
            return  # otherwise indented under the block above
        elif top.style == style:
            stack.pop()  # the next item of the same list
            return
        elif any(f.style == style and f.indent == indent for f in stack):
            stack.pop()  # back out to the list this item continues
        else:
            return  # another kind of label under the item above ("2. ...:" then "(1)")


def _repeat_error(draft: _Draft, first_line: int) -> ParseError:
    what = f"number {draft.label}" if draft.label.isdigit() else f"label {draft.label}"
    return ParseError(
        f"paragraph {what} is used again with different text (first on line {first_line})",
        draft.line,
        "distinct paragraph labels within a list",
    )


def _build_tree(drafts: list[_Draft]) -> list[_Block]:
    """Nest the drafts by indentation and label style; see the module's docstring."""
    blocks: list[_Block] = []
    stack: list[_Frame] = []
    labelled: dict[tuple[int | None, str], tuple[str, int]] = {}
    unlabelled: set[tuple[int | None, str]] = set()
    for index, draft in enumerate(drafts):
        style = _style(draft, stack)
        continuation = False
        if draft.kind == "text":
            while stack and stack[-1].indent > draft.indent:
                stack.pop()
            if stack and draft.indent > stack[-1].indent:
                parent: _Frame | None = stack[-1]  # an indented line goes with the item above
                continuation = True
            else:
                # Under the nearest topic line, or the nearest block it is indented under;
                # the items in between are closed, so every subtree stays contiguous.
                while stack and not (stack[-1].absorbs or stack[-1].indent < draft.indent):
                    stack.pop()
                parent = stack[-1] if stack else None
        else:
            _place_item(style, label_key(draft.label), draft.indent, stack)
            parent = stack[-1] if stack else None
        parent_position = parent.position if parent else None

        if draft.label:
            key = (parent_position, draft.label)
            if key in labelled:
                text, line = labelled[key]
                if text == draft.text:
                    continue  # an exact repeat is an extraction slip
                raise _repeat_error(draft, line)
            labelled[key] = (draft.text, draft.line)
        else:
            if (parent_position, draft.text) in unlabelled:
                continue
            unlabelled.add((parent_position, draft.text))

        depth = blocks[parent_position - 1].depth + 1 if parent_position else 0
        blocks.append(_Block(draft, depth, parent_position))
        if parent_position:
            blocks[parent_position - 1].children += 1
        position = len(blocks)
        if draft.kind != "text":
            topic = bool(draft.label) and _heading_like(draft.text)
            stack.append(_Frame(style, draft.indent, position, label_key(draft.label), topic))
        elif not continuation and index + 1 < len(drafts):
            # "[Reference 1] Participants" heads the indented lines or bullets after it, and
            # "... will support:" the lettered items or bullets after it; numbered items
            # after "as follows:" stay the page's own paragraphs (1, 2, ... as cited), and
            # a caption between paragraphs heads nothing.
            after = drafts[index + 1]
            listed = after.kind == "bullet" or "_" in after.style
            topic = _heading_like(draft.text) and (after.indent > draft.indent or listed)
            if topic or (draft.text.endswith(":") and listed):
                stack.append(_Frame("", draft.indent, position, "", False))

    numbers: set[int] = set()
    for block in blocks:
        if block.children and _heading_like(block.draft.text):
            block.kind = "heading"
        key = label_key(block.draft.label)
        if block.depth == 0 and key.isdigit() and int(key) not in numbers:
            block.number = int(key)
            numbers.add(block.number)
    return blocks


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


def _parse(text: str) -> ParsedDocument:
    lines = _split_lines(text)
    header = _parse_header(lines)
    blocks = _build_tree(_parse_body(lines[header.date_line :]))
    if not blocks:
        raise ParseError(
            "expected paragraphs after the date line, found none",
            header.date_line,
            "at least one paragraph",
        )
    paragraphs = [
        ParsedParagraph(
            position,
            block.number,
            block.draft.text,
            cited_resolutions(block.draft.text),
            kind=block.kind,
            label=block.draft.label,
            depth=block.depth,
            parent=block.parent,
        )
        for position, block in enumerate(blocks, start=1)
    ]

    title = header.title
    statement = bool(header.speaker_phrase or (title and _STATEMENT_TITLE.search(title)))
    meeting = None
    if not statement:
        meeting = parse_meeting(paragraphs[0].text, header.date, title)
        if meeting is None and title and looks_like_meeting_title(title):
            meeting = _fallback_meeting(title, header.date)

    if statement:
        kind = "statement"
    elif meeting is not None:
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
        if meeting is not None:
            title = meeting.title
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
        meeting=meeting,
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
