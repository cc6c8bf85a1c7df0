"""A statement whose body is a tree: headings, nested items, permalinks and their names."""

import re

import pytest

from statements import services
from statements.models import RenderedQuote, Statement
from statements.search import search_archive
from tests.factories import MeetingFactory, ParticipantFactory, ResolutionFactory

pytestmark = pytest.mark.django_db

NESTED = [
    {"kind": "heading", "label": "1", "number": 1, "text": "Peace and security"},
    {"label": "(1)", "parent": 1, "text": "Japan reaffirmed its position."},
    {"kind": "heading", "label": "2", "number": 2, "text": "Reform of the Security Council"},
    {"label": "(1)", "parent": 3, "text": "Japan proposed the following steps:"},
    {"label": "(a)", "parent": 4, "text": "implementing resolution 2397 in full;"},
    {"label": "", "parent": 4, "text": "Japan said so twice."},
]


def nested_statement(*deeper: dict) -> Statement:
    ResolutionFactory(number=2397)
    return services.statement_create(
        title="Outcome of the Open Debate",
        slug="2024-06-04-outcome",
        date="2024-06-04",
        status=Statement.Status.PUBLISHED,
        paragraphs=[*NESTED, *deeper],
    )


def blocks(html: str) -> list[tuple[str, str]]:
    """(anchor, screen-reader name) of every permalink, in page order."""
    return re.findall(r'<a class="paragraph__permalink" href="#([^"]+)" aria-label="([^"]+)"', html)


def test_headings_render_as_headings_and_items_nest_under_them(client):
    html = client.get(nested_statement().get_absolute_url()).content.decode()
    assert '<h2 class="paragraph__heading">Peace and security</h2>' in html
    assert 'class="paragraph paragraph--depth-1" id="p1-1"' in html
    assert 'class="paragraph paragraph--depth-2" id="p2-1-a"' in html
    assert html.index("<h1>") < html.index('<h2 class="paragraph__heading">')


def test_every_block_is_a_permalink_with_a_name_of_its_own(client):
    html = client.get(nested_statement().get_absolute_url()).content.decode()
    assert blocks(html) == [
        ("p1", "Heading 1, permalink"),
        ("p1-1", "Paragraph 1 (1), permalink"),
        ("p2", "Heading 2, permalink"),
        ("p2-1", "Paragraph 2 (1), permalink"),
        ("p2-1-a", "Paragraph 2 (1) (a), permalink"),
        ("p-6", "Paragraph under 2 (1) beginning “Japan said so twice.”, permalink"),
    ]
    names = [name for _anchor, name in blocks(html)]
    assert len(set(names)) == len(names)
    # Labels are shown as printed.
    assert '<a class="paragraph__permalink" href="#p2-1-a"' in html
    assert re.search(r'href="#p2-1-a"[^>]*>\(a\)</a>', html)


def flat_statement(paragraphs: list[dict]) -> Statement:
    return services.statement_create(
        title="Flat",
        slug="2024-06-05-flat",
        date="2024-06-05",
        status=Statement.Status.PUBLISHED,
        paragraphs=paragraphs,
    )


def test_a_flat_statement_renders_as_before(client):
    statement = flat_statement([{"text": "Opening."}, {"number": 1, "text": "First."}])
    html = client.get(statement.get_absolute_url()).content.decode()
    assert blocks(html) == [
        ("p-1", "Paragraph beginning “Opening.”, permalink"),
        ("p1", "Paragraph 1, permalink"),
    ]
    assert '<div class="paragraph" id="p1">' in html
    assert "paragraph--" not in html


def test_unnumbered_paragraphs_are_named_by_their_first_words_each_differently(client):
    statement = flat_statement(
        [
            {"text": "Japan highly appreciates the unanimous adoption of resolution 2397."},
            {"text": "Japan highly appreciates the efforts of the United States."},
            {"text": "North Korea must take concrete actions."},
            {"number": 1, "text": "Japan will continue to work closely with the Council."},
        ]
    )
    html = client.get(statement.get_absolute_url()).content.decode()
    names = [name for _anchor, name in blocks(html)]
    assert names == [
        "Paragraph beginning “Japan highly appreciates the unanimous adoption…”, permalink",
        "Paragraph beginning “Japan highly appreciates the efforts of…”, permalink",
        "Paragraph beginning “North Korea must take concrete actions.”, permalink",
        "Paragraph 1, permalink",
    ]
    assert len(set(names)) == len(names)


def test_a_nested_page_runs_as_many_queries_as_a_flat_one(client, django_assert_num_queries):
    statement = nested_statement()
    # statement (with its previous and next, and its body rendered by the services with
    # the resolutions it cites), change notes, validators (no meetings, which the
    # validators count); as many as test_views pins for a flat one
    with django_assert_num_queries(3):
        assert client.get(statement.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("kept", [True, False], ids=["quotes kept", "quotes rendered"])
def test_the_resolution_page_names_the_heading_and_label_path(
    client, django_assert_num_queries, kept
):
    nested_statement()
    if not kept:
        RenderedQuote.objects.all().delete()
    # Kept, the quotes come in the read of the ETag's stamps; rendered, as test_views pins
    # for flat paragraphs, the ancestors come in the paragraphs' join, and their citations.
    with django_assert_num_queries(3 if kept else 5):
        html = client.get("/resolutions/2397/").content.decode()
    assert "2. Reform of the Security Council, (1) (a)</a>" in html
    assert 'href="/statements/2024-06-04-outcome/#p2-1-a"' in html


def test_search_hits_name_the_heading_they_sit_under(client):
    nested_statement()
    html = client.get("/search/", {"q": "implementing"}).content.decode()
    assert "Outcome of the Open Debate, 2. Reform of the Security Council, (1) (a)</a>" in html


def test_the_meeting_page_names_quoted_blocks_by_heading_and_label_path(
    client, django_assert_num_queries
):
    meeting = MeetingFactory()
    ResolutionFactory(number=2397)
    services.statement_create(
        title="Japan-UN Meeting",
        slug="2024-06-04-meeting",
        date="2024-06-04",
        kind=Statement.Kind.MEETING_SUMMARY,
        status=Statement.Status.PUBLISHED,
        meetings=[meeting],
        paragraphs=NESTED,
    )
    ParticipantFactory(meeting=meeting, name="Taro Kono")
    ParticipantFactory(meeting=meeting, name="Julie Bishop")
    services.statement_create(  # quoted only where it names the meeting
        title="Week at the General Assembly",
        slug="2024-06-05-week",
        date="2024-06-05",
        status=Statement.Status.PUBLISHED,
        meetings=[meeting],
        paragraphs=[
            {"kind": "heading", "label": "1", "number": 1, "text": "Bilateral meetings"},
            {"label": "(1)", "parent": 1, "text": "Minister Kono met Minister Bishop."},
        ],
    )
    # validators, meeting, participants, statements, the summary's kept body, the
    # mention's paragraphs, resolutions: as flat
    with django_assert_num_queries(7):
        html = client.get(meeting.get_absolute_url()).content.decode()
    names = re.findall(r'class="paragraph__permalink" href="[^"]+" aria-label="([^"]+)"', html)
    assert names == [
        "1. Peace and security in the statement",
        "1. Peace and security, (1) in the statement",
        "2. Reform of the Security Council in the statement",
        "2. Reform of the Security Council, (1) in the statement",
        "2. Reform of the Security Council, (1) (a) in the statement",
        "Paragraph under 2. Reform of the Security Council, (1) beginning “Japan said so "
        "twice.” in the statement",
        "1. Bilateral meetings, (1) in the statement",
    ]


def test_a_search_hit_names_its_place_and_shows_its_statement_without_a_query(
    django_assert_num_queries,
):
    # Three blocks above the deepest item: as deep as with_related() joins in.
    nested_statement({"label": "(i)", "parent": 5, "text": "Ratifying treaties."})
    (hit,) = search_archive("ratifying").hits[0:20]
    with django_assert_num_queries(0):
        shown = (
            hit.paragraph.place_name,
            hit.paragraph.get_absolute_url(),
            hit.paragraph.number,
            hit.paragraph.updated_at,
            [hit.statement.title, hit.statement.date, hit.statement.speaker],
            [hit.statement.get_kind_display(), hit.statement.published_at],
            hit.statement.updated_at,
        )
    assert shown[0] == "2. Reform of the Security Council, (1) (a) (i)"
