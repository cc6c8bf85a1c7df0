"""Matching people's names across spellings, orders, titles and accents."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from statements.importing.people import PeopleIndex, full_key, printed_name, sort_name

# Name words: a capital then small letters, some accented, as names print.
LETTERS = "abcdefghijklmnoprstuvyzáéíóöőúüűãç"
word = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("ABCDEGHIKLMNOPRSTVYZÁÉÓŠ"),
    st.text(alphabet=LETTERS, min_size=2, max_size=9),
)


def plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_the_ministrys_spellings_of_one_minister_are_one_key():
    spellings = ["Taro Kono", "KONO Taro", "Foreign Minister Taro Kono", "Mr. Taro Kono"]
    assert {full_key(printed_name(s)) for s in spellings} == {"kono taro"}


def test_titles_and_surnames_alone_give_the_surname():
    for phrase in ("Minister Kono", "Foreign Minister Kono", "Mr. Kono", "Kono"):
        assert printed_name(phrase) == "Kono"


def test_a_role_alone_names_nobody():
    assert printed_name("Prime Minister of Japan") is None
    assert printed_name("") is None


def test_a_name_followed_by_its_role_keeps_the_name():
    assert printed_name("Mr. Shinzo Abe, Prime Minister of Japan") == "Shinzo Abe"


def test_hungarian_order_and_accents_match_the_given_name_first_spelling():
    index = PeopleIndex()
    index.add("szijjarto", ["Péter Szijjártó"])
    assert index.match("Szijjártó Péter") == "szijjarto"
    assert index.match("Peter Szijjarto") == "szijjarto"
    assert index.match("SZIJJARTO Peter") == "szijjarto"
    assert index.match(printed_name("SZIJJÁRTÓ Péter")) == "szijjarto"


def test_a_surname_names_the_one_person_who_has_it_and_nobody_when_two_do():
    index = PeopleIndex()
    index.add("kono", ["Taro Kono"])
    index.add("abe", ["Shinzo Abe"])
    assert index.match("Kono") == "kono"
    index.add("kono-2", ["Yohei Kono"])
    assert index.match("Kono") is None
    assert index.match("Abe") == "abe"


def test_sort_name_puts_the_last_word_first():
    assert sort_name("Taro Kono") == "Kono Taro"
    assert sort_name("Ban") == "Ban"


@given(given_name=word, surname=word, data=st.data())
def test_every_order_case_and_accent_variant_matches_the_original(given_name, surname, data):
    index = PeopleIndex()
    index.add("them", [f"{given_name} {surname}"])
    variant = data.draw(
        st.sampled_from(
            [
                f"{surname} {given_name}",
                f"{surname.upper()} {given_name}",
                f"{given_name.upper()} {surname.upper()}",
                plain(f"{given_name} {surname}"),
                plain(f"{surname}, {given_name}").lower(),
                f"Mr. {given_name} {surname}",
                f"Foreign Minister {given_name} {surname}",
            ]
        )
    )
    name = printed_name(variant) if variant.startswith(("Mr.", "Foreign")) else variant
    assert index.match(name) == "them"


@given(given_name=word, surname=word)
def test_a_title_and_the_surname_match_the_only_person_with_it(given_name, surname):
    index = PeopleIndex()
    index.add("them", [f"{given_name} {surname}"])
    assert index.match(printed_name(f"Minister {surname}")) == "them"


@given(given_name=word, one=word, other=word)
def test_two_different_surnames_never_match(given_name, one, other):
    if full_key(one) == full_key(other) or full_key(given_name) in (full_key(one), full_key(other)):
        return
    index = PeopleIndex()
    index.add("one", [f"{given_name} {one}"])
    assert index.match(f"{given_name} {other}") is None
    assert index.match(other) is None


def test_a_name_printed_in_full_matches_its_short_form_either_way():
    index = PeopleIndex()
    index.add("guterres", ["António Manuel de Oliveira Guterres"])
    assert index.match("António Guterres") == "guterres"
    other = PeopleIndex()
    other.add("guterres", ["António Guterres"])
    assert other.match("António Manuel de Oliveira Guterres") == "guterres"
    assert other.match("António Costa") is None
