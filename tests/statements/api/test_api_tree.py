"""The API's blocks: kind, label, depth, parent (by anchor) and anchor, read and written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from statements import services
from statements.models import Statement
from tests.factories import UserFactory
from tests.statements.api.test_api import EDITOR_PERMISSIONS

pytestmark = pytest.mark.django_db

BLOCKS = [
    {"kind": "heading", "label": "1", "number": 1, "text": "Peace and security"},
    {"label": "(1)", "parent": "p1", "text": "Japan reaffirmed its position."},
    {"label": "(a)", "parent": "p1-1", "text": "in the Council;"},
    {"label": "", "parent": "p1", "text": "Japan said so twice."},
    {"kind": "heading", "label": "2", "number": 2, "text": "Council reform"},
]
READ = [
    ("heading", "1", 0, None, "p1"),
    ("paragraph", "(1)", 1, "p1", "p1-1"),
    ("paragraph", "(a)", 2, "p1-1", "p1-1-a"),
    ("paragraph", "", 1, "p1", "p-4"),
    ("heading", "2", 0, None, "p2"),
]


def payload(slug: str, paragraphs: list[dict]) -> dict:
    return {
        "slug": slug,
        "title": "Outcome of the Open Debate",
        "kind": "statement",
        "date": "2024-06-04",
        "status": "published",
        "paragraphs": paragraphs,
    }


@pytest.fixture
def editor_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(username="editor", permissions=EDITOR_PERMISSIONS))
    return client


def shape(paragraphs: list[dict]) -> list[tuple]:
    return [(p["kind"], p["label"], p["depth"], p["parent"], p["anchor"]) for p in paragraphs]


def test_a_tree_written_with_parent_anchors_reads_back_in_reading_order(editor_client):
    response = editor_client.post("/api/v1/statements/", payload("nested", BLOCKS), format="json")
    assert response.status_code == 201, response.content
    detail = editor_client.get("/api/v1/statements/nested/").json()
    assert shape(detail["paragraphs"]) == READ
    assert [p["position"] for p in detail["paragraphs"]] == [1, 2, 3, 4, 5]
    assert detail["paragraphs"][2]["permalink"].endswith("/statements/nested/#p1-1-a")


def test_what_the_api_reads_out_can_be_written_back_unchanged(editor_client):
    editor_client.post("/api/v1/statements/", payload("nested", BLOCKS), format="json")
    read = editor_client.get("/api/v1/statements/nested/").json()
    fields = ("number", "kind", "label", "depth", "parent", "text")
    echoed = [{name: p[name] for name in fields} for p in read["paragraphs"]]
    response = editor_client.put(
        "/api/v1/statements/nested/",
        {**payload("nested", echoed), "version": read["version"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert shape(editor_client.get("/api/v1/statements/nested/").json()["paragraphs"]) == READ


def test_positions_name_parents_too(editor_client):
    blocks = [{**b, "parent": {"p1": 1, "p1-1": 2}.get(b.get("parent"))} for b in BLOCKS]
    response = editor_client.post("/api/v1/statements/", payload("nested", blocks), format="json")
    assert response.status_code == 201, response.content
    assert shape(editor_client.get("/api/v1/statements/nested/").json()["paragraphs"]) == READ


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({1: {"parent": 4}}, "Block (1) (position 2): its parent (position 4) comes after it."),
        ({1: {"parent": "p9"}}, "Block (1) (position 2): no block before it has the anchor p9."),
        ({2: {"depth": 3}}, "Block (a) (position 3): depth 3, but its parent makes it 2."),
        (
            {3: {"number": 2}, 4: {"number": 3}},
            "Block at position 4: only a top-level block has a printed number.",
        ),
        ({1: {"parent": "not an anchor"}}, "or its position (a number from 1)"),
    ],
)
def test_an_impossible_tree_is_a_400_naming_the_block(editor_client, change, message):
    blocks = [{**b, **change.get(i, {})} for i, b in enumerate(BLOCKS)]
    response = editor_client.post("/api/v1/statements/", payload("nested", blocks), format="json")
    assert response.status_code == 400, response.content
    assert message in str(response.json()["errors"]["paragraphs"])
    assert not Statement.objects.exists()


def queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_nested_blocks_cost_no_more_queries_than_flat_ones(client):
    flat = [{"number": n, "text": f"Paragraph {n}."} for n in range(1, 6)]
    for slug, blocks in (("flat", flat), ("nested", BLOCKS)):
        services.statement_create(**payload(slug, blocks))
    assert queries(client, "/api/v1/statements/nested/") == queries(
        client, "/api/v1/statements/flat/"
    )
    listed = client.get("/api/v1/paragraphs/?page_size=100").json()["results"]
    assert {(p["anchor"], p["parent"]) for p in listed if p["statement"] == "nested"} == {
        (anchor, parent) for *_, parent, anchor in READ
    }
