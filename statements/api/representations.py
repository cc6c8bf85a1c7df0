"""What the API's reads answer: plain dicts built from rows (``values()``) and a few
queries per page, never a model instance or a serializer field per value. DRF's nested
serializers cost a statement's detail 20 ms for its 30 paragraphs; this is a dict per row.

The read serializers (statements/api/serializers.py) stay the description of these shapes
for the OpenAPI schema; tests/statements/api/test_output_unchanged.py holds the bytes to
what they answered, and test_api_schema.py that the keys are the serializers' fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import F, Model, QuerySet, TextField
from django.db.models.functions import Cast, Greatest
from django.utils import timezone
from rest_framework import fields
from rest_framework.request import Request

from statements.api import serializers
from statements.api.serializers import OffsetDateTimeField, optional_uri
from statements.models import (
    JAPAN_TZ,
    ChangeNote,
    Paragraph,
    Participant,
    Statement,
    built_once,
    cited_numbers_by_paragraph,
    cited_numbers_by_statement,
    compiled_rows,
    meeting_slugs_by_statement,
    meeting_start,
    page_url_reverser,
    reporting_slugs_by_meeting,
    rows_by_key,
    vote_is_unanimous,
)

Row = dict

# DRF's own conversions, where they are more than isoformat(): the current time zone and
# "Z" for UTC (DateTimeField), a zone's own offset (OffsetDateTimeField).
_offset_datetime = OffsetDateTimeField().to_representation


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: dt.time | None) -> str | None:
    return value.isoformat() if value is not None else None


def rows_of(
    model: type[Model],
    columns: tuple[str, ...],
    order: tuple[str, ...] = (),
    scope: str = "all",
) -> QuerySet:
    """``model``'s rows with these columns (and order, else its default one), of a
    ``scope`` (a method of its QuerySet: ``published``, ``readable``...): a fresh copy of
    a QuerySet built once, since values() resolving every column again cost a third of
    building a query, and the ORM's building is most of what a query costs."""
    # built_once(): never the kept one, never evaluated
    return built_once(_values, model, columns, order, scope, None).all()


def rows_by(
    key: str,
    ids: Iterable[int],
    model: type[Model],
    columns: tuple[str, ...],
    order: tuple[str, ...] = (),
    scope: str = "all",
) -> list[Row]:
    """``rows_of`` whose ``key`` column is one of ``ids``, from SQL compiled once for as
    many ids (``rows_by_key``). The key is an alias built with the rest: a filter naming
    the column resolved it again each time (0.11 ms for a list of ids against 0.05)."""
    return rows_by_key(_values, (model, columns, order, scope, key), ids)


# Columns a read may name that are not the model's: its last change as the database
# writes it. One engine writes every time in one format, in UTC, so as text the newest
# sorts last: a list compares a page's times and converts only the newest (``as_datetime``),
# where converting each was a tenth of the API's meeting list (110 a page, callgrind).
TEXT_COLUMNS = {"updated_text": Cast("updated_at", TextField())}


def _values(
    model: type[Model],
    columns: tuple[str, ...],
    order: tuple[str, ...],
    scope: str,
    key: str | None,
) -> QuerySet:
    queryset = getattr(model.objects, scope)()
    if key:
        queryset = queryset.alias(key=F(key))  # what rows_by_key() reads by
    named = {name: TEXT_COLUMNS[name] for name in columns if name in TEXT_COLUMNS}
    fields = [name for name in columns if name not in named]
    return (queryset.order_by(*order) if order else queryset).values(*fields, **named)


class Links:
    """A response's absolute URLs and times, with what they depend on read once: the
    scheme and host (what ``build_absolute_uri`` puts before a path; the paths come from
    ``reverse()``, already URIs), the script prefix and URL configuration (``page_url``),
    and the current time zone (DRF's DateTimeField, which reads it at every value)."""

    def __init__(self, request: Request) -> None:
        self.host = request.build_absolute_uri("/")[:-1]
        self.path = page_url_reverser()
        zone = timezone.get_current_timezone()
        self.stamp = fields.DateTimeField(default_timezone=zone).to_representation

    def url(self, name: str, **kwargs: str | int) -> str:
        return self.host + self.path(name, **kwargs)


# --- Statements ----------------------------------------------------------------------------

STATEMENT_LIST_COLUMNS = (
    *("id", "slug", "title", "date", "kind", "speaker", "status", "version", "updated_at"),
)
STATEMENT_DETAIL_COLUMNS = (
    *STATEMENT_LIST_COLUMNS,
    *("section", "source_url", "title_derived", "published_at", "public_updated_at"),
    "withdrawn_note",
)
PARAGRAPH_COLUMNS = (
    *("id", "statement_id", "position", "number", "kind", "label", "depth", "parent_id"),
    *("anchor", "text", "updated_at"),
)
CITED_NUMBER = "resolutions__number"
NOTE_COLUMNS = ("statement_id", "date", "note")
CITING_COLUMNS = (*PARAGRAPH_COLUMNS, CITED_NUMBER)


def _statement(row: Row, links: Links, cited: list[int], meetings: list[str]) -> dict:
    slug = row["slug"]
    return {
        "url": links.url("api:statement-detail", slug=slug),
        "public_url": links.url("statements:statement-detail", slug=slug),
        "slug": slug,
        "title": row["title"],
        "date": _date(row["date"]),
        "kind": row["kind"],
        "speaker": row["speaker"],
        "status": row["status"],
        "cited_resolutions": cited,
        "meetings": meetings,
        "version": row["version"],
        "updated_at": links.stamp(row["updated_at"]),
    }


def statement_list(rows: list[Row], request: Request) -> list[dict]:
    """A page of statements as the list shows them: two queries, for the numbers their
    paragraphs cite and the meetings they report (rows read ``STATEMENT_LIST_COLUMNS``)."""
    links = Links(request)
    ids = [row["id"] for row in rows]
    published = {row["id"] for row in rows if row["status"] == Statement.Status.PUBLISHED}
    cited = cited_numbers_by_statement(ids, published)
    meetings = meeting_slugs_by_statement(ids)
    return [
        _statement(row, links, cited.get(row["id"], []), meetings.get(row["id"], []))
        for row in rows
    ]


def statement_details(rows: list[Row], request: Request) -> list[dict]:
    """Statements with their paragraphs, as a detail and the export show them, in three
    queries however many (rows read ``STATEMENT_DETAIL_COLUMNS``; each gets the
    ``paragraph_rows`` it showed, for the time it last changed)."""
    links = Links(request)
    ids = [row["id"] for row in rows]
    order = ("statement_id", "position")
    body_rows, citations = _with_citations(
        rows_by("statement_id", ids, Paragraph, CITING_COLUMNS, order)
    )
    blocks: dict[int, list[Row]] = {}
    for block in body_rows:
        blocks.setdefault(block["statement_id"], []).append(block)
    meetings = meeting_slugs_by_statement(ids)
    notes: dict[int, list[dict]] = {}
    for note in rows_by("statement_id", ids, ChangeNote, NOTE_COLUMNS, scope="public"):
        notes.setdefault(note["statement_id"], []).append(
            {"date": links.stamp(note["date"]), "note": note["note"]}
        )
    found = []
    for row in rows:
        body = blocks.get(row["id"], [])
        row["paragraph_rows"] = body
        public_url = links.url("statements:statement-detail", slug=row["slug"])
        anchors = {block["id"]: block["anchor"] for block in body}
        cited = sorted({n for block in body for n in citations.get(block["id"], ())})
        shown = _statement(row, links, cited, meetings.get(row["id"], []))
        shown.update(
            section=row["section"],
            source_url=optional_uri(row["source_url"]),
            title_derived=row["title_derived"],
            published_at=links.stamp(row["published_at"]),
            first_published_at=links.stamp(row["published_at"]),
            public_updated_at=links.stamp(row["public_updated_at"]),
            change_notes=notes.get(row["id"], []),
            withdrawn_note=row["withdrawn_note"],
            akn_url=links.url("statements:statement-akn", slug=row["slug"]),
            paragraphs=[
                _paragraph(
                    block,
                    public_url,
                    citations.get(block["id"], []),
                    anchors.get(block["parent_id"]),
                )
                for block in body
            ],
        )
        found.append(shown)
    return found


def _with_citations(rows: Iterable[Row]) -> tuple[list[Row], dict[int, list[int]]]:
    """Paragraphs read with the number of each resolution they cite (``CITED_NUMBER``: a
    row per citation, one with ``None`` for a paragraph citing none), as one row per
    paragraph and the numbers each cites, ascending. One query where the paragraphs and
    their citations were two (a 30-paragraph statement's: 0.54 ms against 1.13)."""
    blocks: list[Row] = []
    citations: dict[int, list[int]] = {}
    for row in rows:
        number = row.pop(CITED_NUMBER)
        cited = citations.get(row["id"])
        if cited is None:
            blocks.append(row)
            cited = citations[row["id"]] = []
        if number is not None:
            cited.append(number)
    for cited in citations.values():
        cited.sort()
    return blocks, citations


def _paragraph(block: Row, public_url: str, cited: list[int], parent: str | None) -> dict:
    return {
        "position": block["position"],
        "number": block["number"],
        "kind": block["kind"],
        "label": block["label"],
        "depth": block["depth"],
        "parent": parent,
        "anchor": block["anchor"],
        "text": block["text"],
        "cited_resolutions": cited,
        "permalink": f"{public_url}#{block['anchor']}",
    }


# --- Paragraphs on their own ------------------------------------------------------------

PARAGRAPH_LIST_COLUMNS = (
    *PARAGRAPH_COLUMNS,
    *("parent__anchor", "statement__slug", "statement__title", "statement__date"),
    "statement__updated_at",
)


def paragraph_list(
    rows: list[Row], request: Request, citations: dict[int, list[int]] | None = None
) -> list[dict]:
    """Paragraphs with the statement each belongs to (rows read ``PARAGRAPH_LIST_COLUMNS``)
    and the numbers they cite: read with them (``_with_citations``), else one query."""
    links = Links(request)
    if citations is None:
        citations = cited_numbers_by_paragraph([row["id"] for row in rows])
    found = []
    for row in rows:
        slug = row["statement__slug"]
        shown = {
            "statement": slug,
            "statement_url": links.url("api:statement-detail", slug=slug),
            "statement_title": row["statement__title"],
            "statement_date": _date(row["statement__date"]),
        }
        public_url = links.url("statements:statement-detail", slug=slug)
        shown.update(
            _paragraph(row, public_url, citations.get(row["id"], []), row["parent__anchor"])
        )
        found.append(shown)
    return found


# --- Resolutions -------------------------------------------------------------------------

RESOLUTION_COLUMNS = (
    *("id", "number", "symbol", "adopted_on", "title", "vote", "document_url", "summary"),
    *("citation_count", "updated_at"),
)


def _resolution(row: Row, links: Links) -> dict:
    number = row["number"]
    return {
        "url": links.url("api:resolution-detail", number=number),
        "public_url": links.url("statements:resolution-detail", number=number),
        "number": number,
        "symbol": row["symbol"],
        "adopted_on": _date(row["adopted_on"]),
        "title": row["title"],
        "vote": row["vote"],
        "is_unanimous": vote_is_unanimous(row["vote"]),
        "document_url": optional_uri(row["document_url"]),
        "summary": row["summary"],
        "citation_count": row["citation_count"],
    }


def resolution_list(rows: list[Row], request: Request) -> list[dict]:
    links = Links(request)
    return [_resolution(row, links) for row in rows]


def resolution_detail(row: Row, request: Request) -> dict:
    """A resolution with its newest citations (``CITING_PARAGRAPHS_SHOWN``) and the
    numbers they cite, in one query (the row gets the ``citing_rows`` it showed, for the
    time it last changed)."""
    links = Links(request)
    citing = compiled_rows(_newest_citing, (serializers.CITING_PARAGRAPHS_SHOWN,), [row["id"]])
    row["citing_rows"], citations = _with_citations(citing)
    shown = _resolution(row, links)
    shown["citing_paragraphs"] = paragraph_list(row["citing_rows"], request, citations)
    shown["citing_paragraphs_url"] = f"{links.url('api:paragraph-list')}?resolution={row['number']}"
    return shown


# What a resolution's citing paragraphs show; of when they changed, only the later of the
# paragraph's and its statement's change (``changed_at``), for Last-Modified: one
# timestamp converted a row instead of two (a row per citation: 139 for 50 paragraphs).
CITING_LIST_COLUMNS = tuple(
    column
    for column in (*PARAGRAPH_LIST_COLUMNS, CITED_NUMBER)
    if column not in ("updated_at", "statement__updated_at")
)


def _newest_citing(limit: int, resolution_ids: list[int]) -> QuerySet:
    (resolution_id,) = resolution_ids
    rows = rows_of(Paragraph, CITING_LIST_COLUMNS).annotate(
        changed_at=Greatest("updated_at", "statement__updated_at")
    )
    return rows.newest_citing(resolution_id, limit)


# --- Meetings ----------------------------------------------------------------------------

MEETING_COLUMNS = (
    *("id", "slug", "title", "kind", "date", "start_time", "timezone", "duration_minutes"),
    *("location", "occasion", "updated_text"),
)
PARTICIPANT_COLUMNS = (
    *("meeting_id", "name", "role", "organisation", "in_attendance", "updated_text"),
)


def meeting_list(rows: list[Row], request: Request) -> list[dict]:
    """Meetings with their participants and the published statements reporting them, in
    two queries (each row gets the ``participant_rows`` it showed, for the time it last
    changed)."""
    links = Links(request)
    ids = [row["id"] for row in rows]
    participants: dict[int, list[Row]] = {}
    # Participant.Meta.ordering, within each meeting
    order = ("meeting_id", "position", "id")
    for participant in rows_by("meeting_id", ids, Participant, PARTICIPANT_COLUMNS, order):
        participants.setdefault(participant["meeting_id"], []).append(participant)
    statements = reporting_slugs_by_meeting(ids)
    found = []
    for row in rows:
        slug = row["slug"]
        row["participant_rows"] = people = participants.get(row["id"], [])
        starts_at = meeting_start(row["date"], row["start_time"], row["timezone"])
        found.append(
            {
                "url": links.url("api:meeting-detail", slug=slug),
                "public_url": links.url("statements:meeting-detail", slug=slug),
                "slug": slug,
                "title": row["title"],
                "kind": row["kind"],
                "date": _date(row["date"]),
                "start_time": _time(row["start_time"]),
                "timezone": row["timezone"],
                "starts_at": _offset_datetime(starts_at) if starts_at else None,
                "starts_at_japan": (
                    _offset_datetime(starts_at.astimezone(JAPAN_TZ)) if starts_at else None
                ),
                "duration_minutes": row["duration_minutes"],
                "location": row["location"],
                "occasion": row["occasion"],
                "participants": [
                    {
                        "name": person["name"],
                        "role": person["role"],
                        "organisation": person["organisation"],
                        "in_attendance": person["in_attendance"],
                    }
                    for person in people
                ],
                "statements": statements.get(row["id"], []),
            }
        )
    return found
