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


# How each keyword begins, lowercased: every match of _INTRO starts with one of these.
_KEYWORD_STARTS = ("s/res/", "resolution", "unscr", "scr")
# Letters the regex's IGNORECASE takes for a keyword's that lower() leaves apart:
# "ſ" for "s", "ı" for "i" (Kelvin's K lowercases to "k"; "İ" to two characters).
_FOLDED_ONTO_ASCII = ("ſ", "ı")
# Every match of _OTHER_BODY holds one of these, lowercased.
_OTHER_BODY_WORDS = ("assembly", "ga", "council", "hrc", "ecosoc", "governors", "wha")


def _lowered(text: str) -> str | None:
    """The text lowercased, when each character stays where it was and the regex's
    IGNORECASE would take no other for a keyword's letter; else None (the regex alone)."""
    lowered = text.lower()
    if len(lowered) != len(text) or any(letter in text for letter in _FOLDED_ONTO_ASCII):
        return None
    return lowered


def _next_intro(text: str, lowered: str | None, pos: int) -> re.Match[str] | None:
    """``_INTRO.search(text, pos)``. Given ``lowered``, the text lowercased with the same
    offsets, the regex is tried only where a keyword begins: searching tried its
    lookbehind and keywords at every character, most of the time a cited paragraph took
    to link (8.5 of 14.6 µs for 350 characters)."""
    if lowered is None:
        return _INTRO.search(text, pos)
    while True:
        found = [at for start in _KEYWORD_STARTS if (at := lowered.find(start, pos)) >= 0]
        if not found:
            return None
        at = min(found)
        if (intro := _INTRO.match(text, at)) is not None:
            return intro
        pos = at + 1


def _of_other_body(text: str, lowered: str | None, start: int) -> bool:
    """Whether the keyword at ``start`` follows another body's name ("General Assembly
    resolution 70/1"), the regex run only where one could be."""
    begin = max(0, start - 40)
    if lowered is not None and not any(w in lowered[begin:start] for w in _OTHER_BODY_WORDS):
        return False
    return _OTHER_BODY.search(text[begin:start]) is not None


def resolution_mentions(text: str) -> list[Mention]:
    """Every Security Council resolution number mentioned in `text`, in order."""
    mentions: list[Mention] = []
    pos = 0
    lowered = _lowered(text)
    while (intro := _next_intro(text, lowered, pos)) is not None:
        pos = intro.end()
        if _of_other_body(text, lowered, intro.start()):
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
