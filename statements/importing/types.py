"""The parser's results: plain frozen dataclasses, so callers can compare and hash them."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

_NOT_WORD = re.compile(r"[\W_]+")


def page_key(date: datetime.date, opening: str) -> str:
    """What identifies a page that has no address: its date and opening paragraph, as a
    digest. Only letters and digits count, case aside, so a page still matches its
    statement after a change to the clean-up rules (spacing, artefacts)."""
    words = _NOT_WORD.sub("", opening).casefold()
    return hashlib.sha256(f"{date.isoformat()}|{words}".encode()).hexdigest()


@dataclass(frozen=True)
class ParsedParticipant:
    name: str
    role: str

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedParticipant:
        return cls(data["name"], data["role"])


@dataclass(frozen=True)
class ParsedMeeting:
    title: str
    kind: str
    date: datetime.date
    start_time: datetime.time | None
    timezone: str
    duration_minutes: int | None
    location: str
    occasion: str
    participants: tuple[ParsedParticipant, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "date": self.date.isoformat(),
            "start_time": self.start_time.strftime("%H:%M") if self.start_time else None,
            "timezone": self.timezone,
            "duration_minutes": self.duration_minutes,
            "location": self.location,
            "occasion": self.occasion,
            "participants": [p.as_json() for p in self.participants],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedMeeting:
        start = data["start_time"]
        return cls(
            title=data["title"],
            kind=data["kind"],
            date=datetime.date.fromisoformat(data["date"]),
            start_time=datetime.time.fromisoformat(start) if start else None,
            timezone=data["timezone"],
            duration_minutes=data["duration_minutes"],
            location=data["location"],
            occasion=data["occasion"],
            participants=tuple(ParsedParticipant.from_json(p) for p in data["participants"]),
        )


@dataclass(frozen=True)
class ParsedParagraph:
    """One block of the body's tree, in reading order.

    ``label`` is the printed marker normalised for storage: a trailing full stop dropped,
    brackets made ASCII, no spaces ("2." -> "2", "(1)" -> "(1)", "a." -> "a", "(iv)" ->
    "(iv)", "3)" -> "3)"), or "" when the block has none. ``parent`` is the ``position`` of
    the enclosing block (None at depth 0); ``number`` is the label's integer on depth-0
    numeric blocks only (what the ``#pN`` permalinks of flat pages were built from).
    """

    position: int
    number: int | None
    text: str
    resolutions: tuple[int, ...]
    kind: str = "paragraph"  # or "heading"
    label: str = ""
    depth: int = 0
    parent: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "number": self.number,
            "kind": self.kind,
            "label": self.label,
            "depth": self.depth,
            "parent": self.parent,
            "text": self.text,
            "resolutions": list(self.resolutions),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedParagraph:
        # Readings stored before the tree have no structure keys: a flat list of paragraphs.
        number = data["number"]
        return cls(
            data["position"],
            number,
            data["text"],
            tuple(data["resolutions"]),
            kind=data.get("kind", "paragraph"),
            label=data.get("label", "" if number is None else str(number)),
            depth=data.get("depth", 0),
            parent=data.get("parent"),
        )


@dataclass(frozen=True)
class ParsedDocument:
    section: str | None
    title: str
    title_derived: bool
    kind: str
    date: datetime.date
    speaker: str | None
    paragraphs: tuple[ParsedParagraph, ...]
    meeting: ParsedMeeting | None

    @cached_property  # read several times a page by an import; the page never changes
    def key(self) -> str:
        """``page_key`` of this page: how a re-import finds it without a source URL."""
        return page_key(self.date, self.paragraphs[0].text if self.paragraphs else "")

    @property
    def resolutions(self) -> tuple[int, ...]:
        """Sorted distinct resolution numbers cited anywhere in the paragraphs."""
        return tuple(sorted({n for p in self.paragraphs for n in p.resolutions}))

    def as_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "title": self.title,
            "title_derived": self.title_derived,
            "kind": self.kind,
            "date": self.date.isoformat(),
            "speaker": self.speaker,
            "paragraphs": [p.as_json() for p in self.paragraphs],
            "resolutions": list(self.resolutions),
            "meeting": self.meeting.as_json() if self.meeting else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedDocument:
        """The document ``as_json()`` gave (its derived ``resolutions`` aside): how an
        import's stored reading of a page is read back."""
        meeting = data["meeting"]
        return cls(
            section=data["section"],
            title=data["title"],
            title_derived=data["title_derived"],
            kind=data["kind"],
            date=datetime.date.fromisoformat(data["date"]),
            speaker=data["speaker"],
            paragraphs=tuple(ParsedParagraph.from_json(p) for p in data["paragraphs"]),
            meeting=ParsedMeeting.from_json(meeting) if meeting else None,
        )
