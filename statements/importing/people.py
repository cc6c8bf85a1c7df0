"""Which printed names are one person: "KONO Taro", "Taro Kono", "Foreign Minister Kono",
"Mr. Kono"; "Szijjártó Péter" and "Péter Szijjártó"; "António" and "Antonio".

A full name is matched by its words, in any order, casefolded without accents or
punctuation: the ministry prints Japanese names in both orders and some nations put the
family name first, so no one order can be trusted. A surname alone ("Minister Kono")
names a known person only when exactly one known person has that surname (first or last
word): two Konos make it ambiguous, and then it names nobody rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from statements.importing.names import name_key, normalise_name, person_from_phrase


def printed_name(phrase: str) -> str | None:
    """The name a speaker line or participant phrase gives, without its title
    ("Foreign Minister Taro Kono" -> "Taro Kono", "Mr. Kono" -> "Kono", "KONO Taro" ->
    "Taro Kono"); None when it names only a role ("Prime Minister of Japan")."""
    phrase = phrase.split(",")[0]  # "Mr. Shinzo Abe, Prime Minister of Japan"
    name, _role = person_from_phrase(phrase)
    if name is None:
        # A bare one-word surname is still a name here ("Kono"), which
        # person_from_phrase leaves to its callers.
        words = phrase.split()
        if len(words) == 1 and name_key(phrase) and phrase[:1].isupper():
            return normalise_name(phrase)
        return None
    return name


def full_key(name: str) -> str:
    """A name's words, casefolded, without accents, in sorted order: every spelling and
    order of one full name gives the same key."""
    return " ".join(sorted(name_key(name).split()))


def is_surname_only(name: str) -> bool:
    return len(name_key(name).split()) == 1


def sort_name(name: str) -> str:
    """Family name first, for the people list: the last word of a name printed given
    name first ("Taro Kono" -> "Kono Taro"). A name printed family name first by its
    nation's order needs an editor to say so."""
    words = name.split()
    return " ".join([words[-1], *words[:-1]]) if len(words) > 1 else name


@dataclass
class PeopleIndex:
    """The known people by the keys of their spellings, to match printed names against.
    People are whatever ids the caller uses."""

    by_full_key: dict[str, object] = field(default_factory=dict)
    by_surname: dict[str, set[object]] = field(default_factory=dict)
    # First and last words of a longer name: "António Manuel de Oliveira Guterres" is
    # "António Guterres" printed in full.
    by_ends: dict[str, object] = field(default_factory=dict)

    def add(self, person: object, spellings: Iterable[str]) -> None:
        for spelling in spellings:
            key = full_key(spelling)
            if not key or " " not in key:
                continue  # a surname alone is never a person's key
            self.by_full_key.setdefault(key, person)
            words = name_key(spelling).split()
            self.by_ends.setdefault(full_key(f"{words[0]} {words[-1]}"), person)
            for surname in {words[0], words[-1]}:
                self.by_surname.setdefault(surname, set()).add(person)

    def match(self, name: str) -> object | None:
        """The known person a printed name (title already removed) names, or None."""
        key = full_key(name)
        if not key:
            return None
        if " " in key:
            words = name_key(name).split()
            ends = full_key(f"{words[0]} {words[-1]}")
            return self.by_full_key.get(key) or self.by_full_key.get(ends) or self.by_ends.get(ends)
        candidates = self.by_surname.get(key, set())
        return next(iter(candidates)) if len(candidates) == 1 else None
