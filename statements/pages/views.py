"""The public pages. Each view reads through the QuerySet methods named for the reader
(``published()``, ``readable()``, ``with_related()``) and runs a fixed number of queries,
whatever the amount of content (pinned in tests/statements/pages/test_views.py)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import BaseDetailView
from markupsafe import Markup

from mofa_site import caching
from statements import bodies, derived, search
from statements.bodies import as_datetime
from statements.models import (
    Meeting,
    Paragraph,
    Person,
    PublishedCitation,
    Resolution,
    Statement,
    Tally,
    cited_resolution,
    compiled_rows,
    compiled_slice,
    newest_citation_first,
    principal_names,
)
from statements.pages import akn, charts, structured_data
from statements.pages.filters import (
    Listed,
    MeetingFilter,
    ResolutionFilter,
    SearchForm,
    StatementFilter,
    published_per_year_by_kind,
)
from statements.translation import choice_labels

STATEMENTS_PER_PAGE = 20
RESOLUTIONS_PER_PAGE = 50
CITATIONS_PER_PAGE = 50
MEETINGS_PER_PAGE = 20
PEOPLE_PER_PAGE = 100
RESULTS_PER_PAGE = 20


# --- HTTP caching ------------------------------------------------------------------------


def cache_for_readers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let browsers and shared caches keep anonymous readers' pages for a while; pages for
    signed-in users stay private (they may one day show editing links)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
            return response
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
        return response

    return wrapped


def conditional_on(
    stamps: Callable[..., dict[str, Any]],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Answer conditional GETs with 304 from ``stamps(request, **url_kwargs)``, a query or
    two: the latest ``updated_at`` of everything the page shows (Last-Modified) and a
    digest of all the values (the ETag, which also changes when something leaves the
    page)."""

    def freshness(request: HttpRequest, **kwargs: Any) -> tuple[dt.datetime | None, str | None]:
        if not hasattr(request, "_freshness"):
            values = stamps(request, **kwargs)
            times = [value for value in values.values() if isinstance(value, dt.datetime)]
            if not times:  # unknown object: let the view answer 404
                request._freshness = (None, None)
            else:
                digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()
                request._freshness = (max(times), digest[:32])
        return request._freshness

    conditional = condition(
        etag_func=lambda request, **kwargs: freshness(request, **kwargs)[1],
        last_modified_func=lambda request, **kwargs: freshness(request, **kwargs)[0],
    )

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        answered = conditional(view)

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # condition() honours If-Modified-Since; the page cache must know to as well.
            return caching.honour_if_modified_since(answered(request, *args, **kwargs))

        return wrapped

    return decorator


# Everything a statement page shows, as counts and latest changes: the statement, its
# paragraphs and their citations, its meetings (not their participants: only each
# meeting's page shows them), its speaker's person (which one, and its last change: a
# rename or a merge), and its neighbours (the newest change to a published statement,
# and how many there are, so an edit, a withdrawal or a deletion anywhere changes the
# previous/next links' stamp). Its body's stamps first (bodies.stamp_columns): they are
# the key of its rendered body too. A citation moved from one paragraph to another
# keeps every count and time: the newest citation row's id tells (ids are never
# reused), on the meeting page too. Written out rather than built by the ORM: building
# and compiling the aggregate cost three times the rest of a 304 (1.1 of 1.4 ms).
STATEMENT_STAMPS_SQL = f"""
SELECT s.updated_at,
    {bodies.stamp_columns("s")},
    (SELECT COUNT(*) FROM {derived.LINKS} l WHERE l.statement_id = s.id),
    (SELECT MAX(m.updated_at) FROM {derived.LINKS} l
        JOIN {derived.MEETING} m ON m.id = l.meeting_id WHERE l.statement_id = s.id),
    (SELECT MAX(updated_at) FROM {derived.STATEMENT} WHERE status = %(published)s),
    (SELECT value FROM {derived.TALLY} WHERE name = %(tally)s),
    s.person_id,
    (SELECT pe.updated_at FROM {derived.PERSON} pe WHERE pe.id = s.person_id)
FROM {derived.STATEMENT} s
WHERE s.slug = %(slug)s AND s.status IN (%(published)s, %(withdrawn)s)
"""


# STATEMENT_STAMPS_SQL's columns, as read_stamps() names them: the body's, and how many
# meetings the statement reports.
BODY_STAMPS = tuple(f"stamp_{n}" for n in range(1, 1 + bodies.STAMPS))
MEETING_LINKS_STAMP = f"stamp_{1 + bodies.STAMPS}"


def statement_stamps(request: HttpRequest, slug: str) -> dict[str, Any]:
    stamps = read_stamps(
        STATEMENT_STAMPS_SQL,
        {
            "slug": slug,
            "published": Statement.Status.PUBLISHED,
            "withdrawn": Statement.Status.WITHDRAWN,
            "tally": Tally.PUBLISHED_STATEMENTS,
        },
    )
    # The page reads no meetings when the statement reports none, as most do, and shows
    # its rendered body when these stamps are the ones it was rendered from.
    request._meeting_links = stamps.get(MEETING_LINKS_STAMP)
    request._body_stamps = tuple(stamps[name] for name in BODY_STAMPS) if stamps else None
    return stamps


# A meeting page: the meeting, its participants and the people they are (which, and
# their last change), the statements reporting it (a withdrawal changes one's stamp),
# their paragraphs and citations. Written out for the
# same reason as the statement's.
MEETING_STAMPS_SQL = f"""
SELECT m.updated_at,
    (SELECT COUNT(*) FROM {derived.PARTICIPANT} x WHERE x.meeting_id = m.id),
    (SELECT MAX(x.updated_at) FROM {derived.PARTICIPANT} x WHERE x.meeting_id = m.id),
    (SELECT COUNT(*) FROM {derived.LINKS} l WHERE l.meeting_id = m.id),
    (SELECT MAX(s.updated_at) FROM {derived.LINKS} l
        JOIN {derived.STATEMENT} s ON s.id = l.statement_id WHERE l.meeting_id = m.id),
    (SELECT COUNT(*) FROM {derived.LINKS} l
        JOIN {derived.PARAGRAPH} p ON p.statement_id = l.statement_id
        WHERE l.meeting_id = m.id),
    (SELECT MAX(p.updated_at) FROM {derived.LINKS} l
        JOIN {derived.PARAGRAPH} p ON p.statement_id = l.statement_id
        WHERE l.meeting_id = m.id),
    (SELECT COUNT(*) FROM {derived.LINKS} l
        JOIN {derived.PARAGRAPH} p ON p.statement_id = l.statement_id
        JOIN {derived.CITATIONS} c ON c.paragraph_id = p.id
        WHERE l.meeting_id = m.id),
    (SELECT SUM(x.person_id) FROM {derived.PARTICIPANT} x WHERE x.meeting_id = m.id),
    (SELECT MAX(pe.updated_at) FROM {derived.PARTICIPANT} x
        JOIN {derived.PERSON} pe ON pe.id = x.person_id WHERE x.meeting_id = m.id),
    (SELECT MAX(c.id) FROM {derived.LINKS} l
        JOIN {derived.PARAGRAPH} p ON p.statement_id = l.statement_id
        JOIN {derived.CITATIONS} c ON c.paragraph_id = p.id
        WHERE l.meeting_id = m.id)
FROM {derived.MEETING} m
WHERE m.slug = %(slug)s AND m.statement_count > 0
"""


def meeting_stamps(request: HttpRequest, slug: str) -> dict[str, Any]:
    return read_stamps(MEETING_STAMPS_SQL, {"slug": slug})


def read_stamps(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The one row of a stamps query, numbered; no row (an unknown page) is empty. The
    page's first query, so it is the connection's health check too (every 304, and every
    page the page cache did not answer first)."""

    def read() -> tuple[Any, ...] | None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    row = caching.checked_first_read(read)
    if row is None:
        return {}
    return {f"stamp_{n}": as_datetime(value) for n, value in enumerate(row)}


def citations_page(resolution: Resolution, number: Any) -> Page:
    """The page of that number of the published paragraphs citing the resolution (out of
    range: the nearest page), as the paginator counts them: its rows are a slice of the
    index of published citations that ``citing_rows()`` reads. Counted by the database
    (``citation_count``), so the paginator reads nothing: its pages are of positions."""
    return Paginator(range(resolution.citation_count), CITATIONS_PER_PAGE).get_page(number)


class CitingRow(NamedTuple):
    """A quote of a resolution's page as one read gives it: what its ETag digests (the
    changes of the paragraph and its statement, and its quote's stamps,
    ``bodies.QUOTE_STAMPS``), as text, then what the page shows (the statement's columns,
    the paragraph's anchor, the kept quote)."""

    paragraph_id: int
    changed: str
    statement_changed: str
    stamps: str
    statement_id: int
    slug: str
    title: str
    date: dt.date
    kind: str
    position: int
    anchor: str
    kept_key: str | None
    kept_place: str | None
    kept_html: str | None


_CITING_SHOWN = (
    "statement_id",
    "statement__slug",
    "statement__title",
    "statement__date",
    "statement__kind",
    "position",
    "anchor",
    "rendered_quote__key",
    "rendered_quote__place",
    "rendered_quote__html",
)


def _page_quotes(start: int, stop: int, resolution_ids: list[int]) -> QuerySet:
    # A page of citations_page(): its paragraphs' stamps, statements and kept quotes.
    citing = PublishedCitation.objects.filter(resolution_id__in=resolution_ids).newest_first()
    paragraphs = Paragraph.objects.filter(pk__in=citing.values("paragraph_id")[start:stop])
    # The times as text, as the database writes them: digested as they are, and only the
    # newest converted (a hundred conversions were 4% of the page).
    changed = (Cast(name, TextField()) for name in ("updated_at", "statement__updated_at"))
    return bodies.quote_stamped(paragraphs.order_by("pk")).values_list(
        "pk", *changed, bodies.QUOTE_STAMPS, *_CITING_SHOWN
    )


def citing_rows(resolution: Resolution, number: Any) -> tuple[Page, list[CitingRow]]:
    """The page of the paragraphs citing the resolution and their rows (``CitingRow``),
    in no order, from SQL compiled once (``compiled_rows()``)."""
    page = citations_page(resolution, number)
    start = (page.number - 1) * page.paginator.per_page  # the page's own slice, compiled once
    read = compiled_rows(_page_quotes, (start, start + page.paginator.per_page), [resolution.pk])
    return page, [CitingRow(*row) for row in read]


def resolution_stamps(request: HttpRequest, number: int) -> dict[str, Any]:
    # What the requested page shows: the resolution, how many cite it (a withdrawal
    # changes that), and the paragraphs of this page, their statements and what their
    # quotes are rendered from (a citation added beside, a renumbered resolution linked,
    # a heading above renamed). Read with the page's rows, which the view takes.
    resolution = cited_resolution(number)  # the connection's health check
    if resolution is None:
        return {}
    page, rows = citing_rows(resolution, request.GET.get("page"))
    # The view's object and page: neither read again.
    request._resolution = resolution
    request._citations = (page, rows)
    return {
        "resolution_stamp": resolution.updated_at,
        "paragraph_count_stamp": resolution.citation_count,
        # One engine writes every time in one format, in UTC: as text, the newest sorts last.
        "shown_stamp": as_datetime(max((max(row[1:3]) for row in rows), default=None)),
        "shown": [row[:4] for row in rows],  # by id
    }


class CitingStatement(NamedTuple):
    """A statement as a resolution's page heads its quotes."""

    url: str
    title: str
    date: dt.date
    kind: str  # its label


class Quote(NamedTuple):
    """A citing paragraph as a resolution's page shows it, under its statement."""

    statement: CitingStatement
    url: str
    place: str
    html: SafeString


def quotes_shown(rows: list[CitingRow]) -> list[Quote]:
    """The page's quotes in the order of the index of published citations (newest
    statement first, then reading order): each from its kept quote while its key is the
    one its stamps make now, else rendered here from the paragraph, as the services
    render it (``bodies.quotes_rendered``)."""
    rows = sorted(rows, key=lambda r: newest_citation_first(r.date, r.statement_id, r.position))
    kinds = choice_labels(Statement._meta.get_field("kind"))
    statements: dict[int, CitingStatement] = {}
    for row in rows:
        if row.statement_id not in statements:
            url = Statement.url_of(row.slug)
            label = kinds.get(row.kind, row.kind)
            statements[row.statement_id] = CitingStatement(url, row.title, row.date, label)
    keys = bodies.quote_keys(row.stamps for row in rows)
    stale = [row.paragraph_id for row, key in zip(rows, keys, strict=True) if row.kept_key != key]
    rendered = bodies.quotes_rendered(stale) if stale else {}
    quotes = []
    for row in rows:
        statement = statements[row.statement_id]
        place, html = rendered.get(row.paragraph_id) or (row.kept_place, row.kept_html)
        # Safe: the text escaped and linked by linked_text(), here or when it was kept.
        quotes.append(Quote(statement, f"{statement.url}#{row.anchor}", place, mark_safe(html)))
    return quotes


# --- Pages -------------------------------------------------------------------------------


def statements_per_year(counts: list[tuple[int, str, int]]) -> charts.Chart:
    """Statements per year, stacked by kind (only the kinds there are), from
    ``per_year_by_kind()``."""
    present = {kind for _, kind, _ in counts}
    kinds = [(kind, label) for kind, label in Statement.Kind.choices if kind in present]
    return charts.per_year(counts, kinds, _("Published statements per year, by kind"))


def chart_html(figure: charts.Chart, period: str) -> SafeString:
    """A chart and its table of figures (``includes/chart.html``), "" for one without
    columns."""
    if not figure.columns:
        return mark_safe("")
    # Safe: the template escaped what it wrote.
    return mark_safe(loader.render_to_string(CHART_TEMPLATE, {"chart": figure, "period": period}))


def chart_written(name: str, chart: Callable[[], charts.Chart], period: str) -> SafeString:
    """``chart_html()`` of a chart written once per change of the content and language
    (``caching.per_generation``): the same for every reader until the content changes, so
    a page does not count the months of 600 citations and draw them again each time."""
    key = f"chart:{name}:{get_language()}"
    return mark_safe(caching.per_generation(key, lambda: str(chart_html(chart(), period))))


CHART_TEMPLATE = "includes/chart.html"
HOME_CHART = "statements-per-year"  # the unfiltered statement list's too


class SectionMixin:
    """Names the navigation section a page belongs to (for aria-current)."""

    section = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(section=self.section, **kwargs)


class HomeView(SectionMixin, TemplateView):
    template_name = "statements/home.html"
    latest = 8
    recent = 5
    most_cited = 6

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            # First: the content generation's read is the connection's health check.
            per_year=chart_written(
                HOME_CHART,
                lambda: statements_per_year(published_per_year_by_kind()),
                _("Year"),
            ),
            # The lists' first rows, from SQL compiled once.
            statements=listed_statements(
                compiled_slice(StatementListView.unfiltered, 0, self.latest)
            ),
            meetings=listed_meetings(compiled_slice(MeetingListView.unfiltered, 0, self.recent)),
            resolutions=compiled_slice(Resolution.objects.most_cited, 0, self.most_cited),
            **kwargs,
        )


class ListedStatement(NamedTuple):
    """A statement as a list shows it (includes/statement_item.html), from its columns."""

    url: str
    title: str
    date: dt.date
    kind: str  # its label
    speaker: str


def listed_statements(rows: Iterable[tuple]) -> list[ListedStatement]:
    """Rows of ``Statement.objects.for_lists()`` as their list shows them."""
    kinds = choice_labels(Statement._meta.get_field("kind"))
    return [
        ListedStatement(Statement.url_of(slug), title, date, kinds.get(kind, kind), speaker)
        for slug, title, date, kind, speaker in rows
    ]


class TalliedListView(ListView):
    """A list whose unfiltered length the database keeps (``Tally``), so that paging it
    never counts the archive; filtered, it counts what the filters leave."""

    filter_parameters: tuple[str, ...] = ()
    # Filtered, the list's length when a grouping of it already counted it.
    filtered_count: int | None = None

    @staticmethod
    def unfiltered() -> QuerySet:
        """What the list shows with no filter chosen, in its order."""
        raise NotImplementedError

    def unfiltered_count(self) -> int:
        raise NotImplementedError

    def is_filtered(self) -> bool:
        return any(self.request.GET.get(name) for name in self.filter_parameters)

    def get_paginator(self, queryset, per_page, **kwargs) -> Paginator:
        if not self.is_filtered():
            # Pages of positions, as a resolution page's citations: ``compiled_page()``
            # reads the page's rows, and the queryset is never sliced.
            return super().get_paginator(range(self.unfiltered_count()), per_page, **kwargs)
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.filtered_count is not None:
            paginator.count = self.filtered_count
        return paginator

    @staticmethod
    def rows_shown(rows: Iterable[Any]) -> Iterable[Any]:
        """A page's rows as the list's template shows them (``listed_meetings()``...)."""
        return rows

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        start = (page.number - 1) * page_size
        compiled = self.compiled_page(start, start + page_size)
        page.object_list = rows = self.rows_shown(rows if compiled is None else compiled)
        return paginator, page, rows, is_paginated

    def compiled_page(self, start: int, stop: int) -> list | None:
        """The rows of the page, read from SQL compiled once; None leaves the paginator's
        slice of the queryset. Unfiltered, a page of the whole list."""
        if self.is_filtered():
            return None
        return compiled_slice(self.unfiltered, start, stop)


class StatementListView(SectionMixin, TalliedListView):
    template_name = "statements/statement_list.html"
    context_object_name = "statements"
    paginate_by = STATEMENTS_PER_PAGE
    section = "statements"

    @staticmethod
    def unfiltered() -> QuerySet[Statement]:
        return Statement.objects.published().for_lists()

    def get_queryset(self) -> QuerySet[Statement]:
        self.filterset = StatementFilter(
            self.request.GET or None, queryset=Statement.objects.published()
        )
        self.filter_parameters = tuple(self.filterset.filters)
        # Not the filtered read (``qs``): a page of it is read by paginate_queryset().
        return self.filterset.queryset

    rows_shown = staticmethod(listed_statements)

    def compiled_page(self, start: int, stop: int) -> list | None:
        if self.is_filtered():  # a page of the filtered list, from SQL compiled once too
            return self.filterset.page(self.unfiltered, start, stop)
        return super().compiled_page(start, stop)

    def unfiltered_count(self) -> int:
        return Tally.objects.published_statements()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # One grouped read for the chart, the list's length, and the year, kind and speaker
        # counts when those are free; unfiltered, the whole archive's, kept per generation.
        listed = self.filterset.listed()
        self.filtered_count = listed.count
        return super().get_context_data(
            filter=self.filterset,
            inputs=self.filterset.inputs(listed),
            per_year=self.per_year_chart(listed),
            **kwargs,
        )

    def per_year_chart(self, listed: Listed) -> SafeString:
        """The listed statements per year: with no filter chosen, the archive's, which is
        the home page's chart, written once per change of the content."""

        def chart() -> charts.Chart:
            return statements_per_year(listed.per_year_by_kind)

        if self.filterset.chosen():
            return chart_html(chart(), _("Year"))
        return chart_written(HOME_CHART, chart, _("Year"))


def _opened(view: type[DetailView], keys: list[str]) -> QuerySet:
    """The records a detail view opens, by the slug field of its address (a read for
    ``compiled_rows()``: the view's queryset depends on nothing of the request)."""
    return view().get_queryset().filter(**{f"{view.slug_field}__in": keys})


class OpenedOnceMixin:
    """A detail view whose record, by the slug of its address, is read from SQL the ORM
    compiled once (``compiled_rows()``): building and compiling the read was as much
    again as running it. The view names its ``model``."""

    def get_object(self, queryset: QuerySet | None = None) -> Any:
        key = self.kwargs.get(self.slug_url_kwarg)
        if queryset is not None or key is None:
            return super().get_object(queryset)
        found = compiled_rows(_opened, (type(self),), [key])
        if not found:
            # The view's model, not its read's: building that read to name it made an
            # unknown address dearer than a statement's page (10.8 M instructions, 8.4).
            raise Http404(
                _("No %(verbose_name)s found matching the query")
                % {"verbose_name": self.model._meta.verbose_name}
            )
        return found[0]


class StatementDetailView(OpenedOnceMixin, SectionMixin, DetailView):
    model = Statement
    template_name = "statements/statement_detail.html"
    context_object_name = "statement"
    section = "statements"

    def shown(self) -> QuerySet[Statement]:
        """The statements this view opens: what the public may read."""
        return Statement.objects.readable()

    def get_queryset(self) -> QuerySet[Statement]:
        # Not the source page: kept for editors and re-imports, never shown. The body as
        # the services rendered it (with the resolutions it cites), the neighbours with
        # it; the body's paragraphs (when that is stale), the meetings and the change
        # notes are read by body(), reported_meetings() and public_change_notes, cheaper
        # than prefetches for one.
        return (
            self.shown()
            .select_related("person", "rendered_body")
            .defer("rendered_body__quoted_html")  # its meeting's page shows that
            .without_sources()
            .with_neighbours()
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        statement = self.object
        body = bodies.kept(statement, getattr(self.request, "_body_stamps", None))
        if body is None:  # not rendered since its last change: render it with the page
            paragraphs = statement.body()
            opening = bodies.description(paragraphs[0].text) if paragraphs else ""
        else:
            paragraphs, opening = None, body.opening
            if (kept_resolutions := body.cited_resolutions()) is not None:
                statement.cited_resolutions = kept_resolutions  # not read again
        reports = getattr(self.request, "_meeting_links", None) != 0
        meetings = statement.reported_meetings() if reports else []
        previous, following = statement.published_neighbours()
        return super().get_context_data(
            paragraphs=paragraphs,
            body_html=None if body is None else Markup(body.html),
            description=opening or bodies.description(statement.title),
            resolutions=statement.cited_resolutions,
            meetings=meetings,
            change_notes=statement.public_change_notes,
            previous=previous,
            next=following,
            json_ld=structured_data.statement_data(
                statement, meetings, self.request.build_absolute_uri
            ),
            **kwargs,
        )


class StatementAknView(BaseDetailView):
    """The statement as an Akoma Ntoso 3.0 document: what the public may read, as XML."""

    def get_queryset(self) -> QuerySet[Statement]:
        return Statement.objects.readable().with_related().without_sources()

    def render_to_response(self, context: dict[str, Any]) -> HttpResponse:
        document = akn.statement_document(self.object, self.request.build_absolute_uri)
        return HttpResponse(document, content_type=f"{akn.MEDIA_TYPE}; charset=utf-8")


class StatementPreviewView(StatementDetailView):
    """The public page of any statement, drafts and withdrawn ones included: for editors."""

    def shown(self) -> QuerySet[Statement]:
        return Statement.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "is_preview": True}


@staff_member_required
def statement_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff only, never indexed or stored by any cache; the admin links here."""
    if not request.user.has_perm("statements.view_statement"):
        raise PermissionDenied
    response = StatementPreviewView.as_view()(request, pk=pk)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


class ListedResolution(NamedTuple):
    """A resolution as its list shows it, from its columns: fifty models built for a page,
    each with its summary, were a tenth of the list's instructions (callgrind,
    docs/performance.md)."""

    id: int
    url: str
    symbol: str
    title: str
    adopted_on: dt.date | None
    citation_count: int


def _listed(resolutions: QuerySet[Resolution]) -> QuerySet:
    return resolutions.values_list(
        "pk", "number", "symbol", "title", "adopted_on", "citation_count"
    )


def listed_resolutions(rows: Iterable[tuple]) -> list[ListedResolution]:
    """Rows of ``_listed()`` as the list shows them."""
    return [
        ListedResolution(pk, Resolution.url_of(number), Resolution.symbol_of(symbol, number), *rest)
        for pk, number, symbol, *rest in rows
    ]


def _cited_resolutions() -> QuerySet[Resolution]:
    return Resolution.objects.cited().order_by("-number")


class ResolutionListView(SectionMixin, TalliedListView):
    template_name = "statements/resolution_list.html"
    context_object_name = "resolutions"
    paginate_by = RESOLUTIONS_PER_PAGE
    section = "resolutions"

    @staticmethod
    def unfiltered() -> QuerySet:
        return _listed(_cited_resolutions())

    def get_queryset(self) -> QuerySet:
        self.filterset = ResolutionFilter(self.request.GET or None, queryset=_cited_resolutions())
        self.filter_parameters = tuple(self.filterset.filters)
        if not self.is_filtered():
            # The list's length and the bars' scale, the whole archive's: counted once per
            # change of the content, so a page is one read of fifty rows (reading every
            # cited resolution's id and count for them was 1.6 of the list's 12.5 M
            # instructions). ``compiled_page()`` reads the page, not this.
            self.tally = caching.per_generation(
                "cited-resolution-tally", lambda: Resolution.objects.cited().tally()
            )
            return self.filterset.queryset
        shown = self.filterset.qs
        self.tally = shown.tally()
        self.filtered_count = self.tally[0]
        return _listed(shown)

    def unfiltered_count(self) -> int:
        return self.tally[0]

    rows_shown = staticmethod(listed_resolutions)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        _count, peak = self.tally
        return super().get_context_data(peak=peak, filter=self.filterset, **kwargs)


class ResolutionDetailView(SectionMixin, DetailView):
    """A resolution and every published paragraph that cites it, newest statement first.
    Public only once a published paragraph cites it: a draft gives nothing away."""

    template_name = "statements/resolution_detail.html"
    context_object_name = "resolution"
    slug_field = "number"
    slug_url_kwarg = "number"
    section = "resolutions"

    def get_queryset(self) -> QuerySet[Resolution]:
        return Resolution.objects.cited()

    def get_object(self, queryset: QuerySet[Resolution] | None = None) -> Resolution:
        return getattr(self.request, "_resolution", None) or super().get_object(queryset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page, rows = getattr(self.request, "_citations", None) or citing_rows(
            self.object, self.request.GET.get("page")
        )
        return super().get_context_data(
            page_obj=page,
            quotes=quotes_shown(rows),
            # Every citation of the resolution (68,000 of the most cited one at 100,000
            # statements), counted and drawn once per change of the content.
            timeline=chart_written(
                f"resolution-timeline:{self.object.pk}",
                lambda: charts.timeline(
                    PublishedCitation.objects.filter(resolution=self.object).per_month(),
                    _("Paragraphs citing %(resolution)s, by date") % {"resolution": self.object},
                    _("Citing paragraphs"),
                ),
                _("Period"),
            ),
            json_ld=structured_data.resolution_page_data(
                self.object, self.request.build_absolute_uri
            ),
            **kwargs,
        )


class ListedMeeting(NamedTuple):
    """A meeting as a list shows it (includes/meeting_item.html), from its columns."""

    id: int
    url: str
    title: str
    date: dt.date
    location: str
    kind: str  # its label
    occasion: str


def listed_meetings(rows: Iterable[tuple]) -> list[ListedMeeting]:
    """Rows of ``Meeting.objects.for_lists()`` as their list shows them."""
    kinds = choice_labels(Meeting._meta.get_field("kind"))
    return [
        ListedMeeting(
            pk, Meeting.url_of(slug), title, date, location, kinds.get(kind, kind), occasion
        )
        for pk, slug, title, date, location, kind, occasion in rows
    ]


class MeetingListView(SectionMixin, TalliedListView):
    template_name = "statements/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = MEETINGS_PER_PAGE
    section = "meetings"

    @staticmethod
    def unfiltered() -> QuerySet:
        return Meeting.objects.published().for_lists()

    def get_queryset(self) -> QuerySet:
        self.filterset = MeetingFilter(
            self.request.GET or None, queryset=Meeting.objects.published()
        )
        self.filter_parameters = tuple(self.filterset.filters)
        # Unfiltered, ``compiled_page()`` reads a page of the list, not this.
        return self.filterset.qs.for_lists() if self.is_filtered() else self.filterset.queryset

    def unfiltered_count(self) -> int:
        return Tally.objects.published_meetings()

    rows_shown = staticmethod(listed_meetings)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.filterset.count_choices()
        context = super().get_context_data(filter=self.filterset, **kwargs)
        context["principals"] = principal_names(meeting.id for meeting in context["meetings"])
        return context


class MeetingDetailView(OpenedOnceMixin, SectionMixin, DetailView):
    model = Meeting
    template_name = "statements/meeting_detail.html"
    context_object_name = "meeting"
    section = "meetings"

    def get_queryset(self) -> QuerySet[Meeting]:
        return Meeting.objects.published()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.object
        meeting.load_reports()  # its participants and reports, read by key
        # Its summaries as the services rendered them, while their keys hold.
        quoted = bodies.kept_quoted(meeting.summaries)
        meeting.load_paragraphs(quoted=quoted)
        return super().get_context_data(
            quoted=quoted,
            json_ld=structured_data.meeting_page_data(meeting, self.request.build_absolute_uri),
            **kwargs,
        )


class PersonListView(SectionMixin, ListView):
    """Everyone who spoke a published statement or took part in a public meeting, by
    family name, with how often."""

    template_name = "statements/person_list.html"
    context_object_name = "people"
    paginate_by = PEOPLE_PER_PAGE
    section = "people"

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.public().with_counts().order_by("sort_name", "id")


class PersonDetailView(OpenedOnceMixin, SectionMixin, DetailView):
    """What a person said (statements as speaker) and whom they met (meetings, with the
    role they held that day), newest first."""

    model = Person
    template_name = "statements/person_detail.html"
    context_object_name = "person"
    section = "people"

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.public()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        person = self.object
        statements = listed_statements(person.spoken().for_lists())
        participations = list(person.participations_shown())
        return super().get_context_data(
            statements=statements,
            participations=participations,
            json_ld=structured_data.person_page_data(
                person, participations, self.request.build_absolute_uri
            ),
            **kwargs,
        )


class SearchView(SectionMixin, TemplateView):
    template_name = "statements/search.html"
    section = "search"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = SearchForm(self.request.GET)
        context: dict[str, Any] = {"form": form, "query": ""}
        if form.is_valid() and search.clean_query(form.cleaned_data["q"]):
            sort = form.cleaned_data["sort"] or search.RELEVANCE
            filters = form.filters()
            answer = search.search_archive(form.cleaned_data["q"], filters, sort)
            hits = answer.hits
            # Each filter's values labelled with the hits choosing them would give.
            facets = search.search_facets(answer, filters)
            form.count_choices(facets)
            page = Paginator(hits, RESULTS_PER_PAGE).get_page(self.request.GET.get("page"))
            context.update(
                searched=True,
                query=search.clean_query(form.cleaned_data["q"]),
                sort=sort,
                resolution=answer.resolution,
                # In quotes, the number is text again: its mentions, cited or not.
                text_query=answer.resolution and f'"{answer.resolution.number}"',
                missing=answer.missing,
                page_obj=page,
                hits=page.object_list,
                more=hits.more,
                ranked=hits.ranked,
                truncated=search.is_truncated(form.cleaned_data["q"]),
                counts_at_least=facets.at_least,
            )
        return super().get_context_data(**context, **kwargs)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


home = cache_for_readers(HomeView.as_view())
statement_list = cache_for_readers(StatementListView.as_view())
statement_detail = cache_for_readers(
    conditional_on(statement_stamps)(StatementDetailView.as_view())
)
statement_akn = cache_for_readers(conditional_on(statement_stamps)(StatementAknView.as_view()))
resolution_list = cache_for_readers(ResolutionListView.as_view())
resolution_detail = cache_for_readers(
    conditional_on(resolution_stamps)(ResolutionDetailView.as_view())
)
meeting_list = cache_for_readers(MeetingListView.as_view())
meeting_detail = cache_for_readers(conditional_on(meeting_stamps)(MeetingDetailView.as_view()))
person_list = cache_for_readers(PersonListView.as_view())
person_detail = cache_for_readers(PersonDetailView.as_view())
search_page = cache_for_readers(SearchView.as_view())
robots_txt = cache_for_readers(RobotsView.as_view())
