"""Atom feeds: of any filtered statement list, of any search, and of the statements citing
one resolution. A list's or a search's feed takes the page's own query string and holds
exactly its results (the newest ``FEED_LENGTH``); filter values the page would refuse
are a 400, never a feed of something else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from statements import search
from statements.models import (
    Person,
    Resolution,
    Statement,
    citations_attach,
    cited_resolutions_attach,
)
from statements.pages.filters import SearchForm, StatementFilter

FEED_LENGTH = 30
SUMMARY_WORDS = 60
SITE_TITLE = _("Japan at the United Nations")


def query_string(request: HttpRequest) -> str:
    """The request's parameters but the page number, as "?…" (or "" when none): the
    address of the same results as a page, or as a feed."""
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def entries(statements: QuerySet[Statement]) -> list[Statement]:
    """The newest ``FEED_LENGTH`` statements with what an entry shows, and only that: the
    opening paragraph's text, the numbers and symbols of the resolutions cited, the change
    notes; never the body (the feeds loaded every paragraph of each, with its citations
    and meetings: 70 of a filtered list's feed's 80 ms). Three queries."""
    shown = statements.only(
        "slug", "title", "kind", "date", "published_at", "public_updated_at"
    ).with_opening_text()
    items = list(shown.with_cited_numbers().with_change_notes()[:FEED_LENGTH])
    cited_resolutions_attach(items)
    return items


def refused(errors: dict[str, list[str]]) -> BadRequest:
    """A 400 that says which parameters the page would refuse, and why."""
    return BadRequest("; ".join(f"{name}: {' '.join(why)}" for name, why in errors.items()))


class StatementEntries(Feed):
    """Statements as Atom entries: the title, the opening words, the kind and the
    resolutions cited."""

    feed_type = Atom1Feed
    author_name = _("Ministry of Foreign Affairs of Japan")

    def item_title(self, item: Statement) -> str:
        return item.title

    def item_description(self, item: Statement) -> str:
        # Atom marks the summary type="html", so readers render it as HTML: escape the
        # plain text once here (the feed framework's XML escaping is undone by the reader).
        text = item.opening_text
        opening = escape(Truncator(text).words(SUMMARY_WORDS)) if text is not None else ""
        change = item.latest_change_note
        if not (item.was_updated and change):
            return opening
        # An updated entry says first what changed, as the page's "Updates" list does.
        updated = _("Updated %(date)s: %(note)s") % {
            "date": date_format(change.date, "j F Y"),
            "note": change.note,
        }
        return f"<p>{escape(updated)}</p><p>{opening}</p>"

    def item_pubdate(self, item: Statement) -> dt.datetime:
        return item.published_at or dt.datetime.combine(item.date, dt.time(), tzinfo=dt.UTC)

    def item_updateddate(self, item: Statement) -> dt.datetime:
        # Its last change for readers (a major one), not every typo fixed.
        return item.public_updated_at or self.item_pubdate(item)

    def item_categories(self, item: Statement) -> list[str]:
        return [str(item.get_kind_display())] + [str(r) for r in item.cited_resolutions]


@dataclass(frozen=True)
class Listed:
    """A statement list, filtered or not, as its feed reads it."""

    statements: QuerySet[Statement]
    query: str  # the list's query string, "?…" or ""
    filterset: StatementFilter | None = None  # None: unfiltered (no choices to read)

    def described(self) -> str:
        """The filters chosen, in words: "2017, Taro Kono, S/RES/2397 (2017)"."""
        if self.filterset is None:
            return ""
        form = self.filterset.form
        words = []
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if value not in (None, ""):
                labels = {str(key): label for key, label in field.choices}
                words.append(str(labels.get(str(value), value)))
        return ", ".join(words)


class StatementFeed(StatementEntries):
    """New statements, or those of any filtered list: ``/statements/feed/?year=2017``
    holds exactly what ``/statements/?year=2017`` lists, newest first."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Listed:
        published = Statement.objects.published()
        if not request.GET:
            return Listed(published, "")
        filterset = StatementFilter(request.GET, queryset=published)
        if not filterset.is_valid():
            raise refused(filterset.errors)
        return Listed(filterset.qs, query_string(request), filterset)

    def title(self, obj: Listed) -> str:
        described = obj.described()
        if not described:
            return _t("%(site)s: new statements") % {"site": SITE_TITLE}
        return _t("%(site)s: statements (%(filters)s)") % {"site": SITE_TITLE, "filters": described}

    def subtitle(self, obj: Listed) -> str:
        return _t("Statements and meeting summaries of Japan's Ministry of Foreign Affairs.")

    def link(self, obj: Listed) -> str:
        return reverse("statements:statement-list") + obj.query

    def feed_url(self, obj: Listed) -> str:
        return reverse("statements:statement-feed") + obj.query

    def items(self, obj: Listed) -> list[Statement]:
        return entries(obj.statements)


class ResolutionFeed(StatementEntries):
    """New statements citing one resolution ("new statements citing 2397")."""

    def get_object(self, request: HttpRequest, number: int) -> Resolution:
        return get_object_or_404(Resolution.objects.cited(), number=number)

    def title(self, obj: Resolution) -> str:
        return _t("%(site)s: statements citing %(resolution)s") % {
            "site": SITE_TITLE,
            "resolution": obj,
        }

    def subtitle(self, obj: Resolution) -> str:
        return _t("New statements of Japan's Ministry of Foreign Affairs that cite %(r)s.") % {
            "r": obj
        }

    def link(self, obj: Resolution) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Resolution) -> list[Statement]:
        return entries(Statement.objects.published_citing(obj.pk).order_by("-date", "-id"))


class PersonFeed(StatementEntries):
    """New statements one person spoke, whatever spelling each page printed."""

    def get_object(self, request: HttpRequest, slug: str) -> Person:
        return get_object_or_404(Person.objects.public(), slug=slug)

    def title(self, obj: Person) -> str:
        return _t("%(site)s: statements by %(person)s") % {"site": SITE_TITLE, "person": obj}

    def subtitle(self, obj: Person) -> str:
        return _t("New statements of Japan's Ministry of Foreign Affairs by %(person)s.") % {
            "person": obj
        }

    def link(self, obj: Person) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Person) -> list[Statement]:
        return entries(obj.spoken())


@dataclass(frozen=True)
class Searched:
    """A search, as its feed reads it: what was typed, the hits and the query string."""

    typed: str
    hits: list[search.SearchHit]
    query: str


class SearchFeed(Feed):
    """The results of any search, newest first (a feed follows what is new, whatever
    order the page was sorted in): ``/search/feed/?q=sanctions&from=2017-01-01`` holds the
    newest ``FEED_LENGTH`` hits of ``/search/?q=sanctions&from=2017-01-01``, each
    paragraph an entry."""

    feed_type = Atom1Feed
    author_name = _("Ministry of Foreign Affairs of Japan")

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Searched:
        form = SearchForm(request.GET)
        if not form.is_valid():
            raise refused(form.errors)
        typed = search.clean_query(form.cleaned_data["q"])
        hits: list[search.SearchHit] = []
        if typed:
            answer = search.search_archive(typed, form.filters(), search.NEWEST)
            hits = answer.hits[0:FEED_LENGTH]
            # Each entry's categories name the resolutions its paragraph cites.
            citations_attach([hit.paragraph for hit in hits])
        return Searched(typed, hits, query_string(request))

    def title(self, obj: Searched) -> str:
        return _t("%(site)s: search for “%(query)s”") % {"site": SITE_TITLE, "query": obj.typed}

    def subtitle(self, obj: Searched) -> str:
        return _t("New paragraphs of Japan's Ministry of Foreign Affairs matching a search.")

    def link(self, obj: Searched) -> str:
        return reverse("statements:search") + obj.query

    def feed_url(self, obj: Searched) -> str:
        return reverse("statements:search-feed") + obj.query

    def items(self, obj: Searched) -> list[search.SearchHit]:
        return obj.hits

    def item_title(self, item: search.SearchHit) -> str:
        paragraph = item.paragraph
        if paragraph.number is None:
            return item.statement.title
        return _t("%(title)s, paragraph %(number)s") % {
            "title": item.statement.title,
            "number": paragraph.number,
        }

    def item_link(self, item: search.SearchHit) -> str:
        return item.paragraph.get_absolute_url()

    def item_description(self, item: search.SearchHit) -> str:
        # Already HTML: the text escaped, the matches in <mark>.
        return str(item.snippet)

    def item_pubdate(self, item: search.SearchHit) -> dt.datetime:
        statement = item.statement
        return statement.published_at or dt.datetime.combine(
            statement.date, dt.time(), tzinfo=dt.UTC
        )

    def item_updateddate(self, item: search.SearchHit) -> dt.datetime:
        return max(item.paragraph.updated_at, item.statement.updated_at)

    def item_categories(self, item: search.SearchHit) -> list[str]:
        cited = [str(resolution) for resolution in item.paragraph.citations]
        return [str(item.statement.get_kind_display()), *cited]
