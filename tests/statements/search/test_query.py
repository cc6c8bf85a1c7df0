"""The resolution a query names, recognised without a database."""

import re

from hypothesis import example, given
from hypothesis import strategies as st

from statements.search.query import named_resolution

PREFIXES = [
    "S/RES/",
    "S/RES/ ",
    "S / RES / ",
    "S/RES",
    "res ",
    "res. ",
    "res",
    "Resolution ",
    "resolution no. ",
    "UNSCR ",
    "U.N.S.C.R. ",
    "Security Council resolution ",
    "UN Security Council resolution ",
    "SC res. ",
]
YEARS = ["", " (2017)", "(2017)", " ( 1998 )"]
SPACES = st.text(alphabet=" \t\n", max_size=3)


@st.composite
def cased(draw, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if flip else c.lower() for c, flip in zip(text, flips, strict=True))


@given(
    number=st.integers(1, 9999),
    prefix=st.sampled_from(PREFIXES).flatmap(cased),
    year=st.sampled_from(YEARS),
    before=SPACES,
    after=SPACES,
)
@example(number=2397, prefix="s/res/", year="", before="", after="")
def test_any_written_form_of_a_symbol_names_its_number(number, prefix, year, before, after):
    named = named_resolution(f"{before}{prefix}{number}{year}{after}")
    assert named is not None and named.number == number and named.explicit


@given(number=st.integers(1, 9999), before=SPACES, after=SPACES)
def test_a_bare_number_names_a_resolution_but_not_explicitly(number, before, after):
    named = named_resolution(f"{before}{number}{after}")
    assert named is not None and named.number == number and not named.explicit


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=60))
@example("S/RES/")
@example("resolution")
@example("res (2017)")
def test_text_without_digits_names_no_resolution(text):
    assert named_resolution(text) is None


@given(st.text(max_size=40))
@example("2397 sanctions")
@example("S/RES/12345")
@example('"2397"')
@example("0")
@example("\u0662\u0663\u0669\u0667")  # Arabic-Indic digits: text
def test_a_named_number_is_always_one_the_text_holds(text):
    named = named_resolution(text)
    if named is not None:
        assert str(named.number) in "".join(re.findall(r"[0-9]", text))
        assert 1 <= named.number <= 9999


def test_text_around_a_symbol_is_a_text_search():
    for query in ["2397 sanctions", "sanctions S/RES/2397", '"2397"', "S/RES/12345", "0"]:
        assert named_resolution(query) is None, query
