"""Speed-ups to the search page (issue 21) change no byte of it, in the states that
``test_rendering_unchanged`` does not reach: later pages, each order, each filter and their
combinations, a resolution's citing paragraphs filtered and paged, the web-search syntax,
speakers and titles, the search's feed, and a word matched more than ``MAX_HITS`` times
(the benchmark's common word). Compared with ``golden_pages/search.<engine>.json.gz``,
written by the code before the speed-ups (``MOFA_WRITE_GOLDEN_PAGES=1``, as the other
golden pages are).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from bench import synthetic
from statements.models import Paragraph, Resolution, Statement
from tests.golden import assert_pages_unchanged, golden
from tests.statements.pages.test_rendering_unchanged import (
    CSRF_TOKEN,
    WRITE,
    WRITTEN_AT,
    _times_fixed,
)

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

GOLDEN = Path(__file__).with_name("golden_pages")
# Enough statements for "security" to match more than MAX_HITS paragraphs.
STATEMENTS = 200


def _urls() -> list[str]:
    newest = Statement.objects.published().order_by("-date", "-id").first()
    year = newest.date.year
    cited = list(Resolution.objects.cited().order_by("-citation_count", "number")[:3])
    top, second, third = (resolution.number for resolution in cited)
    common = synthetic.COMMON_SEARCH_WORD
    urls = []
    for q in [common, "Syria", "peacekeeping", "Korea -Security"]:
        urls += [
            f"/search/?q={q}",
            f"/search/?q={q}&page=2",
            f"/search/?q={q}&page=3",
            f"/search/?q={q}&page=999",
            f"/search/?q={q}&sort=newest&page=2",
            f"/search/?q={q}&sort=oldest",
            f"/search/?q={q}&sort=oldest&page=2",
            f"/search/?q={q}&year={year}",
            f"/search/?q={q}&kind=press_release",
            f"/search/?q={q}&resolution={top}",
            f"/search/?q={q}&year={year}&kind=statement&resolution={second}",
            f"/search/?q={q}&from=2015-01-01&to=2018-12-31",
            f"/search/?q={q}&from=2020-06-01&sort=oldest",
            f"/search/?q={q}&to=2010-12-31&kind=meeting_summary",
        ]
    urls += [
        f"/search/?q={common}&page=50",
        f"/search/?q={common}&page=51",
        f"/search/?q={synthetic.RARE_SEARCH_PHRASE}",
        f'/search/?q="{synthetic.RARE_SEARCH_PHRASE}"',
        "/search/?q=Syria or Libya",
        "/search/?q=Syria or Libya -humanitarian&sort=newest",
        '/search/?q="dialogue and pressure"&page=2',
        "/search/?q=-security",
        "/search/?q=Nakagawa",
        "/search/?q=Antonio Guterres",
        "/search/?q=Yui Nakagawa&sort=oldest",
        "/search/?q=xyzzy",
        "/search/?q=Syria&year=1800",  # invalid choices: the form's errors
        "/search/?q=Syria&kind=nonsense&resolution=1",
        "/search/?q=Syria&sort=sideways&page=abc",
        "/search/?q=Syria&from=yesterday",
        f"/search/?q=res {second}",
        f"/search/?q={third}",
        f"/search/?q=UNSCR {third}&sort=oldest",
    ]
    for number in (top, second):
        symbol = f"/search/?q=S/RES/{number}"
        urls += [
            symbol,
            f"{symbol}&page=2",
            f"{symbol}&page=999",
            f"{symbol}&sort=oldest",
            f"{symbol}&sort=oldest&page=2",
            f"{symbol}&year={year}",
            f"{symbol}&kind=press_release",
            f"{symbol}&resolution={third}",
            f"{symbol}&year={year}&kind=statement",
            f"{symbol}&from=2015-01-01&to=2018-12-31",
        ]
    # The feed reads the same hits, newest first.
    urls += [
        f"/search/feed/?q={common}",
        "/search/feed/?q=Syria&kind=press_release",
        f"/search/feed/?q=S/RES/{top}",
        f"/search/feed/?q=S/RES/{second}&year={year}",
    ]
    return urls


def test_the_search_pages_are_byte_for_byte_what_they_were(client: Client) -> None:
    synthetic.corpus_generate(statements=STATEMENTS, seed=4)
    _times_fixed()
    # The feed's entries carry their paragraph's and statement's last change.
    Statement.objects.update(updated_at=WRITTEN_AT)
    Paragraph.objects.update(updated_at=WRITTEN_AT)
    now = {}
    for url in _urls():
        response = client.get(url)
        assert response.status_code == 200, url
        now[url] = CSRF_TOKEN.sub(b'name="csrfmiddlewaretoken" value=""', response.content).decode()
    assert "More than 1000 matching paragraphs" in now[f"/search/?q={synthetic.COMMON_SEARCH_WORD}"]
    then = golden(GOLDEN / f"search.{connection.vendor}.json.gz", now, write=WRITE)
    assert_pages_unchanged(now, then)
