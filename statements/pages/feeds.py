"""Atom feeds: every new statement, and the statements citing one resolution."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from statements.models import Resolution, Statement

FEED_LENGTH = 30
SUMMARY_WORDS = 60


class StatementFeed(Feed):
    feed_type = Atom1Feed
    title = _("Japan at the United Nations: new statements")
    subtitle = _("Statements and meeting summaries of Japan's Ministry of Foreign Affairs.")
    author_name = _("Ministry of Foreign Affairs of Japan")

    def link(self) -> str:
        return reverse("statements:statement-list")

    def items(self) -> QuerySet[Statement]:
        return Statement.objects.published().with_related().with_change_notes()[:FEED_LENGTH]

    def item_title(self, item: Statement) -> str:
        return item.title

    def item_description(self, item: Statement) -> str:
        # Atom marks the summary type="html", so readers render it as HTML: escape the
        # plain text once here (the feed framework's XML escaping is undone by the reader).
        paragraphs = list(item.paragraphs.all())
        opening = escape(Truncator(paragraphs[0].text).words(SUMMARY_WORDS)) if paragraphs else ""
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


class ResolutionFeed(StatementFeed):
    """New statements citing one resolution ("new statements citing 2397")."""

    def get_object(self, request, number: int) -> Resolution:
        return get_object_or_404(Resolution.objects.cited(), number=number)

    def title(self, obj: Resolution) -> str:
        return _("Japan at the United Nations: statements citing %(resolution)s") % {
            "resolution": obj
        }

    def subtitle(self, obj: Resolution) -> str:
        return _("New statements of Japan's Ministry of Foreign Affairs that cite %(r)s.") % {
            "r": obj
        }

    def link(self, obj: Resolution) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Resolution) -> QuerySet[Statement]:
        return (
            Statement.objects.published()
            .citing(obj)
            .with_related()
            .with_change_notes()
            .order_by("-date", "-id")
        )[:FEED_LENGTH]
