"""What a reader types, made safe for either engine: the words, phrases in double quotes,
``or`` and ``-excluded`` words of the "web search" syntax, and nothing else; and whether it
names a Security Council resolution ("S/RES/2397 (2017)", "res 2397", "2397"). Pure
functions: no database."""

from __future__ import annotations

import re
from collections.abc import Callable
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


Phrase = tuple[str, ...]


def clause_groups(query: str) -> tuple[list[list[Phrase]], list[Phrase]]:
    """The query as its logic: every group must match (a group matches when any of its
    phrases does), and no excluded phrase may."""
    groups: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    for clause in _clauses(clean_query(query)):
        if clause.negated:
            excluded.append(clause.words)
        elif clause.or_before and groups:
            groups[-1].append(clause.words)
        else:
            groups.append([clause.words])
    return groups, excluded


def fts5_query(query: str) -> str | None:
    """Translate web-search syntax into a safe FTS5 expression; None when nothing can match
    (no words, or only excluded ones)."""
    groups, excluded = clause_groups(query)
    if not groups:
        return None

    def quoted(phrase: Phrase) -> str:
        # Each word is \w+ only, so a quoted FTS5 string cannot carry syntax.
        return '"' + " ".join(phrase) + '"'

    expression = " AND ".join(
        "(" + " OR ".join(quoted(phrase) for phrase in group) + ")" for group in groups
    )
    for phrase in excluded:
        expression = f"({expression}) NOT {quoted(phrase)}"
    return expression


def phrases_match(query: str, text: str, fold: Callable[[str], str]) -> bool:
    """Whether a short text satisfies the query, its words and the query's compared
    through ``fold`` (case and accents): for a speaker's name, which no full-text index
    holds."""
    folded = [fold(word) for word in _WORD.findall(text)]

    def found(phrase: Phrase) -> bool:
        wanted = [fold(word) for word in phrase]
        return any(
            folded[start : start + len(wanted)] == wanted
            for start in range(len(folded) - len(wanted) + 1)
        )

    groups, excluded = clause_groups(query)
    return (
        bool(groups)
        and all(any(found(phrase) for phrase in group) for group in groups)
        and not any(found(phrase) for phrase in excluded)
    )


# A resolution as researchers write it: its symbol "S/RES/2397 (2017)" (spacing, case,
# year optional), "res 2397", "Resolution 2397", "UNSCR 2397", "Security Council
# resolution 2397", or the bare number. Numbers have at most four digits, as resolution
# numbers do (models.MAX_RESOLUTION_NUMBER), in ASCII digits; a phrase in quotes is text,
# never a symbol.
_RESOLUTION = re.compile(
    r"""
    (?:
        (?P<symbol>s\s*/\s*res\s*/?)
      | (?P<named>
            (?:(?:u\.?\s*n\.?\s*)?(?:security\s+council|s\.?\s*c\.?)\s+)?
            (?:resolution|res\.?)
          | u\.?\s*n\.?\s*s\.?\s*c\.?\s*r\.?
        )
        (?:\s*no\.?)?
    )?
    \s*0*(?P<number>[1-9][0-9]{0,3})
    (?:\s*\(\s*(?:19|20)[0-9][0-9]\s*\))?
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class NamedResolution:
    """The resolution a query names: its number, and whether the reader wrote it as a
    symbol or "resolution N" (``explicit``) rather than a bare number, which may be
    something else (a year)."""

    number: int
    explicit: bool

    @property
    def symbol(self) -> str:
        return f"S/RES/{self.number}"


def named_resolution(query: str | None) -> NamedResolution | None:
    """The resolution the whole query names, or None when it is anything else."""
    match = _RESOLUTION.fullmatch(clean_query(query))
    if match is None:
        return None
    explicit = match["symbol"] is not None or match["named"] is not None
    return NamedResolution(int(match["number"]), explicit)


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
