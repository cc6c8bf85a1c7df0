"""The helpers the public pages' templates call (registered in
``statements.pages.environment``): plain functions, testable without a template."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import operator
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.forms import BoundField
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from statements.models import Paragraph
from statements.pages import charts
from statements.pages.feeds import query_string
from statements.translation import gettext as _

# As django.utils.html.json_script escapes them: nothing in the data can close the
# <script> element.
_JSON_SCRIPT_ESCAPES = {">": "\\u003E", "<": "\\u003C", "&": "\\u0026"}


def linked_text(paragraph: Paragraph) -> SafeString:
    """The paragraph's text, escaped, with each mention of a resolution it cites linked to
    that resolution's page. Uses the paragraph's prefetched resolutions: no query."""
    text = paragraph.text
    parts: list[str] = []
    done = 0
    # The standard library's escape, which Django's escape and format_html wrap at a cost
    # per call that was most of the linking: the same bytes.
    for start, end, resolution in paragraph.cited_spans():
        parts.append(html.escape(text[done:start]))
        url = html.escape(resolution.get_absolute_url())
        parts.append(f'<a href="{url}">{html.escape(text[start:end])}</a>')
        done = end
    parts.append(html.escape(text[done:]))
    # Safe: every piece above is escaped.
    return mark_safe("".join(parts))


def opening_name(paragraph: Paragraph, place: str = "") -> str:
    """A screen reader's name for a block without a label, from its first words, so that
    a page's un-numbered paragraphs are told apart in its list of links: "Paragraph
    beginning “Japan highly appreciates the …”", or "Paragraph under 2 (1) beginning …"
    given where it stands. The statement page and the meeting page's quotes share it."""
    words = Truncator(paragraph.text).words(OPENING_WORDS, truncate="…")
    if place:
        return _("Paragraph under %(place)s beginning “%(words)s”") % {
            "place": place,
            "words": words,
        }
    return _("Paragraph beginning “%(words)s”") % {"words": words}


# Enough to tell a page's un-numbered paragraphs apart, short enough to hear in a list.
OPENING_WORDS = 6


def json_ld(data: dict[str, Any]) -> SafeString:
    """A <script type="application/ld+json"> element that no string in ``data`` can escape.

    It carries no CSP nonce: a data block is never executed, so script-src does not apply
    to it, and a per-request nonce would make every rendering of a public page differ,
    which the page cache and shared caches must be able to keep and reuse."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # One replace() a character, not str.translate() (json_script's way), which looks
    # every character up in the table: 0.24 against 0.03 ms for a statement page's 2.7 KB.
    # The same bytes, as no replacement brings back a character replaced.
    for character, escaped in _JSON_SCRIPT_ESCAPES.items():
        payload = payload.replace(character, escaped)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


def query_with(context: Mapping[str, Any], **changes: Any) -> str:
    """The current query string with some parameters changed (None or "" removes one);
    keeps filters when paging, and paging is reset by passing page=None."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def feed_of(context: Mapping[str, Any], url_name: str) -> str:
    """The address of the feed named, with this page's filters (not its page number): the
    feed of exactly these results."""
    return reverse(url_name) + query_string(context["request"])


def filter_input(field: BoundField) -> SafeString:
    """A filter's control: a <select> for a choice, a date picker for a date (the value
    as YYYY-MM-DD, what the form reads), else a text box."""
    if isinstance(field.field, forms.ChoiceField):
        return choice_select(field)
    kind = "date" if isinstance(field.field, forms.DateField) else "text"
    value = field.value()
    if isinstance(value, dt.date):
        value = value.isoformat()
    invalid = (
        format_html(' aria-invalid="true" aria-describedby="{}_error"', field.auto_id)
        if field.errors
        else ""
    )
    return format_html(
        '<input type="{}" name="{}" id="{}" value="{}"{}>',
        kind,
        field.html_name,
        field.id_for_label,
        "" if value is None else value,
        invalid,
    )


def choice_select(field: BoundField) -> SafeString:
    """The <select> of a choice field, as Django's Select widget writes it, without a
    template render per option: the filter forms offer every cited resolution (300 in a
    benchmark archive), which took the widget 25 ms a form."""
    value = field.value()
    values = value if isinstance(value, list | tuple) else [value]
    chosen = {"" if v is None else str(v) for v in values}
    # The standard library's escape (which Django's wraps, at a cost per call that was
    # most of the select) and a join: format_html per option cost half the form again.
    options = "".join(
        f'<option value="{html.escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
        f"{html.escape(str(label))}</option>"
        for key, label in field.field.choices
    )
    invalid = (
        format_html(' aria-invalid="true" aria-describedby="{}_error"', field.auto_id)
        if field.errors
        else ""
    )
    return format_html(
        '<select name="{}" id="{}"{}>{}</select>',
        field.html_name,
        field.id_for_label,
        invalid,
        mark_safe(options),  # every key and label is escaped above
    )


def share_bar(value: int, peak: int) -> SafeString:
    """``charts.share``: a decorative bar beside a printed count."""
    return charts.share(value, peak)


class Group(NamedTuple):
    """One run of ``regroup``: the value shared and the items sharing it."""

    grouper: Any
    list: list[Any]


def regroup(values: Iterable[Any], attribute: str) -> list[Group]:
    """What Django's ``{% regroup %}`` gave: consecutive items with the same ``attribute``,
    in the order given (never sorted, unlike Jinja2's ``groupby``: the resolution page's
    citations come newest statement first)."""
    return [
        Group(grouper, list(items))
        for grouper, items in itertools.groupby(values, key=operator.attrgetter(attribute))
    ]
