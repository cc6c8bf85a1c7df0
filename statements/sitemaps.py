"""sitemap.xml: every public page, with the date it last changed."""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from statements.models import Meeting, Resolution, Statement


class StatementSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self) -> QuerySet[Statement]:
        return Statement.objects.published().order_by("-date", "-id")

    def lastmod(self, item: Statement) -> dt.datetime:
        return item.updated_at


class ResolutionSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> QuerySet[Resolution]:
        return Resolution.objects.cited().order_by("-number")

    def lastmod(self, item: Resolution) -> dt.datetime:
        return item.updated_at


class MeetingSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> QuerySet[Meeting]:
        return Meeting.objects.published()

    def lastmod(self, item: Meeting) -> dt.datetime:
        return item.updated_at


class SectionSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self) -> list[str]:
        return ["home", "statement-list", "resolution-list", "meeting-list"]

    def location(self, item: str) -> str:
        return reverse(f"statements:{item}")

    def lastmod(self, item: str) -> dt.datetime | None:
        latest = Statement.objects.published().order_by("-updated_at").first()
        return latest.updated_at if latest else None


SITEMAPS = {
    "sections": SectionSitemap,
    "statements": StatementSitemap,
    "resolutions": ResolutionSitemap,
    "meetings": MeetingSitemap,
}
