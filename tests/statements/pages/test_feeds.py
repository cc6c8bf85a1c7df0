"""Feeds, sitemap and robots.txt: discoverable, and only ever published content."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from statements.models import Statement
from statements.pages.sitemaps import StatementSitemap
from tests.factories import ParagraphFactory, ResolutionFactory, StatementFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    return ET.fromstring(response.content)


def entries(feed: ET.Element) -> list[tuple[str, str]]:
    return [
        (entry.findtext(f"{ATOM}title"), entry.find(f"{ATOM}link").get("href"))
        for entry in feed.iter(f"{ATOM}entry")
    ]


def test_statement_feed_is_atom_newest_first_without_drafts(client, seeded):
    StatementFactory(title="A draft", status=Statement.Status.DRAFT)
    StatementFactory(title="Withdrawn", status="withdrawn", withdrawn_note="Error.")
    response = client.get(reverse("statements:statement-feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert [title for title, _ in entries(feed)] == [
        "Statement on the adoption of UN Security Council Resolution 2397",
        "Meeting between Prime Minister Shinzo Abe and Secretary-General António Guterres",
    ]
    first = next(feed.iter(f"{ATOM}entry"))
    assert first.findtext(f"{ATOM}summary").startswith("Japan highly appreciates")
    assert first.findtext(f"{ATOM}updated")
    assert {c.get("term") for c in first.iter(f"{ATOM}category")} >= {"S/RES/2397 (2017)"}


def test_resolution_feed_lists_statements_citing_it(client, db):
    resolution = ResolutionFactory(number=2397)
    for title, status in (("Cites it", "published"), ("Draft citing it", "draft")):
        paragraph = ParagraphFactory(statement=StatementFactory(title=title, status=status))
        paragraph.resolutions.add(resolution)
    StatementFactory(title="Unrelated")
    feed = xml(client, reverse("statements:resolution-feed", kwargs={"number": 2397}))
    assert feed.findtext(f"{ATOM}title").endswith("statements citing S/RES/2397 (2017)")
    assert [title for title, _ in entries(feed)] == ["Cites it"]
    assert client.get("/resolutions/9999/feed/").status_code == 404


def test_feed_escapes_hostile_text(client, db):
    ParagraphFactory(statement=StatementFactory(title="<script>x</script>"), text="<b>&</b>")
    body = client.get(reverse("statements:statement-feed")).content.decode()
    assert "<script>" not in body and "&lt;script&gt;" in body


def sitemap_urls(client) -> dict[str, str]:
    """Every address of every sitemap the index names, with its lastmod."""
    index = xml(client, "/sitemap.xml")
    urls: dict[str, str] = {}
    for sitemap in index.iter(f"{SITEMAP}sitemap"):
        page = xml(client, sitemap.findtext(f"{SITEMAP}loc").removeprefix("http://testserver"))
        if list(page.iter(f"{SITEMAP}url")):  # an empty section has no last change
            assert sitemap.findtext(f"{SITEMAP}lastmod")
        for url in page.iter(f"{SITEMAP}url"):
            loc = url.findtext(f"{SITEMAP}loc")
            assert loc not in urls, f"{loc} is listed twice"
            urls[loc] = url.findtext(f"{SITEMAP}lastmod")
    return urls


def test_sitemap_lists_public_pages_with_lastmod(client, seeded):
    StatementFactory(slug="secret-draft", status=Statement.Status.DRAFT)
    urls = sitemap_urls(client)
    slug = "2017-12-23-statement-on-the-adoption-of-un-security-council-resolution-2397"
    assert urls[f"http://testserver/statements/{slug}/"].startswith("2017-12-23")
    assert "http://testserver/resolutions/2397/" in urls
    assert "http://testserver/" in urls and "http://testserver/statements/" in urls
    assert not [url for url in urls if "secret-draft" in url]
    assert all(urls.values())


def test_sitemap_is_an_index_of_pages_that_never_outgrow_their_limit(
    client, db, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(StatementSitemap, "limit", 2)
    published = [StatementFactory(slug=f"statement-{n}") for n in range(5)]
    StatementFactory(slug="a-draft", status=Statement.Status.DRAFT)
    index = xml(client, "/sitemap.xml")
    pages = [s.findtext(f"{SITEMAP}loc") for s in index.iter(f"{SITEMAP}sitemap")]
    assert [p for p in pages if "sitemap-statements" in p] == [
        "http://testserver/sitemap-statements.xml",
        "http://testserver/sitemap-statements.xml?p=2",
        "http://testserver/sitemap-statements.xml?p=3",
    ]
    for page in pages:
        # A statements page holds 2; the sections, the home page and the four lists.
        assert len(list(xml(client, page).iter(f"{SITEMAP}url"))) <= 5
    listed = [url for url in sitemap_urls(client) if "/statements/statement-" in url]
    assert sorted(listed) == sorted(f"http://testserver/statements/{s.slug}/" for s in published)
    with django_assert_max_num_queries(10):  # a count and the newest change per section
        client.get("/sitemap.xml")
    assert client.get("/sitemap-statements.xml?p=4").status_code == 404


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body and "Disallow: /admin/" in body
