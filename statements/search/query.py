"""What a reader types, made safe for either engine: the words, phrases in double quotes,
``or`` and ``-excluded`` words of the "web search" syntax, and nothing else. Pure functions:
no database."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# Longer input is cut here: nobody types more, and it bounds the engine's work.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
# Private-use characters mark highlights inside engine output, so that the text can be
# escaped first and the marks turned into <mark> afterwards.
MARK_START = "\ue000"
MARK_END = "\ue001"

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
_CLAUSE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
_HIGHLIGHT = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)


def clean_query(query: str | None) -> str:
    """The query as the engines will see it: no control characters, bounded length."""
    cleaned = " ".join(_CONTROL_CHARACTERS.sub(" ", query or "").split())
    if len(cleaned) > MAX_QUERY_LENGTH:
        cut = cleaned[: MAX_QUERY_LENGTH + 1]
        # Drop a word cut in half: "abduc" would match nothing.
        cleaned = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return cleaned.strip()


def is_truncated(query: str | None) -> bool:
    return len(" ".join((query or "").split())) > MAX_QUERY_LENGTH


@dataclass(frozen=True)
class _Clause:
    words: tuple[str, ...]
    negated: bool = False
    or_before: bool = False

    def websearch(self) -> str:
        words = " ".join(self.words)
        phrase = f'"{words}"' if len(self.words) > 1 else words
        return ("-" if self.negated else "or " if self.or_before else "") + phrase

    def fts5(self) -> str:
        # Each word is \w+ only, so a quoted FTS5 string cannot carry syntax.
        return '"' + " ".join(self.words) + '"'


def _clauses(query: str) -> list[_Clause]:
    clauses: list[_Clause] = []
    pending_or = False
    for match in _CLAUSE.finditer(query):
        minus, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            pending_or = bool(clauses)
            continue
        negated = bool(minus) or (bare is not None and bare.startswith("-"))
        words = tuple(_WORD.findall(phrase if phrase is not None else bare))
        if not words:
            continue
        clauses.append(_Clause(words, negated, or_before=pending_or and not negated))
        pending_or = False
        if len(clauses) == MAX_TERMS:
            break
    return clauses


def websearch_query(query: str) -> str:
    """The query rebuilt from the words and phrases we understood, for PostgreSQL's
    ``websearch_to_tsquery``: both engines then see the same clauses."""
    return " ".join(clause.websearch() for clause in _clauses(clean_query(query)))


def fts5_query(query: str) -> str | None:
    """Translate web-search syntax into a safe FTS5 expression; None when nothing can match
    (no words, or only excluded ones)."""
    groups: list[list[str]] = []
    excluded: list[str] = []
    for clause in _clauses(clean_query(query)):
        if clause.negated:
            excluded.append(clause.fts5())
        elif clause.or_before and groups:
            groups[-1].append(clause.fts5())
        else:
            groups.append([clause.fts5()])
    if not groups:
        return None
    expression = " AND ".join("(" + " OR ".join(group) + ")" for group in groups)
    for phrase in excluded:
        expression = f"({expression}) NOT {phrase}"
    return expression


def highlight(raw: str | None, fallback: str = "") -> SafeString:
    """Escape engine output, then turn its highlight marks into <mark> elements."""
    if not raw:
        return conditional_escape(fallback)
    escaped = str(conditional_escape(raw))
    marked = _HIGHLIGHT.sub(r"<mark>\1</mark>", escaped)
    # Safe: every character from the engine was escaped above; only <mark> was added.
    return mark_safe(marked.replace(MARK_START, "").replace(MARK_END, ""))


def query_words(query: str) -> list[str]:
    """The distinct words of the clauses understood, excluded ones included, sorted."""
    return sorted({word for clause in _clauses(clean_query(query)) for word in clause.words})


def can_match(query: str) -> bool:
    """False when nothing can match: no words, or only excluded ones."""
    return any(not clause.negated for clause in _clauses(clean_query(query)))
