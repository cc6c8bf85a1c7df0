"""Whatever editors or imported pages put in a title, a paragraph or a name is shown as
text on every surface (pages, search snippets, feeds, JSON-LD, admin, API), and whatever
readers type into search and filters reaches the database only as a parameter."""

import json
import re
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
import reversion
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from statements.models import Meeting, Paragraph, Resolution, Statement
from statements.pages.templatetags import json_ld
from statements.search import (
    filter_statements,
    newest_paragraphs,
    newest_statements,
    search_paragraphs,
)
from tests.factories import (
    MeetingFactory,
    ParagraphFactory,
    ParticipantFactory,
    ResolutionFactory,
    StatementFactory,
)

# Markup, both quotes, a closing script tag and Django template syntax in one string.
PAYLOAD = """<script>alert(1)</script> "q' </script> {{ 7*7 }} {% now "Y" %}"""
ATOM = "{http://www.w3.org/2005/Atom}"


class Rendered(HTMLParser):
    """What a browser shows: text and attribute values, and the elements it builds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.scripts: list[dict] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.text.extend(value for value in attributes.values() if value)
        if tag == "script":
            self.scripts.append(attributes)
            self._in_json_ld = attributes.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        (self.json_ld if self._in_json_ld else self.text).append(data)


def rendered(html: str) -> Rendered:
    parser = Rendered()
    parser.feed(html)
    return parser


def assert_shown_as_text(html: str) -> None:
    page = rendered(html)
    assert any(PAYLOAD in text for text in page.text), "the payload is not shown as text"
    assert "<script>alert(1)" not in html
    # Every script element is one of ours: a file, or the JSON-LD block.
    assert all(
        script.get("src") or script.get("type") in ("application/ld+json", "application/json")
        for script in page.scripts
    )
    for block in page.json_ld:
        assert "</script" not in block.lower() and "<!--" not in block
        json.loads(block)


@pytest.fixture
def hostile(db):
    """Every public text field holds the payload."""
    resolution = ResolutionFactory(number=2397, title=f"Sanctions {PAYLOAD}")
    meeting = MeetingFactory(
        slug="hostile-meeting",
        title=f"Kestrel meeting {PAYLOAD}",
        location=f"New York {PAYLOAD}",
        occasion=f"General Assembly {PAYLOAD}",
    )
    ParticipantFactory(
        meeting=meeting,
        name=f"Kestrel Person {PAYLOAD}",
        role=f"Minister {PAYLOAD}",
        organisation=f"Japan {PAYLOAD}",
    )
    statement = StatementFactory(
        slug="hostile-statement", title=f"Kestrel {PAYLOAD}", speaker=f"Ambassador {PAYLOAD}"
    )
    statement.meetings.add(meeting)
    paragraph = ParagraphFactory(
        statement=statement, position=1, number=1, text=f"Kestrel resolution 2397 {PAYLOAD}"
    )
    paragraph.resolutions.add(resolution)
    return statement


PUBLIC_PAGES = {
    "home": "/",
    "statement list": "/statements/",
    "statement": "/statements/hostile-statement/",
    "resolution list": "/resolutions/",
    "resolution": "/resolutions/2397/",
    "meeting list": "/meetings/",
    "meeting": "/meetings/hostile-meeting/",
    "search snippet": "/search/?q=kestrel",
    "search for the payload": "/search/?q=" + PAYLOAD,
}


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_pages_show_hostile_text_as_text(client, hostile, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_shown_as_text(response.content.decode())


def test_search_snippets_escape_the_text_and_mark_only_the_match(client, hostile):
    html = client.get("/search/?q=kestrel").content.decode()
    marks = re.findall(r"<mark>(.*?)</mark>", html)
    assert marks and all(mark.lower() == "kestrel" for mark in marks)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "path", ["/statements/hostile-statement/", "/meetings/hostile-meeting/", "/resolutions/2397/"]
)
def test_json_ld_carries_hostile_text_as_data(client, hostile, path):
    page = rendered(client.get(path).content.decode())
    [block] = page.json_ld
    assert "</script" not in block and "<" not in block
    assert PAYLOAD in json.dumps(json.loads(block), ensure_ascii=False).replace('\\"', '"')


@given(st.text(), st.text(alphabet="<>&/\\\"'u003CEa é"))
def test_json_ld_escapes_as_json_script_does_whatever_the_text(text, markup):
    data = {"name": text, "articleBody": markup, "parts": [markup, {"text": text}]}
    element = json_ld(data)
    start, end = '<script type="application/ld+json">', "</script>"
    assert element.startswith(start) and element.endswith(end)
    block = element[len(start) : -len(end)]
    assert not {"<", ">", "&"} & set(block)
    assert json.loads(block) == data
    # The bytes json_script's table gives (str.translate), which the page kept before.
    table = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
    assert block == json.dumps(data, ensure_ascii=False).translate(table)


@pytest.mark.parametrize("path", ["/statements/feed/", "/resolutions/2397/feed/"])
def test_atom_feeds_show_hostile_text_as_text(client, hostile, path):
    response = client.get(path)
    assert response.status_code == 200
    [entry] = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == f"Kestrel {PAYLOAD}"
    summary = entry.find(f"{ATOM}summary")
    # A feed reader renders an html summary as HTML: it must come out as the text.
    assert summary.get("type") == "html"
    assert "<script" not in summary.text
    shown = "".join(rendered(summary.text).text)
    assert PAYLOAD in shown


def test_the_api_returns_hostile_text_unchanged_as_json(client, hostile):
    statement = client.get("/api/v1/statements/hostile-statement/").json()
    assert statement["title"] == f"Kestrel {PAYLOAD}"
    assert statement["speaker"] == f"Ambassador {PAYLOAD}"
    assert statement["paragraphs"][0]["text"] == f"Kestrel resolution 2397 {PAYLOAD}"
    meeting = client.get("/api/v1/meetings/hostile-meeting/").json()
    assert meeting["title"] == f"Kestrel meeting {PAYLOAD}"
    assert meeting["participants"][0]["name"] == f"Kestrel Person {PAYLOAD}"
    response = client.get("/api/v1/statements/")
    assert response.headers["Content-Type"] == "application/json"


def admin_pages(statement: Statement) -> dict[str, str]:
    with reversion.create_revision():
        statement.save()
    with reversion.create_revision():
        statement.title = f"Kestrel, revised {PAYLOAD}"
        statement.save()
    versions = reversion.models.Version.objects.get_for_object(statement).order_by("pk")
    meeting = statement.meetings.get()
    return {
        "statement changelist": reverse("admin:statements_statement_changelist"),
        "statement changelist search": reverse("admin:statements_statement_changelist")
        + "?q=kestrel",
        "statement change form": reverse("admin:statements_statement_change", args=[statement.pk]),
        "statement history": reverse("admin:statements_statement_history", args=[statement.pk]),
        "statement history diff": reverse("admin:statements_statement_compare", args=[statement.pk])
        + f"?version_id1={versions[0].pk}&version_id2={versions[1].pk}",
        "meeting changelist": reverse("admin:statements_meeting_changelist"),
        "meeting change form": reverse("admin:statements_meeting_change", args=[meeting.pk]),
        "resolution change form": reverse(
            "admin:statements_resolution_change",
            args=[Resolution.objects.get(number=2397).pk],
        ),
        "delete confirmation": reverse("admin:statements_statement_delete", args=[statement.pk]),
    }


def test_admin_pages_show_hostile_text_as_text(admin_client, hostile):
    for name, path in admin_pages(hostile).items():
        response = admin_client.get(path)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "<script>alert(1)" not in html, name
        assert any(PAYLOAD in text for text in rendered(html).text), name


# --- Search and filter input reaches SQL as parameters only ------------------------------

HOSTILE_QUERIES = [
    "' OR 1=1 --",
    '"; DROP TABLE statements_statement; --',
    "'; DELETE FROM statements_paragraph; --",
    "NEAR(",
    "NEAR(kestrel hovers, 2)",
    "*",
    "kestr*",
    "^kestrel",
    "text:kestrel",
    "title:kestrel",
    '"unbalanced',
    ")",
    "AND OR NOT",
    "-kestrel",
    "%",
    "_",
    "\\",
    "ȷ\u202e\ufeff",
]
# What each query means as the web-search syntax the site promises: words must all be
# there; operators and column filters of the engines are just words or nothing.
EXPECTED_HITS = {
    "NEAR(kestrel hovers, 2)": False,  # also needs "near" and "2"
    "^kestrel": True,
}


@pytest.fixture
def archive(db):
    statement = StatementFactory(slug="kestrel", title="The kestrel", speaker="Ambassador Bessho")
    ParagraphFactory(statement=statement, text="The kestrel hovers over the field.")
    meeting = MeetingFactory(slug="kestrel-meeting", title="A meeting")
    ParticipantFactory(meeting=meeting, name="António Guterres")
    statement.meetings.add(meeting)
    return statement


def tables_are_intact() -> None:
    assert {"statements_statement", "statements_paragraph"} <= set(
        connection.introspection.table_names()
    )
    assert Statement.objects.count() == 1 and Paragraph.objects.count() == 1
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_search_is_only_words(client, archive, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    found = "hovers over the field" in response.content.decode()
    assert found is EXPECTED_HITS.get(query, False)
    tables_are_intact()


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_api_search_is_only_words(client, archive, query):
    for path in ("/api/v1/statements/", "/api/v1/paragraphs/"):
        response = client.get(path, {"q": query})
        # Other engines' syntax is words or nothing to this one: never a 400 or a 500.
        assert response.status_code == 200, response.content
        assert (response.json()["count"] == 1) is EXPECTED_HITS.get(query, False), path
    tables_are_intact()


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_speaker_and_participant_filters_match_nothing(client, archive, query):
    # The public filter offers the speakers there are: anything else is refused, visibly.
    page = client.get("/statements/", {"speaker": query})
    assert page.status_code == 200
    assert "is not one of the available choices" in page.content.decode()
    for path, name in (("/api/v1/statements/", "speaker"), ("/api/v1/meetings/", "participant")):
        response = client.get(path, {name: query})
        assert response.status_code == 200, response.content
        assert response.json()["count"] == 0, (path, query)
    tables_are_intact()


def test_the_filters_still_find_what_is_there(client, archive):
    assert (
        "The kestrel"
        in client.get("/statements/", {"speaker": "Ambassador Bessho"}).content.decode()
    )
    assert client.get("/api/v1/statements/", {"speaker": "bessho"}).json()["count"] == 1
    assert client.get("/api/v1/meetings/", {"participant": "antonio"}).json()["count"] == 1
    assert client.get("/api/v1/paragraphs/", {"q": "kestrel"}).json()["count"] == 1


def test_a_nul_character_in_a_search_is_refused_not_an_error(client, archive):
    assert client.get("/search/", {"q": "kestrel\x00"}).status_code == 200
    paragraphs = client.get("/api/v1/paragraphs/", {"q": "kestrel\x00"})
    assert paragraphs.status_code == 400, paragraphs.content
    statements = client.get("/api/v1/statements/", {"speaker": "\x00"})
    assert statements.status_code == 400, statements.content
    assert paragraphs.json()["code"] == statements.json()["code"] != "error"
    tables_are_intact()


# Tables surviving proves little: a query formatted into the SQL string passes all of the
# above. So follow a marker word in hostile input to the driver: it must arrive in the
# parameters and never in the SQL text, on every path reader or editor text takes.
MARKER = "zqxmarker"  # lower case, one \w+ word: every search and filter keeps it whole
HOSTILE_TAILS = [
    f"' OR {MARKER}=1 --",
    f"{MARKER}'); DELETE FROM statements_paragraph; --",
    f'"; DROP TABLE statements_statement; -- {MARKER}',
    f'"{MARKER} unbalanced',
    f"NEAR({MARKER} hovers, 2)",
    f"{MARKER}* title:{MARKER} ^{MARKER}",
    f"%{MARKER}_\\ $1 %s %(x)s",
]
# Each query, and whether it finds the archive's paragraph: alone a tail finds nothing;
# beside "kestrel" it does, so the paths that run only with hits (ranking, snippets,
# highlights) see the marker too.
MARKED_QUERIES = {tail: False for tail in HOSTILE_TAILS} | {
    f"kestrel or ' OR {MARKER}=1 --": True,
    f'kestrel or "; DROP TABLE statements_statement; -- {MARKER}': True,
    f'kestrel or "{MARKER} unbalanced': True,
    f"kestrel or {MARKER}* or title:{MARKER} or ^{MARKER}": True,
    f"kestrel -{MARKER}* -%{MARKER}_": True,
}


@contextmanager
def sent_to_the_database():
    """(sql, params) of every statement as Django hands it to the driver. Not
    CaptureQueriesContext: its 'sql' has the parameters interpolated on SQLite."""
    executed: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield executed


def assert_only_a_parameter(executed, where: str, *, reaches_the_database: bool = True) -> None:
    in_sql = [sql for sql, _ in executed if MARKER in sql.lower()]
    assert not in_sql, f"{where}: reader text in the SQL string: {in_sql[0]}"
    if reaches_the_database:
        assert any(MARKER in repr(params).lower() for _, params in executed), (
            f"{where}: the marker never reached the database, so this proves nothing"
        )


@pytest.mark.parametrize(("query", "finds"), MARKED_QUERIES.items())
def test_reader_text_reaches_sql_only_as_parameters(client, admin_client, archive, query, finds):
    with sent_to_the_database() as executed:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert ("hovers over the field" in response.content.decode()) is finds
    assert_only_a_parameter(executed, "search page")
    with sent_to_the_database() as executed:
        hits = search_paragraphs(query, year=2017, kind="statement", resolution=2397)
        hits[0:10]
        assert hits.count() == 0
        hits = search_paragraphs(query)
        assert [hit.paragraph.text for hit in hits[0:10]] == (
            ["The kestrel hovers over the field."] if finds else []
        )
    assert_only_a_parameter(executed, "search_paragraphs")
    with sent_to_the_database() as executed:
        assert len(newest_paragraphs(query).ids) == finds
    assert_only_a_parameter(executed, "newest_paragraphs")
    with sent_to_the_database() as executed:
        assert len(newest_statements(query).ids) == finds
    assert_only_a_parameter(executed, "newest_statements")
    with sent_to_the_database() as executed:
        assert len(filter_statements(Statement.objects.all(), query)) == finds
    assert_only_a_parameter(executed, "filter_statements")

    api = [
        ("/api/v1/statements/", "q"),
        ("/api/v1/paragraphs/", "q"),
        ("/api/v1/statements/", "speaker"),
        ("/api/v1/statements/", "meeting"),
        ("/api/v1/paragraphs/", "statement"),
        ("/api/v1/meetings/", "participant"),
        ("/api/v1/meetings/", "location"),
    ]
    for path, name in api:
        with sent_to_the_database() as executed:
            response = client.get(path, {name: query})
            assert response.status_code == 200, (path, name, response.content)
            expected = int(finds and name == "q")
            assert response.json()["count"] == expected, (path, name)
        assert_only_a_parameter(executed, f"{path}?{name}=")
    for model in ("statement", "meeting", "resolution"):
        with sent_to_the_database() as executed:
            response = admin_client.get(f"/admin/statements/{model}/", {"q": query})
            assert response.status_code == 200
        assert_only_a_parameter(executed, f"admin {model} search")
    # The public speaker filter offers the speakers there are: the text is refused
    # before any query.
    with sent_to_the_database() as executed:
        assert client.get("/statements/", {"speaker": query}).status_code == 200
    assert_only_a_parameter(executed, "statement list speaker", reaches_the_database=False)
