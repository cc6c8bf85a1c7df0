"""The sitemap: an index at /sitemap.xml naming one sitemap per kind of page, each in pages
of at most ``SITEMAP_PAGE_SIZE`` addresses, so no response grows with the archive (the
protocol allows 50,000 addresses a file; a 100,000-statement archive needs several)."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from statements.models import Meeting, Person, Resolution, Statement

SITEMAP_PAGE_SIZE = 5000


class ArchiveSitemap(Sitemap):
    limit = SITEMAP_PAGE_SIZE

    def lastmod(self, item) -> dt.datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> dt.datetime | None:
        # For the index: one row, not Django's default of reading every item.
        return self.items().order_by("-updated_at").values_list("updated_at", flat=True).first()


class StatementSitemap(ArchiveSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Statement]:
        return Statement.objects.published().only("slug", "updated_at").order_by("-date", "-id")


class ResolutionSitemap(ArchiveSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> QuerySet[Resolution]:
        return Resolution.objects.cited().only("number", "updated_at").order_by("-number")


class MeetingSitemap(ArchiveSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> QuerySet[Meeting]:
        return Meeting.objects.published().only("slug", "updated_at")


class PersonSitemap(ArchiveSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self) -> QuerySet[Person]:
        return Person.objects.public().only("slug", "updated_at").order_by("sort_name", "id")


class SectionSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self) -> list[str]:
        return ["home", "statement-list", "resolution-list", "meeting-list", "person-list"]

    def location(self, item: str) -> str:
        return reverse(f"statements:{item}")

    @functools.cached_property
    def latest_change(self) -> dt.datetime | None:
        # Every listing changes when a published statement does; asked once per sitemap.
        return StatementSitemap().get_latest_lastmod()

    def lastmod(self, item: str) -> dt.datetime | None:
        return self.latest_change

    def get_latest_lastmod(self) -> dt.datetime | None:
        return self.latest_change


SITEMAPS = {
    "sections": SectionSitemap,
    "statements": StatementSitemap,
    "resolutions": ResolutionSitemap,
    "meetings": MeetingSitemap,
    "people": PersonSitemap,
}
