"""The API's viewsets: thin, over the models' QuerySet methods; services do the writing."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import ReturnDict
from rest_framework.views import APIView

from mofa_site.caching import honour_if_modified_since
from statements import services
from statements.api import filters, representations, serializers
from statements.api.permissions import can_see_unpublished
from statements.bodies import as_datetime
from statements.models import (
    Meeting,
    Paragraph,
    Resolution,
    Statement,
    Tally,
    resolution_count,
)

# Anonymous responses may sit in shared caches this long; ETags make revalidation cheap.
PUBLIC_MAX_AGE = 300
EXPORT_CHUNK_SIZE = 100


class ConditionalGetMixin:
    """ETag (a hash of the body) and Last-Modified on every successful read, a 304 when
    the client's copy is current, and caching headers that never let a shared cache keep
    what an editor saw.

    If-Modified-Since is honoured on detail responses only: a list can change without any
    listed record changing (one is withdrawn), which only the ETag notices."""

    last_modified: dt.datetime | None = None
    honour_if_modified_since = False

    def modified_at(self, row: dict) -> dt.datetime:
        """When what the response shows of the record last changed."""
        return row["updated_at"]

    def represent(self, rows: list[dict]) -> list[dict]:
        """The list's records as it answers them (``representations``)."""
        raise NotImplementedError

    def represent_one(self, row: dict) -> dict:
        """The record as its detail answers it."""
        return self.represent([row])[0]

    def list(self, request, *args, **kwargs):
        # Rows (``values()``), not instances: see representations.
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.represent(rows)
        self.last_modified = max((self.modified_at(row) for row in rows), default=None)
        return self.get_paginated_response(data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != status.HTTP_200_OK:
            return response
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        response.render()
        set_response_etag(response)
        if self.last_modified is not None:
            response["Last-Modified"] = http_date(self.last_modified.timestamp())
        honoured = self.last_modified if self.honour_if_modified_since else None
        if honoured is not None:
            honour_if_modified_since(response)  # and so will the page cache
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(honoured.timestamp()) if honoured else None,
            response=response,
        )


class EditableMixin:
    """A detail (from a row, as the list reads them); writes validate with the write
    serializer and answer with the resource as readers see it, read again as its detail
    reads it."""

    read_serializer_class: type
    write_actions = ("create", "update", "partial_update")
    detail_columns: tuple[str, ...]
    public_scope = "all"  # the records anyone may open (a QuerySet method); editors open all

    def get_serializer_class(self):
        if self.action in self.write_actions:
            return self.serializer_class
        return self.read_serializer_class

    def detail_rows(self) -> QuerySet:
        """Every record (whatever its status) as the rows its detail reads."""
        return representations.rows_of(self.read_serializer_class.Meta.model, self.detail_columns)

    def detail_scope(self) -> str:
        """The records this client may open by their detail: all of them for editors."""
        model = self.read_serializer_class.Meta.model
        return "all" if can_see_unpublished(self.request.user, model) else self.public_scope

    def get_object(self):
        """A detail's row by its lookup, from SQL compiled once (``representations.rows_by``).
        A write's record, and a detail asked with filters (DRF applies them to a detail
        too), are found as DRF finds them."""
        asked = set(self.request.query_params)
        if self.action != "retrieve" or not asked <= filters.COMMON_PARAMETERS:
            return super().get_object()
        model = self.read_serializer_class.Meta.model
        try:
            key = model._meta.get_field(self.lookup_field).to_python(self.kwargs[self.lookup_field])
        except DjangoValidationError:
            raise Http404 from None
        rows = representations.rows_by(
            self.lookup_field, [key], model, self.detail_columns, scope=self.detail_scope()
        )
        if not rows:  # as Django's get_object_or_404() says it
            raise Http404(f"No {model._meta.object_name} matches the given query.")
        self.check_object_permissions(self.request, rows[0])
        return rows[0]

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        data = self.represent_one(row)
        self.last_modified = self.modified_at(row)
        self.honour_if_modified_since = True
        return Response(self.with_record_for_forms(data, row))

    def with_record_for_forms(self, data: dict, row: dict) -> dict:
        """The browsable API (HTML) fills an editor's forms from the record behind the
        answer, which it finds on DRF's ReturnDict: loaded for that page only."""
        if getattr(self.request.accepted_renderer, "format", None) != "api":
            return data
        record = self.read_serializer_class.Meta.model._default_manager.get(pk=row["id"])
        return ReturnDict(data, serializer=self.get_serializer(record))

    def read_data(self, instance) -> dict:
        return self.represent_one(self.detail_rows().get(pk=instance.pk))

    def perform_save(self, serializer):
        """Save: the serializers call the services, which record the history."""
        return serializer.save()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_save(serializer)
        data = self.read_data(instance)
        # str(): the url is DRF's Hyperlink, a str subclass that wsgiref (runserver) refuses.
        location = str(data["url"])
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return Response(self.read_data(self.perform_save(serializer)))


def visible(user, model, queryset, published):
    """Everything for editors (the model's change permission), else the published part."""
    return queryset if can_see_unpublished(user, model) else published


STATEMENT_WRITE_RESPONSES = {
    409: OpenApiResponse(
        description=_("The statement changed since `version`; the body has `current_version`.")
    )
}


@extend_schema_view(
    list=extend_schema(summary=_("List published statements")),
    retrieve=extend_schema(
        summary=_("A statement with its paragraphs"),
        description=_(
            "Published and withdrawn statements (a withdrawn one has `status` `withdrawn` "
            "and its `withdrawn_note`, as its page shows); drafts for editors only."
        ),
    ),
    create=extend_schema(
        summary=_("Create a statement with its paragraphs (editors)"),
        responses={201: serializers.StatementDetailSerializer},
    ),
    update=extend_schema(
        summary=_("Replace a statement and its paragraphs (editors)"),
        responses={200: serializers.StatementDetailSerializer, **STATEMENT_WRITE_RESPONSES},
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of a statement (editors)"),
        responses={200: serializers.StatementDetailSerializer, **STATEMENT_WRITE_RESPONSES},
    ),
    destroy=extend_schema(summary=_("Delete a statement and its paragraphs (editors)")),
)
@extend_schema(tags=["statements"])
class StatementViewSet(ConditionalGetMixin, EditableMixin, viewsets.ModelViewSet):
    """Statements, newest first. Anonymous clients and non-editors see published ones only."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    serializer_class = serializers.StatementWriteSerializer
    read_serializer_class = serializers.StatementDetailSerializer
    filterset_class = filters.StatementFilterSet
    detail_columns = representations.STATEMENT_DETAIL_COLUMNS
    # Like the page: a withdrawn statement opens, marked withdrawn, with its notice.
    public_scope = "readable"

    def get_queryset(self):
        if self.action == "list":
            # The list shows cited numbers and meeting slugs (representations, for the
            # page's rows only), not paragraphs nor the source page (which SQLite would
            # carry through a sort by title: 1.8-2.4 s at 100,000 statements).
            statements = representations.rows_of(Statement, representations.STATEMENT_LIST_COLUMNS)
            wanted = self.request.query_params.get("status")
            if wanted in (Statement.Status.DRAFT, Statement.Status.WITHDRAWN):
                # Withdrawn statements are public, as their pages are; drafts are not.
                if wanted == Statement.Status.DRAFT and not can_see_unpublished(
                    self.request.user, Statement
                ):
                    self.permission_denied(
                        self.request, message=_("Only editors may list unpublished statements.")
                    )
                return statements
            return statements  # published() after the filters: see filter_queryset()
        if self.action == "retrieve":
            return representations.rows_of(
                Statement, self.detail_columns, scope=self.detail_scope()
            )
        # A write reads the record it changes.
        statements = Statement.objects.with_related().with_change_notes()
        return visible(self.request.user, Statement, statements, statements.readable())

    def represent(self, rows: list[dict]) -> list[dict]:
        if self.action == "list":
            return representations.statement_list(rows, self.request)
        return representations.statement_details(rows, self.request)

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.StatementListSerializer
        if self.action in ("update", "partial_update"):
            return serializers.StatementUpdateSerializer
        return super().get_serializer_class()

    def filter_queryset(self, queryset):
        filtered = super().filter_queryset(queryset)
        wanted = self.request.query_params.get("status")
        if self.action != "list" or wanted in (Statement.Status.DRAFT, Statement.Status.WITHDRAWN):
            return filtered
        return published_unless_searched(self, filtered)

    @classmethod
    def unfiltered_rows(cls) -> QuerySet:
        """The public list's rows before any filter (see ``MeetingViewSet.unfiltered_rows``):
        its rows, published (``filter_queryset``)."""
        return representations.rows_of(
            Statement, representations.STATEMENT_LIST_COLUMNS
        ).published()

    def known_count(self) -> int | None:
        """The public list's length, kept by the database, when nothing narrows it; a
        search's own count when only it does."""
        if set(self.request.query_params) <= filters.NOT_NARROWING:
            return Tally.objects.published_statements()
        return searched_count(self)

    def modified_at(self, row: dict) -> dt.datetime:
        # A list row shows no paragraph (nor their dates); a detail shows them all.
        return max([row["updated_at"], *(p["updated_at"] for p in row.get("paragraph_rows", []))])

    def perform_destroy(self, statement: Statement) -> None:
        services.statement_delete(statement=statement, user=self.request.user)


@extend_schema_view(list=extend_schema(summary=_("List paragraphs of published statements")))
@extend_schema(tags=["paragraphs"])
class ParagraphViewSet(ConditionalGetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every paragraph of every published statement: newest statement first, then in
    reading order. Cite one with its `permalink`."""

    serializer_class = serializers.ParagraphSerializer
    filterset_class = filters.ParagraphFilterSet

    def get_queryset(self):
        # published() after the filters: see filter_queryset().
        order = ("-statement__date", "-statement_id", "position")
        return representations.rows_of(Paragraph, representations.PARAGRAPH_LIST_COLUMNS, order)

    def filter_queryset(self, queryset):
        return published_unless_searched(self, super().filter_queryset(queryset))

    def represent(self, rows: list[dict]) -> list[dict]:
        return representations.paragraph_list(rows, self.request)

    def modified_at(self, row: dict) -> dt.datetime:
        return max(row["updated_at"], row["statement__updated_at"])

    def known_count(self) -> int | None:
        """The list's length without counting 2.5 million paragraphs: the tally when
        nothing narrows it, a resolution's citation count when only it does."""
        narrowing = set(self.request.query_params) - filters.NOT_NARROWING
        if not narrowing:
            return Tally.objects.published_paragraphs()
        number = self.request.query_params.get("resolution", "")
        if narrowing == {"resolution"} and number.isdigit():
            counts = Resolution.objects.filter(number=int(number)).values_list("citation_count")
            return next(iter(counts), (0,))[0]
        return searched_count(self)


def published_unless_searched(view, queryset: QuerySet) -> QuerySet:
    """The published records of a filtered list. A search's ids come from the index of
    published text, and checking their status again would lead SQLite's planner to walk
    every published statement, probing the ids for each (seconds at 5,000 statements)."""
    filterset = getattr(view, "filterset", None)
    found = getattr(filterset, "found", None)
    return queryset if found is not None and found.published else queryset.published()


def searched_count(view) -> int | None:
    """How many records a search (``q``) found, when its filters are all that narrow the
    list (see ``filters.SearchFilterSet``)."""
    filterset = getattr(view, "filterset", None)
    return filterset.known_count() if isinstance(filterset, filters.SearchFilterSet) else None


@extend_schema_view(
    list=extend_schema(summary=_("List Security Council resolutions")),
    retrieve=extend_schema(summary=_("A resolution with the paragraphs citing it")),
    create=extend_schema(summary=_("Record a resolution (editors)")),
    update=extend_schema(summary=_("Replace a resolution's metadata (editors)")),
    partial_update=extend_schema(summary=_("Change some of a resolution's metadata (editors)")),
    destroy=extend_schema(summary=_("Delete a resolution (editors)")),
)
@extend_schema(tags=["resolutions"])
class ResolutionViewSet(ConditionalGetMixin, EditableMixin, viewsets.ModelViewSet):
    """UN Security Council resolutions with the number of published paragraphs citing them."""

    lookup_field = "number"
    lookup_value_regex = r"[0-9]{1,4}"
    serializer_class = serializers.ResolutionSerializer
    read_serializer_class = serializers.ResolutionDetailSerializer
    filterset_class = filters.ResolutionFilterSet
    detail_columns = representations.RESOLUTION_COLUMNS

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return self.detail_rows()
        return Resolution.objects.order_by("-number")

    def detail_rows(self) -> QuerySet:
        return self.unfiltered_rows()

    @classmethod
    def unfiltered_rows(cls) -> QuerySet:
        """The list's rows before any filter (see ``MeetingViewSet.unfiltered_rows``)."""
        return representations.rows_of(Resolution, cls.detail_columns, ("-number",))

    def represent(self, rows: list[dict]) -> list[dict]:
        return representations.resolution_list(rows, self.request)

    def represent_one(self, row: dict) -> dict:
        return representations.resolution_detail(row, self.request)

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.ResolutionSerializer
        return super().get_serializer_class()

    def known_count(self) -> int | None:
        """The whole list's length, when nothing narrows it, from SQL compiled once."""
        if self.action == "list" and set(self.request.query_params) <= filters.NOT_NARROWING:
            return resolution_count()
        return None

    def modified_at(self, row: dict) -> dt.datetime:
        citing = row.get("citing_rows", [])  # a detail's
        return max([row["updated_at"], *(p["changed_at"] for p in citing)])

    def perform_destroy(self, resolution: Resolution) -> None:
        services.resolution_delete(resolution=resolution, user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary=_("List meetings reported by published statements")),
    retrieve=extend_schema(summary=_("A meeting with its participants")),
    create=extend_schema(summary=_("Record a meeting with its participants (editors)")),
    update=extend_schema(summary=_("Replace a meeting and its participants (editors)")),
    partial_update=extend_schema(summary=_("Change some fields of a meeting (editors)")),
    destroy=extend_schema(summary=_("Delete a meeting (editors)")),
)
@extend_schema(tags=["meetings"])
class MeetingViewSet(ConditionalGetMixin, EditableMixin, viewsets.ModelViewSet):
    """Meetings that published statements report, most recent first, with the local start
    and the same instant in Japan time."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    serializer_class = serializers.MeetingSerializer
    read_serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilterSet
    detail_columns = representations.MEETING_COLUMNS
    public_scope = "published"

    def get_queryset(self):
        if self.action not in ("list", "retrieve"):
            # A write reads the record it changes, with its relations.
            meetings = Meeting.objects.with_related()
            return visible(self.request.user, Meeting, meetings, meetings.published())
        if self.action == "list":
            return self.unfiltered_rows()
        return representations.rows_of(Meeting, self.detail_columns, scope=self.detail_scope())

    @classmethod
    def unfiltered_rows(cls) -> QuerySet:
        """The list's rows before any filter (the pagination reads a page of them from SQL
        compiled once when none is given)."""
        return representations.rows_of(Meeting, cls.detail_columns, scope=cls.public_scope)

    def represent(self, rows: list[dict]) -> list[dict]:
        return representations.meeting_list(rows, self.request)

    def known_count(self) -> int | None:
        """The public list's length, kept by the database, when nothing narrows it."""
        if self.action == "list" and set(self.request.query_params) <= filters.NOT_NARROWING:
            return Tally.objects.published_meetings()
        return None

    def modified_at(self, row: dict) -> dt.datetime:
        changed = (p["updated_text"] for p in row["participant_rows"])
        return as_datetime(max([row["updated_text"], *changed]))

    def perform_destroy(self, meeting: Meeting) -> None:
        services.meeting_delete(meeting=meeting, user=self.request.user)


@extend_schema(tags=["export"])
class StatementExportView(APIView):
    """Every published statement with its paragraphs, one JSON object per line (JSON
    Lines), oldest first, streamed in chunks so neither side holds the corpus in memory.
    Each line has the shape of `GET /api/v1/statements/{slug}/`."""

    permission_classes = [permissions.AllowAny]
    filter_backends: list = []

    @extend_schema(
        summary=_("Export every published statement as JSON Lines"),
        parameters=[],
        responses={
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.STR,
                description=_("One statement per line, as the statement detail returns it."),
            )
        },
    )
    def get(self, request, *args, **kwargs) -> StreamingHttpResponse:
        if request.query_params:
            raise ValidationError(
                {
                    name: [_("The export takes no query parameters.")]
                    for name in request.query_params
                }
            )
        response = StreamingHttpResponse(
            self.lines(request), content_type="application/jsonl; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="statements.jsonl"'
        return response

    def lines(self, request) -> Iterator[str]:
        rows = (
            Statement.objects.published()
            .order_by("date", "id")
            .values(*representations.STATEMENT_DETAIL_COLUMNS)
            .iterator(chunk_size=EXPORT_CHUNK_SIZE)
        )
        while chunk := list(itertools.islice(rows, EXPORT_CHUNK_SIZE)):
            for data in representations.statement_details(chunk, request):
                yield json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder) + "\n"
