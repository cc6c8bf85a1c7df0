"""The public pages: content, filters, pagination, visibility, caching and query counts."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_script_prefix
from django.urls import get_script_prefix, reverse
from django.utils.http import http_date

from mofa_site import caching
from statements import models, services
from statements.models import Meeting, Paragraph, Participant, Person, Resolution, Statement, Tally
from statements.pages import views
from tests.conftest import kept_test_connection
from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    PersonFactory,
    ResolutionFactory,
    StatementFactory,
    statement_with_paragraphs,
)
from tests.statements.pages.rendered import json_ld

pytestmark = pytest.mark.django_db

STATEMENT_2397 = "2017-12-23-statement-on-the-adoption-of-un-security-council-resolution-2397"
SUMMARY = (
    "2017-09-19-meeting-between-prime-minister-shinzo-abe-and-secretary-general-antonio-guterres"
)
ABE_GUTERRES = SUMMARY  # the meeting and the statement reporting it share a slug
UNSC_MEETING = "2017-12-15-un-security-council-ministerial-level-meeting-on-the-north-korean-issue"


def statement_url(slug: str) -> str:
    return reverse("statements:statement-detail", kwargs={"slug": slug})


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


# --- Home and layout ---------------------------------------------------------------------


def test_home_lists_latest_statements_meetings_and_most_cited_resolutions(client, seeded):
    html = page(client, "/")
    assert "Statement on the adoption of UN Security Council Resolution 2397" in html
    assert "UN Security Council Ministerial-Level Meeting on the North Korean issue" in html
    assert "S/RES/2397 (2017)" in html and "cited by 4 paragraphs" in html
    assert 'role="search"' in html and 'name="q"' in html


def test_every_page_has_landmarks_skip_link_navigation_and_the_feed(client, seeded):
    html = page(client, "/")
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    for name in ("statement-list", "resolution-list", "meeting-list", "search"):
        assert f'href="{reverse(f"statements:{name}")}"' in html
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New statements" '
        f'href="{reverse("statements:statement-feed")}">' in html
    )
    assert re.search(r'<link rel="stylesheet" href="/static/statements/site[^"]*\.css">', html)


def test_templates_carry_no_inline_style_or_script(client, seeded):
    for url in ("/", statement_url(STATEMENT_2397), "/resolutions/2397/", "/search/?q=japan"):
        html = page(client, url)
        assert " style=" not in html and "<style" not in html
        scripts = re.findall(r"<script[^>]*>", html)
        # Only JSON-LD: a data block, which the Content-Security-Policy never blocks.
        assert all(re.fullmatch(r'<script type="application/ld\+json">', tag) for tag in scripts)


def test_unknown_pages_get_the_custom_404(client, db):
    html = page(client, "/no-such-page/", status=404)
    assert "Page not found" in html and 'role="search"' in html


def test_the_500_page_renders_without_a_request_or_database():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html and 'lang="en"' in html


# --- Statement list ----------------------------------------------------------------------


def test_statement_list_shows_published_newest_first_and_never_drafts(client, seeded):
    StatementFactory(title="A draft nobody may see", status=Statement.Status.DRAFT)
    html = page(client, reverse("statements:statement-list"))
    assert "A draft nobody may see" not in html
    assert "2 statements" in html
    assert html.index("Resolution 2397") < html.index("Secretary-General António Guterres")


def test_statement_list_filters_combine_in_the_url(client, db):
    resolution = ResolutionFactory(number=2397)
    wanted = statement_with_paragraphs(
        1, resolution, title="Wanted", date=dt.date(2017, 12, 23), speaker="Taro Kono"
    )
    StatementFactory(title="Other year", date=dt.date(2016, 1, 1), speaker="Taro Kono")
    StatementFactory(
        title="Other kind", kind=Statement.Kind.PRESS_RELEASE, date=dt.date(2017, 5, 5)
    )
    statement_with_paragraphs(1, ResolutionFactory(number=2375), title="Other resolution")
    url = reverse("statements:statement-list")

    html = page(client, f"{url}?year=2017&kind=statement&speaker=Taro+Kono&resolution=2397")
    assert wanted.title in html
    for other in ("Other year", "Other kind", "Other resolution"):
        assert other not in html
    # Each choice counts what it would list, the other filters as chosen.
    assert '<option value="2016">2016 (0)</option>' in html
    assert '<option value="Taro Kono" selected>Taro Kono (1)</option>' in html
    html = page(client, f"{url}?year=2016")
    assert "Other year" in html and "Wanted" not in html


def test_statement_list_ignores_nonsense_filters_with_a_message(client, seeded):
    url = reverse("statements:statement-list")
    html = page(client, url + "?year=abc&resolution=x&kind=%3Cscript%3E")
    assert "Select a valid choice" in html and "2 statements" in html
    assert "<script>" not in html
    page(client, url + "?page=zz", status=404)
    page(client, url + "?page=99", status=404)


def test_statement_list_pages_by_twenty_and_keeps_filters(client, db):
    for day in range(1, 26):
        StatementFactory(title=f"Day {day:02d}", date=dt.date(2017, 1, day))
    url = reverse("statements:statement-list")
    first = page(client, f"{url}?year=2017")
    assert "Day 25" in first and "Day 06" in first and "Day 05" not in first
    assert 'href="?year=2017&amp;page=2" rel="next"' in first
    second = page(client, f"{url}?year=2017&page=2")
    assert "Day 05" in second and "Day 06" not in second and "Page 2 of 2" in second


# --- Statement detail --------------------------------------------------------------------


def test_statement_page_shows_paragraphs_with_anchors_and_permalinks(client, seeded):
    html = page(client, statement_url(STATEMENT_2397))
    for number in range(1, 8):
        assert f'id="p{number}"' in html
        assert f'href="#p{number}" aria-label="Paragraph {number}, permalink">{number}</a>' in html
    summary = page(client, statement_url(SUMMARY))
    assert 'id="p-1"' in summary and 'href="#p-1"' in summary and 'id="p1"' in summary


def test_statement_page_links_every_cited_resolution_mention(client, seeded):
    html = page(client, statement_url(STATEMENT_2397))
    link = '<a href="/resolutions/2397/">2397</a>'
    assert html.count(link) == 4  # paragraphs 1, 3, 4 and 6 mention it
    assert "Resolution " + link in html


def served_under(script_name: str, path: str) -> str:
    """A page through Django's own WSGI handler, mounted at ``script_name`` as a proxy
    would mount the site: the handler sets the script prefix from SCRIPT_NAME (the test
    client does not). Without closing the test's connection, as the test client does."""
    environ = RequestFactory().get(path, SCRIPT_NAME=script_name).environ
    with kept_test_connection():
        response = WSGIHandler()(environ, lambda status, headers: None)
        body = b"".join(response)
        response.close()  # request_finished, as a WSGI server ends the response
    assert response.status_code == 200
    return body.decode()


def test_links_carry_the_script_prefix_of_their_own_request_and_nothing_after_it(seeded):
    url = statement_url(STATEMENT_2397)
    mounted = served_under("/archive", url)
    assert '<a href="/archive/resolutions/2397/">2397</a>' in mounted
    assert 'href="/archive/statements/"' in mounted  # base.html's navigation
    at_root = served_under("", url)
    assert '<a href="/resolutions/2397/">2397</a>' in at_root and "/archive/" not in at_root
    # Outside a request (a command, a feed built by a task): the prefix as it is now.
    with override_script_prefix("/elsewhere/"):
        assert models.page_url("statements:resolution-detail", number=2397) == (
            "/elsewhere/resolutions/2397/"
        )


def test_a_page_reads_the_script_prefix_once_not_at_every_link(client, seeded, monkeypatch):
    reads = []

    def counted() -> str:
        reads.append(1)
        return get_script_prefix()

    monkeypatch.setattr(models, "get_script_prefix", counted)
    # The resolution page links every statement and paragraph quoting it.
    for url in (statement_url(STATEMENT_2397), "/resolutions/2397/", "/statements/"):
        reads.clear()
        page(client, url)
        assert len(reads) == 1, url


def test_mentions_of_uncited_resolutions_stay_plain_text(client, db):
    statement = StatementFactory()
    ParagraphFactory(statement=statement, text="Resolution 2231 is mentioned but not cited.")
    html = page(client, statement_url(statement.slug))
    assert "Resolution 2231 is mentioned" in html and "/resolutions/2231/" not in html


def test_hostile_paragraph_text_is_shown_as_text(client, db):
    resolution = ResolutionFactory(number=2397)
    statement = StatementFactory(title="<b>Bold</b> title")
    paragraph = ParagraphFactory(
        statement=statement,
        text='<script>alert("x")</script> Resolution 2397 & <img src=x onerror=alert(1)>',
    )
    paragraph.resolutions.add(resolution)
    html = page(client, statement_url(statement.slug))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Resolution " in html
    assert '<a href="/resolutions/2397/">2397</a> &amp; &lt;img src=x' in html
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in html


def test_statement_page_has_sidebar_neighbours_and_metadata(client, seeded):
    html = page(client, statement_url(STATEMENT_2397))
    assert "Resolutions cited" in html and "S/RES/2397 (2017)" in html
    assert f'href="/meetings/{UNSC_MEETING}/"' in html
    assert f'href="{statement_url(SUMMARY)}" rel="prev"' in html and 'rel="next"' not in html
    assert (
        "<title>Statement on the adoption of UN Security Council Resolution 2397 · "
        "MOFA UN archive</title>" in html
    )
    assert f'<link rel="canonical" href="http://testserver{statement_url(STATEMENT_2397)}">' in html
    assert '<meta property="og:title" content="Statement on the adoption' in html
    assert '<meta name="description" content="Japan highly appreciates' in html


def test_statement_json_ld_describes_the_document_and_the_meeting(client, seeded):
    html = page(client, statement_url(SUMMARY))
    data = json_ld(html)
    assert data["@type"] == "Article" and data["datePublished"] == "2017-09-19"
    event = data["about"][0]
    assert event["@type"] == "Event"
    assert event["url"] == f"http://testserver/meetings/{ABE_GUTERRES}/"
    assert event["startDate"] == "2017-09-19T12:05:00-04:00"
    assert event["duration"] == "PT15M"
    assert "attendee" not in event  # what the page shows: who attended is on the meeting's
    assert data["mentions"][0]["legislationIdentifier"] == "S/RES/2375 (2017)"
    meeting = json_ld(page(client, f"/meetings/{ABE_GUTERRES}/"))
    assert {key: meeting[key] for key in event} == event
    assert {a["name"] for a in meeting["attendee"]} == {"Shinzo Abe", "António Guterres"}
    assert {a["url"] for a in meeting["attendee"]} == {
        "http://testserver/people/shinzo-abe/",
        "http://testserver/people/antonio-guterres/",
    }


def test_json_ld_cannot_be_broken_out_of(client, db):
    statement = StatementFactory(title="</script><script>alert(1)</script>")
    html = page(client, statement_url(statement.slug))
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in ld and "\\u003C/script\\u003E" in ld


@pytest.mark.parametrize(
    ("view", "address"),
    [
        (views.StatementDetailView, "/statements/no-such-statement/"),
        (views.MeetingDetailView, "/meetings/no-such-meeting/"),
        (views.PersonDetailView, "/people/no-such-person/"),
    ],
)
def test_an_unknown_address_is_404_without_building_the_views_read(
    client, db, monkeypatch, view, address
):
    # Building the read (the statement's neighbours, annotated) only to name its model
    # made a crawler's 404 dearer than a statement's page. The first request compiles
    # the read by slug, from the view's read, once.
    page(client, address, status=404)

    def built(self):
        raise AssertionError("the view's read was built")

    monkeypatch.setattr(view, "get_queryset", built)
    page(client, address, status=404)


def test_drafts_are_404_and_withdrawn_statements_show_their_notice(client, db):
    draft = StatementFactory(status=Statement.Status.DRAFT)
    page(client, statement_url(draft.slug), status=404)
    page(client, statement_url("no-such-statement"), status=404)
    withdrawn = StatementFactory(
        status=Statement.Status.WITHDRAWN, withdrawn_note="Published in error; see the 24th."
    )
    ParagraphFactory(statement=withdrawn, text="The withdrawn words.")
    html = page(client, statement_url(withdrawn.slug)).split("<main", 1)[1]
    assert html.index("This statement has been withdrawn") < html.index("The withdrawn words.")
    assert "Published in error; see the 24th." in html
    assert '<meta name="robots" content="noindex">' in page(client, statement_url(withdrawn.slug))


# --- Resolutions -------------------------------------------------------------------------


def test_resolution_list_shows_number_symbol_adoption_and_citation_count(client, seeded):
    html = page(client, reverse("statements:resolution-list"))
    assert 'href="/resolutions/2397/">S/RES/2397 (2017)</a>' in html
    assert '<time datetime="2017-12-22">22 December 2017</time>' in html
    counts = re.findall(r'<td class="numeric"[^>]*>(\d+) <svg class="share"', html)
    assert counts == ["4", "1"]


def list_context(view_class: type, url: str) -> tuple[dict, str]:
    """A list view's context for ``url``, and what the queries it ran select."""
    view = view_class()
    view.setup(RequestFactory().get(url))
    with CaptureQueriesContext(connection) as queries:
        view.object_list = view.get_queryset()
        context = view.get_context_data()
    return context, " ".join(query["sql"].split(" FROM ")[0] for query in queries)


@pytest.mark.parametrize("query", ["", "?ordering=number"])
def test_resolution_list_reads_only_the_columns_it_shows(seeded, query):
    context, selected = list_context(views.ResolutionListView, "/resolutions/" + query)
    cited = Resolution.objects.cited().order_by("number" if query else "-number")
    assert context["resolutions"] == [
        views.ListedResolution(
            r.pk, r.get_absolute_url(), str(r), r.title, r.adopted_on, r.citation_count
        )
        for r in cited
    ]
    assert len(cited) == 2
    for unshown in ("summary", "vote", "document_url", "created_at", "updated_at"):
        assert f'"{unshown}"' not in selected


@pytest.mark.parametrize("query", ["", "?page=1", "?kind=bilateral"])
def test_meeting_list_reads_only_the_columns_it_shows_and_the_principals_names(db, query):
    met = MeetingFactory(kind=Meeting.Kind.BILATERAL, location="New York", occasion="UNGA 72")
    ParticipantFactory(meeting=met, name="Shinzo Abe", position=1)
    ParticipantFactory(meeting=met, name="António Guterres", position=0)
    ParticipantFactory(meeting=met, name="Aide", position=2, in_attendance=True)
    alone = MeetingFactory(kind=Meeting.Kind.BILATERAL, date=met.date - dt.timedelta(days=1))
    for meeting in (met, alone):
        meeting.statements.add(StatementFactory())
    context, selected = list_context(views.MeetingListView, "/meetings/" + query)
    assert context["meetings"] == [
        views.ListedMeeting(
            m.pk,
            m.get_absolute_url(),
            m.title,
            m.date,
            m.location,
            m.get_kind_display(),
            m.occasion,
        )
        for m in (met, alone)
    ]
    assert context["meetings"][0].kind == "Bilateral meeting"
    assert context["principals"] == {met.pk: ["António Guterres", "Shinzo Abe"], alone.pk: []}
    for unshown in ("start_time", "timezone", "created_at", "updated_at"):
        assert f'"{unshown}"' not in selected


@pytest.mark.parametrize(
    "query", ["", "?page=1", "?kind=press_release", "?year=2017&kind=press_release"]
)
def test_statement_list_reads_only_the_columns_it_shows(db, query):
    newer = StatementFactory(
        kind=Statement.Kind.PRESS_RELEASE, speaker="Shinzo Abe", date=dt.date(2017, 9, 20)
    )
    older = StatementFactory(
        kind=Statement.Kind.PRESS_RELEASE, speaker="", date=dt.date(2017, 9, 19)
    )
    StatementFactory(kind=Statement.Kind.PRESS_RELEASE, status=Statement.Status.DRAFT)
    context, selected = list_context(views.StatementListView, "/statements/" + query)
    assert context["statements"] == [
        views.ListedStatement(s.get_absolute_url(), s.title, s.date, "Press release", s.speaker)
        for s in (newer, older)
    ]
    for unshown in ("source_text", "created_at", "updated_at", "published_at"):
        assert f'"{unshown}"' not in selected


def test_the_home_and_a_persons_page_list_statements_as_the_list_does(client, db):
    person = PersonFactory(name="Shinzo Abe")
    spoken = StatementFactory(
        kind=Statement.Kind.PRESS_RELEASE, speaker="Shinzo Abe", person=person
    )
    item = (
        f'<a class="item__title" href="/statements/{spoken.slug}/">{spoken.title}</a>\n'
        f'  <p class="meta"><time datetime="{spoken.date:%Y-%m-%d}">'
        f"{spoken.date.day} {spoken.date:%B %Y}</time>\n    · Press release · Shinzo Abe</p>"
    )
    for url in ("/", "/statements/", person.get_absolute_url()):
        assert item in client.get(url).content.decode(), url


def test_resolution_page_groups_citing_paragraphs_by_statement_newest_first(client, db):
    resolution = ResolutionFactory(number=2397, document_url="https://undocs.org/S/RES/2397(2017)")
    old = statement_with_paragraphs(2, resolution, title="Older", date=dt.date(2017, 1, 1))
    new = statement_with_paragraphs(1, resolution, title="Newer", date=dt.date(2018, 1, 1))
    draft = statement_with_paragraphs(1, resolution, title="Draft", status="draft")
    html = page(client, "/resolutions/2397/")
    assert html.index("Newer") < html.index("Older")
    assert "Draft" not in html and draft.slug not in html
    assert f'href="{statement_url(old.slug)}#p2"' in html
    assert f'href="{statement_url(new.slug)}#p1"' in html
    assert "Cited by 3 paragraphs" in html
    assert 'href="https://undocs.org/S/RES/2397(2017)"' in html
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New statements citing 2397" '
        'href="/resolutions/2397/feed/">' in html
    )


def test_the_resolution_view_reads_its_page_of_citations_without_the_validators(
    client, rf, db, monkeypatch
):
    # The validators read the page of citations for the view; answered alone, the view
    # reads it itself and shows the same page.
    monkeypatch.setattr(views, "CITATIONS_PER_PAGE", 4)
    resolution = ResolutionFactory(number=2397)
    for year in (2017, 2018, 2019):
        statement_with_paragraphs(2, resolution, date=dt.date(year, 1, 1))
    request = rf.get("/resolutions/2397/", {"page": "2"})
    request.user = AnonymousUser()
    alone = views.ResolutionDetailView.as_view()(request, number=2397).render().content
    answered = client.get("/resolutions/2397/", {"page": "2"}).content
    assert alone == answered
    assert answered.count(b'<blockquote class="citation"') == 2


def test_resolutions_unknown_or_cited_only_by_drafts_are_404(client, db):
    resolution = ResolutionFactory(number=2500)
    statement_with_paragraphs(1, resolution, status="draft")
    page(client, "/resolutions/2500/", status=404)
    page(client, "/resolutions/9999/", status=404)
    # A number no integer column holds was a 500 on SQLite (OverflowError).
    page(client, f"/resolutions/{'9' * 30}/", status=404)
    page(client, f"/resolutions/{'9' * 30}/feed/", status=404)
    assert "2500" not in page(client, reverse("statements:resolution-list"))


# --- Meetings ----------------------------------------------------------------------------


def test_meeting_page_shows_local_and_japan_time_across_the_date_line(client, seeded):
    html = page(client, f"/meetings/{ABE_GUTERRES}/")
    assert '<time datetime="2017-09-19T12:05:00-04:00">Tuesday 19 September 2017, 12:05' in html
    assert '<time datetime="2017-09-20T01:05:00+09:00">Wednesday 20 September 2017, 01:05' in html
    assert "about 15 minutes" in html and "72nd UN General Assembly" in html
    assert "Secretary-General of the UN" in html and "Shinzo Abe" in html
    assert "At the outset, Secretary-General Guterres expressed gratitude" in html
    assert '<a href="/resolutions/2375/">2375</a>' in html


def test_meeting_without_start_time_shows_its_date(client, seeded):
    html = page(client, f"/meetings/{UNSC_MEETING}/")
    assert "start time not recorded" in html and "Japan time" not in html


def test_a_meeting_page_shows_only_the_paragraph_of_a_statement_that_mentions_it(client, seeded):
    html = page(client, f"/meetings/{UNSC_MEETING}/")
    assert "Mentioned in" in html and "Summary" not in html
    assert f'<a href="{statement_url(STATEMENT_2397)}">Statement on the adoption' in html
    # Paragraph 3, linked to its place in the statement; nothing of the other six.
    assert f'href="{statement_url(STATEMENT_2397)}#p3"' in html
    assert "The UNSC Ministerial-Level Meeting on the North Korean issue presided" in html
    assert "Japan highly appreciates the unanimous adoption" not in html
    assert "North Korea has an industrious labor force" not in html
    assert f"{statement_url(STATEMENT_2397)}#p1" not in html


def test_a_meeting_page_shows_its_summary_in_full(client, seeded):
    html = page(client, f"/meetings/{ABE_GUTERRES}/")
    assert '<h2 id="summary-' in html and "Mentioned in" not in html
    for number in range(1, 5):
        assert f'href="{statement_url(SUMMARY)}#p{number}"' in html
    assert "Prime Minister Abe proceeded further that the abductions issue" in html
    # The unnumbered opening is named by its first words, not "unnumbered" like any other.
    assert 'aria-label="Paragraph beginning “On September 19, commencing at 12:05…”' in html


def test_a_linked_statement_naming_no_meeting_in_any_paragraph_is_listed_without_text(client, db):
    meeting = MeetingFactory(title="Japan-Australia Foreign Ministers' Meeting")
    ParticipantFactory(meeting=meeting, name="Taro Kono")
    ParticipantFactory(meeting=meeting, name="Julie Bishop")
    summary = statement_with_paragraphs(2, kind=Statement.Kind.MEETING_SUMMARY, title="Talks")
    vague = statement_with_paragraphs(2, title="Vague statement")
    named = StatementFactory(title="Named statement")
    ParagraphFactory(statement=named, position=1, text="Japan thanks its partners.")
    ParagraphFactory(statement=named, position=2, text="Minister Kono met Minister Bishop.")
    meeting.statements.add(summary, vague, named)
    html = page(client, meeting.get_absolute_url())
    assert html.count("Paragraph 1 recalls") == 1 and html.count("Paragraph 2 recalls") == 1
    assert "Vague statement" in html and "no single paragraph names it" in html
    assert "Minister Kono met Minister Bishop." in html
    assert f'href="{named.get_absolute_url()}#p2"' in html
    assert "Japan thanks its partners." not in html


def test_meeting_page_lists_the_officials_in_attendance_by_country(client, db):
    meeting = MeetingFactory(title="G4 Summit Meeting")
    for name, organisation, attending in [
        ("Narendra Modi", "India", False),
        ("Shinzo Abe", "Japan", False),
        ("Hiroshige Seko", "Japan", True),
        ("Vikas Swarup", "India", True),
        ("Motohide Yoshikawa", "Japan", True),
    ]:
        ParticipantFactory(
            meeting=meeting, name=name, organisation=organisation, in_attendance=attending
        )
    meeting.statements.add(StatementFactory())
    html = page(client, meeting.get_absolute_url())
    sidebar = html.split('id="participants-heading"')[1]
    principals, attendance = sidebar.split(">In attendance</h3>")
    assert "Narendra Modi" in principals and "Shinzo Abe" in principals
    assert "Hiroshige Seko" not in principals
    groups = re.findall(r'<h4 class="meta"[^>]*>([^<]+)</h4>', attendance)
    assert groups == ["Japan", "India"]
    japan, india = attendance.split('<h4 class="meta"')[1:3]
    assert "Hiroshige Seko" in japan and "Motohide Yoshikawa" in japan and "Swarup" not in japan
    assert "Vikas Swarup" in india
    listed = page(client, reverse("statements:meeting-list"))
    assert "With Narendra Modi, Shinzo Abe</p>" in listed and "Hiroshige Seko" not in listed


def test_meetings_only_of_published_statements_are_public(client, db):
    hidden = MeetingFactory(title="Hidden meeting")
    hidden.statements.add(StatementFactory(status=Statement.Status.DRAFT))
    page(client, f"/meetings/{hidden.slug}/", status=404)
    shown = MeetingFactory(title="Shown meeting")
    shown.statements.add(StatementFactory())
    html = page(client, reverse("statements:meeting-list"))
    assert "Shown meeting" in html and "Hidden meeting" not in html


# --- Caching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [statement_url(STATEMENT_2397), "/resolutions/2397/", f"/meetings/{ABE_GUTERRES}/"]
)
def test_detail_pages_answer_conditional_gets_with_304(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Last-Modified"] and response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


def rename(participant: Participant) -> None:
    participant.name = "Renamed"
    participant.save()  # as the admin and the API save, stamping updated_at


def rename_person(person: Person) -> None:
    """What a person's page link and name on other pages show changes: their slug."""
    services.person_update(person=person, name="Renamed Person", slug="renamed-person")


def merge_away(person: Person) -> None:
    """``person`` is merged into a new one: the pages now link someone else."""
    services.person_merge(keep=PersonFactory(name="Someone Else"), remove=person)


def move_citation(statement: Statement) -> None:
    """A citation set by hand on another paragraph: every count and time stays."""
    cited = statement.paragraphs.filter(resolutions__isnull=False).first()
    resolution = cited.resolutions.first()
    cited.resolutions.remove(resolution)
    statement.paragraphs.exclude(resolutions=resolution).first().resolutions.add(resolution)


def changes_validators(client, url: str, change) -> bool:
    before = client.get(url)
    assert before.status_code == 200
    change()
    return client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        "delete a paragraph",
        "un-cite a resolution",
        "move a citation to another paragraph",
        "delete the neighbour",
        "unlink the meeting",
        "rename the speaker's person",
        "merge the speaker's person",
    ],
)
def test_whatever_a_statement_page_shows_changes_its_validators(client, seeded, change):
    statement = Statement.objects.get(slug=STATEMENT_2397)
    statement.person = PersonFactory(name="Taro Kono")  # the seed names no speaker
    statement.save()
    summary = Statement.objects.get(slug=SUMMARY)
    changes = {
        "delete a paragraph": (
            statement,
            lambda: Paragraph.objects.filter(pk=statement.paragraphs.get(number=2).pk).delete(),
        ),
        "un-cite a resolution": (
            statement,
            lambda: statement.paragraphs.get(number=1).resolutions.clear(),
        ),
        "move a citation to another paragraph": (statement, lambda: move_citation(statement)),
        "delete the neighbour": (
            statement,
            lambda: Statement.objects.filter(pk=summary.pk).delete(),
        ),
        "unlink the meeting": (statement, lambda: statement.meetings.clear()),
        "rename the speaker's person": (statement, lambda: rename_person(statement.person)),
        "merge the speaker's person": (statement, lambda: merge_away(statement.person)),
    }
    page, change_it = changes[change]
    assert changes_validators(client, statement_url(page.slug), change_it)


@pytest.mark.parametrize(
    "change", ["rename a participant", "rename their person", "merge their person"]
)
def test_a_statement_page_stays_fresh_when_its_meetings_participants_change(client, seeded, change):
    # Only the meeting's page shows who attended: the statement's is the same page, and
    # a browser or proxy revalidating it keeps what it has.
    summary = Statement.objects.get(slug=SUMMARY)
    attending = Participant.objects.filter(meeting__statements=summary).exclude(person=None)
    participant = attending.first()
    url = statement_url(summary.slug)
    before = client.get(url)
    {
        "rename a participant": lambda: rename(participant),
        "rename their person": lambda: rename_person(participant.person),
        "merge their person": lambda: merge_away(participant.person),
    }[change]()
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    assert client.get(url).content == before.content


@pytest.mark.parametrize(
    "change",
    [
        "rename a participant",
        "delete a paragraph",
        "move a citation to another paragraph",
        "withdraw",
        "rename a participant's person",
        "merge a participant's person",
    ],
)
def test_whatever_a_meeting_page_shows_changes_its_validators(client, seeded, change):
    meeting = Meeting.objects.get(slug=ABE_GUTERRES)
    statement = meeting.statements.get()
    StatementFactory(title="Also reporting").meetings.add(meeting)  # keeps it public
    changes = {
        "rename a participant": lambda: rename(meeting.participants.first()),
        "delete a paragraph": lambda: Paragraph.objects.filter(
            pk=statement.paragraphs.last().pk
        ).delete(),
        "move a citation to another paragraph": lambda: move_citation(statement),
        "withdraw": lambda: services.statement_withdraw(statements=[statement], note="Gone."),
        "rename a participant's person": lambda: rename_person(
            meeting.participants.exclude(person=None).first().person
        ),
        "merge a participant's person": lambda: merge_away(
            meeting.participants.exclude(person=None).first().person
        ),
    }
    assert changes_validators(client, f"/meetings/{ABE_GUTERRES}/", changes[change])


def test_an_edit_to_a_paragraph_changes_the_statements_validators(client, seeded):
    url = statement_url(STATEMENT_2397)
    before = client.get(url)
    paragraph = Statement.objects.get(slug=STATEMENT_2397).paragraphs.get(number=2)
    paragraph.text += " Corrected."
    paragraph.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    old_date = http_date(dt.datetime(2017, 12, 23, tzinfo=dt.UTC).timestamp())
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=old_date).status_code == 200


def test_a_new_citation_changes_the_resolution_pages_validators(client, seeded):
    url = "/resolutions/2397/"
    before = client.get(url)
    resolution = Resolution.objects.get(number=2397)
    ParagraphFactory(statement=StatementFactory(date=dt.date(2018, 3, 1))).resolutions.add(
        resolution
    )
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 304


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/statements/", "4 statements"),
        ("/meetings/", None),
        ("/api/v1/statements/", None),
        ("/api/v1/meetings/", None),
        ("/api/v1/paragraphs/", None),
        ("/api/v1/paragraphs/?resolution=2397", None),
    ],
)
def test_unfiltered_lists_take_their_length_from_the_tallies_not_a_count(client, db, url, says):
    resolution = ResolutionFactory(number=2397)
    for _ in range(4):
        statement = StatementFactory()
        statement.meetings.add(MeetingFactory())
        ParagraphFactory(statement=statement).resolutions.add(resolution)
    draft = StatementFactory(status=Statement.Status.DRAFT)
    draft.meetings.add(MeetingFactory())
    ParagraphFactory(statement=draft).resolutions.add(resolution)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # The filters' choice counts are grouped (one query per filter, tested in
    # test_filters.py); the list's own length is never a count.
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "GROUP BY" not in sql.upper()]
    if says:
        assert says in response.content.decode()
    if url.startswith("/api/"):
        assert response.json()["count"] == 4
    if url.startswith("/api/"):  # narrowed further, the list counts what is left
        narrowing = {"meetings": {"date_after": "2999-01-01"}, "paragraphs": {"statement": "x"}}
        narrowed = client.get(url, narrowing.get(url.split("/")[3], {"year": 1990}))
        assert narrowed.json()["count"] == 0


@pytest.mark.django_db(transaction=True)
def test_list_lengths_are_right_after_a_flush_empties_the_tallies(client):
    call_command("flush", interactive=False, verbosity=0)
    # Each write retires what was kept per generation (the list's length too), as the
    # services' writes do; the factory writes past them.
    StatementFactory.create_batch(2)
    caching.content_changed()
    assert "2 statements" in client.get("/statements/").content.decode()
    Tally.objects.all().delete()  # as a flush without post_migrate would leave it
    StatementFactory()
    caching.content_changed()
    assert "3 statements" in client.get("/statements/").content.decode()
    Tally.objects.restore_missing()
    assert Tally.objects.published_statements() == 3


def test_anonymous_pages_are_publicly_cacheable_but_not_for_signed_in_users(client, seeded):
    response = client.get("/")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    client.force_login(User.objects.create_user("editor"))
    response = client.get(statement_url(STATEMENT_2397))
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_static_files_are_hashed_and_compressed_in_production():
    from django.conf import settings

    from tests.mofa_site.test_settings import load_settings

    assert settings.STORAGES["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")
    result = load_settings(
        DJANGO_SECRET_KEY="k3y-" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        DJANGO_ALLOWED_HOSTS="archive.example.org",
        DJANGO_DEBUG="0",
    )
    assert result.returncode == 0, result.stderr
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


# --- Query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("rendered", [False, True], ids=["body rendered here", "body kept"])
def test_statement_page_runs_the_same_queries_for_2_or_200_paragraphs(
    client, db, django_assert_num_queries, rendered
):
    resolution = ResolutionFactory(number=2397)
    small = statement_with_paragraphs(2, resolution)
    small.meetings.add(ParticipantFactory().meeting)
    # The speaker and the participants linked to people: their pages cost no query.
    large = statement_with_paragraphs(200, resolution, speaker="Kono", person=PersonFactory())
    large.meetings.add(*[MeetingFactory() for _ in range(3)])
    ParticipantFactory.create_batch(3, meeting=large.meetings.first(), person=PersonFactory())
    if rendered:
        services.bodies_render()
    # statement (with its person, its previous and next, and its kept body with the
    # resolutions it cites), paragraphs and their citations (unless the body is kept),
    # meetings with their participants (with theirs), change notes, validators
    for statement in (small, large):
        with django_assert_num_queries(4 if rendered else 6):
            assert client.get(statement_url(statement.slug)).status_code == 200


def test_a_statement_reporting_no_meeting_reads_no_meetings(
    client, rf, db, django_assert_num_queries
):
    resolution = ResolutionFactory(number=2397)
    alone = statement_with_paragraphs(3, resolution)
    # statement (with its previous and next), paragraphs, resolutions, change notes,
    # validators: the validators count its meetings, and there are none to read
    with django_assert_num_queries(5):
        page = client.get(statement_url(alone.slug)).content
    assert b'id="meetings-heading"' not in page
    # The view alone (no validators) reads them, and shows the same page.
    request = rf.get(statement_url(alone.slug))
    request.user = AnonymousUser()
    with django_assert_num_queries(5):
        response = views.StatementDetailView.as_view()(request, slug=alone.slug).render()
    assert response.content == page
    # One that reports a meeting shows it.
    reporting = statement_with_paragraphs(3, resolution)
    reporting.meetings.add(MeetingFactory(title="Japan-UN Summit"))
    assert b"Japan-UN Summit" in client.get(statement_url(reporting.slug)).content


def test_resolution_page_runs_the_same_queries_for_3_or_300_citing_statements(
    client, db, django_assert_num_queries
):
    few, many = ResolutionFactory(number=2375), ResolutionFactory(number=2397)
    for _ in range(3):
        statement_with_paragraphs(1, few)
    for _ in range(300):
        statement_with_paragraphs(1, many)
    # validators: the resolution (with its count) and the page's rows; the page's
    # paragraphs with their statements; their resolutions; the timeline's months
    for number in (2375, 2397):
        with django_assert_num_queries(5):
            assert client.get(f"/resolutions/{number}/").status_code == 200


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # count, page; filter choices: years, the people who spoke, speakers, resolutions;
        # the chart's years by kind, which are the year and kind counts where those filters
        # are free; the other choices' counts: per speaker and resolution (and year, when one
        # is chosen)
        (reverse("statements:statement-list"), 9),
        # Filtered, one grouping of the listed statements gives the chart, the count and the
        # year, kind and speaker counts where those are free: page; choices as above; the
        # resolution's grouping, read once for the list and for the year counts (its sums);
        # the resolution counts (with one other filter)
        (reverse("statements:statement-list") + "?resolution=2397&year=2017", 7),
        # With one filter, its own counts are the archive's: per year and kind, speaker and
        # resolution (kept per generation outside tests)
        (reverse("statements:statement-list") + "?resolution=2397", 9),
        # every cited resolution's id and count (kept by the database), in order; the page's
        (reverse("statements:resolution-list"), 2),
        # count, page, participants (not the statements reporting each: the list shows
        # none); the kinds' counts
        (reverse("statements:meeting-list"), 4),
        (reverse("statements:meeting-list") + "?kind=bilateral&date_after=2000-01-01", 4),
        # statements, meetings, resolutions, statements per year and kind
        ("/", 4),
    ],
)
def test_list_pages_run_the_same_queries_for_3_or_300_statements(
    client, db, django_assert_num_queries, url, expected
):
    resolution = ResolutionFactory(number=2397)
    for count in (3, 297):
        for _ in range(count):
            statement = statement_with_paragraphs(2, resolution, speaker="Taro Kono")
            statement.meetings.add(MeetingFactory())
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


def test_meeting_page_runs_the_same_queries_for_2_or_200_summary_paragraphs(
    client, db, django_assert_num_queries
):
    resolution = ResolutionFactory(number=2397)
    for count in (2, 200):
        meeting, alone = MeetingFactory(), MeetingFactory()
        ParticipantFactory.create_batch(3, meeting=meeting, person=PersonFactory())
        ParticipantFactory.create_batch(2, meeting=meeting, in_attendance=True)
        summary = statement_with_paragraphs(count, resolution, kind=Statement.Kind.MEETING_SUMMARY)
        meeting.statements.add(
            summary,
            *[statement_with_paragraphs(count // 2, resolution) for _ in range(count // 20 + 1)],
        )
        alone.statements.add(summary)
        services.bodies_render(statements=[summary.pk])
        # validators, meeting, participants (with their people), statements, the
        # summary's kept body, the mentions' paragraphs, their resolutions
        with django_assert_num_queries(7):
            response = client.get(meeting.get_absolute_url())
        assert response.status_code == 200
        assert b'<a href="/resolutions/2397/">2397</a>' in response.content
        # A meeting its summary alone reports reads no paragraph.
        with django_assert_num_queries(5):
            response = client.get(alone.get_absolute_url())
        assert response.status_code == 200
        assert b'<a href="/resolutions/2397/">2397</a>' in response.content


def test_a_title_the_archive_wrote_is_marked_and_a_printout_carries_the_address(client, db):
    written = ParagraphFactory(statement__title_derived=True, statement__slug="derived").statement
    page = client.get(written.get_absolute_url()).content.decode()
    assert "the archive wrote this one from its text" in page
    assert '<p class="print-address">http://testserver/statements/derived/</p>' in page
    assert 'rel="icon" href="/static/statements/favicon.svg"' in page
    given = ParagraphFactory(statement__slug="given").statement
    assert "the archive wrote this one" not in client.get(given.get_absolute_url()).content.decode()


def test_details_compile_no_sql_once_each_kind_was_read(client):
    """A statement's page and a meeting's read their record, body, meetings (the
    meeting's, its participants), change notes and neighbours from SQL compiled once per process
    (``compiled_rows``): another statement or meeting of the same shape builds no query,
    and shows its own."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    statements, meetings = [], []
    for n in range(2):
        statement = statement_with_paragraphs(3, ResolutionFactory(), date=dt.date(2017, 9, 19 + n))
        meeting = ParticipantFactory(name=f"Minister {n}").meeting
        statement.meetings.add(meeting)
        statements.append(statement)
        meetings.append(meeting)
    StatementFactory(date=dt.date(2017, 9, 1))  # a neighbour for both
    for url in (statement_url(statements[0].slug), f"/meetings/{meetings[0].slug}/"):
        assert client.get(url).status_code == 200
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        pages = [
            client.get(statement_url(statements[1].slug)),
            client.get(f"/meetings/{meetings[1].slug}/"),
        ]
    assert [p.status_code for p in pages] == [200, 200]
    assert compiling.call_count == 0
    statement_page, meeting_page = (p.content.decode() for p in pages)
    assert statements[1].title in statement_page and meetings[1].title in statement_page
    assert "Minister" not in statement_page  # who attended: on the meeting's page only
    assert f'<a href="{statement_url(statements[0].slug)}" rel="prev">' in statement_page
    assert 'rel="next"' not in statement_page  # the newest
    assert "Minister 1" in meeting_page and statements[1].title in meeting_page


def test_an_unknown_statement_or_meeting_is_not_found(client):
    assert client.get(statement_url("no-such-statement")).status_code == 404
    assert client.get("/meetings/no-such-meeting/").status_code == 404
    draft = StatementFactory(status=Statement.Status.DRAFT)
    assert client.get(statement_url(draft.slug)).status_code == 404
