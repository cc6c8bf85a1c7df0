"""A resolution page's quotes rendered by the services and kept (``RenderedQuote``,
statements/bodies.py): the page shows each while its key holds, renders it itself once
anything it is made of has changed, however it was changed, and its ETag follows the
same changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from statements import services
from statements.models import Paragraph, RenderedQuote, Resolution, Statement
from tests.factories import ParagraphFactory, ResolutionFactory, StatementFactory

MARK = "kept quote"
PAGE = "/resolutions/2397/"


@pytest.fixture
def quoted(db) -> Paragraph:
    """A published paragraph under a heading, citing 2397 (linked) and mentioning 1718
    (not linked: an editor left it out), and another statement quoting 2397."""
    cited, beside = ResolutionFactory(number=2397), ResolutionFactory(number=1718)
    statement = StatementFactory(date=dt.date(2018, 1, 1))
    heading = ParagraphFactory(
        statement=statement, position=1, number=None, kind="heading", text="Sanctions"
    )
    paragraph = ParagraphFactory(
        statement=statement,
        position=2,
        number=None,
        label="(1)",
        parent=heading,
        text="Resolution 2397 builds on resolution 1718.",
    )
    paragraph.resolutions.add(cited)
    other = ParagraphFactory(
        statement=StatementFactory(date=dt.date(2017, 1, 1)),
        position=1,
        text="Resolutions 2397 and 1718 stand.",
    )
    other.resolutions.add(cited, beside)
    services.bodies_render()
    return paragraph


def marked() -> None:
    """The kept quotes, keys untouched, made recognisable: a page that shows one says so."""
    assert RenderedQuote.objects.update(html=MARK) == 2


def kept_quotes_shown(client) -> int:
    return client.get(PAGE).content.decode().count(f"<p>{MARK}</p>")


def test_the_services_keep_a_quote_of_every_citing_paragraph_and_no_other(quoted):
    citing = Paragraph.objects.filter(resolutions__isnull=False).values_list("pk", flat=True)
    assert set(RenderedQuote.objects.values_list("pk", flat=True)) == set(citing)
    kept = RenderedQuote.objects.get(paragraph=quoted)
    assert kept.place == "Sanctions, (1)"
    link = '<a href="/resolutions/2397/">2397</a>'
    assert kept.html == f"Resolution {link} builds on resolution 1718."


def test_the_page_shows_the_kept_quotes_while_their_keys_hold(client, quoted):
    marked()
    assert kept_quotes_shown(client) == 2


def test_the_kept_quotes_are_what_the_page_renders_itself(client, quoted):
    kept = client.get(PAGE).content
    RenderedQuote.objects.all().delete()
    assert client.get(PAGE).content == kept
    assert b'<a class="citation__link" href="/statements/' in kept
    assert b">Sanctions, (1)</a></p>" in kept


def edit_text(paragraph: Paragraph) -> None:
    paragraph.text += " Corrected."
    paragraph.save()


def link_beside(paragraph: Paragraph) -> None:
    paragraph.resolutions.add(Resolution.objects.get(number=1718))


def renumber_beside(paragraph: Paragraph) -> None:
    # The other statement's quote links 1718: its mention of 1718 links nothing now.
    resolution = Resolution.objects.get(number=1718)
    resolution.number = 1719
    resolution.save()


def rename_heading(paragraph: Paragraph) -> None:
    heading = paragraph.parent
    heading.text = "Sanctions and their implementation"
    heading.save()


def detach(paragraph: Paragraph) -> None:
    # As a cascade's SET NULL does it: no change of the paragraph's time.
    Paragraph.objects.filter(pk=paragraph.pk).update(parent=None)


CHANGES = pytest.mark.parametrize(
    "change",
    [edit_text, link_beside, renumber_beside, rename_heading, detach],
    ids=[
        "text edited",
        "citation added",
        "linked resolution renumbered",
        "heading renamed",
        "detached",
    ],
)


@CHANGES
def test_a_change_outside_the_services_makes_the_page_render_that_quote_itself(
    client, quoted, change
):
    marked()
    change(quoted)
    assert kept_quotes_shown(client) == 1
    # The command renders what is stale, and the page shows it kept again.
    call_command("render_bodies", verbosity=0)
    marked()
    assert kept_quotes_shown(client) == 2


@CHANGES
def test_the_page_etag_changes_with_what_its_quotes_are_made_of(client, quoted, change):
    before = client.get(PAGE)
    change(quoted)
    after = client.get(PAGE)
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content
    assert client.get(PAGE, headers={"If-None-Match": before["ETag"]}).status_code == 200


def test_relinking_through_the_services_renders_the_quote_and_changes_the_etag(client, quoted):
    before = client.get(PAGE)
    services.paragraphs_relink(paragraphs=[quoted])
    page = client.get(PAGE)
    assert page["ETag"] != before["ETag"]
    link = '<a href="/resolutions/1718/">1718</a>'
    assert link in RenderedQuote.objects.get(paragraph=quoted).html
    assert link in page.content.decode()


def test_the_services_forget_the_quote_of_a_paragraph_that_cites_nothing_any_more(quoted):
    statement = Statement.objects.get(pk=quoted.statement_id)
    rows = [
        {"number": None, "text": "Sanctions", "kind": "heading"},
        {"number": None, "label": "(1)", "parent": 1, "text": "Nothing cited any more."},
    ]
    services.statement_update(
        statement=statement, expected_version=statement.version, paragraphs=rows
    )
    assert not RenderedQuote.objects.filter(paragraph__statement=statement).exists()
    assert RenderedQuote.objects.count() == 1


def test_the_command_renders_the_quotes_missing_though_the_bodies_are_current(quoted, capsys):
    RenderedQuote.objects.all().delete()  # as after the release that added them
    call_command("render_bodies")
    assert "Rendered 0 statement bodies." in capsys.readouterr().out
    assert RenderedQuote.objects.count() == 2


def test_the_page_is_last_modified_at_the_newest_change_of_what_it_quotes(client, quoted):
    # The times are compared as the database writes them: a whole second and a fraction.
    statement_changed = dt.datetime(2030, 5, 6, 7, 8, 9, 900_000, tzinfo=dt.UTC)
    Statement.objects.filter(pk=quoted.statement_id).update(updated_at=statement_changed)
    assert client.get(PAGE)["Last-Modified"] == "Mon, 06 May 2030 07:08:09 GMT"
    paragraph_changed = dt.datetime(2030, 5, 6, 7, 8, 10, tzinfo=dt.UTC)
    Paragraph.objects.filter(pk=quoted.pk).update(updated_at=paragraph_changed)
    page = client.get(PAGE)
    assert page["Last-Modified"] == "Mon, 06 May 2030 07:08:10 GMT"
    since = {"If-Modified-Since": page["Last-Modified"]}
    assert client.get(PAGE, headers=since).status_code == 304
