"""Line-level clean-up of text extracted from MOFA pages.

The extraction leaves link markup behind ("(PDF)Open a New Window") and odd spacing
(non-breaking spaces, doubled and trailing spaces). Typographic quotes and accented
letters are content and are kept exactly as printed.
"""

from __future__ import annotations

import re
import unicodedata

# Link labels the page markup leaves in the text. "(PDF)open" is the same label cut short.
ARTEFACT = re.compile(
    r"\(\s*PDF\s*\)(?:\s*Open\s+a\s+New\s+Window|open(?![a-z]))?|Open\s+a\s+New\s+Window",
    re.IGNORECASE,
)
_ARTEFACT_WITH_SPACE = re.compile(r"\s*(?:" + ARTEFACT.pattern + r")\s*", re.IGNORECASE)
# After a removed label, punctuation closes up: "Resolution 2397 (PDF)." -> "Resolution 2397."
_CLOSING = frozenset(",.;:!?)]}’”")
_SPACES = re.compile(r"\s+")


def _strip_invisible(text: str) -> str:
    # Control characters become spaces (they separated words, if anything); format
    # characters (zero-width space, BOM, soft hyphen) and lone surrogates vanish.
    if text.isprintable():  # all of them are unprintable: most lines need no work
        return text
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            out.append(" ")
        elif category in ("Cf", "Cs"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def clean_text(text: str) -> str:
    """Text without markup artefacts, with whitespace collapsed to single spaces."""
    text = _SPACES.sub(" ", _strip_invisible(text)).strip()
    # Removing one label can join the pieces of another ("Open a (PDF)New Window"),
    # so repeat until none is left; each pass shortens the text, so this ends.
    while ARTEFACT.search(text):

        def replace(match: re.Match[str], text: str = text) -> str:
            end = match.end()
            if match.start() == 0 or end == len(text) or text[end] in _CLOSING:
                return ""
            return " "

        text = _SPACES.sub(" ", _ARTEFACT_WITH_SPACE.sub(replace, text)).strip()
    return text


def has_artefact(text: str) -> bool:
    return ARTEFACT.search(text) is not None


def collapse_acronyms(text: str) -> str:
    """'72nd United Nations (UN) General Assembly' -> '72nd UN General Assembly'.

    MOFA spells a name out once with its acronym in brackets; in a short field
    (an occasion, a role) the acronym alone reads better.
    """
    for match in reversed(list(_ACRONYM.finditer(text))):
        acronym = match.group(1)
        words = text[: match.start()].split(" ")
        taken: list[str] = []
        for word in reversed(words):
            if not word:
                break
            taken.insert(0, word)
            with_small = "".join(w[0] for w in taken)
            without_small = "".join(w[0] for w in taken if w.lower() not in _SMALL_WORDS)
            if taken[0].lower() in _SMALL_WORDS:
                continue  # a run never starts with "of" or "the"
            if acronym in (with_small.upper(), without_small) and without_small.isupper():
                start = match.start() - len(" ".join(taken))
                text = text[:start] + acronym + text[match.end() :]
                break
            if len(without_small) >= len(acronym):
                break
    return text


_ACRONYM = re.compile(r" \(([A-Z][A-Z0-9]{1,7})\)")
_SMALL_WORDS = frozenset({"of", "the", "for", "and", "on", "in", "to"})
