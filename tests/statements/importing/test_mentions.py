"""Finding the paragraphs of a linked statement that speak of a meeting."""

import datetime as dt

import pytest

from statements.importing.mentions import mentioning
from tests.paths import ROOT

DECEMBER_15 = dt.date(2017, 12, 15)
UNSC_TITLE = "UN Security Council Ministerial-Level Meeting on the North Korean issue"


def seed_paragraphs(name: str) -> list[str]:
    lines = (ROOT / "seeds" / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.startswith("  ") and line.strip()[:1].isdigit()]


def test_the_2397_statement_mentions_the_ministerial_meeting_in_paragraph_3_only():
    paragraphs = seed_paragraphs("000_a026e662df115a8c.txt")
    assert len(paragraphs) == 7
    found = mentioning(paragraphs, date=DECEMBER_15, title=UNSC_TITLE)
    assert found == [2]
    assert paragraphs[2].startswith("3. The UNSC Ministerial-Level Meeting")


@pytest.mark.parametrize(
    "text",
    [
        "The meeting held on December 15 made it clear.",
        "The meeting held on 15 December made it clear.",
        "On Dec. 15th, the Council met.",
        "On the 15th of December 2017, the Council met.",
        "On December 15, 2017, the Council met.",
    ],
)
def test_the_meeting_s_date_written_out_is_a_mention(text):
    assert mentioning([text], date=DECEMBER_15, title="A meeting") == [0]


@pytest.mark.parametrize(
    "text",
    [
        "On December 1, the Council met.",
        "On December 150 (not a date), nothing.",
        "On December 15, 2016, a year earlier.",
        "On November 15, another meeting.",
        "Resolution 2397 was adopted on 22 December.",
    ],
)
def test_other_dates_are_not_a_mention(text):
    assert mentioning([text], date=DECEMBER_15, title="A meeting") == []


def test_most_of_the_title_s_distinctive_words_are_a_mention():
    text = "Japan welcomed the ministerial-level meeting on the North Korean issue."
    assert mentioning([text], date=DECEMBER_15, title=UNSC_TITLE) == [0]
    # "Security Council" and "North Korea" alone are in every paragraph of such statements.
    other = "The Security Council must keep pressure on North Korea."
    assert mentioning([other], date=DECEMBER_15, title=UNSC_TITLE) == []


def test_two_participants_named_together_are_a_mention_one_is_not():
    names = ["Shinzo Abe", "António Guterres"]
    date = dt.date(2017, 9, 19)
    texts = [
        "Prime Minister Abe met Secretary-General Antonio Guterres in New York.",
        "Prime Minister Abe stressed the importance of dialogue.",
    ]
    assert mentioning(texts, date=date, title="Talks", names=names) == [0]
