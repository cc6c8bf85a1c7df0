"""People's names in MOFA phrasing: "Mr. Shinzo Abe", "Foreign Minister Taro Kono",
"H.E. Mr. António Guterres", "Mr. IWAYA Takeshi".

Names are normalised to given name first with ordinary capitalisation: since 2020 MOFA
prints Japanese names family name first in capitals ("IWAYA Takeshi"), while older pages
print "Taro Kono"; one form keeps a speaker's pages together ("Takeshi Iwaya").
"""

from __future__ import annotations

import functools
import re
import unicodedata


def words(text: str) -> frozenset[str]:
    """A set of words written as one string, for readable word lists."""
    return frozenset(text.split())


HONORIFIC = re.compile(
    r"(?<![\w.])(?:H\.\s?E\.|His\s+Excellency|Her\s+Excellency|Mr\.?|Ms\.?|Mrs\.?|Dr\.?|Prof\.?|"
    r"Hon\.|(?:The\s+|the\s+)?Honou?rable|Sir|Dame)(?=\s)"
)
_LEADING_HONORIFICS = re.compile(r"^(?:the\s+)?(?:" + HONORIFIC.pattern + r"\s+)+")

# Words of a role, never of a name: "Prime Minister", "Secretary-General of the UN".
_ROLE_WORDS = words(
    "minister ministers secretary secretary-general secretary-general-designate "
    "president vice-president chancellor premier ambassador representative envoy "
    "commissioner director-general director chair chairman chairperson spokesperson "
    "spokesman king queen emperor governor mayor speaker leader vice-minister "
    "administrator head chief deputy state senior parliamentary foreign prime press "
    "cabinet federal high special permanent affairs government japan nations united "
    "un unsc assembly council ministry office defense defence general session embassy "
    "external his her majesty excellency royal highness crown prince princess member "
    "members"
)
# A name may be preceded directly by one of these: "Prime Minister Noda".
_TITLE_ENDINGS = words(
    "minister secretary secretary-general secretary-general-designate president "
    "vice-president chancellor premier ambassador representative envoy commissioner "
    "director-general chair chairman chairperson spokesperson spokesman king queen "
    "emperor governor mayor speaker leader vice-minister administrator prince "
    "princess"
)
_PARTICLES = words("de da del della di van von der den al el bin binti la le du dos das y e")


def _is_name_token(token: str) -> bool:
    if re.fullmatch(r"[A-Z]\.", token):  # an initial: "M. J. Akbar"
        return True
    core = token.strip("'’")
    if not core or not core[0].isupper() or core.lower() in _ROLE_WORDS:
        return False
    return all(ch.isalpha() or ch in "-'’." for ch in core)


def _name_run(tokens: list[str]) -> list[str]:
    """The longest run of name tokens at the end of `tokens` (particles inside only)."""
    run: list[str] = []
    for token in reversed(tokens):
        if _is_name_token(token) or (token in _PARTICLES and run):
            run.insert(0, token)
        else:
            break
    while run and run[0] in _PARTICLES:
        run.pop(0)
    return run[-6:] if len(run) > 6 else run


def _capitalise(word: str) -> str:
    return "-".join(part[:1] + part[1:].lower() for part in word.split("-"))


def normalise_name(name: str) -> str:
    """Given name first, ordinary capitals: 'IWAYA Takeshi' -> 'Takeshi Iwaya'."""
    tokens = name.split()
    capitals = [
        i
        for i, t in enumerate(tokens)
        if len(t) > 1 and t.replace("-", "").isalpha() and t.isupper()
    ]
    if len(tokens) >= 2 and len(capitals) == 1:
        i = capitals[0]
        family = _capitalise(tokens[i])
        tokens = [*tokens[1:], family] if i == 0 else [*tokens[:i], family, *tokens[i + 1 :]]
    return " ".join(tokens)


def person_from_phrase(phrase: str) -> tuple[str | None, str]:
    """Split a phrase naming one person into (name, role words before the name).

    "Mr. Taro Aso" -> ("Taro Aso", ""); "Foreign Minister Taro Kono" -> ("Taro Kono",
    "Foreign Minister"); "Ban Ki-Moon" -> ("Ban Ki-Moon", ""); "Prime Minister of Japan"
    -> (None, "Prime Minister of Japan"): a role alone names nobody.
    """
    phrase = " ".join(phrase.split()).strip(" ,;:.")
    phrase = re.sub(r"^(?:and|with)\s+", "", phrase)
    honorifics = list(HONORIFIC.finditer(phrase))
    if honorifics:
        honorific = honorifics[-1]
        # Everything after the last honorific is the name ("H.E. Mr. X").
        role = _LEADING_HONORIFICS.sub("", phrase[: honorific.start()]).strip(" ,")
        role = re.sub(r"^the\b\s*", "", HONORIFIC.sub("", role)).strip()
        tokens = phrase[honorific.end() :].split()
        run: list[str] = []
        for token in tokens:
            if _is_name_token(token) or (token in _PARTICLES and run):
                run.append(token)
            else:
                break
        while run and run[-1] in _PARTICLES:
            run.pop()
        if run:
            return normalise_name(" ".join(run)), role
        return None, phrase
    tokens = phrase.split()
    run = _name_run(tokens)
    if not run:
        return None, phrase
    before = tokens[: len(tokens) - len(run)]
    if before:
        # Only a title may stand right before a name ("Prime Minister Noda"), never
        # "of" ("Foreign Minister of Brazil").
        if before[-1].lower() not in _TITLE_ENDINGS:
            return None, phrase
        return normalise_name(" ".join(run)), " ".join(before)
    if len(run) < 2:
        return None, phrase
    return normalise_name(" ".join(run)), ""


# Words of what a minister is for, never of the country they stand for: the "of" they
# follow is not the one before a country ("Minister of State for Foreign Affairs of India").
_PORTFOLIO_WORDS = words(
    "foreign external affairs relations state defence defense economy economic trade "
    "industry finance justice health education interior home cabinet staff international "
    "cooperation development security policy political mission ministers minister "
    "secretary delegation embassy the"
)
_OF = re.compile(r"\s+of\s+(?:the\s+)?")


def organisation_from_role(role: str) -> str:
    """The country or organisation a role names last: "Prime Minister of Japan" ->
    "Japan", "Secretary-General of the UN" -> "UN", "Minister of State for Foreign Affairs
    of India" -> "India"; "" when the role names none ("Minister of Foreign Affairs")."""
    role = re.sub(r"\s*\([^()]*\)\s*$", "", role).strip(" ,")
    for match in _OF.finditer(role):
        rest = role[match.end() :].strip(" ,.")
        tokens = re.findall(r"[\w'’-]+", rest)
        if not tokens or not rest[0].isupper():
            continue
        if any(token.lower() in _PORTFOLIO_WORDS for token in tokens):
            continue
        return rest
    return ""


@functools.lru_cache(maxsize=4096)  # asked again for every pair a meeting's list compares
def name_key(name: str) -> str:
    """A name casefolded without accents or punctuation: how two spellings are compared."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", plain.casefold()))


def surname_of(full_name: str, short: str) -> bool:
    """Whether ``short`` (one word: "Kamikawa") is the family name of ``full_name``
    ("Yoko Kamikawa"): its last word, or its first (a name printed family name first)."""
    short_key, parts = name_key(short), name_key(full_name).split()
    return len(parts) >= 2 and " " not in short_key and short_key in (parts[-1], parts[0])
