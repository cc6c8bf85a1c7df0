"""A statement's body rendered by the services and kept (statements/bodies.py): the
page shows it while its key holds, and renders the paragraphs itself once anything the
body is made of has changed, however it was changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import loader
from django.test.utils import CaptureQueriesContext, override_script_prefix
from django.utils import translation

from statements import bodies, services
from statements.models import Paragraph, RenderedBody, Resolution, Statement
from tests.statements.pages.test_views import (
    ABE_GUTERRES,
    STATEMENT_2397,
    SUMMARY,
    served_under,
    statement_url,
)

MARK = "<p>kept body</p>"


@pytest.fixture
def statement(seeded) -> Statement:
    services.bodies_render()
    return Statement.objects.get(slug=STATEMENT_2397)


def marked(statement: Statement) -> None:
    """Its kept body, key untouched, made recognisable: a page that shows it says so."""
    assert RenderedBody.objects.filter(statement=statement).update(html=MARK) == 1


def shows_kept_body(client, statement: Statement) -> bool:
    return MARK in client.get(statement_url(statement.slug)).content.decode()


def test_the_services_render_a_body_that_is_what_the_page_renders(client, statement):
    kept = client.get(statement_url(statement.slug)).content
    RenderedBody.objects.all().delete()
    assert client.get(statement_url(statement.slug)).content == kept
    assert b'<a href="/resolutions/2397/">2397</a>' in kept


def test_the_page_shows_the_kept_body_while_its_key_holds(client, statement):
    marked(statement)
    assert shows_kept_body(client, statement)


def test_the_page_shows_the_resolutions_kept_with_the_body_without_reading_them(client, statement):
    (kept,) = RenderedBody.objects.filter(statement=statement).values_list("resolutions", flat=True)
    columns = RenderedBody.RESOLUTION_COLUMNS
    assert [row[columns.index("number")] for row in kept] == [2397]
    kept[0][columns.index("title")] = "The title kept"
    kept[0][columns.index("adopted_on")] = "2017-12-23"
    RenderedBody.objects.filter(statement=statement).update(resolutions=kept)
    page = client.get(statement_url(statement.slug)).content.decode()
    assert '<span class="meta">The title kept</span>' in page  # the sidebar
    assert '"alternateName": "The title kept", "legislationDate": "2017-12-23"' in page
    # A body kept before its resolutions were: they are read, as the page did before.
    RenderedBody.objects.filter(statement=statement).update(resolutions=None)
    page = client.get(statement_url(statement.slug)).content.decode()
    assert "The title kept" not in page
    assert '"legislationDate": "2017-12-22"' in page


def move_citation(statement: Statement) -> None:
    cited = statement.paragraphs.filter(resolutions__isnull=False).first()
    resolution = cited.resolutions.first()
    cited.resolutions.remove(resolution)
    statement.paragraphs.exclude(resolutions=resolution).first().resolutions.add(resolution)


def renumber_cited(statement: Statement) -> None:
    resolution = Resolution.objects.get(number=2397)
    resolution.number = 2398
    resolution.save()


def edit_text(statement: Statement) -> None:
    paragraph = statement.paragraphs.get(number=2)
    paragraph.text += " Corrected."
    paragraph.save()


def delete_paragraph(statement: Statement) -> None:
    Paragraph.objects.filter(pk=statement.paragraphs.get(number=2).pk).delete()


@pytest.mark.parametrize(
    "change",
    [edit_text, delete_paragraph, move_citation, renumber_cited],
    ids=["text edited", "paragraph deleted", "citation moved", "cited resolution renumbered"],
)
def test_a_change_outside_the_services_makes_the_page_render_the_body_itself(
    client, statement, change
):
    marked(statement)
    change(statement)
    page = client.get(statement_url(statement.slug)).content.decode()
    assert MARK not in page
    if change is renumber_cited:  # its text still says 2397, which now cites nothing
        assert 'href="/resolutions/2397/"' not in page
        assert '<a href="/resolutions/2398/">2397</a>' not in page
        # The sidebar's and the JSON-LD's resolutions are read, not the kept ones.
        assert '<a href="/resolutions/2398/">S/RES/2398 (2017)</a>' in page
        assert '"legislationIdentifier": "S/RES/2398 (2017)"' in page
    # The command renders what is stale, and the page shows it again.
    call_command("render_bodies", verbosity=0)
    marked(statement)
    assert shows_kept_body(client, statement)


def test_the_services_render_the_body_again_when_they_write_it(client, statement):
    marked(statement)
    paragraphs = [
        {"number": p.number, "text": p.text + (" Amended." if p.number == 2 else "")}
        for p in statement.body()
    ]
    services.statement_update(
        statement=statement, expected_version=statement.version, paragraphs=paragraphs
    )
    kept = RenderedBody.objects.get(statement=statement)
    assert "Amended." in kept.html
    assert bodies.kept(Statement.objects.get(pk=statement.pk), None) is None  # no stamps
    page = client.get(statement_url(statement.slug)).content.decode()
    assert kept.html in page


def test_renumbering_a_resolution_renders_the_bodies_citing_it(statement):
    resolution = Resolution.objects.get(number=2397)
    services.resolution_update(resolution=resolution, number=2398)
    assert 'href="/resolutions/2397/"' not in RenderedBody.objects.get(statement=statement).html
    kept = bodies.kept_of([statement.pk])[statement.pk]
    assert kept.key == bodies.body_key(kept.stamps, statement.slug, statement.kind)


def test_deleting_a_resolution_renders_the_bodies_that_cited_it(client, statement):
    services.resolution_delete(resolution=Resolution.objects.get(number=2397))
    kept = RenderedBody.objects.get(statement=statement)
    assert 'href="/resolutions/2397/"' not in kept.html
    marked(statement)
    assert shows_kept_body(client, statement)


def test_a_page_served_under_another_prefix_renders_its_own_links(client, statement):
    marked(statement)
    with override_script_prefix("/"):  # restored after: the handler sets it for the thread
        mounted = served_under("/archive", statement_url(statement.slug))
    assert MARK not in mounted
    assert '<a href="/archive/resolutions/2397/">2397</a>' in mounted


@override_script_prefix("/")
def test_the_key_follows_the_stamps_the_address_the_kind_the_language_and_the_prefix():
    stamps = (3, dt.datetime(2024, 1, 2, tzinfo=dt.UTC), 0, None, None)

    def key(stamps=stamps, slug="a-statement", kind="statement"):
        return bodies.body_key(stamps, slug, kind)

    assert key() == key()
    assert key() != key((4, *stamps[1:]))
    assert key() != key((3, dt.datetime(2024, 1, 3, tzinfo=dt.UTC), *stamps[2:]))
    assert key() != key(slug="renamed")  # a quoted body links the statement's address
    assert key() != key(kind="meeting_summary")  # only a summary is kept quoted
    here = key()
    with override_script_prefix("/archive/"):
        assert key() != here
    with translation.override("fr"):
        assert key() != here


def test_the_command_renders_only_stale_bodies_unless_asked_for_all(statement, capsys):
    call_command("render_bodies")
    assert "Rendered 0 statement bodies." in capsys.readouterr().out
    edit_text(statement)
    call_command("render_bodies")
    assert "Rendered 1 statement bodies." in capsys.readouterr().out
    call_command("render_bodies", "--all")
    assert f"Rendered {Statement.objects.count()} statement bodies." in capsys.readouterr().out


@pytest.mark.parametrize("auto_reload", [False, True], ids=["production", "development"])
def test_the_key_follows_an_edit_of_the_rendering_code_in_development_only(
    tmp_path, monkeypatch, request, auto_reload
):
    request.addfinalizer(bodies._kept_digest.cache_clear)  # the real code's, after
    code = tmp_path / "rendering_code_under_test.py"
    code.write_text("LINK = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(bodies, "_RENDERING_MODULES", ("rendering_code_under_test",))
    environment = loader.get_template(bodies.TEMPLATE).template.environment
    monkeypatch.setattr(environment, "auto_reload", auto_reload)
    bodies._kept_digest.cache_clear()
    before = bodies.rendering()
    code.write_text("LINK = 2\n")
    # Production reads the code once a process (a release restarts it); development, at
    # every page, as its templates reload.
    assert (bodies.rendering() != before) is auto_reload
    bodies._kept_digest.cache_clear()
    assert bodies.rendering() != before


def test_the_environment_the_key_reads_is_the_one_pages_render_with_after_a_settings_change(
    settings,
):
    bodies.rendering()  # looks the environment up
    settings.DEBUG = not settings.DEBUG  # Django makes its template engines anew
    assert bodies._environment() is loader.get_template(bodies.TEMPLATE).template.environment


# --- A meeting summary, quoted whole by its meeting's page -------------------------------

QUOTED_MARK = "<p>kept summary</p>"


@pytest.fixture
def summary(seeded) -> Statement:
    services.bodies_render()
    return Statement.objects.get(slug=SUMMARY)


def meeting_page(client) -> str:
    return client.get(f"/meetings/{ABE_GUTERRES}/").content.decode()


def quoted_marked(summary: Statement) -> None:
    assert RenderedBody.objects.filter(statement=summary).update(quoted_html=QUOTED_MARK) == 1


def test_only_a_meeting_summary_is_kept_quoted(summary):
    quoted = dict(RenderedBody.objects.values_list("statement__kind", "quoted_html"))
    assert quoted.pop(Statement.Kind.MEETING_SUMMARY).startswith('<div class="paragraph">')
    assert set(quoted.values()) == {""}


def test_the_meetings_page_quotes_its_summary_as_kept_and_as_it_renders_it(client, summary):
    kept = meeting_page(client)
    assert f'href="/statements/{SUMMARY}/#p-1"' in kept
    quoted_marked(summary)
    assert QUOTED_MARK in meeting_page(client)
    RenderedBody.objects.all().delete()
    assert meeting_page(client) == kept


def test_the_meetings_page_renders_a_summary_changed_outside_the_services(client, summary):
    quoted_marked(summary)
    edit = summary.paragraphs.order_by("position").first()
    edit.text += " Corrected."
    edit.save()
    page = meeting_page(client)
    assert QUOTED_MARK not in page and "Corrected." in page


def test_a_summary_given_a_new_address_is_quoted_with_links_to_it(client, summary):
    quoted_marked(summary)
    services.statement_update(
        statement=summary, expected_version=summary.version, slug="the-summary-moved"
    )
    page = meeting_page(client)
    assert QUOTED_MARK not in page
    assert 'href="/statements/the-summary-moved/#p-1"' in page
    assert f"/statements/{SUMMARY}/#" not in page
    assert 'href="/statements/the-summary-moved/#p-1"' in (
        RenderedBody.objects.get(statement=summary).quoted_html
    )


def test_a_statement_made_a_summary_is_kept_quoted_by_the_services(client, seeded):
    services.bodies_render()
    statement = Statement.objects.get(slug=STATEMENT_2397)
    assert RenderedBody.objects.get(statement=statement).quoted_html == ""
    services.statement_update(
        statement=statement,
        expected_version=statement.version,
        kind=Statement.Kind.MEETING_SUMMARY,
    )
    assert 'class="paragraph"' in RenderedBody.objects.get(statement=statement).quoted_html


def test_a_statements_page_does_not_read_its_quoted_body(client, summary):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(statement_url(SUMMARY)).status_code == 200
    assert not any("quoted_html" in query["sql"] for query in queries.captured_queries)
