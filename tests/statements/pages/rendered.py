"""What a public page shows, read from the HTML a reader gets. The pages render with
Jinja2, whose Django backend sends no ``template_rendered`` signal: a test response has
no ``context`` or ``templates`` to read, so tests read the page itself."""

from __future__ import annotations

import json
import re
from html import unescape

ITEM_LINK = re.compile(r'<a class="item__title" href="([^"]*)">')
RESULT_LINK = re.compile(r'<h3 class="result__title"><a href="([^"]*)">')
ROW_LINK = re.compile(r'<th scope="row"><a href="([^"]*)">')
STATUS_COUNT = re.compile(r'<p class="meta" role="status">(\d+) ')
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def item_links(html: str) -> list[str]:
    """The address of each item of a list page (statements, meetings, people), in order."""
    return [unescape(href) for href in ITEM_LINK.findall(html)]


def result_links(html: str) -> list[str]:
    """The address of each search result (a paragraph), in order."""
    return [unescape(href) for href in RESULT_LINK.findall(html)]


def row_links(html: str) -> list[str]:
    """The address of each row of a table page (the resolution list), in order."""
    return [unescape(href) for href in ROW_LINK.findall(html)]


def listed_count(html: str) -> int:
    """How many a list page says it lists ("12 statements"), all pages together."""
    return int(STATUS_COUNT.search(html).group(1))


def options(html: str) -> list[tuple[str, bool, str]]:
    """Each <option> of the HTML: its value, whether selected, its label (as written)."""
    return [(value, bool(selected), label) for value, selected, label in OPTION.findall(html)]


def select_options(html: str, name: str) -> list[tuple[str, bool, str]]:
    """The options of the page's <select name=``name``>."""
    return options(re.search(rf'<select name="{name}".*?</select>', html, re.S).group())


def json_ld(html: str) -> dict:
    """The page's JSON-LD, as data."""
    return json.loads(JSON_LD.search(html).group(1))
