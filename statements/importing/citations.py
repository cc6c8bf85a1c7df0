"""Find UN Security Council resolution numbers in text.

This is the one place that decides what counts as a citation: the importer, the admin,
the API and the public pages all call it, so a paragraph links the same way everywhere.

A citation starts with a keyword ("resolution(s)", "UNSCR", "S/RES/") directly followed
by a number, and may continue as a list ("Resolutions 1718, 1874, 2087 and 2094").
Anything else that looks numeric (years, dates, ordinals, counts) is never taken, because
numbers are only read right after a keyword or a list joiner.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Mention(NamedTuple):
    """One cited resolution: text[start:end] is exactly the printed number."""

    start: int
    end: int
    number: int


# "resolution", "Resolutions", "UNSCR", "S/RES/", optionally followed by "No." / "Nos.".
_INTRO = re.compile(
    r"(?<![\w/])(?:S/RES/\s?|(?:resolutions?|UNSCRs?|SCRs?)\s+(?:(?:nos?|numbers?)\.?\s*)?)",
    re.IGNORECASE,
)
# 1..9999 without a leading zero; not part of "1,000", "2.5", "70/1" (a General Assembly
# symbol), "2397-like" or "72nd".
_NUMBER = re.compile(r"(?<!\d)(?<!\d,)(?<!\d\.)([1-9]\d{0,3})(?![\w/]|[,.]\d|-\d)")
# "(2017)" after a number is its year of adoption, never a resolution.
_YEAR = re.compile(r"\s?\(\s?\d{4}\s?\)")
# "(XXV)" after a number marks an old General Assembly resolution.
_ROMAN = re.compile(r"\s?\(\s?[IVXLC]+\s?\)")
# How list items are joined; a repeated keyword is allowed ("2270 and resolution 2321").
_JOIN = re.compile(
    r"(?:\s*,\s*(?:and\s+|as\s+well\s+as\s+)?|\s+(?:and|or|as\s+well\s+as)\s+)"
    r"(?:(?:resolutions?\s+|UNSCRs?\s+|S/RES/\s?))?",
    re.IGNORECASE,
)
# A list item followed by one of these is a count ("and 15 members"), not a resolution.
_COUNTED = re.compile(
    r"\s*(?:%|per\s?cent|percent|people|persons|members|countries|states|nations|times|"
    r"years?|months?|weeks?|days?|hours?|minutes?|million|billion|thousand|hundred|"
    r"tons?|troops|personnel|participants|delegations?)\b",
    re.IGNORECASE,
)
# Resolutions of other bodies share the keyword; skip them when named right before it.
_OTHER_BODY = re.compile(
    r"(?:General\s+Assembly|\bGA|\bUNGA|Human\s+Rights\s+Council|\bHRC|ECOSOC|"
    r"Board\s+of\s+Governors|\bWHA)\s*(?:\(\w+\)\s*)?$",
    re.IGNORECASE,
)


def resolution_mentions(text: str) -> list[Mention]:
    """Every Security Council resolution number mentioned in `text`, in order."""
    mentions: list[Mention] = []
    pos = 0
    while (intro := _INTRO.search(text, pos)) is not None:
        pos = intro.end()
        if _OTHER_BODY.search(text[max(0, intro.start() - 40) : intro.start()]):
            continue
        cursor = intro.end()
        first = True
        while (number := _NUMBER.match(text, cursor)) is not None:
            end = number.end()
            if _ROMAN.match(text, end):
                break
            year = _YEAR.match(text, end)
            after = year.end() if year else end
            if not first and _COUNTED.match(text, after):
                break
            mentions.append(Mention(number.start(1), number.end(1), int(number.group(1))))
            first = False
            pos = after
            join = _JOIN.match(text, after)
            if join is None:
                break
            cursor = join.end()
    return mentions


def cited_resolutions(text: str) -> tuple[int, ...]:
    """Sorted distinct resolution numbers cited in `text`."""
    return tuple(sorted({m.number for m in resolution_mentions(text)}))
