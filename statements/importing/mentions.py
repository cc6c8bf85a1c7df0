"""Which paragraphs of a statement speak of a meeting the statement is linked to.

A statement that only mentions a meeting (the statement on Resolution 2397 recalls the
Security Council's ministerial meeting of 15 December in one paragraph of seven) shows
on the meeting's page by those paragraphs alone. Editors link the statement; this finds
where in it the meeting is named, from what the meeting record holds:

- its date written out, month and day in either order ("December 15", "15 December",
  "Dec. 15th"), unless a different year follows ("December 15, 2016");
- most of the distinctive words of its title ("Ministerial-Level Meeting on the North
  Korean issue" for "UN Security Council Ministerial-Level Meeting on the North Korean
  issue"): at least three, and at least 60 % of them;
- two of its participants named together, by surname ("Prime Minister Abe met
  Secretary-General Guterres").

Pure Python, like the rest of the importer: text in, answers out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence

from statements.importing.names import words

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
# The abbreviations MOFA's pages use besides the full names ("Sept." and "Sep.").
_SHORT_MONTHS = {9: ("Sept", "Sep")}

# Words of a meeting's title that say nothing about which meeting it is.
_GENERIC = words(
    "a an and the of on in at for with between to by from meeting meetings talks talk "
    "telephone call conference session summit level high un united nations japan japanese "
    "mr ms h e"
)
TITLE_SHARE = 0.6
TITLE_MINIMUM = 3


def _folded(text: str) -> str:
    """Casefolded, accents stripped: "António" and "ANTONIO" read alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _folded(text))


def date_pattern(date: dt.date) -> re.Pattern[str]:
    """The date written out with its month's name, day first or month first, optionally
    followed by its year; a different year after it is caught by the last group."""
    names = (MONTHS[date.month - 1], *_SHORT_MONTHS.get(date.month, ()), MONTHS[date.month - 1][:3])
    month = r"(?:" + "|".join(re.escape(name) for name in names) + r")\.?"
    day = rf"0?{date.day}(?:st|nd|rd|th)?"
    return re.compile(
        rf"(?<![\w])(?:{month}\s+{day}(?!\d)|{day}\s+(?:of\s+)?{month})(?![\w])"
        r"(?:,?\s+(\d{4})(?!\d))?",
        re.IGNORECASE,
    )


def names_date(text: str, date: dt.date) -> bool:
    return any(
        match.group(1) is None or int(match.group(1)) == date.year
        for match in date_pattern(date).finditer(text)
    )


def title_words(title: str) -> frozenset[str]:
    """The distinctive words of a meeting's title, folded."""
    return frozenset(word for word in _words(title) if word not in _GENERIC and not word.isdigit())


def names_title(words: frozenset[str], wanted: frozenset[str]) -> bool:
    if not wanted:
        return False
    needed = min(len(wanted), max(TITLE_MINIMUM, math.ceil(TITLE_SHARE * len(wanted))))
    return len(words & wanted) >= needed


def surname(name: str) -> str:
    """The word a participant is named by in running text: the last of the name
    ("Shinzo Abe" → "abe"), folded; empty when there is none worth matching."""
    words = [word for word in _words(name) if not word.isdigit()]
    return words[-1] if words and len(words[-1]) > 1 else ""


def mentioning(
    texts: Sequence[str], *, date: dt.date, title: str, names: Sequence[str] = ()
) -> list[int]:
    """The indexes of the texts (a statement's paragraphs) that mention the meeting."""
    wanted = title_words(title)
    surnames = {found for name in names if (found := surname(name))}
    found = []
    for index, text in enumerate(texts):
        words = frozenset(_words(text))
        if names_date(text, date) or names_title(words, wanted) or len(words & surnames) >= 2:
            found.append(index)
    return found
